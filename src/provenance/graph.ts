/**
 * The provenance graph: every item the provenance registry ever recorded, with its composition (transformation
 * inputs and aggregation children), custody chain, certificates and disposition history, rebuilt from the
 * registry's events alone, plus the attributes of the participants involved (kind, jurisdiction, LEI) from the
 * participant registry.
 *
 * The graph is a plain in-memory structure of Maps. It is built either from a chain (`readProvenanceGraph`, which
 * reads logs in bounded block ranges and can resume from where an earlier read stopped) or from an array of
 * decoded events (`buildProvenanceGraph`), so tests and benchmarks can build large graphs without a chain.
 *
 * Only type imports reach the TypeChain output: the module loads before the bindings are generated.
 */
import { getAddress, hexlify, ZeroAddress, ZeroHash } from "ethers";
import type { Log, Provider } from "ethers";

import type { ParticipantRegistry, ProvenanceRegistry } from "../../typechain-types";
import type {
  DeliveryAgainstPaymentOfferedEvent,
  DeliveryAgainstPaymentWithdrawnEvent,
  ItemAggregatedEvent,
  ItemCertifiedEvent,
  ItemCommissionedEvent,
  ItemDeliveredEvent,
  ItemDisaggregatedEvent,
  ItemDispositionChangedEvent,
  ItemReceivedEvent,
  ItemShippedEvent,
  ItemTransformedEvent,
} from "../../typechain-types/contracts/provenance/ProvenanceRegistry";

// ---------------------------------------------------------------------------------------------
// The on-chain enums, by name

/** `IProvenanceRegistry.ProductClass`, in declaration order. */
export const PRODUCT_CLASSES = ["Other", "Defense", "Semiconductor", "MedicalDevice"] as const;
export type ProductClassName = (typeof PRODUCT_CLASSES)[number];

/** `IProvenanceRegistry.Disposition`, in declaration order. */
export const DISPOSITIONS = [
  "None",
  "Active",
  "InTransit",
  "Contained",
  "Consumed",
  "Quarantined",
  "Recalled",
] as const;
export type DispositionName = (typeof DISPOSITIONS)[number];

/** `IParticipantRegistry.Kind`, in declaration order. */
export const PARTICIPANT_KINDS = ["None", "CentralBank", "CommercialBank", "Customer", "Supplier", "Auditor"] as const;
export type ParticipantKindName = (typeof PARTICIPANT_KINDS)[number];

function enumName<T extends string>(names: readonly T[], value: bigint | number, what: string): T {
  const name = names[Number(value)];
  if (name === undefined) throw new Error(`${what} ${String(value)} is not a known value`);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Decoded events

/** Where an event sits on the chain; `time` is its block's timestamp in unix seconds. */
export interface EventPosition {
  block: number;
  logIndex: number;
  time: number;
  transactionHash?: string;
}

/** The registry's events with their arguments decoded: ids as lower-case hex, addresses checksummed, codes as text. */
export type ProvenanceEventBody =
  | {
      type: "ItemCommissioned";
      item: string;
      manufacturer: string;
      /** ISO 3166-1 alpha-2, e.g. "US". */
      origin: string;
      productClass: ProductClassName;
      /** An ECCN such as "3A001", or "EAR99". */
      exportClass: string;
      eventHash: string;
      documentHash: string;
    }
  | { type: "ItemAggregated"; parent: string; child: string; eventHash: string }
  | { type: "ItemDisaggregated"; parent: string; child: string; eventHash: string }
  | { type: "ItemTransformed"; input: string; output: string; eventHash: string }
  | { type: "ItemShipped"; item: string; from: string; to: string; licenceRef: string; eventHash: string }
  | { type: "ItemReceived"; item: string; from: string; to: string; eventHash: string }
  | {
      type: "ItemCertified";
      item: string;
      auditor: string;
      documentHash: string;
      validFrom: number;
      validUntil: number;
      eventHash: string;
    }
  | {
      type: "ItemDispositionChanged";
      item: string;
      previous: DispositionName;
      current: DispositionName;
      by: string;
      eventHash: string;
    }
  | { type: "DeliveryAgainstPaymentOffered"; item: string; seller: string; buyer: string; price: bigint }
  | { type: "DeliveryAgainstPaymentWithdrawn"; item: string; seller: string; buyer: string }
  | {
      type: "ItemDelivered";
      item: string;
      from: string;
      to: string;
      uetr: string;
      price: bigint;
      eventHash: string;
    };

export type ProvenanceEvent = ProvenanceEventBody & EventPosition;

// ---------------------------------------------------------------------------------------------
// The graph

/** A participant as the participant registry records it; `kind` is "None" for an unregistered account. */
export interface ParticipantInfo {
  address: string;
  kind: ParticipantKindName;
  jurisdiction?: string;
  /** The LEI as text when its 20 bytes are printable ASCII, else as hex. */
  lei?: string;
}

/** One line of a bill of materials or one packing: `component` went into `assembly`. */
export interface ComponentEdge {
  component: string;
  assembly: string;
  via: "transformation" | "aggregation";
  eventHash: string;
  time: number;
  block: number;
  logIndex: number;
  /** When an aggregation child was unpacked again (AggregationEvent DELETE). */
  removed?: { time: number; eventHash: string; block: number };
}

export type CustodyEvent = "commission" | "ship" | "receive" | "deliver" | "disaggregate";

/** One move in an item's custody chain. */
export interface CustodyStep {
  event: CustodyEvent;
  /** Who holds custody after the move; for a shipment, the recipient it is in transit to. */
  custodian: string;
  /**
   * The party the event names as handing over custody: the shipper of a shipment, the recipient completing a
   * receipt (the buyer, when a seller takes back an unpaid shipment), the seller of a delivery, the custodian of
   * the container that was unpacked. Absent for a commissioning.
   */
  from?: string;
  inTransit: boolean;
  since: number;
  /** When the next move happened; absent for the current step. */
  until?: number;
  eventHash: string;
  block: number;
  logIndex: number;
  /** The container whose move carried this item along, when the item was packed inside it. */
  via?: string;
}

/** An auditor's attestation of an item. */
export interface Certificate {
  auditor: string;
  documentHash: string;
  validFrom: number;
  validUntil: number;
  /** When it was recorded. */
  time: number;
  eventHash: string;
  block: number;
}

export interface DispositionChange {
  previous: DispositionName;
  current: DispositionName;
  time: number;
  /** The event that changed it, e.g. "ItemShipped", "ItemTransformed" or "ItemDispositionChanged". */
  cause: ProvenanceEventBody["type"];
  eventHash: string;
  /** Who changed it, when the event names them (recalls, quarantines, releases). */
  by?: string;
}

export interface ItemNode {
  id: string;
  /** False for an item that events mention but whose commissioning was not read (e.g. a resumed read). */
  commissioned: boolean;
  manufacturer: string;
  origin: string;
  productClass: ProductClassName;
  exportClass: string;
  commissionedAt?: number;
  commissionEventHash?: string;
  documentHash?: string;
  disposition: DispositionName;
  /** The custodian field of the on-chain record (while packed, the one who packed it). */
  custodian: string;
  parent?: string;
  /** What this item was made from or packs: transformation inputs and aggregation children, in order. */
  components: ComponentEdge[];
  /** What this item went into: transformation outputs and the containers it was packed into. */
  usedIn: ComponentEdge[];
  custody: CustodyStep[];
  certificates: Certificate[];
  dispositions: DispositionChange[];
  /** A shipment waiting for its payment. */
  pendingDelivery?: { seller: string; buyer: string; price: bigint };
}

export interface ProvenanceGraph {
  items: Map<string, ItemNode>;
  participants: Map<string, ParticipantInfo>;
  /** The first block not yet read (for a resumed read); 0 for a graph built from events only. */
  nextBlock: number;
  /** The latest event time applied. */
  latestTime: number;
  /** Events that contradict the records read so far, e.g. an item commissioned twice. */
  anomalies: string[];
}

export function createProvenanceGraph(): ProvenanceGraph {
  return { items: new Map(), participants: new Map(), nextBlock: 0, latestTime: 0, anomalies: [] };
}

/** An item id in the graph's form (lower-case hex). */
export function itemKey(id: string): string {
  return id.toLowerCase();
}

function stubItem(id: string): ItemNode {
  return {
    id,
    commissioned: false,
    manufacturer: ZeroAddress,
    origin: "",
    productClass: "Other",
    exportClass: "",
    disposition: "None",
    custodian: ZeroAddress,
    components: [],
    usedIn: [],
    custody: [],
    certificates: [],
    dispositions: [],
  };
}

function nodeOf(graph: ProvenanceGraph, id: string): ItemNode {
  const key = itemKey(id);
  let node = graph.items.get(key);
  if (node === undefined) {
    node = stubItem(key);
    graph.items.set(key, node);
  }
  return node;
}

function setDisposition(
  node: ItemNode,
  current: DispositionName,
  event: ProvenanceEvent & { eventHash: string },
  by?: string,
): void {
  if (node.disposition === current) return;
  node.dispositions.push({
    previous: node.disposition,
    current,
    time: event.time,
    cause: event.type,
    eventHash: event.eventHash,
    ...(by === undefined ? {} : { by }),
  });
  node.disposition = current;
}

/** Packed items (recursively) currently inside `node`. */
function packedInside(graph: ProvenanceGraph, node: ItemNode, out: ItemNode[] = []): ItemNode[] {
  for (const edge of node.components) {
    if (edge.via !== "aggregation" || edge.removed !== undefined) continue;
    const child = graph.items.get(edge.component);
    if (child === undefined || child.parent !== node.id) continue;
    out.push(child);
    packedInside(graph, child, out);
  }
  return out;
}

function appendStep(node: ItemNode, step: CustodyStep): void {
  const last = node.custody[node.custody.length - 1];
  if (last !== undefined && last.until === undefined) last.until = step.since;
  node.custody.push(step);
}

/** Adds a custody step to an item and, marked as carried `via` it, to everything packed inside it. */
function moveCustody(graph: ProvenanceGraph, node: ItemNode, step: CustodyStep): void {
  appendStep(node, step);
  for (const inner of packedInside(graph, node)) appendStep(inner, { ...step, via: step.via ?? node.id });
}

/** Records that `component` went into `assembly` by `via` in `event`. */
function linkComponent(
  component: ItemNode,
  assembly: ItemNode,
  via: ComponentEdge["via"],
  event: ProvenanceEvent & { eventHash: string },
): void {
  const edge: ComponentEdge = {
    component: component.id,
    assembly: assembly.id,
    via,
    eventHash: event.eventHash,
    time: event.time,
    block: event.block,
    logIndex: event.logIndex,
  };
  assembly.components.push(edge);
  component.usedIn.push(edge);
}

/**
 * Applies one event to the graph. Events must come in chain order (block, then log index); `buildProvenanceGraph`
 * sorts them.
 */
export function applyProvenanceEvent(graph: ProvenanceGraph, event: ProvenanceEvent): void {
  if (event.time > graph.latestTime) graph.latestTime = event.time;
  const position = { block: event.block, logIndex: event.logIndex };
  switch (event.type) {
    case "ItemCommissioned": {
      const node = nodeOf(graph, event.item);
      if (node.commissioned) {
        graph.anomalies.push(`item ${node.id} commissioned again at block ${event.block}`);
        return;
      }
      Object.assign(node, {
        commissioned: true,
        manufacturer: event.manufacturer,
        origin: event.origin,
        productClass: event.productClass,
        exportClass: event.exportClass,
        commissionedAt: event.time,
        commissionEventHash: event.eventHash,
        documentHash: event.documentHash,
        custodian: event.manufacturer,
      });
      setDisposition(node, "Active", event, event.manufacturer);
      appendStep(node, {
        event: "commission",
        custodian: event.manufacturer,
        inTransit: false,
        since: event.time,
        eventHash: event.eventHash,
        ...position,
      });
      return;
    }
    case "ItemTransformed": {
      const input = nodeOf(graph, event.input);
      linkComponent(input, nodeOf(graph, event.output), "transformation", event);
      setDisposition(input, "Consumed", event);
      return;
    }
    case "ItemAggregated": {
      const parent = nodeOf(graph, event.parent);
      const child = nodeOf(graph, event.child);
      linkComponent(child, parent, "aggregation", event);
      child.parent = parent.id;
      setDisposition(child, "Contained", event);
      return;
    }
    case "ItemDisaggregated": {
      const parent = nodeOf(graph, event.parent);
      const child = nodeOf(graph, event.child);
      const edge = [...parent.components]
        .reverse()
        .find((e) => e.via === "aggregation" && e.component === child.id && e.removed === undefined);
      if (edge === undefined) {
        graph.anomalies.push(`item ${child.id} unpacked from ${parent.id} at block ${event.block} without packing`);
      } else {
        edge.removed = { time: event.time, eventHash: event.eventHash, block: event.block };
      }
      // The child stays where its parent is: with the parent's custodian, who unpacked it.
      const holder = parent.custodian;
      const carried = packedInside(graph, child);
      delete child.parent;
      child.custodian = holder;
      setDisposition(child, "Active", event);
      const step: CustodyStep = {
        event: "disaggregate",
        custodian: holder,
        from: holder,
        inTransit: false,
        since: event.time,
        eventHash: event.eventHash,
        ...position,
      };
      appendStep(child, step);
      for (const inner of carried) appendStep(inner, { ...step, via: child.id });
      return;
    }
    case "ItemShipped": {
      const node = nodeOf(graph, event.item);
      node.custodian = event.to;
      setDisposition(node, "InTransit", event, event.from);
      moveCustody(graph, node, {
        event: "ship",
        custodian: event.to,
        from: event.from,
        inTransit: true,
        since: event.time,
        eventHash: event.eventHash,
        ...position,
      });
      return;
    }
    case "ItemReceived": {
      const node = nodeOf(graph, event.item);
      // The step comes from whoever held the item in transit: the receiver itself, or the buyer when a seller
      // takes back an unpaid shipment against payment.
      const from = node.custodian;
      node.custodian = event.to;
      delete node.pendingDelivery;
      setDisposition(node, "Active", event, event.to);
      moveCustody(graph, node, {
        event: "receive",
        custodian: event.to,
        from,
        inTransit: false,
        since: event.time,
        eventHash: event.eventHash,
        ...position,
      });
      return;
    }
    case "ItemDelivered": {
      const node = nodeOf(graph, event.item);
      node.custodian = event.to;
      delete node.pendingDelivery;
      setDisposition(node, "Active", event, event.to);
      moveCustody(graph, node, {
        event: "deliver",
        custodian: event.to,
        from: event.from,
        inTransit: false,
        since: event.time,
        eventHash: event.eventHash,
        ...position,
      });
      return;
    }
    case "ItemCertified": {
      nodeOf(graph, event.item).certificates.push({
        auditor: event.auditor,
        documentHash: event.documentHash,
        validFrom: event.validFrom,
        validUntil: event.validUntil,
        time: event.time,
        eventHash: event.eventHash,
        block: event.block,
      });
      return;
    }
    case "ItemDispositionChanged": {
      const node = nodeOf(graph, event.item);
      if (node.disposition !== event.previous) {
        graph.anomalies.push(
          `item ${node.id} was ${event.previous} by its event at block ${event.block}, ${node.disposition} by the graph`,
        );
      }
      setDisposition(node, event.current, event, event.by);
      return;
    }
    case "DeliveryAgainstPaymentOffered": {
      nodeOf(graph, event.item).pendingDelivery = { seller: event.seller, buyer: event.buyer, price: event.price };
      return;
    }
    case "DeliveryAgainstPaymentWithdrawn": {
      delete nodeOf(graph, event.item).pendingDelivery;
      return;
    }
  }
}

function compareEvents(a: EventPosition, b: EventPosition): number {
  return a.block - b.block || a.logIndex - b.logIndex;
}

/** Builds a graph from decoded events (in any order; they are sorted by block and log index). */
export function buildProvenanceGraph(
  events: readonly ProvenanceEvent[],
  participants: Iterable<ParticipantInfo> = [],
): ProvenanceGraph {
  const graph = createProvenanceGraph();
  for (const event of [...events].sort(compareEvents)) applyProvenanceEvent(graph, event);
  for (const participant of participants) graph.participants.set(getAddress(participant.address), participant);
  return graph;
}

/** The participant record of `address`, or an unregistered one when the graph does not know it. */
export function participantOf(graph: ProvenanceGraph, address: string): ParticipantInfo {
  return graph.participants.get(address) ?? { address, kind: "None" };
}

/** Whoever physically holds an item now: the custodian of its outermost container when packed. */
export function holderOf(graph: ProvenanceGraph, id: string): { custodian: string; container?: string } {
  let node = graph.items.get(itemKey(id));
  if (node === undefined) return { custodian: ZeroAddress };
  let container: string | undefined;
  const seen = new Set<string>();
  while (node.parent !== undefined && !seen.has(node.id)) {
    seen.add(node.id);
    const parent = graph.items.get(node.parent);
    if (parent === undefined) break;
    container = parent.id;
    node = parent;
  }
  return container === undefined ? { custodian: node.custodian } : { custodian: node.custodian, container };
}

// ---------------------------------------------------------------------------------------------
// Decoding logs

/** ASCII text of fixed bytes with the zero padding cut, e.g. bytes8 "EAR99\0\0\0" -> "EAR99". */
export function fixedBytesToText(hex: string): string {
  const text = Buffer.from(hex.slice(2), "hex").toString("latin1").replace(/\0+$/, "");
  return /^[\x20-\x7e]*$/.test(text) ? text : hex;
}

/** An LEI (`bytes20`) as text when printable, as hex otherwise; undefined when zero. */
function leiText(hex: string): string | undefined {
  if (/^0x0*$/.test(hex)) return undefined;
  return fixedBytesToText(hex);
}

type RegistryInterface = ProvenanceRegistry["interface"];

/** Decodes one log of the provenance registry; undefined for its other events (roles, settings). */
export function decodeProvenanceLog(iface: RegistryInterface, log: Log, time: number): ProvenanceEvent | undefined {
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) return undefined;
  const position: EventPosition = {
    block: log.blockNumber,
    logIndex: log.index,
    time,
    transactionHash: log.transactionHash,
  };
  const args: unknown = parsed.args;
  switch (parsed.name) {
    case "ItemCommissioned": {
      const a = args as ItemCommissionedEvent.OutputObject;
      return {
        type: "ItemCommissioned",
        item: itemKey(a.item),
        manufacturer: getAddress(a.manufacturer),
        origin: fixedBytesToText(a.origin),
        productClass: enumName(PRODUCT_CLASSES, a.productClass, "product class"),
        exportClass: fixedBytesToText(a.exportClass),
        eventHash: a.eventHash,
        documentHash: a.documentHash,
        ...position,
      };
    }
    case "ItemAggregated":
    case "ItemDisaggregated": {
      const a = args as ItemAggregatedEvent.OutputObject | ItemDisaggregatedEvent.OutputObject;
      return {
        type: parsed.name,
        parent: itemKey(a.parent),
        child: itemKey(a.child),
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "ItemTransformed": {
      const a = args as ItemTransformedEvent.OutputObject;
      return {
        type: "ItemTransformed",
        input: itemKey(a.input),
        output: itemKey(a.output),
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "ItemShipped": {
      const a = args as ItemShippedEvent.OutputObject;
      return {
        type: "ItemShipped",
        item: itemKey(a.item),
        from: getAddress(a.from),
        to: getAddress(a.to),
        licenceRef: a.licenceRef,
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "ItemReceived": {
      const a = args as ItemReceivedEvent.OutputObject;
      return {
        type: "ItemReceived",
        item: itemKey(a.item),
        // In transit the record's custodian is already the receiver: the custody step starts with it.
        from: getAddress(a.receiver),
        to: getAddress(a.receiver),
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "ItemCertified": {
      const a = args as ItemCertifiedEvent.OutputObject;
      return {
        type: "ItemCertified",
        item: itemKey(a.item),
        auditor: getAddress(a.auditor),
        documentHash: a.documentHash,
        validFrom: Number(a.validFrom),
        validUntil: Number(a.validUntil),
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "ItemDispositionChanged": {
      const a = args as ItemDispositionChangedEvent.OutputObject;
      return {
        type: "ItemDispositionChanged",
        item: itemKey(a.item),
        previous: enumName(DISPOSITIONS, a.previous, "disposition"),
        current: enumName(DISPOSITIONS, a.current, "disposition"),
        by: getAddress(a.by),
        eventHash: a.eventHash,
        ...position,
      };
    }
    case "DeliveryAgainstPaymentOffered": {
      const a = args as DeliveryAgainstPaymentOfferedEvent.OutputObject;
      return {
        type: "DeliveryAgainstPaymentOffered",
        item: itemKey(a.item),
        seller: getAddress(a.seller),
        buyer: getAddress(a.buyer),
        price: a.price,
        ...position,
      };
    }
    case "DeliveryAgainstPaymentWithdrawn": {
      const a = args as DeliveryAgainstPaymentWithdrawnEvent.OutputObject;
      return {
        type: "DeliveryAgainstPaymentWithdrawn",
        item: itemKey(a.item),
        seller: getAddress(a.seller),
        buyer: getAddress(a.buyer),
        ...position,
      };
    }
    case "ItemDelivered": {
      const a = args as ItemDeliveredEvent.OutputObject;
      return {
        type: "ItemDelivered",
        item: itemKey(a.item),
        from: getAddress(a.from),
        to: getAddress(a.to),
        uetr: hexlify(a.uetr),
        price: a.price,
        eventHash: a.eventHash,
        ...position,
      };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading from a chain

/** Blocks per `eth_getLogs` query unless told otherwise: within what public and permissioned nodes accept. */
export const DEFAULT_BATCH_BLOCKS = 2_000;

export interface ReadProvenanceOptions {
  provenance: ProvenanceRegistry;
  /** Where participant attributes come from; without it the graph has no participant records. */
  registry?: ParticipantRegistry;
  /** Defaults to the provenance contract's runner's provider. */
  provider?: Provider;
  /** First block to read; defaults to `graph.nextBlock` when resuming, else 0. */
  fromBlock?: number;
  /** Last block to read (inclusive); defaults to the latest block. */
  toBlock?: number;
  /** Blocks per log query. */
  batchBlocks?: number;
  /** A graph from an earlier read, to extend. */
  graph?: ProvenanceGraph;
  /** Called after each block range. */
  onProgress?: (progress: { fromBlock: number; toBlock: number; lastBlock: number; events: number }) => void;
}

/** The participant registry's record of `address` as graph attributes. */
export async function fetchParticipant(registry: ParticipantRegistry, address: string): Promise<ParticipantInfo> {
  const record = await registry.participant(address);
  const kind = enumName(PARTICIPANT_KINDS, record.kind, "participant kind");
  const info: ParticipantInfo = { address, kind };
  if (kind === "None") return info;
  const jurisdiction = fixedBytesToText(record.jurisdiction);
  if (jurisdiction !== "") info.jurisdiction = jurisdiction;
  const lei = leiText(record.lei);
  if (lei !== undefined) info.lei = lei;
  return info;
}

function addressesOf(event: ProvenanceEvent): string[] {
  switch (event.type) {
    case "ItemCommissioned":
      return [event.manufacturer];
    case "ItemShipped":
    case "ItemReceived":
    case "ItemDelivered":
      return [event.from, event.to];
    case "ItemCertified":
      return [event.auditor];
    case "ItemDispositionChanged":
      return [event.by];
    case "DeliveryAgainstPaymentOffered":
    case "DeliveryAgainstPaymentWithdrawn":
      return [event.seller, event.buyer];
    default:
      return [];
  }
}

/**
 * Reads the provenance registry's logs from `fromBlock` to `toBlock` in ranges of `batchBlocks`, applies them to
 * `graph` (or a new one), and fetches the participant records of every account the events name. The returned
 * graph's `nextBlock` is where a later read resumes.
 *
 * Each range is all or nothing: its logs are decoded and its participants fetched before any event is applied,
 * then the events are applied and `nextBlock` moves past the range. A read that fails leaves the graph as the
 * last whole range left it, so resuming applies no event twice (applying is not idempotent). The participant
 * records of the accounts a read's ranges name are fetched anew, so a resumed read refreshes them.
 */
export async function readProvenanceGraph(options: ReadProvenanceOptions): Promise<ProvenanceGraph> {
  const graph = options.graph ?? createProvenanceGraph();
  const provider = options.provider ?? options.provenance.runner?.provider ?? undefined;
  if (provider === undefined || provider === null) throw new Error("the provenance contract has no provider");
  const batch = options.batchBlocks ?? DEFAULT_BATCH_BLOCKS;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`batchBlocks ${batch} is not a positive integer`);
  const address = await options.provenance.getAddress();
  const iface = options.provenance.interface;
  const first = options.fromBlock ?? graph.nextBlock;
  const last = options.toBlock ?? (await provider.getBlockNumber());
  const times = new Map<number, number>();
  const fetched = new Map<string, ParticipantInfo>();

  for (let from = first; from <= last; from += batch) {
    const to = Math.min(from + batch - 1, last);
    const logs = await provider.getLogs({ address, fromBlock: from, toBlock: to });
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const decoded: ProvenanceEvent[] = [];
    for (const log of logs) {
      let time = times.get(log.blockNumber);
      if (time === undefined) {
        const block = await provider.getBlock(log.blockNumber);
        if (block === null) throw new Error(`block ${log.blockNumber} is not available`);
        time = block.timestamp;
        times.set(log.blockNumber, time);
      }
      const event = decodeProvenanceLog(iface, log, time);
      if (event !== undefined) decoded.push(event);
    }
    const named = new Set(decoded.flatMap(addressesOf));
    if (options.registry !== undefined) {
      for (const account of named) {
        if (account === ZeroAddress || fetched.has(account)) continue;
        fetched.set(account, await fetchParticipant(options.registry, account));
      }
    }
    // The whole range is in hand: apply it.
    for (const event of decoded) applyProvenanceEvent(graph, event);
    for (const account of named) {
      const participant = fetched.get(account);
      if (participant !== undefined) graph.participants.set(account, participant);
    }
    graph.nextBlock = to + 1;
    options.onProgress?.({ fromBlock: from, toBlock: to, lastBlock: last, events: decoded.length });
  }
  if (graph.nextBlock < first) graph.nextBlock = first;
  return graph;
}

// ---------------------------------------------------------------------------------------------
// Writing synthetic event histories

/**
 * Stamps chain positions on events written by hand (tests, benchmarks, imports): each `add` goes into the current
 * block at the next log index; `at(time)` starts a new block at that time.
 */
export class EventSequence {
  readonly events: ProvenanceEvent[] = [];
  private block: number;
  private logIndex = 0;
  private now: number;

  constructor(startTime: number, startBlock = 1) {
    this.now = startTime;
    this.block = startBlock;
  }

  /** Starts a new block at `time` (unix seconds; not before the current one). */
  at(time: number): this {
    if (time < this.now) throw new RangeError(`time ${time} is before the current ${this.now}`);
    this.now = time;
    this.block += 1;
    this.logIndex = 0;
    return this;
  }

  /** Starts a new block `seconds` after the current one. */
  after(seconds: number): this {
    return this.at(this.now + seconds);
  }

  get time(): number {
    return this.now;
  }

  add(body: ProvenanceEventBody): ProvenanceEvent {
    const event = { ...body, block: this.block, logIndex: this.logIndex, time: this.now } as ProvenanceEvent;
    this.logIndex += 1;
    this.events.push(event);
    return event;
  }
}

/** The zero hash, for events without a document. */
export const NO_DOCUMENT = ZeroHash;
