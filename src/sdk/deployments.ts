/**
 * The record of where the system is deployed on a network: `deployments/<network>.json`, written by the
 * deploy script and read by the tasks. Reading validates the whole file and names the bad field.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { ContractRunner, Provider } from "ethers";

import {
  DigitalDollar__factory,
  ParticipantRegistry__factory,
  ProvenanceRegistry__factory,
  SettlementEngine__factory,
  type DigitalDollar,
  type ParticipantRegistry,
  type ProvenanceRegistry,
  type SettlementEngine,
} from "../../typechain-types";
import { describeValue, InputError } from "./errors";
import { parseAddress } from "./inputs";

export const CONTRACT_NAMES = [
  "ParticipantRegistry",
  "DigitalDollar",
  "SettlementEngine",
  "ProvenanceRegistry",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface DeploymentRecord {
  network: string;
  chainId: number;
  /** Block of the first deployment transaction: where log readers start. */
  block: number;
  contracts: Record<ContractName, string>;
}

/** The contracts of a record, typed. */
export interface RecordedContracts {
  registry: ParticipantRegistry;
  dollar: DigitalDollar;
  engine: SettlementEngine;
  provenance: ProvenanceRegistry;
}

/** Environment variable that overrides the directory of deployment records. */
export const DEPLOYMENTS_DIR_ENV = "T12_DEPLOYMENTS_DIR";

/** The directory of deployment records: `$T12_DEPLOYMENTS_DIR`, else `deployments/` under `root`. */
export function deploymentsDir(root: string = process.cwd()): string {
  const override = process.env[DEPLOYMENTS_DIR_ENV];
  return override !== undefined && override !== "" ? override : join(root, "deployments");
}

export function deploymentPath(network: string, dir: string = deploymentsDir()): string {
  return join(dir, `${network}.json`);
}

function wholeNumber(field: string, value: unknown, min: number): number {
  const expected = `a whole number of at least ${min}`;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new InputError(field, `${describeValue(value)} is not a whole number`, expected);
  }
  if (value < min) throw new InputError(field, `${describeValue(value)} is below ${min}`, expected);
  return value;
}

/** Validates a parsed deployment record; fields are named from `root` (e.g. the file's path). */
export function parseDeployment(value: unknown, root: string, network?: string): DeploymentRecord {
  const shape = '{ "network", "chainId", "block", "contracts": { "ParticipantRegistry", "DigitalDollar", ... } }';
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(root, `${describeValue(value)} is not an object`, shape);
  }
  const fields = value as Record<string, unknown>;
  const name = fields.network;
  if (typeof name !== "string" || name === "") {
    throw new InputError(`${root}: network`, `${describeValue(name)} is not a network name`, "the network's name");
  }
  if (network !== undefined && name !== network) {
    throw new InputError(`${root}: network`, `${describeValue(name)} is another network`, describeValue(network));
  }
  const chainId = wholeNumber(`${root}: chainId`, fields.chainId, 1);
  const block = wholeNumber(`${root}: block`, fields.block, 0);
  const contracts = fields.contracts;
  if (typeof contracts !== "object" || contracts === null || Array.isArray(contracts)) {
    throw new InputError(`${root}: contracts`, `${describeValue(contracts)} is not an object`, shape);
  }
  const addresses = contracts as Record<string, unknown>;
  const parsed = {} as Record<ContractName, string>;
  for (const contract of CONTRACT_NAMES) {
    const field = `${root}: contracts.${contract}`;
    const address = addresses[contract];
    if (address === undefined) throw new InputError(field, "is missing", "the contract's address");
    if (typeof address !== "string") {
      throw new InputError(field, `${describeValue(address)} is not a string`, "the contract's address");
    }
    parsed[contract] = parseAddress(field, address);
  }
  return { network: name, chainId, block, contracts: parsed };
}

/** Reads and validates `<dir>/<network>.json`. */
export function readDeployment(network: string, dir: string = deploymentsDir()): DeploymentRecord {
  const path = deploymentPath(network, dir);
  if (!existsSync(path)) {
    throw new InputError(
      path,
      `there is no deployment record for network ${describeValue(network)}`,
      "the file written by `npm run deploy` on that network",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(path, `is not JSON (${reason})`, "a JSON deployment record");
  }
  return parseDeployment(value, path, network);
}

/** Writes `<dir>/<network>.json` (creating `dir`) and returns its path. */
export function writeDeployment(record: DeploymentRecord, dir: string = deploymentsDir()): string {
  mkdirSync(dir, { recursive: true });
  const path = deploymentPath(record.network, dir);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** The record of a deployment (e.g. the result of `deploySystem`). */
export async function recordOf(
  system: RecordedContracts,
  network: string,
  chainId: number,
  block: number,
): Promise<DeploymentRecord> {
  return {
    network,
    chainId,
    block,
    contracts: {
      ParticipantRegistry: await system.registry.getAddress(),
      DigitalDollar: await system.dollar.getAddress(),
      SettlementEngine: await system.engine.getAddress(),
      ProvenanceRegistry: await system.provenance.getAddress(),
    },
  };
}

/**
 * Typed contracts at the recorded addresses, after checking that `provider` is on the recorded chain and that
 * each address holds code.
 */
export async function attachDeployment(
  record: DeploymentRecord,
  runner: ContractRunner,
  provider: Provider,
): Promise<RecordedContracts> {
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(record.chainId)) {
    throw new InputError(
      `deployment ${record.network}: chainId`,
      `${record.chainId} is not the connected chain's ${chainId}`,
      "the record of the connected network",
    );
  }
  for (const contract of CONTRACT_NAMES) {
    const address = record.contracts[contract];
    if ((await provider.getCode(address)) === "0x") {
      throw new InputError(
        `deployment ${record.network}: contracts.${contract}`,
        `${address} holds no code`,
        record.network === "hardhat"
          ? "a deployed contract (the in-process network starts empty on every run: deploy to a node, use --network)"
          : "the address of a deployed contract (redeploy, or the node was restarted)",
      );
    }
  }
  return {
    registry: ParticipantRegistry__factory.connect(record.contracts.ParticipantRegistry, runner),
    dollar: DigitalDollar__factory.connect(record.contracts.DigitalDollar, runner),
    engine: SettlementEngine__factory.connect(record.contracts.SettlementEngine, runner),
    provenance: ProvenanceRegistry__factory.connect(record.contracts.ProvenanceRegistry, runner),
  };
}
