import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";

import { eventHashIds } from "../../src/provenance/eventHash";
import type { EpcisDocument } from "../../src/provenance/epcisTypes";
import {
  buildEpcisDocument,
  EPCIS_CONTEXT_URL,
  exportItemHistory,
  exportStoredDocument,
} from "../../src/provenance/exporter";
import { importEpcisDocument } from "../../src/provenance/importer";
import type { ImportOptions } from "../../src/provenance/importer";
import { ProvenanceStore } from "../../src/provenance/store";
import { validateEpcisDocument } from "../../src/provenance/validate";
import {
  DOCUMENTS_DIR,
  documentsIn,
  importFixture,
  readJson,
  SUPPLY_CHAIN_FILE,
  storeFrom,
} from "../fixtures/epcis-mapping/import.fixture";

const CHIP_1 = "urn:epc:id:sgtin:4012345.011111.1001";

/** Imports the supply chain and the 22 fixture documents into one store; their document ids by name. */
async function importedFixture() {
  const fixture = await importFixture();
  const store = ProvenanceStore.open(":memory:");
  const options: ImportOptions = {
    provenance: fixture.provenance,
    store,
    mapping: fixture.mapping,
    signers: fixture.signers,
  };
  const ids = new Map<string, string>();
  for (const { name, file } of [
    { name: "supply-chain.jsonld", file: SUPPLY_CHAIN_FILE },
    ...documentsIn(DOCUMENTS_DIR),
  ]) {
    const report = await importEpcisDocument(readJson(file), { ...options, source: name });
    if (!report.ok) throw new Error(`${name}: ${report.errors.map((error) => error.message).join("; ")}`);
    ids.set(name, report.documentId);
  }
  return { ...fixture, image: store.db.serialize(), ids };
}

function expectValid(document: EpcisDocument): void {
  const result = validateEpcisDocument(document);
  expect(result.valid ? [] : result.errors.map((error) => error.message)).to.deep.equal([]);
}

describe("exporter", function () {
  describe("exportStoredDocument()", function () {
    it("gives back every imported document as a valid document with the same event hashes", async function () {
      const { image, ids } = await loadFixture(importedFixture);
      const store = storeFrom(image);
      for (const { name, file } of [
        { name: "supply-chain.jsonld", file: SUPPLY_CHAIN_FILE },
        ...documentsIn(DOCUMENTS_DIR),
      ]) {
        const exported = exportStoredDocument(store, ids.get(name) ?? "", { creationDate: "2026-11-28T00:00:00Z" });
        if (exported === undefined) expect.fail(`${name} is not stored`);
        expectValid(exported);
        const original = [...new Set(eventHashIds(readJson(file) as EpcisDocument))];
        expect(eventHashIds(exported), name).to.deep.equal(original);
      }
    });
  });

  describe("exportItemHistory()", function () {
    it("exports the item's events, oldest first, hashing to the ids anchored on chain", async function () {
      const { image, provenance } = await loadFixture(importedFixture);
      const store = storeFrom(image);
      const supplyChain = eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument);
      const result = await exportItemHistory(store, CHIP_1, { provenance });
      expectValid(result.document);
      // Commissioned, packed, unpacked, quarantined, released, transformed: the shipment names the case only.
      const expected = [0, 2, 5, 6, 7, 9].map((i) => supplyChain[i]);
      expect(eventHashIds(result.document)).to.deep.equal(expected);
      expect(result.hashIds).to.deep.equal(expected);
      expect([...result.anchored].sort()).to.deep.equal([...expected].sort());
      expect(result.missing).to.deep.equal([]);
      expect(result.epc).to.equal("https://id.gs1.org/01/04012345111118/21/1001");
    });

    it("lists events anchored for the item that the store lacks", async function () {
      const { image, provenance } = await loadFixture(importedFixture);
      const store = storeFrom(image);
      const commissioned = eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument)[0];
      for (const table of [
        "prov_anchors",
        "prov_event_registries",
        "prov_event_items",
        "prov_document_events",
        "prov_events",
      ]) {
        store.db.prepare(`DELETE FROM ${table} WHERE hash_id = ?`).run(commissioned);
      }
      const result = await exportItemHistory(store, CHIP_1, { provenance, blockRange: 3 });
      expect(result.missing).to.deep.equal([commissioned]);
      expect(result.hashIds).to.not.include(commissioned);
      expectValid(result.document);
    });

    it("exports from the store alone without a registry", async function () {
      const { image } = await loadFixture(importedFixture);
      const store = storeFrom(image);
      const result = await exportItemHistory(store, "urn:epc:id:sgtin:0614141.107346.2018");
      expectValid(result.document);
      expect(result.hashIds).to.have.length(3);
      expect(result.anchored).to.deep.equal([]);
    });
  });

  describe("buildEpcisDocument()", function () {
    it("gives an event whose prefixes clash with another's its own context", async function () {
      const { image } = await loadFixture(importedFixture);
      const store = storeFrom(image);
      const events = store.allEvents();
      const http = events.find(
        (event) =>
          JSON.stringify(event.context).includes('"http://ns.example.com/epcis/"') &&
          JSON.stringify(event.event).includes("example:"),
      );
      const https = events.find((event) => JSON.stringify(event.context).includes('"https://ns.example.com/epcis/"'));
      if (http === undefined || https === undefined) expect.fail("fixture events with both example namespaces");
      const document = buildEpcisDocument([http, https]);
      expect((document["@context"] as unknown[])[0]).to.equal(EPCIS_CONTEXT_URL);
      const list = (document.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
      expect(list[0]["@context"]).to.equal(undefined);
      expect(list[1]["@context"]).to.not.equal(undefined);
      expect(eventHashIds(document)).to.deep.equal([http.hashId, https.hashId]);
    });

    it("puts type and times first and copies every other field as data, even one named __proto__", async function () {
      const { image } = await loadFixture(importedFixture);
      const [stored] = storeFrom(image).allEvents();
      const event = JSON.parse(
        `{"ex:note":"kept","__proto__":{"polluted":true},${JSON.stringify(stored.event).slice(1)}`,
      );
      const document = buildEpcisDocument([{ ...stored, event }]);
      const [exported] = (document.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
      expect(Object.keys(exported).slice(0, 3)).to.deep.equal(["type", "eventTime", "eventTimeZoneOffset"]);
      expect(Object.getPrototypeOf(exported)).to.equal(Object.prototype);
      expect(Object.hasOwn(exported, "__proto__")).to.equal(true);
      expect(JSON.parse(JSON.stringify(exported))).to.deep.equal(JSON.parse(JSON.stringify(event)));
    });
  });
});
