import { task, types } from "hardhat/config";

import { InputError } from "../src/sdk/errors";
import { readJsonFile } from "../src/sdk/json";
import { SettlementClient } from "../src/sdk/clients/SettlementClient";
import {
  formatDollars,
  parseDollars,
  parseEndToEndId,
  parsePriority,
  parsePurposeCode,
  parseUetr,
} from "../src/sdk/inputs";
import { validateIvms101 } from "../src/sdk/ivms101";
import type { Ivms101Payload } from "../src/sdk/ivms101";
import { addressFor, deployedSystem, io, renamed, reporting, signerFor } from "./cli";

export interface PayArgs {
  from: string;
  to: string;
  amount: string;
  purpose: string;
  uetr?: string;
  e2e?: string;
  ivms?: string;
  priority?: string;
}

/** The client's names of the instruction's fields, as this task's parameters. */
const PARAMETERS: Readonly<Record<string, string>> = {
  creditor: "--to",
  amount: "--amount",
  purpose: "--purpose",
  uetr: "--uetr",
  endToEndId: "--e2e",
  priority: "--priority",
  ivms101: "--ivms",
};

function readIvms101(file: string): Ivms101Payload {
  const json = readJsonFile("--ivms", file, "a JSON file holding an IVMS101 payload");
  try {
    return validateIvms101(json);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(`--ivms ${file}: ${error.field}`, error.problem, error.expected);
  }
}

task("pay", "Pays another bank through the settlement engine: gross when funded, queued otherwise")
  .addParam("from", "The paying bank: an address or a signer index of the network", undefined, types.string)
  .addParam("to", "The bank credited: an address or a signer index", undefined, types.string)
  .addParam("amount", 'Dollars, e.g. "1250.75"', undefined, types.string)
  .addParam("purpose", 'ISO 20022 purpose code, e.g. "SUPP"', undefined, types.string)
  .addOptionalParam("uetr", "UETR (UUID v4); a fresh one by default", undefined, types.string)
  .addOptionalParam("e2e", "End-to-end id, 1 to 35 ASCII characters", undefined, types.string)
  .addOptionalParam("ivms", "JSON file with the IVMS101 travel-rule payload", undefined, types.string)
  .addOptionalParam("priority", "urgent, high or normal (default)", undefined, types.string)
  .setAction(async (args: PayArgs, hre) =>
    reporting(async () => {
      // Every parameter is checked, in the order given, before the chain is touched.
      parseDollars("--amount", args.amount);
      parsePurposeCode("--purpose", args.purpose);
      if (args.uetr !== undefined) parseUetr("--uetr", args.uetr);
      if (args.e2e !== undefined) parseEndToEndId("--e2e", args.e2e);
      if (args.priority !== undefined) parsePriority("--priority", args.priority);
      const ivms101 = args.ivms === undefined ? undefined : readIvms101(args.ivms);
      const debtor = await signerFor(hre, "--from", args.from);
      const creditor = await addressFor(hre, "--to", args.to);

      const { engine, dollar } = await deployedSystem(hre, debtor);
      const client = new SettlementClient(engine, dollar, debtor);
      const result = await client
        .pay({
          creditor,
          amount: args.amount,
          purpose: args.purpose,
          ...(args.uetr === undefined ? {} : { uetr: args.uetr }),
          ...(args.e2e === undefined ? {} : { endToEndId: args.e2e }),
          ...(args.priority === undefined ? {} : { priority: args.priority }),
          ...(ivms101 === undefined ? {} : { ivms101 }),
        })
        .catch((error: unknown) => {
          throw error instanceof InputError ? renamed(error, PARAMETERS) : error;
        });
      const where = result.status === "queued" ? ` at sequence ${result.sequence}` : "";
      io.out(
        `${result.status} ${formatDollars(result.amount)} DUSD ${result.purpose} from ${result.debtor} to ` +
          `${result.creditor}${where}: uetr ${result.uetr}, end-to-end id ${result.endToEndId}, tx ${result.hash}`,
      );
    }),
  );
