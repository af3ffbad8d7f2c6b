/**
 * Exports stored events as EPCIS 2.0 JSON-LD capture documents: the standard context, the CURIE prefixes
 * the events were captured with, and each event as it was captured, so that every exported event hashes
 * (CBV 2.0, `eventHashIds`) to the id it is stored and anchored under.
 */
import type { ProvenanceRegistry } from "../../typechain-types";
import { readAnchors } from "./anchors";
import type { AnchorQuery } from "./anchors";
import { isJsonObject } from "./epcisTypes";
import type { EpcisDocument, EpcisEvent, JsonLdContext, JsonObject, JsonValue } from "./epcisTypes";
import { compareCodePoints } from "./eventHash";
import { canonicalEpc, itemIdOf } from "./items";
import { canonicalJson } from "./store";
import type { ProvenanceStore, StoredEvent } from "./store";

/** The standard EPCIS 2.0 JSON-LD context. */
export const EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";

export interface BuildOptions {
  /** The document's `creationDate`; now by default. */
  creationDate?: string;
}

/** The term definitions (`prefix -> IRI`) and remote context IRIs of a JSON-LD context. */
function splitContext(context: JsonLdContext): { terms: Map<string, JsonValue>; remote: string[] } {
  const terms = new Map<string, JsonValue>();
  const remote: string[] = [];
  const visit = (entry: JsonLdContext): void => {
    if (Array.isArray(entry)) entry.forEach(visit);
    else if (typeof entry === "string") remote.push(entry);
    else if (isJsonObject(entry)) for (const [term, definition] of Object.entries(entry)) terms.set(term, definition);
  };
  visit(context);
  return { terms, remote };
}

const LEADING_FIELDS = ["type", "eventTime", "eventTimeZoneOffset"];

/** The event with `type` and its times first, then the other fields as stored. */
function ordered(event: JsonObject): JsonObject {
  const first = LEADING_FIELDS.filter((key) => Object.hasOwn(event, key));
  const rest = Object.keys(event).filter((key) => !first.includes(key));
  // fromEntries defines own properties, so even a "__proto__" field is copied as data.
  return Object.fromEntries([...first, ...rest].map((key) => [key, event[key]]));
}

/**
 * An EPCIS 2.0 capture document of stored events, in the order given. The document's context is the
 * standard one plus the prefixes of all events; an event whose prefixes clash with another's carries its
 * own `@context`.
 */
export function buildEpcisDocument(events: readonly StoredEvent[], options: BuildOptions = {}): EpcisDocument {
  const shared = new Map<string, JsonValue>();
  const remote: string[] = [];
  const eventList: EpcisEvent[] = [];
  const perEvent = events.map((stored) => splitContext(stored.context));
  perEvent.forEach(({ remote: iris }) => {
    for (const iri of iris) if (iri !== EPCIS_CONTEXT_URL && !remote.includes(iri)) remote.push(iri);
  });
  events.forEach((stored, i) => {
    const { terms } = perEvent[i];
    const clashes = [...terms].some(
      ([term, definition]) => shared.has(term) && canonicalJson(shared.get(term) ?? null) !== canonicalJson(definition),
    );
    const event = ordered(stored.event);
    if (clashes) {
      // Its own terms, as captured, override the document's; an event-level context of its own stays on top.
      const own: JsonValue[] = [Object.fromEntries(terms)];
      if (event["@context"] !== undefined) own.push(event["@context"]);
      eventList.push({ ...event, "@context": own.length === 1 ? own[0] : own });
    } else {
      for (const [term, definition] of terms) shared.set(term, definition);
      eventList.push(event);
    }
  });
  const context: JsonValue[] = [EPCIS_CONTEXT_URL, ...remote];
  if (shared.size > 0) context.push(Object.fromEntries(shared));
  return {
    "@context": context,
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: options.creationDate ?? new Date().toISOString(),
    epcisBody: { eventList },
  };
}

/** The events of an imported document, as stored (each event once), in the document's order. */
export function exportStoredDocument(
  store: ProvenanceStore,
  documentId: string,
  options: BuildOptions = {},
): EpcisDocument | undefined {
  const stored = store.getDocument(documentId);
  if (stored === undefined) return undefined;
  const events = [...new Set(stored.hashIds)]
    .map((hashId) => store.getEvent(hashId))
    .filter((event): event is StoredEvent => event !== undefined);
  return buildEpcisDocument(events, options);
}

export interface ItemExportOptions extends BuildOptions, Omit<AnchorQuery, "item"> {
  /** The registry whose logs name the item's anchored events; without it, the store alone is read. */
  provenance?: ProvenanceRegistry;
}

export interface ItemExport {
  /** The item's canonical identifier and registry id. */
  epc: string;
  itemId: string;
  document: EpcisDocument;
  /** Hash ids of the exported events, in the document's order (event time). */
  hashIds: string[];
  /** Hash ids anchored on chain for the item, whether or not the store has them. */
  anchored: string[];
  /** Hash ids anchored on chain for the item that the store lacks: left out of the document. */
  missing: string[];
}

/**
 * The history of one item as an EPCIS 2.0 document: the stored events naming the item, and the stored
 * events its on-chain records anchor (when `provenance` is given), oldest first.
 */
export async function exportItemHistory(
  store: ProvenanceStore,
  epc: string,
  options: ItemExportOptions = {},
): Promise<ItemExport> {
  const canonical = canonicalEpc(epc);
  const itemId = itemIdOf(canonical);
  const events = new Map<string, StoredEvent>();
  for (const event of store.eventsOfItem(itemId)) events.set(event.hashId, event);
  const anchored: string[] = [];
  const missing: string[] = [];
  if (options.provenance !== undefined) {
    const { provenance, fromBlock, toBlock, blockRange } = options;
    for (const anchor of await readAnchors(provenance, { fromBlock, toBlock, blockRange, item: itemId })) {
      if (anchored.includes(anchor.hashId)) continue;
      anchored.push(anchor.hashId);
      if (events.has(anchor.hashId)) continue;
      const stored = store.getEvent(anchor.hashId);
      if (stored === undefined) missing.push(anchor.hashId);
      else events.set(anchor.hashId, stored);
    }
  }
  const history = [...events.values()].sort(
    // Times are normalised to UTC when stored; code-point order, unlike localeCompare, is the same everywhere.
    (a, b) =>
      compareCodePoints(a.eventTime, b.eventTime) || a.position - b.position || compareCodePoints(a.hashId, b.hashId),
  );
  return {
    epc: canonical,
    itemId,
    document: buildEpcisDocument(history, options),
    hashIds: history.map((event) => event.hashId),
    anchored,
    missing,
  };
}
