import { scope, types } from "hardhat/config";

import { parseCount } from "../src/sdk/clients/common";
import { MAX_CYCLE_PAYMENTS, SettlementClient } from "../src/sdk/clients/SettlementClient";
import { InputError } from "../src/sdk/errors";
import { formatDollars } from "../src/sdk/inputs";
import { deployedSystem, io, renamed, reporting, signerFor } from "./cli";

export interface QueueListArgs {
  from: string;
}

export interface QueueNetArgs {
  from: string;
  max?: string;
}

const queue = scope("queue", "The settlement engine's queue of payments waiting for liquidity");

queue
  .task("list", "Lists the queued payments in settlement order")
  .addOptionalParam("from", "The account to read with: an address or a signer index", "0", types.string)
  .setAction(async (args: QueueListArgs, hre) =>
    reporting(async () => {
      const reader = await signerFor(hre, "--from", args.from);
      const { engine, dollar } = await deployedSystem(hre, reader);
      const payments = await new SettlementClient(engine, dollar, reader).queue();
      if (payments.length === 0) {
        io.out("the queue is empty");
        return;
      }
      io.out(`${payments.length} queued payment${payments.length === 1 ? "" : "s"}, in settlement order:`);
      for (const payment of payments) {
        io.out(
          `#${payment.position} ${payment.uetr} ${payment.priority.padEnd(6)} ${formatDollars(payment.amount)} DUSD ` +
            `${payment.purpose} ${payment.debtor} -> ${payment.creditor} (sequence ${payment.sequence})`,
        );
      }
    }),
  );

queue
  .task("net", "Runs a netting cycle over the queue (as an operator or a settlement account holder)")
  .addOptionalParam("from", "The account that runs it: an address or a signer index", "0", types.string)
  .addOptionalParam("max", "Most queued payments to consider, 1 to 400 (default 400)", undefined, types.string)
  .setAction(async (args: QueueNetArgs, hre) =>
    reporting(async () => {
      if (args.max !== undefined) parseCount("--max", args.max, 1n, BigInt(MAX_CYCLE_PAYMENTS));
      const runner = await signerFor(hre, "--from", args.from);
      const { engine, dollar } = await deployedSystem(hre, runner);
      const address = await runner.getAddress();
      const operator = await engine.hasRole(await engine.OPERATOR_ROLE(), address);
      if (!operator && !(await engine.account(address)).open) {
        throw new InputError(
          "--from",
          `${address} is neither an operator nor the holder of a settlement account`,
          "an operator or a bank with an open settlement account",
        );
      }
      const cycle = await new SettlementClient(engine, dollar, runner)
        .runNettingCycle(args.max)
        .catch((error: unknown) => {
          throw error instanceof InputError ? renamed(error, { maxPayments: "--max" }) : error;
        });
      io.out(
        `cycle ${cycle.cycleId}: settled ${cycle.settled} of ${cycle.considered} queued payments, ` +
          `gross ${formatDollars(cycle.grossValue)} DUSD with net liquidity ${formatDollars(cycle.netLiquidity)} ` +
          `(liquidity saved ${(cycle.liquiditySaved * 100).toFixed(1)}%), ${cycle.stillQueued} still queued; ` +
          `tx ${cycle.hash}`,
      );
      for (const position of cycle.positions) {
        const sign = position.net < 0n ? "-" : "+";
        const size = position.net < 0n ? -position.net : position.net;
        io.out(`  ${position.account} ${sign}${formatDollars(size)}`);
      }
    }),
  );
