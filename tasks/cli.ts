/**
 * What the tasks share: where they write, how they fail (one line and a non-zero exit, never a stack trace
 * for a bad parameter), and how a parameter names an account or the deployment of the current network.
 *
 * Only modules free of the TypeChain output are imported at the top: Hardhat loads the tasks with its
 * config, before `npx hardhat compile` has generated the bindings on a fresh clone.
 */
import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { describeValue, InputError } from "../src/sdk/errors";
import { parseAddress } from "../src/sdk/inputs";
import type { RecordedContracts } from "../src/sdk/deployments";

/** Where the tasks write; tests replace both to read what a task said. */
export const io = {
  out(line: string): void {
    console.log(line);
  },
  err(line: string): void {
    console.error(line);
  },
};

/** A renamed InputError, so a client's field (`creditor`) reads as the task's parameter (`--to`). */
export function renamed(error: InputError, names: Readonly<Record<string, string>>): InputError {
  const [head] = error.field.split(/[.[]/, 1);
  const name = names[head];
  if (name === undefined) return error;
  return new InputError(`${name}${error.field.slice(head.length)}`, error.problem, error.expected);
}

/** The first line of a revert, decoded by Hardhat or ethers, e.g. `reverted with custom error 'X(...)'`. */
function revertLine(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = (error as Error & { shortMessage?: string }).shortMessage ?? error.message;
  if (!/revert/i.test(message)) return undefined;
  return message.split("\n", 1)[0];
}

/**
 * Runs a task's body. A bad parameter (InputError) or a transaction the chain refused is reported as one line
 * on stderr and makes the process exit with 1; anything else is a defect and propagates with its stack.
 */
export async function reporting(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const line = error instanceof InputError ? error.message : revertLine(error);
    if (line === undefined) throw error;
    io.err(line);
    process.exitCode = 1;
  }
}

/**
 * An account of the network given as an address or a signer index (`0`, `1`, ...); `field` names the
 * parameter in errors.
 */
export async function signerFor(hre: HardhatRuntimeEnvironment, field: string, value: string): Promise<Signer> {
  const signers = await hre.ethers.getSigners();
  const range = `an address of one of its ${signers.length} accounts or an index 0..${signers.length - 1}`;
  if (typeof value === "string" && /^[0-9]+$/.test(value)) {
    const signer = signers[Number(value)];
    if (signer === undefined) {
      throw new InputError(
        field,
        `${describeValue(value)} is not a signer index of network ${hre.network.name}`,
        range,
      );
    }
    return signer;
  }
  const address = parseAddress(field, value);
  const signer = signers.find((candidate) => candidate.address === address);
  if (signer === undefined) {
    throw new InputError(field, `${address} is not an account of network ${hre.network.name}`, range);
  }
  return signer;
}

/** An address given as an address or a signer index of the network. */
export async function addressFor(hre: HardhatRuntimeEnvironment, field: string, value: string): Promise<string> {
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return (await signerFor(hre, field, value)).getAddress();
  return parseAddress(field, value);
}

/** The contracts recorded for the current network (in `$T12_DEPLOYMENTS_DIR` or `deployments/`). */
export async function deployedSystem(hre: HardhatRuntimeEnvironment, runner: Signer): Promise<RecordedContracts> {
  const { attachDeployment, deploymentsDir, readDeployment } = await import("../src/sdk/deployments");
  const record = readDeployment(hre.network.name, deploymentsDir(hre.config.paths.root));
  return attachDeployment(record, runner, hre.ethers.provider);
}
