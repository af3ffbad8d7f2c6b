/**
 * Imports an EPCIS 2.0 document as provenance events: validates it, plans every on-chain action against
 * the ledger's current state, sends the transactions only when the whole plan holds, and writes the events
 * to the store in one SQLite transaction.
 *
 * How events become ledger actions:
 * - ObjectEvent ADD: `commission` of each EPC.
 * - ObjectEvent OBSERVE, bizStep shipping, with a destination party: `ship` of each EPC from the source
 *   party (or the event's location) to the destination party.
 * - ObjectEvent OBSERVE, bizStep receiving: `receiveItem` of each EPC by the destination party (or the
 *   event's location), when the ledger has the items in transit to it.
 * - ObjectEvent with disposition recalled / `t12:in_quarantine` / active (of a quarantined item): `recall`
 *   / `quarantine` / `release`. CBV 2.0 has no quarantine disposition, hence the ledger's own term.
 * - AggregationEvent ADD / DELETE with child EPCs: `aggregate` / `disaggregate`. As on the ledger, an
 *   export-controlled child (any export class but EAR99) cannot be packed into an EAR99 container: shipments
 *   check the container's class only. Such a document is refused at planning.
 * - TransformationEvent: `transform` of the input EPCs into the output EPCs; without inputs, `commission`
 *   of the outputs.
 * Everything else (TransactionEvent, AssociationEvent, observations, quantity-only events, sensor reports,
 * error declarations) is stored off chain and reported as stored, not anchored, with the reason.
 *
 * An item a modelled event needs but the ledger has never seen (shipped, packed, transformed, recalled,
 * quarantined) is commissioned first, by the party acting in that event, with the same event hash.
 *
 * The acting party of an event is, for shipping, the source party (possessing_party, then owning_party,
 * then location); for receiving, the destination party; for every event without one, the bizLocation,
 * else the readPoint, else the mapping's `defaults.party`. Parties map to accounts through the mapping
 * (`mapping.ts`); an unknown party is an error naming it.
 *
 * Attributes of a commissioned item come from the event's ILMD (for the items the event creates), then from
 * the event's own extension fields, then from the mapping's defaults, under the namespace
 * {@link T12_NAMESPACE}: `t12:origin` (ISO 3166-1 alpha-2), `t12:productClass` (Other, Defense,
 * Semiconductor, MedicalDevice), `t12:exportClass` (an ECCN or EAR99). A shipment's licence reference is the
 * event's `t12:exportLicence` (at most 31 characters).
 */
import { createHash } from "node:crypto";

import { getAddress } from "ethers";
import type { Signer } from "ethers";

import type { ProvenanceRegistry } from "../../typechain-types";
import { documentEvents, eventHashIds, normaliseTimestamp } from "./eventHash";
import { isJsonObject } from "./epcisTypes";
import type { EpcisEvent, JsonObject, JsonValue } from "./epcisTypes";
import { eventItems, eventTypeOf, Planner } from "./importPlanner";
import type { Call } from "./importPlanner";
import type { PartyMapping } from "./mapping";
import { canonicalJson } from "./store";
import type { EventAnchor, ImportBatch, ProvenanceStore, RegistryRef } from "./store";
import { validateEpcisDocument } from "./validate";

export { T12_NAMESPACE } from "./importPlanner";

export type LedgerAction =
  "commission" | "aggregate" | "disaggregate" | "transform" | "ship" | "receive" | "recall" | "quarantine" | "release";

export interface SentTransaction {
  action: LedgerAction;
  /** The canonical identifier of the item acted on (the parent of an aggregation, the first output of a transformation). */
  epc: string;
  txHash: string;
  blockNumber: number;
}

interface OutcomeBase {
  /** Position in the document's event list. */
  index: number;
  hashId: string;
  eventType: string;
}

/** What became of one event of the document. */
export type EventOutcome =
  | (OutcomeBase & { status: "anchored"; actions: LedgerAction[]; transactions: SentTransaction[] })
  /** Some of the event's transactions went through before the import failed; importing again sends the rest. */
  | (OutcomeBase & { status: "partial"; actions: LedgerAction[]; transactions: SentTransaction[] })
  | (OutcomeBase & { status: "planned"; actions: LedgerAction[] })
  | (OutcomeBase & { status: "stored"; reason: string })
  | (OutcomeBase & { status: "duplicate"; reason: string });

export interface ImportProblem {
  eventIndex?: number;
  hashId?: string;
  message: string;
}

export type ImportReport =
  | { ok: true; documentId: string; events: EventOutcome[] }
  | {
      ok: false;
      /**
       * `execution`: a transaction failed; what went through before it is stored. `storage`: the store could not
       * record the import after its transactions went out; the error names those transactions.
       */
      stage: "validation" | "planning" | "execution" | "storage";
      documentId?: string;
      errors: ImportProblem[];
      /** For an execution or storage failure: what was anchored (and, for execution, stored) before it. */
      events: EventOutcome[];
    };

/** The signer of a mapped account, or `undefined` when the caller has none. */
export type SignerLookup = (account: string) => Signer | undefined;

export interface ImportOptions {
  provenance: ProvenanceRegistry;
  /** Where the import is written; planning reads it to tell what this registry already has. */
  store: ProvenanceStore;
  mapping: PartyMapping;
  signers: SignerLookup;
  /** Where the document came from (a file name), kept with it in the store. */
  source?: string;
}

/** Hex sha-256 of a document's canonical JSON: its id in the store. */
export function documentIdOf(document: JsonValue): string {
  return createHash("sha256").update(canonicalJson(document), "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Import

interface PlannedEvent {
  index: number;
  hashId: string;
  event: EpcisEvent;
  eventType: string;
  outcome: "anchor" | "stored" | "duplicate";
  reason?: string;
  calls: Call[];
  /** For an event anchored halfway at this registry before: the transactions that already went through. */
  earlier?: EventAnchor[];
  declaresError?: JsonValue;
}

export interface ImportPlan {
  documentId: string;
  /** The registry planned against. */
  registry: RegistryRef;
  events: PlannedEvent[];
  errors: ImportProblem[];
}

/** Planning options: the store is only read, and may be absent (an import into a new store). */
export type PlanOptions = Omit<ImportOptions, "store" | "source"> & { store?: ProvenanceStore };

/** The chain id and (lower-case) address of a registry. */
async function registryRef(provenance: ProvenanceRegistry): Promise<RegistryRef> {
  const network = await provenance.runner?.provider?.getNetwork();
  if (network === undefined) throw new Error("the provenance registry has no provider");
  return { chainId: Number(network.chainId), contract: (await provenance.getAddress()).toLowerCase() };
}

const callKey = (action: string, epc: string | undefined): string => `${action} ${epc ?? ""}`;

/** The JSON pointer of a document's event list: a capture document's, or a query document's results. */
function eventListPointer(document: JsonObject): string {
  const body = document.epcisBody;
  return isJsonObject(body) && "queryResults" in body
    ? "/epcisBody/queryResults/resultsBody/eventList"
    : "/epcisBody/eventList";
}

/**
 * Validates and plans an import without writing anything: the errors, or the calls it would send. An event is a
 * duplicate when this registry on this chain already has it (anchored, or stored as not modelled); an event
 * imported only at another registry is planned again; an event anchored halfway here is planned again and only
 * the calls not yet sent are kept.
 */
export async function planImport(document: JsonValue, options: PlanOptions): Promise<ImportPlan | ImportReport> {
  const validation = validateEpcisDocument(document);
  if (!validation.valid || !isJsonObject(document)) {
    const errors = validation.valid ? [] : validation.errors;
    return {
      ok: false,
      stage: "validation",
      errors: errors.map((error) => ({
        message: error.message,
        ...(error.eventIndex === undefined ? {} : { eventIndex: error.eventIndex }),
      })),
      events: [],
    };
  }
  const documentId = documentIdOf(document);
  const context = document["@context"];
  const events = documentEvents(document);
  // Valid EPCIS, but nothing to anchor or store: refused rather than recorded as a document without events.
  if (events.length === 0) {
    return {
      ok: false,
      stage: "validation",
      errors: [{ message: `document: ${eventListPointer(document)} is empty: there is no event to import` }],
      events: [],
    };
  }
  const hashIds = eventHashIds(document);
  const registry = await registryRef(options.provenance);
  const planner = new Planner(options, context);
  await planner.init();

  const planned: PlannedEvent[] = [];
  const errors: ImportProblem[] = [];
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    const hashId = hashIds[index];
    const base = { index, hashId, event, eventType: eventTypeOf(event), calls: [] as Call[] };
    const status = options.store?.statusAt(hashId, registry);
    if (seen.has(hashId) || status === "anchored" || status === "stored") {
      const declaration = event.errorDeclaration;
      planned.push({
        ...base,
        outcome: "duplicate",
        reason: seen.has(hashId)
          ? "the same event appears earlier in the document"
          : `already in the store for registry ${registry.contract} on chain ${registry.chainId}`,
        ...(declaration === undefined ? {} : { declaresError: declaration }),
      });
      continue;
    }
    seen.add(hashId);
    const earlier = status === "partial" ? (options.store?.anchorsAt(hashId, registry) ?? []) : [];
    const sent = new Set(earlier.map((anchor) => callKey(anchor.action, anchor.epc)));
    const plan = await planner.plan(event, index, hashId, sent);
    if (plan.kind === "error") {
      for (const message of plan.messages) {
        errors.push({ eventIndex: index, hashId, message: `event ${index} (${hashId}): ${message}` });
      }
      continue;
    }
    const resumed = status === "partial" ? { earlier } : {};
    if (plan.kind === "stored") planned.push({ ...base, ...resumed, outcome: "stored", reason: plan.reason });
    else {
      const calls = plan.calls.filter((call) => !sent.has(callKey(call.action, call.epc)));
      planned.push({ ...base, ...resumed, outcome: "anchor", calls });
    }
  }
  return { documentId, registry, events: planned, errors };
}

async function send(call: Call, contract: ProvenanceRegistry, documentHash: string) {
  switch (call.action) {
    case "commission":
      return contract.commission(
        call.item,
        call.origin,
        call.productClass,
        call.exportClass,
        call.eventHash,
        documentHash,
      );
    case "aggregate":
      return contract.aggregate(call.parent, call.children, call.eventHash);
    case "disaggregate":
      return contract.disaggregate(call.parent, call.children, call.eventHash);
    case "transform":
      return contract.transform(call.inputs, call.outputs, call.eventHash);
    case "ship":
      return contract.ship(call.item, call.to, call.licenceRef, call.eventHash);
    case "receive":
      return contract.receiveItem(call.item, call.eventHash);
    case "recall":
      return contract.recall(call.item, call.eventHash);
    case "quarantine":
      return contract.quarantine(call.item, call.eventHash);
    case "release":
      return contract.release(call.item, call.eventHash);
  }
}

function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const short = (error as Error & { shortMessage?: string }).shortMessage;
  return (short ?? error.message).split("\n", 1)[0];
}

function outcomeOf(event: PlannedEvent, transactions: SentTransaction[] | undefined): EventOutcome {
  const base = { index: event.index, hashId: event.hashId, eventType: event.eventType };
  if (event.outcome === "duplicate") return { ...base, status: "duplicate", reason: event.reason ?? "" };
  if (event.outcome === "stored") return { ...base, status: "stored", reason: event.reason ?? "" };
  const actions = [...new Set(event.calls.map((call) => call.action))];
  if (transactions === undefined) return { ...base, status: "planned", actions };
  const status = transactions.length < event.calls.length ? "partial" : "anchored";
  return { ...base, status, actions, transactions };
}

/**
 * Imports an EPCIS 2.0 document (already parsed from JSON). Nothing is sent or written unless the document
 * is valid and every event's plan holds; the report says, per event, what was anchored (with the
 * transactions) or why it was only stored.
 */
export async function importEpcisDocument(document: JsonValue, options: ImportOptions): Promise<ImportReport> {
  const plan = await planImport(document, options);
  if ("ok" in plan) return plan;
  return executeImport(document, plan, options);
}

/**
 * Sends the calls of a plan made by {@link planImport} and writes the document and its events to the store in
 * one SQLite transaction. A plan with errors sends and writes nothing. Should the store fail to write after
 * transactions went out, the report (stage `storage`) names every one of them.
 */
export async function executeImport(
  document: JsonValue,
  plan: ImportPlan,
  options: ImportOptions,
): Promise<ImportReport> {
  if (plan.errors.length > 0) {
    return { ok: false, stage: "planning", documentId: plan.documentId, errors: plan.errors, events: [] };
  }
  const { provenance, store } = options;
  const documentHash = `0x${plan.documentId}`;
  const sent = new Map<number, SentTransaction[]>();
  let failure: ImportProblem | undefined;
  execution: for (const event of plan.events) {
    if (event.outcome === "anchor") sent.set(event.index, []);
    for (const call of event.calls) {
      const signer = options.signers(call.account);
      if (signer === undefined) throw new Error(`no signer for ${call.account}, although planning found one`);
      try {
        const tx = await send(call, provenance.connect(signer), documentHash);
        const receipt = await tx.wait();
        sent.get(event.index)?.push({
          action: call.action,
          epc: call.epc,
          txHash: tx.hash,
          blockNumber: receipt?.blockNumber ?? 0,
        });
      } catch (error) {
        failure = {
          eventIndex: event.index,
          hashId: event.hashId,
          message: `event ${event.index} (${event.hashId}): ${call.action} ${call.epc} failed: ${failureText(error)}`,
        };
        // The event is partly anchored only when one of its transactions went through.
        if (sent.get(event.index)?.length === 0 && event.earlier === undefined) sent.delete(event.index);
        break execution;
      }
    }
  }

  const context = isJsonObject(document) ? document["@context"] : undefined;
  const batch: ImportBatch = {
    document: {
      id: plan.documentId,
      ...(options.source === undefined ? {} : { source: options.source }),
      context,
      importedAt: new Date().toISOString(),
      chainId: plan.registry.chainId,
      contract: getAddress(plan.registry.contract),
    },
    events: [],
  };
  const outcomes: EventOutcome[] = [];
  // The events this batch inserts: a later repeat of one refers to it.
  const written = new Set<string>();
  for (const event of plan.events) {
    const transactions = sent.get(event.index);
    // An event whose transactions never ran is not recorded for this registry, so that importing again retries it.
    if (event.outcome === "anchor" && transactions === undefined) {
      outcomes.push(outcomeOf(event, undefined));
      continue;
    }
    outcomes.push(outcomeOf(event, transactions));
    if (event.outcome === "duplicate") {
      // A repeat of an event earlier in the document that was left out (its transactions never ran) has nothing
      // to refer to: it is left out too, and importing again records both.
      if (!written.has(event.hashId) && !store.hasEvent(event.hashId)) continue;
      batch.events.push({
        kind: "known",
        hashId: event.hashId,
        position: event.index,
        ...(event.declaresError === undefined ? {} : { errorDeclaration: event.declaresError }),
      });
      continue;
    }
    const anchors: EventAnchor[] = (transactions ?? []).map((tx) => ({ ...tx }));
    const incomplete = transactions !== undefined && transactions.length < event.calls.length;
    const status = event.outcome === "stored" ? "stored" : incomplete ? "partial" : "anchored";
    const note =
      event.outcome === "stored" ? event.reason : incomplete ? `incomplete: ${failure?.message ?? ""}` : undefined;
    if (store.hasEvent(event.hashId)) {
      // Stored before (for another registry, or anchored halfway here): record what happened at this registry.
      batch.events.push({
        kind: "known",
        hashId: event.hashId,
        position: event.index,
        status,
        ...(note === undefined ? {} : { note }),
        anchors,
      });
      continue;
    }
    written.add(event.hashId);
    batch.events.push({
      kind: "new",
      record: {
        hashId: event.hashId,
        eventType: event.eventType,
        eventTime: typeof event.event.eventTime === "string" ? normaliseTimestamp(event.event.eventTime) : "",
        event: event.event,
        context,
        position: event.index,
        status,
        ...(note === undefined ? {} : { note }),
        items: eventItems(event.event),
        anchors,
      },
    });
  }
  try {
    store.saveImport(batch);
  } catch (error) {
    // When no transaction went out, nothing is lost: the error propagates as it is. Otherwise the chain has
    // transactions the store does not know of, and importing again would find their items already on the
    // ledger: name them, so that they are not lost without a trace.
    const hashes = [...sent.values()].flat().map((tx) => tx.txHash);
    if (hashes.length === 0) throw error;
    const storage: ImportProblem = {
      message:
        `the store could not record the import (${failureText(error)}); these transactions went out and are not ` +
        `in the store: ${hashes.join(", ")}`,
    };
    return {
      ok: false,
      stage: "storage",
      documentId: plan.documentId,
      errors: failure === undefined ? [storage] : [failure, storage],
      events: outcomes,
    };
  }
  if (failure !== undefined) {
    return { ok: false, stage: "execution", documentId: plan.documentId, errors: [failure], events: outcomes };
  }
  return { ok: true, documentId: plan.documentId, events: outcomes };
}
