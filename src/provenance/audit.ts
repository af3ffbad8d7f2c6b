/**
 * The store against the chain: every stored event's hash id is recomputed from its stored JSON and compared
 * with the event hashes the provenance registry anchored (read from its logs in bounded block ranges). A store
 * can serve several registries (chains or deployments); an event counts by what its imports did at the audited
 * one.
 */
import type { ProvenanceRegistry } from "../../typechain-types";
import { readAnchors } from "./anchors";
import type { AnchorQuery, ChainAnchor } from "./anchors";
import { eventHashId } from "./eventHash";
import type { ProvenanceStore, RegistryRef } from "./store";

export interface AlteredEvent {
  /** The id the event is stored (and was anchored) under. */
  hashId: string;
  /** What its stored JSON hashes to now. */
  recomputed: string;
  anchoredOnChain: boolean;
}

export interface AddedEvent {
  hashId: string;
  /** The transactions the store says anchored it, none of which carries its hash. */
  claimedTransactions: string[];
}

export interface DroppedEvent {
  hashId: string;
  /** The registry logs that anchor it. */
  anchors: Array<Pick<ChainAnchor, "name" | "txHash" | "blockNumber">>;
}

export interface OffChainEvent {
  hashId: string;
  note?: string;
}

export interface AuditReport {
  /** True when nothing is altered, added or dropped. */
  ok: boolean;
  fromBlock: number;
  toBlock: number;
  storedEvents: number;
  /** Distinct event hashes anchored on chain in the range. */
  anchoredHashes: number;
  /** Stored JSON that no longer hashes to its id. */
  altered: AlteredEvent[];
  /** Stored as anchored, but no anchor on chain: added to the store off chain. */
  added: AddedEvent[];
  /** Anchored on chain, missing from the store or not recorded there as imported at this registry. */
  dropped: DroppedEvent[];
  /** Stored by an import as not anchored (the ledger does not model them), with the import's note: for review. */
  offChain: OffChainEvent[];
  /** Hash ids of stored events imported only at other registries: nothing to compare here. */
  otherRegistries: string[];
}

/** Audits the whole store against the registry's logs in `[fromBlock, toBlock]`. */
export async function auditStore(
  store: ProvenanceStore,
  provenance: ProvenanceRegistry,
  query: Omit<AnchorQuery, "item"> = {},
): Promise<AuditReport> {
  const provider = provenance.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("auditStore: the registry has no provider");
  const registry: RegistryRef = {
    chainId: Number((await provider.getNetwork()).chainId),
    contract: await provenance.getAddress(),
  };
  const fromBlock = query.fromBlock ?? 0;
  const toBlock = query.toBlock ?? (await provider.getBlockNumber());
  const anchors = await readAnchors(provenance, { fromBlock, toBlock, blockRange: query.blockRange });
  const onChain = new Map<string, ChainAnchor[]>();
  for (const anchor of anchors) onChain.set(anchor.hashId, [...(onChain.get(anchor.hashId) ?? []), anchor]);

  const report: AuditReport = {
    ok: true,
    fromBlock,
    toBlock,
    storedEvents: 0,
    anchoredHashes: onChain.size,
    altered: [],
    added: [],
    dropped: [],
    offChain: [],
    otherRegistries: [],
  };
  const stored = new Set<string>();
  for (const event of store.allEvents()) {
    report.storedEvents += 1;
    const recomputed = eventHashId(event.event, event.context);
    if (recomputed !== event.hashId) {
      report.altered.push({ hashId: event.hashId, recomputed, anchoredOnChain: onChain.has(event.hashId) });
    }
    const status = store.statusAt(event.hashId, registry);
    // An event the store does not record at this registry is not this registry's: anchored here, it is dropped.
    if (status !== undefined) stored.add(event.hashId);
    if (status === undefined) {
      report.otherRegistries.push(event.hashId);
    } else if (status === "stored") {
      report.offChain.push({ hashId: event.hashId, ...(event.note === undefined ? {} : { note: event.note }) });
    } else if (!onChain.has(event.hashId)) {
      const claimed = store.anchorsAt(event.hashId, registry).map((anchor) => anchor.txHash);
      report.added.push({ hashId: event.hashId, claimedTransactions: claimed });
    }
  }
  for (const [hashId, logs] of onChain) {
    if (stored.has(hashId)) continue;
    report.dropped.push({
      hashId,
      anchors: logs.map(({ name, txHash, blockNumber }) => ({ name, txHash, blockNumber })),
    });
  }
  report.ok = report.altered.length === 0 && report.added.length === 0 && report.dropped.length === 0;
  return report;
}
