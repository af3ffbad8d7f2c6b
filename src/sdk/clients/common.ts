/**
 * What the clients share: sending a transaction and decoding the events of its receipt with the
 * contract's own interface, reading the chain's clock, and a few validators for values that only the
 * clients take (counts, proposal ids).
 */
import type { BaseContract, ContractTransactionResponse, Provider, Signer, TransactionReceipt } from "ethers";

import type { TypedContractEvent, TypedLogDescription } from "../../../typechain-types/common";
import { describeValue, InputError } from "../errors";
import { parseTimestamp } from "../inputs";

/** The decoded arguments of a TypeChain event, by name and by position. */
export type EventArgs<E extends TypedContractEvent> = TypedLogDescription<E>["args"];

/** Where a transaction landed. */
export interface Sent {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
}

/** Waits for a sent transaction and returns its receipt (ethers throws if it reverted). */
export async function confirm(pending: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const response = await pending;
  const receipt = await response.wait();
  if (receipt === null) throw new Error(`transaction ${response.hash} has no receipt`);
  return receipt;
}

export function sentOf(receipt: TransactionReceipt): Sent {
  return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}

/** Every `event` that `contract` emitted in `receipt`, decoded with the contract's interface, in log order. */
export async function eventsIn<E extends TypedContractEvent>(
  receipt: TransactionReceipt,
  contract: BaseContract,
  event: E,
): Promise<EventArgs<E>[]> {
  const address = (await contract.getAddress()).toLowerCase();
  const fragment = event.fragment;
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === address && log.topics[0] === fragment.topicHash)
    .map((log) => contract.interface.decodeEventLog(fragment, log.data, log.topics) as unknown as EventArgs<E>);
}

/** The one `event` the transaction must have emitted. */
export async function eventIn<E extends TypedContractEvent>(
  receipt: TransactionReceipt,
  contract: BaseContract,
  event: E,
): Promise<EventArgs<E>> {
  const [first] = await eventsIn(receipt, contract, event);
  if (first === undefined) throw new Error(`transaction ${receipt.hash} emitted no ${event.name} event`);
  return first;
}

export function providerOf(signer: Signer): Provider {
  if (signer.provider === null) throw new Error("the signer is not connected to a provider");
  return signer.provider;
}

/** Timestamp of the latest block: the chain's "now", which may differ from the wall clock. */
export async function chainTime(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("the provider returned no latest block");
  return BigInt(block.timestamp);
}

const YEAR = 365n * 24n * 3600n;

/**
 * A KYC expiry: `value` parsed as a time (ISO 8601 or unix seconds) that must lie after the latest block,
 * or one year after the latest block when `value` is not given.
 */
export async function parseKycExpiry(
  field: string,
  value: string | number | undefined,
  provider: Provider,
): Promise<bigint> {
  const now = await chainTime(provider);
  if (value === undefined) return now + YEAR;
  const expiry = parseTimestamp(field, value);
  if (expiry <= now) {
    throw new InputError(field, `${describeValue(value)} is not after the chain's time ${now}`, "a time in the future");
  }
  return expiry;
}

/** A whole number in `min..max`, given as a number, a bigint or a digit string. */
export function parseCount(field: string, value: string | number | bigint, min: bigint, max: bigint): bigint {
  const expected = `a whole number from ${min} to ${max}`;
  let count: bigint;
  if (typeof value === "bigint") count = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) count = BigInt(value);
  else if (typeof value === "string" && /^[0-9]+$/.test(value)) count = BigInt(value);
  else throw new InputError(field, `${describeValue(value)} is not a whole number`, expected);
  if (count < min || count > max) throw new InputError(field, `${describeValue(value)} is out of range`, expected);
  return count;
}
