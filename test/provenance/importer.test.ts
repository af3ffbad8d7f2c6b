import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { TransactionRequest } from "ethers";
import { ethers } from "hardhat";

import { readAnchors } from "../../src/provenance/anchors";
import { eventHashIds } from "../../src/provenance/eventHash";
import type { EpcisDocument, EpcisEvent, JsonValue } from "../../src/provenance/epcisTypes";
import { importEpcisDocument } from "../../src/provenance/importer";
import type { EventOutcome, ImportOptions, ImportReport } from "../../src/provenance/importer";
import { itemIdOf } from "../../src/provenance/items";
import { accountOfParty, parseMapping } from "../../src/provenance/mapping";
import { ProvenanceStore } from "../../src/provenance/store";
import { InputError } from "../../src/sdk/errors";
import {
  DOCUMENTS_DIR,
  documentsIn,
  importFixture,
  INVALID_DIR,
  readJson,
  SUPPLY_CHAIN_FILE,
} from "../fixtures/epcis-mapping/import.fixture";

const CHIP_1 = "urn:epc:id:sgtin:4012345.011111.1001";
const CHIP_2 = "urn:epc:id:sgtin:4012345.011111.1002";
const CASE = "urn:epc:id:sscc:4012345.0000000001";
const BOARD = "urn:epc:id:sgtin:9520999.077777.1";
const MAKER = "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D";
const ASSEMBLER = "0x61097BA76cD906d2ba4FD106E757f7Eb455fc295";
const Disposition = { Active: 1n, InTransit: 2n, Contained: 3n, Consumed: 4n, Quarantined: 5n, Recalled: 6n };

const supplyChain = (): EpcisDocument => readJson(SUPPLY_CHAIN_FILE) as EpcisDocument;
/** The document's own event list (not a copy), to edit. */
const eventsOf = (document: EpcisDocument): EpcisEvent[] => {
  const body = document.epcisBody as { eventList: EpcisEvent[] };
  return body.eventList;
};

function expectOk(report: ImportReport): EventOutcome[] {
  if (!report.ok) expect.fail(`import failed at ${report.stage}: ${report.errors.map((e) => e.message).join("; ")}`);
  return report.events;
}

type ImportRefusal = Extract<ImportReport, { ok: false }>["errors"][number];

/** The first error of an import refused while planning, before anything was sent or written. */
async function planningRefusal(document: EpcisDocument, options: ImportOptions): Promise<ImportRefusal> {
  const report = await importEpcisDocument(document, options);
  if (report.ok) expect.fail("imported");
  expect(report.stage).to.equal("planning");
  return report.errors[0];
}

/** Imports into a fresh in-memory store. */
async function setUp() {
  const fixture = await loadFixture(importFixture);
  const store = ProvenanceStore.open(":memory:");
  const options: ImportOptions = {
    provenance: fixture.provenance,
    store,
    mapping: fixture.mapping,
    signers: fixture.signers,
  };
  return { ...fixture, store, options };
}

/** The chain's and the store's state, to prove an import wrote nothing. */
async function snapshot(store: ProvenanceStore, accounts: readonly string[]) {
  return {
    block: await ethers.provider.getBlockNumber(),
    nonces: await Promise.all(accounts.map((account) => ethers.provider.getTransactionCount(account))),
    events: store.allEvents().length,
    documents: (store.db.prepare("SELECT COUNT(*) AS n FROM prov_documents").get() as { n: number }).n,
  };
}

describe("importEpcisDocument", function () {
  describe("when the document follows items through the supply chain", function () {
    it("anchors each modelled event under its hash and stores the rest", async function () {
      const { options, store, provenance } = await setUp();
      const document = supplyChain();
      const events = expectOk(await importEpcisDocument(document, options));
      const hashIds = eventHashIds(document);
      expect(events.map((event) => event.hashId)).to.deep.equal(hashIds);
      expect(
        events.map((event) => (event.status === "anchored" ? event.actions.join("+") : event.status)),
      ).to.deep.equal([
        "commission",
        "commission",
        "aggregate",
        "ship",
        "receive",
        "disaggregate",
        "quarantine",
        "release",
        "recall",
        "transform",
        "stored",
      ]);
      const anchored = new Set((await readAnchors(provenance)).map((anchor) => anchor.hashId));
      expect([...anchored].sort()).to.deep.equal(hashIds.slice(0, 10).sort());
      expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
      expect(store.getEvent(hashIds[10])?.note).to.equal("TransactionEvent is not modelled by the ledger");
      for (const event of events.filter((outcome) => outcome.status === "anchored")) {
        const stored = store.getEvent(event.hashId);
        expect(stored?.anchors.map((anchor) => anchor.txHash)).to.deep.equal(event.transactions.map((tx) => tx.txHash));
      }
    });

    it("leaves the ledger where the document leaves the items", async function () {
      const { options, provenance } = await setUp();
      expectOk(await importEpcisDocument(supplyChain(), options));
      const chip1 = await provenance.item(itemIdOf(CHIP_1));
      const chip2 = await provenance.item(itemIdOf(CHIP_2));
      const box = await provenance.item(itemIdOf(CASE));
      const board = await provenance.item(itemIdOf(BOARD));
      expect([chip1.disposition, chip2.disposition, box.disposition, board.disposition]).to.deep.equal([
        Disposition.Consumed,
        Disposition.Recalled,
        Disposition.Active,
        Disposition.Active,
      ]);
      expect([chip1.manufacturer, box.custodian, board.custodian, board.manufacturer]).to.deep.equal([
        MAKER,
        ASSEMBLER,
        ASSEMBLER,
        ASSEMBLER,
      ]);
    });

    it("takes origin, product class and export class from the ILMD", async function () {
      const { options, provenance } = await setUp();
      expectOk(await importEpcisDocument(supplyChain(), options));
      const chip = await provenance.item(itemIdOf(CHIP_1));
      const board = await provenance.item(itemIdOf(BOARD));
      expect(ethers.toUtf8String(chip.origin)).to.equal("DE");
      expect(chip.productClass).to.equal(2n);
      expect(ethers.toUtf8String(chip.exportClass).replace(/\0+$/, "")).to.equal("3A001");
      expect(ethers.toUtf8String(board.origin)).to.equal("FR");
      expect(board.productClass).to.equal(1n);
    });

    it("gives the item id as keccak256 of the canonical Digital Link, whatever the spelling", async function () {
      const { options, provenance } = await setUp();
      expectOk(await importEpcisDocument(supplyChain(), options));
      const link = "https://id.gs1.org/01/04012345111118/21/1001";
      expect(itemIdOf(CHIP_1)).to.equal(ethers.keccak256(ethers.toUtf8Bytes(link)));
      expect(itemIdOf("https://example.com/gtin/04012345111118/ser/1001?x=1")).to.equal(itemIdOf(CHIP_1));
      expect((await provenance.item(itemIdOf(link))).manufacturer).to.equal(MAKER);
    });

    it("sends nothing and reports duplicates when imported again", async function () {
      const { options, store } = await setUp();
      expectOk(await importEpcisDocument(supplyChain(), options));
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const events = expectOk(await importEpcisDocument(supplyChain(), options));
      expect(events.every((event) => event.status === "duplicate")).to.be.true;
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });
  });

  describe("when the holder of a container recalls an item packed in it", function () {
    /** The assembler, holding the received case, recalls the second chip still packed in it. */
    const recallOfSecondChip = (): EpcisEvent => ({
      type: "ObjectEvent",
      eventTime: "2026-11-03T10:30:00+01:00",
      eventTimeZoneOffset: "+01:00",
      epcList: [CHIP_2],
      action: "OBSERVE",
      bizStep: "holding",
      disposition: "recalled",
      bizLocation: { id: "urn:epc:id:sgln:9520999.00001.0" },
    });

    it("recalls it: the container's custodian holds what it contains", async function () {
      const { options, provenance } = await setUp();
      const document = supplyChain();
      const events = eventsOf(document);
      events.splice(5);
      events.push(recallOfSecondChip());
      const outcomes = expectOk(await importEpcisDocument(document, options));
      expect(outcomes[5]).to.deep.include({ status: "anchored", actions: ["recall"] });
      const chip = await provenance.item(itemIdOf(CHIP_2));
      expect([chip.disposition, chip.custodian]).to.deep.equal([Disposition.Recalled, MAKER]);
    });

    it("unpacks it still recalled, beside the others", async function () {
      const { options, provenance } = await setUp();
      const document = supplyChain();
      const events = eventsOf(document);
      const unpacking = events[5];
      events.splice(5);
      events.push(recallOfSecondChip(), unpacking);
      const outcomes = expectOk(await importEpcisDocument(document, options));
      expect(outcomes[6]).to.deep.include({ status: "anchored", actions: ["disaggregate"] });
      const [chip1, chip2, box] = await Promise.all(
        [CHIP_1, CHIP_2, CASE].map((epc) => provenance.item(itemIdOf(epc))),
      );
      expect([chip1.disposition, chip1.parent]).to.deep.equal([Disposition.Active, ethers.ZeroHash]);
      expect([chip2.disposition, chip2.parent, chip2.custodian]).to.deep.equal([
        Disposition.Recalled,
        ethers.ZeroHash,
        ASSEMBLER,
      ]);
      expect(box.contents).to.equal(0n);
    });
  });

  describe("with the 22 openepcis capture documents", function () {
    it("imports every one: anchors what the ledger models, stores every event", async function () {
      const { options, store, provenance } = await setUp();
      const documents = documentsIn(DOCUMENTS_DIR);
      expect(documents).to.have.length(22);
      const anchoredBy = new Map<string, string[]>();
      for (const { name, file } of documents) {
        const document = readJson(file) as EpcisDocument;
        const events = expectOk(await importEpcisDocument(document, { ...options, source: name }));
        expect(
          events.map((event) => event.hashId),
          name,
        ).to.deep.equal(eventHashIds(document));
        for (const hashId of eventHashIds(document)) expect(store.hasEvent(hashId), `${name} ${hashId}`).to.be.true;
        const anchored = events.filter((event) => event.status === "anchored");
        if (anchored.length > 0)
          anchoredBy.set(
            name,
            anchored.flatMap((event) => event.actions),
          );
      }
      expect(Object.fromEntries(anchoredBy)).to.deep.equal({
        "ObjectEvent_with_custom_bizStep_uri.json": ["commission"],
        "TransformationEvent.json": ["commission", "transform"],
        "TransformationEvent_with_error_declaration.json": ["commission", "transform"],
      });
      const onChain = new Set((await readAnchors(provenance)).map((anchor) => anchor.hashId));
      const claimed = store.allEvents().filter((event) => event.status === "anchored");
      expect(claimed).to.have.length(3);
      for (const event of claimed) expect(onChain.has(event.hashId)).to.be.true;
    });

    it("keeps an error declaration with the event it declares erroneous", async function () {
      const { options, store } = await setUp();
      const original = readJson(`${DOCUMENTS_DIR}/ObjectEvent.json`) as EpcisDocument;
      const declared = readJson(`${DOCUMENTS_DIR}/ObjectEvent_with_error_declaration.json`) as EpcisDocument;
      expectOk(await importEpcisDocument(original, options));
      const [first] = expectOk(await importEpcisDocument(declared, options));
      expect(first.status).to.equal("duplicate");
      expect(store.getEvent(first.hashId)?.event.errorDeclaration).to.deep.equal(
        eventsOf(declared)[0].errorDeclaration,
      );
    });
  });

  describe("when the document is invalid", function () {
    for (const { name, file } of documentsIn(INVALID_DIR)) {
      it(`rejects ${name} with a message and writes nothing`, async function () {
        const { options, store } = await setUp();
        const before = await snapshot(store, [MAKER, ASSEMBLER]);
        const report = await importEpcisDocument(readJson(file), options);
        if (report.ok) expect.fail(`${name} was imported`);
        expect(report.stage).to.equal("validation");
        expect(report.errors).to.not.be.empty;
        for (const error of report.errors) expect(error.message).to.match(/^(event \d+|document)/);
        expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
      });
    }
  });

  describe("when a party is not in the mapping", function () {
    it("reports the party by name and sends nothing, not even the events before it", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      const events = eventsOf(document);
      events[9].bizLocation = { id: "urn:epc:id:sgln:7777777.00001.0" };
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const report = await importEpcisDocument(document, options);
      if (report.ok) expect.fail("imported");
      expect(report.stage).to.equal("planning");
      expect(report.errors.map((error) => error.message)).to.deep.equal([
        `event 9 (${eventHashIds(document)[9]}): party urn:epc:id:sgln:7777777.00001.0 is not in the party mapping`,
      ]);
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });

    it("reports a shipment's unknown destination by name", async function () {
      const { options } = await setUp();
      const document = supplyChain();
      eventsOf(document)[3].destinationList = [
        { type: "possessing_party", destination: "urn:epc:id:pgln:1234567.00001" },
      ];
      const report = await importEpcisDocument(document, options);
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.match(
        /^event 3 \(.*\): destination party urn:epc:id:pgln:1234567\.00001 is not in the party mapping$/,
      );
    });

    it("reports an account without a signer", async function () {
      const { options } = await setUp();
      const report = await importEpcisDocument(supplyChain(), {
        ...options,
        signers: (account) => (account === MAKER ? undefined : options.signers(account)),
      });
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.contain(`maps to ${MAKER}, for which there is no signer`);
    });
  });

  describe("when the ledger contradicts the document", function () {
    it("refuses to ship an item another party holds", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      // The recipient ships the case on before receiving it.
      eventsOf(document)[3].sourceList = [{ type: "possessing_party", source: "urn:epc:id:pgln:9520001.11111" }];
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const report = await importEpcisDocument(document, options);
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.match(
        /item https:\/\/id\.gs1\.org\/00\/040123450000000016 is held by 0x02484cb5/i,
      );
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });

    it("refuses an export-controlled item crossing a border without a licence", async function () {
      const { options } = await setUp();
      const document = supplyChain();
      const events = eventsOf(document);
      // Ship the controlled chip itself, unpacked, without the licence field.
      events.splice(2, 1);
      events[2].epcList = [CHIP_1];
      delete events[2]["t12:exportLicence"];
      const report = await importEpcisDocument(document, options);
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.contain(
        "item https://id.gs1.org/01/04012345111118/21/1001 is export-controlled and crosses a border",
      );
    });

    it("refuses to pack an export-controlled item into an EAR99 container, and sends nothing", async function () {
      const { options, store } = await setUp();
      const refusal = (event: number, hashId: string) =>
        `event ${event} (${hashId}): item https://id.gs1.org/01/04012345111118/21/1001 is export-controlled (3A001) ` +
        "and cannot be packed into https://id.gs1.org/00/040123450000000016, which is EAR99: give the container " +
        "the export class of its contents as t12:exportClass";
      const before = await snapshot(store, [MAKER, ASSEMBLER]);

      // The case is commissioned EAR99 in its ILMD.
      const classed = supplyChain();
      (eventsOf(classed)[1].ilmd as Record<string, JsonValue>)["t12:exportClass"] = "EAR99";
      expect(await planningRefusal(classed, options)).to.deep.equal({
        eventIndex: 2,
        hashId: eventHashIds(classed)[2],
        message: refusal(2, eventHashIds(classed)[2]),
      });

      // The packing event commissions the case itself, EAR99 by the mapping's defaults.
      const defaulted = supplyChain();
      eventsOf(defaulted).splice(1, 1);
      expect((await planningRefusal(defaulted, options)).message).to.equal(refusal(1, eventHashIds(defaulted)[1]));

      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });

    it("refuses to consume a container that still holds items, and sends nothing", async function () {
      const { options, store } = await setUp();
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const document = supplyChain();
      const events = eventsOf(document);
      const assembling = { ...events[9], inputEPCList: [CASE] };
      events.splice(5);
      events.push(assembling);
      const hashId = eventHashIds(document)[5];
      expect(await planningRefusal(document, options)).to.deep.equal({
        eventIndex: 5,
        hashId,
        message:
          `event 5 (${hashId}): item https://id.gs1.org/00/040123450000000016 still holds 2 packed item(s) and ` +
          "cannot be consumed: unpack it first",
      });
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });

    it("refuses a receipt of several items when one was never shipped, naming it", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      eventsOf(document)[4].epcList = [
        "https://id.gs1.org/00/040123450000000016",
        "urn:epc:id:sgtin:4012345.011111.9999",
      ];
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const hashId = eventHashIds(document)[4];
      // Later events that needed the receipt fail too; the first error names the item.
      expect(await planningRefusal(document, options)).to.deep.equal({
        eventIndex: 4,
        hashId,
        message:
          `event 4 (${hashId}): item https://id.gs1.org/01/04012345111118/21/9999 was never shipped on the ledger, ` +
          "although the event receives other items in transit",
      });
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });

    it("refuses to commission an item twice", async function () {
      const { options } = await setUp();
      expectOk(await importEpcisDocument(supplyChain(), options));
      const again = supplyChain();
      eventsOf(again)[0].eventTime = "2026-12-01T08:00:00+01:00";
      const report = await importEpcisDocument(again, options);
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.contain(
        "item https://id.gs1.org/01/04012345111118/21/1001 is already on the ledger",
      );
    });
  });

  describe("when a transaction fails after planning", function () {
    it("stores what was anchored, leaves the rest out, and a second import finishes the job", async function () {
      const { options, store, outsider } = await setUp();
      // The assembler's transactions go out from an account that is not the assembler: the receipt reverts.
      const wrong = {
        ...options,
        signers: (account: string) => (account === ASSEMBLER ? outsider : options.signers(account)),
      };
      const report = await importEpcisDocument(supplyChain(), wrong);
      if (report.ok) expect.fail("imported");
      expect(report.stage).to.equal("execution");
      expect(report.errors[0].message).to.match(
        /^event 4 \(.*\): receive https:\/\/id\.gs1\.org\/00\/040123450000000016 failed: /,
      );
      expect(report.events.map((event) => event.status)).to.deep.equal([
        ...Array<string>(4).fill("anchored"),
        ...Array<string>(6).fill("planned"),
        "stored",
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 4, partial: 0, stored: 1 });
      const events = expectOk(await importEpcisDocument(supplyChain(), options));
      expect(events.map((event) => event.status)).to.deep.equal([
        ...Array<string>(4).fill("duplicate"),
        ...Array<string>(6).fill("anchored"),
        "duplicate",
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
    });

    it("marks an event whose transactions went through in part as partial, and sends only the rest again", async function () {
      const { options, store, provenance } = await setUp();
      // The connection drops when the maker sends its second transaction.
      const maker = options.signers(MAKER);
      if (maker === undefined) expect.fail("no maker signer");
      let sent = 0;
      const flaky = new Proxy(maker, {
        get(target, property) {
          if (property === "sendTransaction") {
            return async (tx: TransactionRequest) => {
              sent += 1;
              if (sent === 2) throw new Error("connection reset");
              return target.sendTransaction(tx);
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const failing = {
        ...options,
        signers: (account: string) => (account === MAKER ? flaky : options.signers(account)),
      };
      const document = supplyChain();
      const hashIds = eventHashIds(document);
      const report = await importEpcisDocument(document, failing);
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.match(
        new RegExp(
          `^event 0 \\(${hashIds[0].replace(/[.?*+^$()[\]\\/]/g, "\\$&")}\\): commission https://id\\.gs1\\.org/01/04012345111118/21/1002 failed: `,
        ),
      );
      expect(report.events[0]).to.deep.include({ status: "partial", actions: ["commission"] });
      const stored = store.getEvent(hashIds[0]);
      expect(stored?.status).to.equal("partial");
      expect(stored?.anchors.map((anchor) => [anchor.action, anchor.epc])).to.deep.equal([
        ["commission", "https://id.gs1.org/01/04012345111118/21/1001"],
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 0, partial: 1, stored: 1 });

      const events = expectOk(await importEpcisDocument(supplyChain(), options));
      const [first] = events;
      if (first.status !== "anchored") expect.fail(`event 0 is ${first.status}`);
      expect(first.transactions.map((tx) => [tx.action, tx.epc])).to.deep.equal([
        ["commission", "https://id.gs1.org/01/04012345111118/21/1002"],
      ]);
      expect(events.slice(1).map((event) => event.status)).to.deep.equal([
        ...Array<string>(9).fill("anchored"),
        "duplicate",
      ]);
      expect(store.getEvent(hashIds[0])?.anchors.map((anchor) => anchor.epc)).to.deep.equal([
        "https://id.gs1.org/01/04012345111118/21/1001",
        "https://id.gs1.org/01/04012345111118/21/1002",
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
      expect((await provenance.item(itemIdOf(CHIP_2))).manufacturer).to.equal(MAKER);
      const again = expectOk(await importEpcisDocument(supplyChain(), options));
      expect(again.every((event) => event.status === "duplicate")).to.be.true;
    });

    it("stores what went through when the failed event appears again later in the document", async function () {
      const { options, store, outsider } = await setUp();
      const wrong = {
        ...options,
        signers: (account: string) => (account === ASSEMBLER ? outsider : options.signers(account)),
      };
      // The receipt (event 4) fails; its repeat at the end refers to an event that was never recorded.
      const repeated = () => {
        const document = supplyChain();
        const events = eventsOf(document);
        events.push(structuredClone(events[4]));
        return document;
      };
      const document = repeated();
      const hashIds = eventHashIds(document);
      const report = await importEpcisDocument(document, wrong);
      if (report.ok) expect.fail("imported");
      expect(report.stage).to.equal("execution");
      expect(report.events.map((event) => event.status)).to.deep.equal([
        ...Array<string>(4).fill("anchored"),
        ...Array<string>(6).fill("planned"),
        "stored",
        "duplicate",
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 4, partial: 0, stored: 1 });
      expect(store.hasEvent(hashIds[4])).to.be.false;

      const events = expectOk(await importEpcisDocument(repeated(), options));
      expect(events.map((event) => event.status)).to.deep.equal([
        ...Array<string>(4).fill("duplicate"),
        ...Array<string>(6).fill("anchored"),
        "duplicate",
        "duplicate",
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
      expect(store.getDocument(report.documentId ?? "")?.hashIds).to.deep.equal(hashIds);
    });
  });

  describe("when the store cannot record transactions that went out", function () {
    it("fails at storage and names every transaction sent", async function () {
      const { options, store } = await setUp();
      store.saveImport = () => {
        throw new Error("disk full");
      };
      const report = await importEpcisDocument(supplyChain(), options);
      if (report.ok) expect.fail("imported");
      expect(report.stage).to.equal("storage");
      const hashes = report.events.flatMap((event) =>
        event.status === "anchored" ? event.transactions.map((tx) => tx.txHash) : [],
      );
      expect(hashes).to.have.length(11);
      expect(report.errors.map((error) => error.message)).to.deep.equal([
        "the store could not record the import (disk full); these transactions went out and are not in the " +
          `store: ${hashes.join(", ")}`,
      ]);
      expect(store.allEvents()).to.deep.equal([]);
    });

    it("lets the error through when no transaction went out", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      eventsOf(document).splice(0, 10);
      store.saveImport = () => {
        throw new Error("disk full");
      };
      let thrown: unknown;
      await importEpcisDocument(document, options).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.an("error").with.property("message", "disk full");
    });
  });

  describe("when the document has no events", function () {
    it("refuses it, naming the event list, and writes nothing", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      eventsOf(document).length = 0;
      const before = await snapshot(store, [MAKER, ASSEMBLER]);
      const report = await importEpcisDocument(document, options);
      if (report.ok) expect.fail("imported");
      expect(report.stage).to.equal("validation");
      expect(report.errors).to.deep.equal([
        { message: "document: /epcisBody/eventList is empty: there is no event to import" },
      ]);
      expect(await snapshot(store, [MAKER, ASSEMBLER])).to.deep.equal(before);
    });
  });

  describe("when the store has the document from another registry", function () {
    it("anchors it again at this registry and records the new anchors with their registry", async function () {
      const { options, store } = await setUp();
      const document = supplyChain();
      const hashIds = eventHashIds(document);
      expectOk(await importEpcisDocument(document, options));
      const other = await importFixture();
      const otherAddress = (await other.provenance.getAddress()).toLowerCase();
      const events = expectOk(await importEpcisDocument(supplyChain(), { ...options, provenance: other.provenance }));
      expect(events.map((event) => event.status)).to.deep.equal([...Array<string>(10).fill("anchored"), "stored"]);
      const onOther = new Set((await readAnchors(other.provenance)).map((anchor) => anchor.hashId));
      expect([...onOther].sort()).to.deep.equal(hashIds.slice(0, 10).sort());
      const { chainId } = await ethers.provider.getNetwork();
      const registry = { chainId: Number(chainId), contract: otherAddress };
      expect(store.statusAt(hashIds[0], registry)).to.equal("anchored");
      expect(store.statusAt(hashIds[10], registry)).to.equal("stored");
      expect(store.anchorsAt(hashIds[0], registry).map((anchor) => anchor.contract)).to.deep.equal([
        otherAddress,
        otherAddress,
      ]);
      expect(store.getEvent(hashIds[0])?.anchors).to.have.length(4);
      expect(store.allEvents()).to.have.length(11);

      const again = expectOk(await importEpcisDocument(supplyChain(), { ...options, provenance: other.provenance }));
      expect(again.map((event) => event.status)).to.deep.equal(Array<string>(11).fill("duplicate"));
      expect(again[0]).to.deep.include({
        reason: `already in the store for registry ${otherAddress} on chain ${chainId}`,
      });
    });
  });

  describe("when attributes are missing", function () {
    it("names the item and the field to add", async function () {
      const { options, mapping } = await setUp();
      const document = supplyChain();
      delete (eventsOf(document)[1].ilmd as Record<string, JsonValue>)["t12:exportClass"];
      const report = await importEpcisDocument(document, {
        ...options,
        mapping: { ...mapping, defaults: { origin: "DE", productClass: "Other" } },
      });
      if (report.ok) expect.fail("imported");
      expect(report.errors[0].message).to.contain(
        "item https://id.gs1.org/00/040123450000000016 has no exportClass: give t12:exportClass in the ILMD or defaults.exportClass in the mapping",
      );
    });
  });
});

describe("parseMapping", function () {
  const address = "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D";

  it("reads URN and Digital Link party ids as one key, and falls back from a location extension to its GLN", function () {
    const mapping = parseMapping({ parties: { "urn:epc:id:sgln:4012345.00001.0": address } });
    expect(accountOfParty(mapping, "https://example.com/414/4012345000016")).to.equal(address);
    expect(accountOfParty(mapping, "urn:epc:id:sgln:4012345.00001.77")).to.equal(address);
    expect(accountOfParty(mapping, "urn:epc:id:sgln:4012345.00002.0")).to.equal(undefined);
  });

  const cases: Array<[string, unknown, string]> = [
    ["a non-object", [], 'mapping: an array is not an object; expected { "parties"'],
    ["no parties", {}, "mapping: parties: undefined is not an object"],
    ["an unknown field", { parties: {}, extra: 1 }, "mapping: extra: is not a mapping field"],
    [
      "a party id that is no GS1 party",
      { parties: { "urn:epc:id:sgtin:4012345.011111.1": address } },
      'mapping: parties["urn:epc:id:sgtin:4012345.011111.1"]: "urn:epc:id:sgtin:4012345.011111.1" is not a party id',
    ],
    [
      "a bad address",
      { parties: { "urn:epc:id:pgln:4012345.00000": "0x12" } },
      'mapping: parties["urn:epc:id:pgln:4012345.00000"]: "0x12" is not 0x followed by 40 hex digits',
    ],
    [
      "a bad signer",
      { parties: {}, signers: { [address]: { key: "0xabc" } } },
      `mapping: signers["${address}"]: has the fields "key"`,
    ],
    [
      "a bad export class",
      { parties: {}, defaults: { exportClass: "3Z001" } },
      'mapping: defaults.exportClass: "3Z001" is not an export classification',
    ],
    [
      "an unmapped default party",
      { parties: {}, defaults: { party: "urn:epc:id:pgln:4012345.00000" } },
      'mapping: defaults.party: "urn:epc:id:pgln:4012345.00000" is not in parties',
    ],
  ];
  for (const [what, value, message] of cases) {
    it(`rejects ${what}, naming the field`, function () {
      expect(() => parseMapping(value))
        .to.throw(InputError)
        .with.property("message")
        .that.satisfies((text: string) => text.startsWith(message));
    });
  }
});
