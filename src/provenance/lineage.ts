/**
 * Traces over a provenance graph: the full lineage of an item (every component, recursively, through
 * transformations and aggregations), the forward trace of a recall (everything built from an item and who holds
 * it now), and custody gaps.
 */
import { InputError } from "../sdk/errors";
import {
  holderOf,
  itemKey,
  participantOf,
  type Certificate,
  type ComponentEdge,
  type CustodyStep,
  type DispositionName,
  type ItemNode,
  type ParticipantInfo,
  type ProductClassName,
  type ProvenanceGraph,
} from "./graph";

/** How a lineage node is tied to its assembly. */
export type Incorporation = "root" | "transformation" | "aggregation";

export interface LineageNode {
  id: string;
  /** Item ids from the traced item down to this one, both included. */
  path: string[];
  depth: number;
  via: Incorporation;
  /** The transformation or aggregation that put this item into its assembly. */
  incorporated?: { time: number; eventHash: string; block: number };
  /** When an aggregation child was unpacked again (only with `includeRemoved`). */
  removed?: { time: number; eventHash: string };
  commissioned: boolean;
  origin: string;
  productClass: ProductClassName;
  exportClass: string;
  disposition: DispositionName;
  commissionedAt?: number;
  manufacturer: ParticipantInfo;
  /** Who physically holds it now (the custodian of its outermost container when packed). */
  holder: ParticipantInfo;
  /** The outermost container it is packed in, if any. */
  container?: string;
  custody: readonly CustodyStep[];
  certificates: readonly Certificate[];
  components: LineageNode[];
}

export interface Lineage {
  root: string;
  tree: LineageNode;
  /** Items in the tree, the root included. */
  size: number;
  depth: number;
  /** Edges skipped because they would close a cycle (never produced by the registry). */
  cycles: { from: string; to: string }[];
}

export interface LineageOptions {
  /** Also follow aggregation children that were unpacked again; default false (only what the item holds now). */
  includeRemoved?: boolean;
}

function requireItem(graph: ProvenanceGraph, id: string): ItemNode {
  const node = graph.items.get(itemKey(id));
  if (node === undefined) {
    throw new InputError("item", `${id} is not in the provenance records`, "the id of a commissioned item");
  }
  return node;
}

/** The full lineage of `id`: every component, recursively, with origins, manufacturers, custody and certificates. */
export function traceLineage(graph: ProvenanceGraph, id: string, options: LineageOptions = {}): Lineage {
  const root = requireItem(graph, id);
  const cycles: Lineage["cycles"] = [];
  let size = 0;
  let maxDepth = 0;
  const onPath = new Set<string>();

  const visit = (node: ItemNode, edge: ComponentEdge | undefined, path: string[]): LineageNode => {
    size += 1;
    const depth = path.length - 1;
    if (depth > maxDepth) maxDepth = depth;
    onPath.add(node.id);
    const { custodian, container } = holderOf(graph, node.id);
    const lineage: LineageNode = {
      id: node.id,
      path,
      depth,
      via: edge === undefined ? "root" : edge.via,
      commissioned: node.commissioned,
      origin: node.origin,
      productClass: node.productClass,
      exportClass: node.exportClass,
      disposition: node.disposition,
      manufacturer: participantOf(graph, node.manufacturer),
      holder: participantOf(graph, custodian),
      custody: node.custody,
      certificates: node.certificates,
      components: [],
    };
    if (node.commissionedAt !== undefined) lineage.commissionedAt = node.commissionedAt;
    if (container !== undefined) lineage.container = container;
    if (edge !== undefined) {
      lineage.incorporated = { time: edge.time, eventHash: edge.eventHash, block: edge.block };
      if (edge.removed !== undefined) lineage.removed = { time: edge.removed.time, eventHash: edge.removed.eventHash };
    }
    for (const part of node.components) {
      if (part.removed !== undefined && options.includeRemoved !== true) continue;
      if (onPath.has(part.component)) {
        cycles.push({ from: node.id, to: part.component });
        continue;
      }
      const child = graph.items.get(part.component);
      if (child === undefined) continue;
      lineage.components.push(visit(child, part, [...path, child.id]));
    }
    onPath.delete(node.id);
    return lineage;
  };

  const tree = visit(root, undefined, [root.id]);
  return { root: root.id, tree, size, depth: maxDepth, cycles };
}

/** The nodes of a lineage, the root first, each before its components (depth-first, in bill-of-materials order). */
export function lineageNodes(lineage: Lineage): LineageNode[] {
  const out: LineageNode[] = [];
  const walk = (node: LineageNode): void => {
    out.push(node);
    for (const part of node.components) walk(part);
  };
  walk(lineage.tree);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recall

export interface RecallEntry {
  id: string;
  /** Item ids from the recalled item up to this one, both included. */
  path: string[];
  /** How this item took in the previous one on its path ("source" for the recalled item itself). */
  via: "source" | "transformation" | "aggregation";
  /** When the previous item on the path went into this one. */
  incorporatedAt?: number;
  disposition: DispositionName;
  productClass: ProductClassName;
  manufacturer: ParticipantInfo;
  /** Who physically holds it now. */
  holder: ParticipantInfo;
  /** The outermost container it is still packed in, if any. */
  container?: string;
  inTransit: boolean;
}

export interface RecallTrace {
  source: string;
  /** The recalled item, then everything built from it, breadth first. */
  affected: RecallEntry[];
  /** The affected items grouped by who holds them now, in order of first appearance. */
  holders: { holder: ParticipantInfo; items: string[] }[];
}

/**
 * Everything built from `id`, transitively: the outputs of every transformation it went into, the containers it is
 * packed in (not those it was unpacked from), and so on, each with who holds it now. Items still packed inside
 * another are listed with the custodian of their outermost container as holder.
 */
export function traceRecall(graph: ProvenanceGraph, id: string): RecallTrace {
  const source = requireItem(graph, id);
  const entries: RecallEntry[] = [];
  const seen = new Set<string>([source.id]);
  const queue: { node: ItemNode; path: string[]; edge?: ComponentEdge }[] = [{ node: source, path: [source.id] }];
  while (queue.length > 0) {
    const { node, path, edge } = queue.shift() as (typeof queue)[number];
    const { custodian, container } = holderOf(graph, node.id);
    const entry: RecallEntry = {
      id: node.id,
      path,
      via: edge === undefined ? "source" : edge.via,
      disposition: node.disposition,
      productClass: node.productClass,
      manufacturer: participantOf(graph, node.manufacturer),
      holder: participantOf(graph, custodian),
      inTransit: node.disposition === "InTransit" || (container !== undefined && isInTransit(graph, container)),
    };
    if (edge !== undefined) entry.incorporatedAt = edge.time;
    if (container !== undefined) entry.container = container;
    entries.push(entry);
    for (const use of node.usedIn) {
      if (use.removed !== undefined || seen.has(use.assembly)) continue;
      const next = graph.items.get(use.assembly);
      if (next === undefined) continue;
      seen.add(next.id);
      queue.push({ node: next, path: [...path, next.id], edge: use });
    }
  }
  const byHolder = new Map<string, { holder: ParticipantInfo; items: string[] }>();
  for (const entry of entries) {
    // A consumed item no longer exists as such: what it became is listed with its own holder.
    if (entry.disposition === "Consumed") continue;
    const group = byHolder.get(entry.holder.address) ?? { holder: entry.holder, items: [] };
    group.items.push(entry.id);
    byHolder.set(entry.holder.address, group);
  }
  return { source: source.id, affected: entries, holders: [...byHolder.values()] };
}

function isInTransit(graph: ProvenanceGraph, id: string): boolean {
  return graph.items.get(id)?.disposition === "InTransit";
}

// ---------------------------------------------------------------------------------------------
// Custody gaps

export type CustodyGapKind = "discontinuity" | "transit-delay" | "never-received";

export interface CustodyGap {
  kind: CustodyGapKind;
  item: string;
  /** Item ids from the traced item down to this one, when found through a lineage. */
  path: string[];
  /** Index of the offending step in the item's custody chain. */
  step: number;
  event: CustodyStep["event"];
  eventHash: string;
  since: number;
  /** For a discontinuity: who handed custody over, and who should have. */
  from?: string;
  expectedFrom?: string;
  /** For transit gaps: how long the item was, or has been, in transit. */
  seconds?: number;
  message: string;
}

/** A shipment in transit longer than this is a gap unless told otherwise: 14 days. */
export const DEFAULT_MAX_TRANSIT_SECONDS = 14 * 24 * 3600;

export interface CustodyGapOptions {
  /** Longest acceptable time in transit, in seconds. */
  maxTransitSeconds?: number;
  /** The time open shipments are measured to; defaults to the graph's latest event time. */
  asOf?: number;
}

/**
 * Who must hand custody over in `step`, given the step before: the previous custodian, except for a delivery
 * against payment, which completes the seller's shipment and so must come from the shipper.
 */
function expectedFrom(step: CustodyStep, previous: CustodyStep): string | undefined {
  if (step.event === "deliver") return previous.event === "ship" ? previous.from : previous.custodian;
  return previous.custodian;
}

/**
 * Custody gaps of one item's own moves (moves carried along inside a container are checked on the container):
 * - `discontinuity`: a step handed over by someone other than the previous custodian (or, for a receipt or a
 *   delivery, a step that does not complete a shipment);
 * - `transit-delay`: in transit longer than `maxTransitSeconds` (an open shipment is measured to `asOf`);
 * - `never-received`: the item's last move is a shipment that nobody received (whatever its disposition now).
 */
export function itemCustodyGaps(
  item: ItemNode,
  options: CustodyGapOptions & { asOf: number },
  path: string[] = [item.id],
): CustodyGap[] {
  const limit = options.maxTransitSeconds ?? DEFAULT_MAX_TRANSIT_SECONDS;
  const gaps: CustodyGap[] = [];
  const gap = (kind: CustodyGapKind, index: number, extra: Partial<CustodyGap>, message: string): void => {
    const step = item.custody[index];
    gaps.push({
      kind,
      item: item.id,
      path,
      step: index,
      event: step.event,
      eventHash: step.eventHash,
      since: step.since,
      ...extra,
      message,
    });
  };
  item.custody.forEach((step, index) => {
    if (step.via !== undefined) return;
    const previous = index > 0 ? item.custody[index - 1] : undefined;
    if (previous !== undefined && step.event !== "commission") {
      const expected = expectedFrom(step, previous);
      const completesShipment = step.event !== "receive" && step.event !== "deliver" ? true : previous.inTransit;
      if (expected !== undefined && step.from !== undefined && step.from !== expected) {
        gap(
          "discontinuity",
          index,
          { from: step.from, expectedFrom: expected },
          `${step.event} by ${step.from}, but the custodian before was ${expected}`,
        );
      } else if (!completesShipment) {
        gap("discontinuity", index, { from: step.from }, `${step.event} without a shipment in transit`);
      } else if (step.event === "ship" && previous.inTransit) {
        gap("discontinuity", index, { from: step.from }, "shipped again while still in transit");
      }
    }
    if (step.event !== "ship") return;
    const end = step.until ?? options.asOf;
    const seconds = end - step.since;
    if (seconds > limit) {
      const hours = (seconds / 3600).toFixed(1);
      const what = step.until === undefined ? "has been in transit" : "was in transit";
      gap("transit-delay", index, { seconds }, `${what} ${hours} h, longer than ${(limit / 3600).toFixed(1)} h`);
    }
    if (step.until === undefined) {
      gap("never-received", index, { seconds }, `shipped to ${step.custodian} and never received`);
    }
  });
  return gaps;
}

/** Custody gaps of an item and of every component of its lineage, each with its path from the item. */
export function findCustodyGaps(
  graph: ProvenanceGraph,
  target: string | Lineage,
  options: CustodyGapOptions = {},
): CustodyGap[] {
  const lineage = typeof target === "string" ? traceLineage(graph, target) : target;
  const resolved = { ...options, asOf: options.asOf ?? graph.latestTime };
  const gaps: CustodyGap[] = [];
  for (const node of lineageNodes(lineage)) {
    const item = graph.items.get(node.id);
    if (item !== undefined) gaps.push(...itemCustodyGaps(item, resolved, node.path));
  }
  return gaps;
}
