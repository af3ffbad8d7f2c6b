import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";

import { auditStore } from "../../src/provenance/audit";
import { eventHashIds } from "../../src/provenance/eventHash";
import type { EpcisDocument, JsonObject } from "../../src/provenance/epcisTypes";
import { importEpcisDocument } from "../../src/provenance/importer";
import { canonicalJson, ProvenanceStore } from "../../src/provenance/store";
import { ProvenanceRegistry__factory } from "../../typechain-types";
import {
  DOCUMENTS_DIR,
  importFixture,
  readJson,
  storeFrom,
  SUPPLY_CHAIN_FILE,
} from "../fixtures/epcis-mapping/import.fixture";

async function auditedFixture() {
  const fixture = await importFixture();
  const store = ProvenanceStore.open(":memory:");
  const options = { provenance: fixture.provenance, store, mapping: fixture.mapping, signers: fixture.signers };
  for (const file of [SUPPLY_CHAIN_FILE, `${DOCUMENTS_DIR}/ObjectEvent.json`]) {
    const report = await importEpcisDocument(readJson(file), options);
    if (!report.ok) throw new Error(report.errors.map((error) => error.message).join("; "));
  }
  return {
    ...fixture,
    image: store.db.serialize(),
    hashIds: eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument),
  };
}

/** Overwrites fields of a stored event's JSON behind the store's back, as an intruder with the file would. */
function tamper(store: ProvenanceStore, hashId: string, fields: JsonObject): void {
  const event = store.getEvent(hashId);
  if (event === undefined) expect.fail(`${hashId} is not stored`);
  const tampered = { ...event.event, ...fields };
  store.db.prepare("UPDATE prov_events SET event_json = ? WHERE hash_id = ?").run(canonicalJson(tampered), hashId);
}

describe("auditStore()", function () {
  describe("when the store matches the chain", function () {
    it("finds nothing altered, added or dropped, and lists the off-chain events", async function () {
      const { image, provenance, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      const report = await auditStore(store, provenance, { blockRange: 5 });
      expect(report).to.deep.include({
        ok: true,
        storedEvents: 13,
        anchoredHashes: 10,
        altered: [],
        added: [],
        dropped: [],
      });
      expect(report.offChain.map((event) => event.hashId)).to.include(hashIds[10]);
      expect(report.offChain).to.have.length(3);
    });
  });

  describe("when the audited registry is not the one the events were imported at", function () {
    it("lists them as of other registries, not as added off chain", async function () {
      const { image, admin, registry, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      const other = await new ProvenanceRegistry__factory(admin).deploy(admin.address, await registry.getAddress());
      const report = await auditStore(store, other);
      expect(report).to.deep.include({ ok: true, storedEvents: 13, anchoredHashes: 0, added: [], dropped: [] });
      expect(report.otherRegistries).to.have.length(13);
      expect(report.otherRegistries).to.include.members(hashIds);
      expect(report.offChain).to.deep.equal([]);
    });

    it("flags as dropped what the audited registry anchored but the store recorded only at another", async function () {
      const { image, admin, registry, mapping, signers, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      const other = await new ProvenanceRegistry__factory(admin).deploy(admin.address, await registry.getAddress());
      const elsewhere = ProvenanceStore.open(":memory:");
      const imported = await importEpcisDocument(readJson(SUPPLY_CHAIN_FILE), {
        provenance: other,
        store: elsewhere,
        mapping,
        signers,
      });
      if (!imported.ok) expect.fail(imported.errors.map((error) => error.message).join("; "));
      const report = await auditStore(store, other);
      expect(report.ok).to.be.false;
      expect(report.anchoredHashes).to.equal(10);
      expect(report.dropped).to.have.length(10);
      expect(hashIds).to.include.members(report.dropped.map((event) => event.hashId));
    });
  });

  describe("when a stored event was altered", function () {
    it("flags it with what it hashes to now", async function () {
      const { image, provenance, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      tamper(store, hashIds[3], {
        destinationList: [{ type: "possessing_party", destination: "urn:epc:id:pgln:9520001.11111" }],
      });
      const report = await auditStore(store, provenance);
      expect(report.ok).to.be.false;
      expect(report.altered).to.have.length(1);
      expect(report.altered[0]).to.deep.include({ hashId: hashIds[3], anchoredOnChain: true });
      expect(report.altered[0].recomputed)
        .to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/)
        .and.not.equal(hashIds[3]);
      expect(report.added).to.deep.equal([]);
      expect(report.dropped).to.deep.equal([]);
    });
  });

  describe("when a stored location was altered into a Digital Link with a wrong check digit", function () {
    it("still hashes it and flags it as altered", async function () {
      const { image, provenance, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      tamper(store, hashIds[3], { bizLocation: { id: "https://id.gs1.org/414/4012345000013" } });
      const report = await auditStore(store, provenance);
      expect(report.ok).to.be.false;
      expect(report.altered.map((altered) => altered.hashId)).to.deep.equal([hashIds[3]]);
    });
  });

  describe("when an event was added off chain", function () {
    it("flags an event stored as anchored that no log anchors", async function () {
      const { image, provenance } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      const forged = readJson(`${DOCUMENTS_DIR}/ObjectEvent_with_sensorData.json`) as EpcisDocument;
      const [hashId] = eventHashIds(forged);
      const [event] = (forged.epcisBody as { eventList: EpcisDocument[] }).eventList;
      store.saveImport({
        document: { id: "forged", context: forged["@context"], importedAt: new Date().toISOString() },
        events: [
          {
            kind: "new",
            record: {
              hashId,
              eventType: "ObjectEvent",
              eventTime: "2019-04-02T13:05:00.000Z",
              event,
              context: forged["@context"],
              position: 0,
              status: "anchored",
              items: [],
              anchors: [{ action: "commission", txHash: `0x${"ab".repeat(32)}`, blockNumber: 1 }],
            },
          },
        ],
      });
      const report = await auditStore(store, provenance);
      expect(report.ok).to.be.false;
      expect(report.added).to.deep.equal([{ hashId, claimedTransactions: [`0x${"ab".repeat(32)}`] }]);
      expect(report.altered).to.deep.equal([]);
    });
  });

  describe("when an anchored event was dropped from the store", function () {
    it("flags the hash with the logs that anchor it", async function () {
      const { image, provenance, hashIds } = await loadFixture(auditedFixture);
      const store = storeFrom(image);
      for (const table of [
        "prov_anchors",
        "prov_event_registries",
        "prov_event_items",
        "prov_document_events",
        "prov_events",
      ]) {
        store.db.prepare(`DELETE FROM ${table} WHERE hash_id = ?`).run(hashIds[2]);
      }
      const report = await auditStore(store, provenance, { blockRange: 1 });
      expect(report.ok).to.be.false;
      expect(report.dropped.map((event) => event.hashId)).to.deep.equal([hashIds[2]]);
      // The aggregation anchors one log per child.
      expect(report.dropped[0].anchors.map((anchor) => anchor.name)).to.deep.equal([
        "ItemAggregated",
        "ItemAggregated",
      ]);
    });
  });
});
