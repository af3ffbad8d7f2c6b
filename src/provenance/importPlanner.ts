/**
 * The planning half of an EPCIS import: which ledger calls each event needs, checked against the ledger's
 * state as the earlier calls of the same import will leave it. Nothing here sends a transaction. The rules
 * are described in `importer.ts`.
 */
import { encodeBytes32String, getBytes, hexlify, toUtf8Bytes, toUtf8String, ZeroHash } from "ethers";

import { ParticipantRegistry__factory } from "../../typechain-types";
import type { IProvenanceRegistry, ParticipantRegistry } from "../../typechain-types";
import { InputError } from "../sdk/errors";
import { CBV_WEB_BASE, expandCbvValue, expandCurie, prefixMapOf } from "./cbv";
import { hashIdToBytes32 } from "./eventHash";
import { isJsonObject } from "./epcisTypes";
import type { EpcisEvent, JsonLdContext, JsonValue } from "./epcisTypes";
import type { ImportOptions } from "./importer";
import { canonicalEpc, itemIdOf } from "./items";
import { accountOfParty, parseExportClass, parseOrigin, parseProductClass, PRODUCT_CLASSES } from "./mapping";
import type { ItemAttributes, ProductClassName } from "./mapping";
import type { EventItem, ItemRole } from "./store";

/** The JSON-LD namespace of the ledger's own EPCIS fields (`t12:origin`, `t12:exportClass`, ...). */
export const T12_NAMESPACE = "https://t12.example/epcis/";

// ---------------------------------------------------------------------------------------------
// On-chain enums

const DISPOSITION = { None: 0, Active: 1, InTransit: 2, Contained: 3, Consumed: 4, Quarantined: 5, Recalled: 6 };
const DISPOSITION_NAMES = ["None", "Active", "InTransit", "Contained", "Consumed", "Quarantined", "Recalled"];
const KIND = { None: 0, Supplier: 4, Auditor: 5 };
const STATUS_ACTIVE = 1;

// ---------------------------------------------------------------------------------------------
// Planned calls

interface CallBase {
  eventIndex: number;
  account: string;
  epc: string;
  eventHash: string;
}

export type Call = CallBase &
  (
    | { action: "commission"; item: string; origin: string; productClass: number; exportClass: string }
    | { action: "aggregate" | "disaggregate"; parent: string; children: string[] }
    | { action: "transform"; inputs: string[]; outputs: IProvenanceRegistry.OutputStruct[] }
    | { action: "ship"; item: string; to: string; licenceRef: string }
    | { action: "receive" | "recall" | "quarantine" | "release"; item: string }
  );

/** The ledger's view of an item while planning: read once from chain, then changed by the planned calls. */
interface LedgerItem {
  exists: boolean;
  custodian: string;
  disposition: number;
  parent: string;
  /** How many items are packed in it. */
  contents: number;
  exportClass: string;
  origin: string;
}

/** A new item's record: Active with its creator, unpacked and empty, with the attributes it was made with. */
function created(account: string, attributes: { exportClass: string; origin: string }): LedgerItem {
  const { exportClass, origin } = attributes;
  return {
    exists: true,
    custodian: account,
    disposition: DISPOSITION.Active,
    parent: ZeroHash,
    contents: 0,
    exportClass,
    origin,
  };
}

interface Standing {
  kind: number;
  status: number;
  jurisdiction: string;
  kycExpiry: bigint;
}

export type EventPlan =
  { kind: "anchor"; calls: Call[] } | { kind: "stored"; reason: string } | { kind: "error"; messages: string[] };

class PlanError extends Error {}

const bytes8 = (text: string): string => hexlify(toUtf8Bytes(text.padEnd(8, "\0")));
const bytes2 = (text: string): string => hexlify(toUtf8Bytes(text));
const EAR99 = bytes8("EAR99");
/** An export class as the ledger stores it (bytes8, zero-padded) back as text. */
const exportClassText = (value: string): string => toUtf8String(getBytes(value)).replace(/\0+$/, "");

const asList = (value: JsonValue | undefined): JsonValue[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

const strings = (value: JsonValue | undefined): string[] =>
  asList(value).filter((entry): entry is string => typeof entry === "string" && entry.trim() !== "");

/** Distinct canonical identifiers of a list of EPCs, in order. */
const canonicalList = (value: JsonValue | undefined): string[] => [...new Set(strings(value).map(canonicalEpc))];

const vocabularyIs = (value: JsonValue | undefined, vocabulary: "BizStep" | "Disp", term: string): boolean =>
  typeof value === "string" && expandCbvValue(value.trim(), vocabulary) === `${CBV_WEB_BASE}${vocabulary}-${term}`;

/** The CBV source/destination type of a list entry, as its bare term (`owning_party`). */
function sdtTerm(value: JsonValue | undefined): string {
  if (typeof value !== "string") return "";
  const expanded = expandCbvValue(value.trim(), "SDT");
  return expanded.startsWith(`${CBV_WEB_BASE}SDT-`) ? expanded.slice(`${CBV_WEB_BASE}SDT-`.length) : expanded;
}

/** The party of a source or destination list, by preference of type. */
function listParty(event: EpcisEvent, list: "sourceList" | "destinationList"): string | undefined {
  const key = list === "sourceList" ? "source" : "destination";
  const entries = asList(event[list]).filter(isJsonObject);
  for (const type of ["possessing_party", "owning_party", "location"]) {
    const entry = entries.find((candidate) => sdtTerm(candidate.type) === type && typeof candidate[key] === "string");
    if (entry !== undefined) return String(entry[key]);
  }
  return undefined;
}

function locationOf(event: EpcisEvent): string | undefined {
  for (const key of ["bizLocation", "readPoint"]) {
    const location = event[key];
    if (isJsonObject(location) && typeof location.id === "string" && location.id.trim() !== "") return location.id;
  }
  return undefined;
}

/** The `t12:` fields of an object (ILMD or the event), by local name. */
function t12Fields(object: JsonValue | undefined, context: JsonLdContext, event: EpcisEvent): Map<string, JsonValue> {
  const fields = new Map<string, JsonValue>();
  if (!isJsonObject(object)) return fields;
  const prefixes = prefixMapOf(context, event["@context"]);
  for (const [key, value] of Object.entries(object)) {
    let expanded = key;
    const colon = key.indexOf(":");
    if (colon > 0 && !key.slice(colon + 1).startsWith("//")) {
      const namespace = prefixes.get(key.slice(0, colon));
      if (namespace !== undefined) expanded = namespace + key.slice(colon + 1);
    }
    if (expanded.startsWith(T12_NAMESPACE)) {
      fields.set(
        expanded.slice(T12_NAMESPACE.length),
        isJsonObject(value) && "@value" in value ? value["@value"] : value,
      );
    }
  }
  return fields;
}

export function eventTypeOf(event: EpcisEvent): string {
  return typeof event.type === "string" ? event.type : "Event";
}

/** The items an event touches, with their roles, for the store. */
export function eventItems(event: EpcisEvent): EventItem[] {
  const items: EventItem[] = [];
  const add = (value: JsonValue | undefined, role: ItemRole): void => {
    for (const epc of canonicalList(value)) items.push({ itemId: itemIdOf(epc), epc, role });
  };
  add(event.epcList, "epc");
  add(event.parentID, "parent");
  add(event.childEPCs, "child");
  add(event.inputEPCList, "input");
  add(event.outputEPCList, "output");
  return items;
}

// ---------------------------------------------------------------------------------------------
// Planning

export class Planner {
  private readonly items = new Map<string, LedgerItem>();
  private readonly standings = new Map<string, Standing>();
  private registry?: ParticipantRegistry;
  private now = 0n;

  /** How to undo the current event's changes to the planned state, should the event fail or not anchor. */
  private undoLog: Array<() => void> = [];
  /** The current event's calls that an earlier import already sent (see {@link plan}). */
  private sent: ReadonlySet<string> = new Set();

  private wasSent(action: Call["action"], epc: string): boolean {
    return this.sent.has(`${action} ${epc}`);
  }

  constructor(
    private readonly options: Pick<ImportOptions, "provenance" | "mapping" | "signers">,
    private readonly context: JsonLdContext,
  ) {}

  /** Changes a planned item, remembering how to undo it. */
  private set(item: LedgerItem, patch: Partial<LedgerItem>): void {
    const previous = { ...item };
    this.undoLog.push(() => Object.assign(item, previous));
    Object.assign(item, patch);
  }

  async init(): Promise<void> {
    const { provenance } = this.options;
    const runner = provenance.runner;
    this.registry = ParticipantRegistry__factory.connect(await provenance.registry(), runner);
    const block = await runner?.provider?.getBlock("latest");
    this.now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  }

  private async item(epc: string): Promise<LedgerItem> {
    return this.itemById(itemIdOf(epc));
  }

  private async itemById(id: string): Promise<LedgerItem> {
    const known = this.items.get(id);
    if (known !== undefined) return known;
    const record = await this.options.provenance.item(id);
    const item: LedgerItem = {
      exists: Number(record.disposition) !== DISPOSITION.None,
      custodian: record.custodian,
      disposition: Number(record.disposition),
      parent: record.parent.toLowerCase(),
      contents: Number(record.contents),
      exportClass: record.exportClass,
      origin: record.origin,
    };
    this.items.set(id, item);
    return item;
  }

  /** Who holds an item: its custodian, or while it is packed, the custodian of its outermost container. */
  private async holder(item: LedgerItem): Promise<string> {
    let current = item;
    // The registry refuses to pack an item into itself or into a packed container, so the walk ends.
    while (current.disposition === DISPOSITION.Contained) current = await this.itemById(current.parent);
    return current.custodian;
  }

  private async standing(account: string): Promise<Standing> {
    const known = this.standings.get(account);
    if (known !== undefined) return known;
    if (this.registry === undefined) throw new Error("Planner.init() was not called");
    const [kind, status, jurisdiction, kycExpiry] = await this.registry.standing(account);
    const standing = { kind: Number(kind), status: Number(status), jurisdiction, kycExpiry };
    this.standings.set(account, standing);
    return standing;
  }

  /** The account of a party id as written in the document; an error naming the party when it is unmapped. */
  private party(id: string, role: string, signs = true): string {
    const account = accountOfParty(this.options.mapping, id);
    if (account === undefined) throw new PlanError(`${role} ${id} is not in the party mapping`);
    if (signs && this.options.signers(account) === undefined) {
      throw new PlanError(`${role} ${id} maps to ${account}, for which there is no signer`);
    }
    return account;
  }

  /** The party acting for an event that is neither a shipment nor a receipt. */
  private actor(event: EpcisEvent): { id: string; account: string } {
    const location = locationOf(event);
    if (location !== undefined) return { id: location, account: this.party(location, "party") };
    const source = listParty(event, "sourceList");
    if (source !== undefined) return { id: source, account: this.party(source, "source party") };
    const fallback = this.options.mapping.defaultParty;
    if (fallback === undefined) {
      throw new PlanError("names no bizLocation, readPoint or source party, and the mapping has no defaults.party");
    }
    return { id: fallback, account: this.party(fallback, "default party") };
  }

  private async requireActive(account: string, label: string): Promise<Standing> {
    const standing = await this.standing(account);
    if (
      standing.kind === KIND.None ||
      standing.kind === KIND.Auditor ||
      standing.status !== STATUS_ACTIVE ||
      standing.kycExpiry <= this.now
    ) {
      throw new PlanError(`${label} ${account} is not an active participant of the registry`);
    }
    return standing;
  }

  private async requireSupplier(account: string, label: string): Promise<void> {
    await this.requireActive(account, label);
    if ((await this.standing(account)).kind !== KIND.Supplier) {
      throw new PlanError(`${label} ${account} is not a supplier: only suppliers commission or transform items`);
    }
  }

  /** The attributes of an item the event commissions; `ilmd` only for the items the event itself creates. */
  private attributes(event: EpcisEvent, epc: string, withIlmd: boolean) {
    const fromIlmd = withIlmd ? t12Fields(event.ilmd, this.context, event) : new Map<string, JsonValue>();
    const fromEvent = t12Fields(event, this.context, event);
    const defaults: ItemAttributes = this.options.mapping.defaults;
    const pick = (name: keyof ItemAttributes): { value: JsonValue; field: string } => {
      if (fromIlmd.has(name)) return { value: fromIlmd.get(name) ?? null, field: `ilmd t12:${name}` };
      if (fromEvent.has(name)) return { value: fromEvent.get(name) ?? null, field: `t12:${name}` };
      const fallback = defaults[name];
      if (fallback !== undefined) return { value: fallback, field: `mapping defaults.${name}` };
      throw new PlanError(
        `item ${epc} has no ${name}: give t12:${name} in the ILMD or defaults.${name} in the mapping`,
      );
    };
    const checked = <T>(name: keyof ItemAttributes, parse: (field: string, value: unknown) => T): T => {
      const { value, field } = pick(name);
      try {
        return parse(field, value);
      } catch (error) {
        if (error instanceof InputError) throw new PlanError(`item ${epc}: ${error.message}`);
        throw error;
      }
    };
    const origin = checked("origin", parseOrigin);
    const productClass: ProductClassName = checked("productClass", parseProductClass);
    const exportClass = checked("exportClass", parseExportClass);
    return {
      origin: bytes2(origin),
      productClass: PRODUCT_CLASSES.indexOf(productClass),
      exportClass: bytes8(exportClass),
    };
  }

  /**
   * A commission call for a new item, checked; the planned state has the item afterwards. `undefined` when an
   * earlier import of the event already commissioned it.
   */
  private async commission(
    event: EpcisEvent,
    index: number,
    eventHash: string,
    epc: string,
    account: string,
    withIlmd: boolean,
  ): Promise<Call | undefined> {
    const item = await this.item(epc);
    if (item.exists && this.wasSent("commission", epc)) return undefined;
    if (item.exists) throw new PlanError(`item ${epc} is already on the ledger`);
    await this.requireSupplier(account, "commissioning party");
    const attributes = this.attributes(event, epc, withIlmd);
    this.set(item, created(account, attributes));
    return { action: "commission", eventIndex: index, account, epc, eventHash, item: itemIdOf(epc), ...attributes };
  }

  /** The item, commissioned first (with the event's hash, by `account`) when the ledger has never seen it. */
  private async ensure(
    event: EpcisEvent,
    index: number,
    eventHash: string,
    epc: string,
    account: string,
    calls: Call[],
  ): Promise<LedgerItem> {
    const item = await this.item(epc);
    if (!item.exists) {
      const call = await this.commission(event, index, eventHash, epc, account, false);
      if (call !== undefined) calls.push(call);
    }
    return item;
  }

  private requireHeld(epc: string, item: LedgerItem, account: string, expected: number): void {
    if (item.disposition !== expected) {
      throw new PlanError(
        `item ${epc} is ${DISPOSITION_NAMES[item.disposition]} on the ledger, not ${DISPOSITION_NAMES[expected]}`,
      );
    }
    if (item.custodian !== account) {
      throw new PlanError(`item ${epc} is held by ${item.custodian} on the ledger, not by ${account}`);
    }
  }

  /**
   * Plans one event. `sent` names the calls (`"<action> <canonical epc>"`) of this event that went through in an
   * earlier import that failed halfway: the ledger's state already shows them, so they are planned without
   * their checks, for the caller to drop.
   */
  async plan(
    event: EpcisEvent,
    index: number,
    hashId: string,
    sent: ReadonlySet<string> = new Set(),
  ): Promise<EventPlan> {
    this.undoLog = [];
    this.sent = sent;
    try {
      const plan = await this.planEvent(event, index, hashIdToBytes32(hashId));
      if (plan.kind !== "anchor") this.undo();
      return plan;
    } catch (error) {
      this.undo();
      if (error instanceof PlanError) return { kind: "error", messages: [error.message] };
      throw error;
    }
  }

  private undo(): void {
    for (const step of this.undoLog.reverse()) step();
    this.undoLog = [];
  }

  private async planEvent(event: EpcisEvent, index: number, eventHash: string): Promise<EventPlan> {
    const type = eventTypeOf(event);
    if (event.errorDeclaration !== undefined) {
      return {
        kind: "stored",
        reason: "error declaration: the ledger keeps its history, the declaration is kept off chain",
      };
    }
    switch (type) {
      case "ObjectEvent":
        return this.planObjectEvent(event, index, eventHash);
      case "AggregationEvent":
        return this.planAggregation(event, index, eventHash);
      case "TransformationEvent":
        return this.planTransformation(event, index, eventHash);
      default:
        return { kind: "stored", reason: `${type} is not modelled by the ledger` };
    }
  }

  private async planObjectEvent(event: EpcisEvent, index: number, eventHash: string): Promise<EventPlan> {
    const epcs = canonicalList(event.epcList);
    if (epcs.length === 0) return { kind: "stored", reason: "quantities only: the ledger tracks serialised items" };
    const calls: Call[] = [];
    if (event.action === "ADD") {
      const { account } = this.actor(event);
      for (const epc of epcs) {
        const call = await this.commission(event, index, eventHash, epc, account, true);
        if (call !== undefined) calls.push(call);
      }
      return { kind: "anchor", calls };
    }
    if (event.action !== "OBSERVE")
      return { kind: "stored", reason: `ObjectEvent ${String(event.action)} is not modelled` };

    if (vocabularyIs(event.bizStep, "BizStep", "shipping")) {
      const destination = listParty(event, "destinationList");
      if (destination === undefined) return { kind: "stored", reason: "shipping without a destination party" };
      const source = listParty(event, "sourceList");
      const from = source !== undefined ? this.party(source, "source party") : this.actor(event).account;
      const to = this.party(destination, "destination party", false);
      if (from === to) throw new PlanError(`source and destination are the same account ${from}`);
      const fromStanding = await this.requireActive(from, "shipping party");
      const toStanding = await this.requireActive(to, "destination party");
      const licence = t12Fields(event, this.context, event).get("exportLicence");
      let licenceRef = ZeroHash;
      if (licence !== undefined) {
        if (typeof licence !== "string" || licence === "" || toUtf8Bytes(licence).length > 31) {
          throw new PlanError("t12:exportLicence must be a licence reference of 1 to 31 characters");
        }
        licenceRef = encodeBytes32String(licence);
      }
      for (const epc of epcs) {
        // Sent by an earlier import of this event: the ledger has it in transit already.
        if (this.wasSent("ship", epc)) continue;
        const item = await this.ensure(event, index, eventHash, epc, from, calls);
        this.requireHeld(epc, item, from, DISPOSITION.Active);
        const crossing = fromStanding.jurisdiction !== toStanding.jurisdiction;
        if (item.exportClass !== EAR99 && crossing && licenceRef === ZeroHash) {
          throw new PlanError(
            `item ${epc} is export-controlled and crosses a border: give its licence as t12:exportLicence`,
          );
        }
        calls.push({
          action: "ship",
          eventIndex: index,
          account: from,
          epc,
          eventHash,
          item: itemIdOf(epc),
          to,
          licenceRef,
        });
        this.set(item, { custodian: to, disposition: DISPOSITION.InTransit });
      }
      return { kind: "anchor", calls };
    }

    if (vocabularyIs(event.bizStep, "BizStep", "receiving")) {
      const destination = listParty(event, "destinationList");
      const account =
        destination !== undefined ? this.party(destination, "destination party") : this.actor(event).account;
      // A receipt the ledger has no shipment for, or one it already recorded, is kept off chain; but an event
      // that receives some items in transit and some the ledger cannot receive is refused, naming the item.
      const pending = epcs.filter((epc) => !this.wasSent("receive", epc));
      const unshipped: string[] = [];
      const held: string[] = [];
      for (const epc of pending) {
        const item = await this.item(epc);
        if (!item.exists) unshipped.push(epc);
        else if (item.disposition === DISPOSITION.Active && item.custodian === account) held.push(epc);
      }
      if (pending.length > 0 && unshipped.length === pending.length) {
        return { kind: "stored", reason: `item ${unshipped[0]} was never shipped on the ledger` };
      }
      if (pending.length > 0 && held.length === pending.length) {
        return { kind: "stored", reason: `item ${held[0]} is already held by ${account} on the ledger` };
      }
      if (unshipped.length > 0) {
        throw new PlanError(
          `item ${unshipped[0]} was never shipped on the ledger, although the event receives other items in transit`,
        );
      }
      for (const epc of pending) {
        const item = await this.item(epc);
        if (item.disposition !== DISPOSITION.InTransit || item.custodian !== account) {
          throw new PlanError(
            `item ${epc} is not in transit to ${account} on the ledger (${DISPOSITION_NAMES[item.disposition]}, with ${item.custodian})`,
          );
        }
        const [, price] = await this.options.provenance.deliveryTerms(itemIdOf(epc));
        if (price !== 0n)
          throw new PlanError(`item ${epc} is shipped against a payment of ${price}: deliver it by payment`);
      }
      await this.requireActive(account, "receiving party");
      for (const epc of epcs) {
        if (this.wasSent("receive", epc)) continue;
        const item = await this.item(epc);
        calls.push({ action: "receive", eventIndex: index, account, epc, eventHash, item: itemIdOf(epc) });
        this.set(item, { disposition: DISPOSITION.Active });
      }
      return { kind: "anchor", calls };
    }

    const disposition = event.disposition;
    const change = vocabularyIs(disposition, "Disp", "recalled")
      ? "recall"
      : this.isQuarantine(event)
        ? "quarantine"
        : vocabularyIs(disposition, "Disp", "active")
          ? "release"
          : undefined;
    if (change === undefined) return { kind: "stored", reason: "an observation without a change the ledger records" };
    const { account } = this.actor(event);
    if (change === "release") {
      for (const epc of epcs) {
        if (this.wasSent("release", epc)) continue;
        const item = await this.item(epc);
        if (item.disposition !== DISPOSITION.Quarantined) {
          return { kind: "stored", reason: `item ${epc} is not quarantined on the ledger: nothing to release` };
        }
      }
    }
    for (const epc of epcs) {
      if (this.wasSent(change, epc)) continue;
      const item =
        change === "release" ? await this.item(epc) : await this.ensure(event, index, eventHash, epc, account, calls);
      if (change === "recall") {
        if (item.disposition === DISPOSITION.Recalled || item.disposition === DISPOSITION.Consumed) {
          throw new PlanError(
            `item ${epc} is ${DISPOSITION_NAMES[item.disposition]} on the ledger: it cannot be recalled`,
          );
        }
        const holder = await this.holder(item);
        if (holder !== account) await this.requireRegulatorOf(account, epc, item.origin, holder);
        this.set(item, { disposition: DISPOSITION.Recalled });
      } else {
        const expected = change === "quarantine" ? DISPOSITION.Active : DISPOSITION.Quarantined;
        this.requireHeld(epc, item, account, expected);
        await this.requireActive(account, "custodian");
        const next = change === "quarantine" ? DISPOSITION.Quarantined : DISPOSITION.Active;
        this.set(item, { disposition: next });
      }
      calls.push({ action: change, eventIndex: index, account, epc, eventHash, item: itemIdOf(epc) });
    }
    return { kind: "anchor", calls };
  }

  /**
   * CBV 2.0 has no quarantine disposition: the ledger's own term `t12:in_quarantine` (a URI in the
   * {@link T12_NAMESPACE}) says it; the bare word `in_quarantine` is accepted too.
   */
  private isQuarantine(event: EpcisEvent): boolean {
    const value = event.disposition;
    if (typeof value !== "string") return false;
    const expanded = expandCurie(value.trim(), prefixMapOf(this.context, event["@context"]));
    return expanded === `${T12_NAMESPACE}in_quarantine` || vocabularyIs(value, "Disp", "in_quarantine");
  }

  private async requireRegulatorOf(account: string, epc: string, origin: string, holder: string): Promise<void> {
    if (this.registry === undefined) throw new Error("Planner.init() was not called");
    const code = await this.registry.jurisdictionOfRegulator(account);
    const holderStanding = await this.standing(holder);
    const active = code !== "0x0000" && (await this.registry.isActive(account));
    if (!active || (code !== origin && code !== holderStanding.jurisdiction)) {
      throw new PlanError(
        `item ${epc} is held by ${holder}: ${account} is neither its holder nor a regulator of its origin or holder`,
      );
    }
  }

  private async planAggregation(event: EpcisEvent, index: number, eventHash: string): Promise<EventPlan> {
    const parentId = typeof event.parentID === "string" ? canonicalEpc(event.parentID) : undefined;
    const children = canonicalList(event.childEPCs);
    if (event.action === "OBSERVE")
      return { kind: "stored", reason: "an observed aggregation changes nothing on the ledger" };
    if (parentId === undefined || children.length === 0) {
      return { kind: "stored", reason: "no parentID or no child EPCs: the ledger tracks serialised items" };
    }
    const { account } = this.actor(event);
    const calls: Call[] = [];
    if (event.action === "ADD") {
      const parent = await this.ensure(event, index, eventHash, parentId, account, calls);
      this.requireHeld(parentId, parent, account, DISPOSITION.Active);
      for (const epc of children) {
        if (epc === parentId) throw new PlanError(`item ${epc} cannot be packed into itself`);
        const child = await this.ensure(event, index, eventHash, epc, account, calls);
        this.requireHeld(epc, child, account, DISPOSITION.Active);
        // Shipments check only the container's export class, so the ledger refuses to hide a controlled item
        // in an EAR99 container.
        if (parent.exportClass === EAR99 && child.exportClass !== EAR99) {
          throw new PlanError(
            `item ${epc} is export-controlled (${exportClassText(child.exportClass)}) and cannot be packed into ` +
              `${parentId}, which is EAR99: give the container the export class of its contents as t12:exportClass`,
          );
        }
        this.set(child, { disposition: DISPOSITION.Contained, parent: itemIdOf(parentId) });
      }
      this.set(parent, { contents: parent.contents + children.length });
      await this.requireActive(account, "packing party");
      calls.push({
        action: "aggregate",
        eventIndex: index,
        account,
        epc: parentId,
        eventHash,
        parent: itemIdOf(parentId),
        children: children.map(itemIdOf),
      });
      return { kind: "anchor", calls };
    }
    // DELETE: unpack children the ledger has packed into the parent.
    const parent = await this.item(parentId);
    const packed = await Promise.all(children.map(async (epc) => ({ epc, item: await this.item(epc) })));
    // A child recalled while packed is still in its container and comes out recalled.
    const notPacked = packed.filter(
      ({ item }) =>
        (item.disposition !== DISPOSITION.Contained && item.disposition !== DISPOSITION.Recalled) ||
        item.parent !== itemIdOf(parentId),
    );
    if (!parent.exists || notPacked.length === packed.length) {
      return { kind: "stored", reason: `the ledger has none of these children packed into ${parentId}` };
    }
    if (notPacked.length > 0)
      throw new PlanError(`item ${notPacked[0].epc} is not packed into ${parentId} on the ledger`);
    this.requireHeld(parentId, parent, account, DISPOSITION.Active);
    await this.requireActive(account, "unpacking party");
    for (const { item } of packed) {
      const disposition = item.disposition === DISPOSITION.Recalled ? DISPOSITION.Recalled : DISPOSITION.Active;
      this.set(item, { disposition, custodian: account, parent: ZeroHash });
    }
    this.set(parent, { contents: parent.contents - packed.length });
    calls.push({
      action: "disaggregate",
      eventIndex: index,
      account,
      epc: parentId,
      eventHash,
      parent: itemIdOf(parentId),
      children: children.map(itemIdOf),
    });
    return { kind: "anchor", calls };
  }

  private async planTransformation(event: EpcisEvent, index: number, eventHash: string): Promise<EventPlan> {
    const inputs = canonicalList(event.inputEPCList);
    const outputs = canonicalList(event.outputEPCList);
    if (outputs.length === 0) return { kind: "stored", reason: "no output EPCs: the ledger tracks serialised items" };
    const { account } = this.actor(event);
    await this.requireSupplier(account, "transforming party");
    const calls: Call[] = [];
    if (inputs.length === 0) {
      for (const epc of outputs) {
        const call = await this.commission(event, index, eventHash, epc, account, true);
        if (call !== undefined) calls.push(call);
      }
      return { kind: "anchor", calls };
    }
    for (const epc of inputs) {
      const item = await this.ensure(event, index, eventHash, epc, account, calls);
      this.requireHeld(epc, item, account, DISPOSITION.Active);
      if (item.contents > 0) {
        throw new PlanError(
          `item ${epc} still holds ${item.contents} packed item(s) and cannot be consumed: unpack it first`,
        );
      }
      this.set(item, { disposition: DISPOSITION.Consumed });
    }
    const made: IProvenanceRegistry.OutputStruct[] = [];
    for (const epc of outputs) {
      const item = await this.item(epc);
      if (item.exists || inputs.includes(epc)) throw new PlanError(`output ${epc} is already on the ledger`);
      const attributes = this.attributes(event, epc, true);
      made.push({ id: itemIdOf(epc), ...attributes });
      this.set(item, created(account, attributes));
    }
    calls.push({
      action: "transform",
      eventIndex: index,
      account,
      epc: outputs[0],
      eventHash,
      inputs: inputs.map(itemIdOf),
      outputs: made,
    });
    return { kind: "anchor", calls };
  }
}
