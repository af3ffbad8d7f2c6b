/**
 * The supply-chain part of the simulated day: components of several origins are commissioned, shipped across
 * borders (under licence where controlled), received and assembled into a medical device and a defense
 * component, as an EPCIS 2.0 document imported onto the ledger; an auditor certifies the finished goods;
 * buyers pay for them with delivery versus payment; then the auditor traces every component back to its origin,
 * screens the lineage against an origin policy, and audits the event store against the chain.
 *
 * One component, a display module of Chinese origin, is the untrusted source the screen must find.
 */
import { encodeBytes32String, sha256, type Signer, toUtf8Bytes } from "ethers";

import { auditStore, type AuditReport } from "../provenance/audit";
import { exportItemHistory } from "../provenance/exporter";
import { documentIdOf, importEpcisDocument } from "../provenance/importer";
import { eventHashBytes32, eventHashId } from "../provenance/eventHash";
import type { EpcisDocument, EpcisEvent } from "../provenance/epcisTypes";
import { readProvenanceGraph, type ProvenanceGraph } from "../provenance/graph";
import { canonicalEpc, itemIdOf } from "../provenance/items";
import { findCustodyGaps, traceLineage, traceRecall } from "../provenance/lineage";
import type { PartyMapping } from "../provenance/mapping";
import { parsePolicy, screenLineage, type PolicyReport } from "../provenance/policy";
import { ProvenanceStore, type ImportBatch } from "../provenance/store";
import { validateEpcisDocument } from "../provenance/validate";
import { renderLineageTree, renderRecallTree } from "../report/provenanceTree";
import { SettlementClient } from "../sdk/clients/SettlementClient";
import { chainTime, providerOf } from "../sdk/clients/common";
import { FOUNDING_JURISDICTIONS } from "../sdk/constants";
import { parseDollars } from "../sdk/inputs";
import { interbankIvms101 } from "./cast";
import type { Party, SimulationDay, SimulationStep } from "./simulate";

const T12 = "https://t12.example/epcis/";
const CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", { t12: T12 }];

/** GS1 company prefixes of the simulated companies (made up). */
const PREFIX = {
  nordsee: "4012345",
  kyoto: "4912345",
  ottawa: "0754321",
  negev: "7290001",
  hospital: "0312345",
  integrator: "0398765",
} as const;
type Company = keyof typeof PREFIX;

const pgln = (company: Company): string => `urn:epc:id:pgln:${PREFIX[company]}.00000`;
const sgln = (company: Company): string => `urn:epc:id:sgln:${PREFIX[company]}.00001.0`;

/** The items of the day, as EPC URIs. */
export const SUPPLY_CHAIN_ITEMS = {
  fpga: "urn:epc:id:sgtin:4012345.030001.7001",
  controller: "urn:epc:id:sgtin:4012345.030002.8001",
  optics: "urn:epc:id:sgtin:4912345.040001.5001",
  display: "urn:epc:id:sgtin:4912345.040002.6001",
  housing: "urn:epc:id:sgtin:0754321.050001.1",
  defibrillator: "urn:epc:id:sgtin:0754321.050009.1",
  radar: "urn:epc:id:sgtin:7290001.060009.1",
  radarCase: "urn:epc:id:sscc:7290001.0000000042",
} as const;
type ItemName = keyof typeof SUPPLY_CHAIN_ITEMS;

const LABELS: Record<ItemName, string> = {
  fpga: "FPGA (Nordsee, DE)",
  controller: "controller chip (Nordsee, DE)",
  optics: "sensor optics (Kyoto, JP)",
  display: "display module (made in CN, sold by Kyoto)",
  housing: "housing (Ottawa, CA)",
  defibrillator: "defibrillator (Ottawa, CA)",
  radar: "radar module (Negev, IL)",
  radarCase: "shipping case of the radar module (Negev, IL)",
};

/** Prices of the two sales, in dollars. */
const PRICES = { defibrillator: "18500", radarCase: "22000" } as const;
const LICENCES = { fpga: "DE-BAFA-2026-1187", radarCase: "IL-DECA-2026-0311" } as const;

/**
 * The origin policy of the audit: components must come from the T-12 members, and medical devices and defense
 * goods must carry a valid certificate when they are shipped.
 */
export const SIMULATION_POLICY = {
  name: "T-12 trusted origins",
  trustedJurisdictions: [...FOUNDING_JURISDICTIONS],
  requireValidCertificate: { productClasses: ["MedicalDevice", "Defense"], at: ["shipment"] },
};

export interface SupplyChainFinding {
  rule: string;
  item: string;
  /** Labels from the finished item down to the offending component. */
  path: string[];
  message: string;
}

export interface SupplyChainSummary {
  /** EPCIS events anchored on chain, and stored off chain only. */
  events: { anchored: number; storedOnly: number };
  items: number;
  sales: { item: string; price: string; uetr: string; buyer: string }[];
  screens: { item: string; components: number; clean: boolean; findings: SupplyChainFinding[] }[];
  recall: { item: string; affected: string[] };
  audit: { altered: number; added: number; dropped: number; anchoredEvents: number };
  exportedEvents: number;
  /** Human-readable lineage trees, by item label, for the report folder. */
  trees: Record<string, string>;
}

/** What the supply-chain stage keeps between its steps. */
interface SupplyChainState {
  store: ProvenanceStore;
  start: number;
  minutes: number;
  anchoredEvents: number;
  storedOnly: number;
  sales: SupplyChainSummary["sales"];
  sold: ImportBatch["events"];
  graph?: ProvenanceGraph;
  summary?: SupplyChainSummary;
}

const states = new WeakMap<SimulationDay, SupplyChainState>();

function stateOf(day: SimulationDay): SupplyChainState {
  const state = states.get(day);
  if (state === undefined) throw new Error("the supply-chain stage has not started");
  return state;
}

/** The supply-chain summary of a day that ran the stage, if it did. */
export function supplyChainSummaryOf(day: SimulationDay): SupplyChainSummary | undefined {
  return states.get(day)?.summary;
}

/** The next event time: the stage's start plus one more simulated quarter hour, in UTC. */
function nextTime(state: SupplyChainState): { eventTime: string; eventTimeZoneOffset: string } {
  state.minutes += 15;
  return {
    eventTime: new Date((state.start + state.minutes * 60) * 1000).toISOString(),
    eventTimeZoneOffset: "+00:00",
  };
}

function commissioning(
  state: SupplyChainState,
  company: Company,
  item: ItemName,
  origin: string,
  productClass: string,
  exportClass: string,
): EpcisEvent {
  return {
    type: "ObjectEvent",
    ...nextTime(state),
    epcList: [SUPPLY_CHAIN_ITEMS[item]],
    action: "ADD",
    bizStep: "commissioning",
    disposition: "active",
    bizLocation: { id: sgln(company) },
    ilmd: { "t12:origin": origin, "t12:productClass": productClass, "t12:exportClass": exportClass },
  };
}

function shipping(state: SupplyChainState, from: Company, to: Company, item: ItemName, licence?: string): EpcisEvent {
  return {
    type: "ObjectEvent",
    ...nextTime(state),
    epcList: [SUPPLY_CHAIN_ITEMS[item]],
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    readPoint: { id: sgln(from) },
    sourceList: [{ type: "possessing_party", source: pgln(from) }],
    destinationList: [{ type: "possessing_party", destination: pgln(to) }],
    ...(licence === undefined ? {} : { "t12:exportLicence": licence }),
  };
}

function receiving(state: SupplyChainState, from: Company, to: Company, item: ItemName): EpcisEvent {
  return {
    type: "ObjectEvent",
    ...nextTime(state),
    epcList: [SUPPLY_CHAIN_ITEMS[item]],
    action: "OBSERVE",
    bizStep: "receiving",
    disposition: "in_progress",
    bizLocation: { id: sgln(to) },
    sourceList: [{ type: "possessing_party", source: pgln(from) }],
    destinationList: [{ type: "possessing_party", destination: pgln(to) }],
  };
}

function transformation(
  state: SupplyChainState,
  company: Company,
  inputs: ItemName[],
  output: ItemName,
  attributes: [string, string, string],
): EpcisEvent {
  const [origin, productClass, exportClass] = attributes;
  return {
    type: "TransformationEvent",
    ...nextTime(state),
    inputEPCList: inputs.map((input) => SUPPLY_CHAIN_ITEMS[input]),
    outputEPCList: [SUPPLY_CHAIN_ITEMS[output]],
    bizStep: "assembling",
    disposition: "active",
    bizLocation: { id: sgln(company) },
    ilmd: { "t12:origin": origin, "t12:productClass": productClass, "t12:exportClass": exportClass },
  };
}

function inspection(state: SupplyChainState, item: ItemName, certificate: string): EpcisEvent {
  return {
    type: "ObjectEvent",
    ...nextTime(state),
    epcList: [SUPPLY_CHAIN_ITEMS[item]],
    action: "OBSERVE",
    bizStep: "inspecting",
    disposition: "conformant",
    certificationInfo: certificate,
  };
}

function document(events: EpcisEvent[], created: number): EpcisDocument {
  return {
    "@context": CONTEXT,
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: new Date(created * 1000).toISOString(),
    epcisBody: { eventList: events },
  };
}

/** The manufacturing document: commissioning, cross-border shipments, receipts, assembly and packing. */
function manufacturingDocument(state: SupplyChainState): EpcisDocument {
  const events: EpcisEvent[] = [
    commissioning(state, "nordsee", "fpga", "DE", "Semiconductor", "3A001"),
    commissioning(state, "nordsee", "controller", "DE", "Semiconductor", "EAR99"),
    commissioning(state, "kyoto", "optics", "JP", "Other", "EAR99"),
    commissioning(state, "kyoto", "display", "CN", "Other", "EAR99"),
    commissioning(state, "ottawa", "housing", "CA", "Other", "EAR99"),
    shipping(state, "nordsee", "ottawa", "controller"),
    shipping(state, "nordsee", "negev", "fpga", LICENCES.fpga),
    shipping(state, "kyoto", "ottawa", "optics"),
    shipping(state, "kyoto", "negev", "display"),
    receiving(state, "nordsee", "ottawa", "controller"),
    receiving(state, "nordsee", "negev", "fpga"),
    receiving(state, "kyoto", "ottawa", "optics"),
    receiving(state, "kyoto", "negev", "display"),
    transformation(state, "ottawa", ["housing", "controller", "optics"], "defibrillator", [
      "CA",
      "MedicalDevice",
      "EAR99",
    ]),
    transformation(state, "negev", ["fpga", "display"], "radar", ["IL", "Defense", "3A001"]),
    commissioning(state, "negev", "radarCase", "IL", "Other", "3A001"),
    {
      type: "AggregationEvent",
      ...nextTime(state),
      parentID: SUPPLY_CHAIN_ITEMS.radarCase,
      childEPCs: [SUPPLY_CHAIN_ITEMS.radar],
      action: "ADD",
      bizStep: "packing",
      disposition: "in_progress",
      bizLocation: { id: sgln("negev") },
    },
  ];
  return document(events, state.start);
}

function companies(day: SimulationDay): Record<Company, Party> {
  const [nordsee, kyoto, ottawa, negev] = day.suppliers;
  const [hospital, integrator] = day.customers;
  return { nordsee, kyoto, ottawa, negev, hospital, integrator };
}

function mappingOf(day: SimulationDay): PartyMapping {
  const parties = new Map<string, string>();
  for (const [company, party] of Object.entries(companies(day)) as [Company, Party][]) {
    parties.set(canonicalEpc(pgln(company)), party.address);
    parties.set(canonicalEpc(sgln(company)), party.address);
  }
  return { parties, signers: new Map(), defaults: {} };
}

/** Records an event anchored outside the importer (a certificate, a sale) for the sales document. */
function recordAnchored(
  state: SupplyChainState,
  event: EpcisEvent,
  item: ItemName,
  action: string,
  receipt: { hash: string; blockNumber: number },
): void {
  const epc = canonicalEpc(SUPPLY_CHAIN_ITEMS[item]);
  state.sold.push({
    kind: "new",
    record: {
      hashId: eventHashId(event, CONTEXT),
      eventType: String(event.type),
      eventTime: String(event.eventTime),
      event,
      context: CONTEXT,
      position: state.sold.length,
      status: "anchored",
      items: [{ itemId: itemIdOf(epc), epc, role: "epc" }],
      anchors: [{ action, epc, txHash: receipt.hash, blockNumber: receipt.blockNumber }],
    },
  });
}

async function sell(
  day: SimulationDay,
  state: SupplyChainState,
  seller: Company,
  buyer: Company,
  item: "defibrillator" | "radarCase",
): Promise<void> {
  const cast = companies(day);
  const { provenance, engine, dollar } = day.system;
  const price = PRICES[item];
  const licence = item === "radarCase" ? LICENCES.radarCase : undefined;
  const id = itemIdOf(SUPPLY_CHAIN_ITEMS[item]);

  const shipped = shipping(state, seller, buyer, item, licence);
  const offer = await provenance
    .connect(cast[seller].signer)
    .shipAgainstPayment(
      id,
      cast[buyer].address,
      parseDollars("price", price),
      licence === undefined ? encodeBytes32String("") : encodeBytes32String(licence),
      eventHashBytes32(shipped, CONTEXT),
    );
  const offerReceipt = await offer.wait();
  if (offerReceipt === null) throw new Error(`the shipment of the ${item} was not mined`);
  recordAnchored(state, shipped, item, "ship", offerReceipt);

  await (await engine.connect(cast[seller].signer).openAccount()).wait();
  const buyerDesk = new SettlementClient(engine, dollar, cast[buyer].signer);
  await buyerDesk.deposit(price);
  const received = receiving(state, seller, buyer, item);
  const paid = await buyerDesk.payAgainstDelivery(
    {
      creditor: cast[seller].address,
      amount: price,
      purpose: "GDDS",
      priority: "high",
      endToEndId: `PO-${item.toUpperCase()}-0001`,
      ivms101: interbankIvms101(cast[buyer], cast[buyer].address, cast[seller], cast[seller].address),
    },
    id,
    eventHashBytes32(received, CONTEXT),
  );
  recordAnchored(state, received, item, "deliver", paid);
  state.sales.push({ item: LABELS[item], price, uetr: paid.uetr, buyer: cast[buyer].name });
}

async function certify(day: SimulationDay, state: SupplyChainState, item: ItemName): Promise<void> {
  const now = Number(await chainTime(providerOf(day.auditor.signer)));
  const certificate = `${T12}certificates/${item}-2026`;
  const event = inspection(state, item, certificate);
  const tx = await day.system.provenance
    .connect(day.auditor.signer)
    .certify(
      itemIdOf(SUPPLY_CHAIN_ITEMS[item]),
      sha256(toUtf8Bytes(certificate)),
      now - 60,
      now + 365 * 24 * 3600,
      eventHashBytes32(event, CONTEXT),
    );
  const receipt = await tx.wait();
  if (receipt === null) throw new Error(`the certificate of the ${item} was not mined`);
  recordAnchored(state, event, item, "certify", receipt);
}

function labelsById(): Map<string, string> {
  return new Map(
    (Object.keys(SUPPLY_CHAIN_ITEMS) as ItemName[]).map((name) => [itemIdOf(SUPPLY_CHAIN_ITEMS[name]), LABELS[name]]),
  );
}

function screen(graph: ProvenanceGraph, item: ItemName, labels: Map<string, string>, trees: Record<string, string>) {
  const lineage = traceLineage(graph, itemIdOf(SUPPLY_CHAIN_ITEMS[item]));
  const report: PolicyReport = screenLineage(lineage, parsePolicy(SIMULATION_POLICY));
  const gaps = findCustodyGaps(graph, lineage);
  trees[LABELS[item]] = renderLineageTree({ lineage, report, gaps, labels });
  return {
    item: LABELS[item],
    components: report.screened - 1,
    clean: report.clean && gaps.length === 0,
    findings: report.findings.map((finding) => ({
      rule: finding.rule,
      item: labels.get(finding.item) ?? finding.item,
      path: finding.path.map((id) => labels.get(id) ?? id),
      message: finding.message,
    })),
  };
}

/** The supply-chain stage; `storePath` is the event store's file (`:memory:` keeps it in memory). */
export function supplyChainStage(storePath = ":memory:"): (day: SimulationDay) => SimulationStep[] {
  return (day) => {
    const step = (name: string, run: (state: SupplyChainState) => Promise<void>): SimulationStep => ({
      stage: "provenance",
      step: name,
      run: async () => run(stateOf(day)),
    });
    return [
      {
        stage: "provenance",
        step: "import the manufacturing EPCIS document: commission, ship, receive, assemble, pack",
        run: async () => {
          const start = Number(await chainTime(providerOf(day.admin.signer)));
          const store = ProvenanceStore.open(storePath);
          day.cleanups.push(() => store.close());
          const state: SupplyChainState = {
            store,
            start,
            minutes: 0,
            anchoredEvents: 0,
            storedOnly: 0,
            sales: [],
            sold: [],
          };
          states.set(day, state);
          const signers = new Map<string, Signer>(
            Object.values(companies(day)).map((party) => [party.address, party.signer]),
          );
          const report = await importEpcisDocument(manufacturingDocument(state), {
            provenance: day.system.provenance,
            store: state.store,
            mapping: mappingOf(day),
            signers: (account) => signers.get(account),
            source: "simulation: manufacturing",
          });
          if (!report.ok) {
            throw new Error(
              `the manufacturing document was refused: ${report.errors.map((e) => e.message).join("; ")}`,
            );
          }
          state.anchoredEvents += report.events.filter((event) => event.status === "anchored").length;
          state.storedOnly += report.events.filter((event) => event.status === "stored").length;
        },
      },
      step("the auditor certifies the defibrillator and the radar module", async (state) => {
        await certify(day, state, "defibrillator");
        await certify(day, state, "radar");
      }),
      step(`a hospital buys the defibrillator for ${PRICES.defibrillator} with delivery versus payment`, (state) =>
        sell(day, state, "ottawa", "hospital", "defibrillator"),
      ),
      step(
        `an integrator buys the packed radar module for ${PRICES.radarCase}, across a border under licence`,
        (state) => sell(day, state, "negev", "integrator", "radarCase"),
      ),
      step("store the certificates and sales as an EPCIS document", async (state) => {
        const events = state.sold.map((entry) => (entry.kind === "new" ? entry.record.event : {}));
        const sales = document(events as EpcisEvent[], state.start);
        const validation = validateEpcisDocument(sales);
        if (!validation.valid) {
          throw new Error(`the sales document is not valid EPCIS: ${validation.errors[0].message}`);
        }
        const provider = providerOf(day.admin.signer);
        state.store.saveImport({
          document: {
            id: documentIdOf(sales),
            source: "simulation: certificates and sales",
            context: CONTEXT,
            importedAt: new Date().toISOString(),
            chainId: Number((await provider.getNetwork()).chainId),
            contract: await day.system.provenance.getAddress(),
          },
          events: state.sold,
        });
        state.anchoredEvents += state.sold.length;
      }),
      step("trace, screen and audit: lineage, origin policy, recall, event store against the chain", async (state) => {
        const provider = providerOf(day.admin.signer);
        const graph = await readProvenanceGraph({
          provenance: day.system.provenance,
          registry: day.system.registry,
          provider,
          fromBlock: day.firstBlock,
        });
        const labels = labelsById();
        const trees: Record<string, string> = {};
        const screens = [screen(graph, "defibrillator", labels, trees), screen(graph, "radarCase", labels, trees)];
        const recall = traceRecall(graph, itemIdOf(SUPPLY_CHAIN_ITEMS.fpga));
        trees[`recall of the ${LABELS.fpga}`] = renderRecallTree(recall, labels);
        const audit: AuditReport = await auditStore(state.store, day.system.provenance, { fromBlock: day.firstBlock });
        const exported = await exportItemHistory(state.store, SUPPLY_CHAIN_ITEMS.defibrillator, {
          provenance: day.system.provenance,
        });
        state.summary = {
          events: { anchored: state.anchoredEvents, storedOnly: state.storedOnly },
          items: graph.items.size,
          sales: state.sales,
          screens,
          recall: {
            item: LABELS.fpga,
            affected: recall.affected.map((entry) => labels.get(entry.id) ?? entry.id),
          },
          audit: {
            altered: audit.altered.length,
            added: audit.added.length,
            dropped: audit.dropped.length,
            anchoredEvents: state.anchoredEvents,
          },
          exportedEvents: exported.hashIds.length,
          trees,
        };
      }),
    ];
  };
}
