/**
 * The event hashes the provenance registry anchored, read from its logs in bounded block ranges.
 */
import type { Interface, Log } from "ethers";

import type { ProvenanceRegistry } from "../../typechain-types";
import { HASH_ID_PREFIX, HASH_ID_SUFFIX } from "./eventHash";

/** The registry's log events that carry an `eventHash`, and the indexed item arguments of each. */
const ANCHORING_EVENTS: Readonly<Record<string, readonly string[]>> = {
  ItemCommissioned: ["item"],
  ItemAggregated: ["parent", "child"],
  ItemDisaggregated: ["parent", "child"],
  ItemTransformed: ["input", "output"],
  ItemShipped: ["item"],
  ItemReceived: ["item"],
  ItemCertified: ["item"],
  ItemDispositionChanged: ["item"],
  ItemDelivered: ["item"],
};

/** Default width of one `eth_getLogs` request, in blocks: within the limits of common nodes. */
export const DEFAULT_BLOCK_RANGE = 2_000;

export interface ChainAnchor {
  /** The log's event name, e.g. `ItemShipped`. */
  name: string;
  /** The anchored digest as 0x-hex, and as the CBV 2.0 hash id it stands for. */
  eventHash: string;
  hashId: string;
  /** The item ids the log names (parent and child, input and output, or the item). */
  items: string[];
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export interface AnchorQuery {
  fromBlock?: number;
  /** Defaults to the latest block. */
  toBlock?: number;
  /** Blocks per log request. */
  blockRange?: number;
  /** Only logs naming this item id (in any of their indexed item arguments). */
  item?: string;
}

/** `0x<64 hex>` -> `ni:///sha-256;<hex>?ver=CBV2.0`. */
export function bytes32ToHashId(digest: string): string {
  return `${HASH_ID_PREFIX}${digest.slice(2).toLowerCase()}${HASH_ID_SUFFIX}`;
}

/** Reads every anchoring log of the registry in `[fromBlock, toBlock]`, `blockRange` blocks per request. */
export async function readAnchors(provenance: ProvenanceRegistry, query: AnchorQuery = {}): Promise<ChainAnchor[]> {
  const runner = provenance.runner;
  const provider = runner?.provider;
  if (provider === null || provider === undefined) throw new Error("readAnchors: the registry has no provider");
  const address = await provenance.getAddress();
  const from = query.fromBlock ?? 0;
  const to = query.toBlock ?? (await provider.getBlockNumber());
  const range = Math.max(1, query.blockRange ?? DEFAULT_BLOCK_RANGE);
  // The generic interface: the typed one accepts only literal event names.
  const abi: Interface = provenance.interface;
  const topics = Object.keys(ANCHORING_EVENTS).map((name) => abi.getEvent(name)?.topicHash ?? "");
  const itemTopic = query.item?.toLowerCase();

  const anchors: ChainAnchor[] = [];
  const seen = new Set<string>();
  for (let start = from; start <= to; start += range) {
    const end = Math.min(to, start + range - 1);
    const filters =
      itemTopic === undefined
        ? [[topics]]
        : [
            [topics, itemTopic],
            [topics, null, itemTopic],
          ];
    const logs: Log[] = [];
    for (const filter of filters) {
      logs.push(...(await provider.getLogs({ address, fromBlock: start, toBlock: end, topics: filter })));
    }
    for (const log of logs) {
      const key = `${log.transactionHash}:${log.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const parsed = abi.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) continue;
      const eventHash = String(parsed.args.getValue("eventHash")).toLowerCase();
      anchors.push({
        name: parsed.name,
        eventHash,
        hashId: bytes32ToHashId(eventHash),
        items: (ANCHORING_EVENTS[parsed.name] ?? []).map((arg) => String(parsed.args.getValue(arg)).toLowerCase()),
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
        logIndex: log.index,
      });
    }
  }
  return anchors.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}
