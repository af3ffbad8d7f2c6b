import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { documentIdOf } from "../../src/provenance/importer";
import { canonicalJson as ivmsCanonicalJson } from "../../src/sdk/ivms101";

import type { JsonObject } from "../../src/provenance/epcisTypes";
import { canonicalJson, defaultStorePath, ProvenanceStore } from "../../src/provenance/store";
import type { ImportBatch } from "../../src/provenance/store";

const HASH_A = `ni:///sha-256;${"a".repeat(64)}?ver=CBV2.0`;
const HASH_B = `ni:///sha-256;${"b".repeat(64)}?ver=CBV2.0`;
const ITEM = `0x${"1".repeat(64)}`;

function batch(documentId: string, hashIds: string[], extra: Partial<JsonObject> = {}): ImportBatch {
  return {
    document: { id: documentId, source: "doc.json", context: ["ctx"], importedAt: "2026-11-01T00:00:00.000Z" },
    events: hashIds.map((hashId, position) => ({
      kind: "new" as const,
      record: {
        hashId,
        eventType: "ObjectEvent",
        eventTime: `2026-11-0${position + 1}T00:00:00.000Z`,
        event: { type: "ObjectEvent", action: "ADD", epcList: ["urn:x"], ...extra },
        context: ["ctx"],
        position,
        status: position === 0 ? ("anchored" as const) : ("stored" as const),
        ...(position === 0 ? {} : { note: "not modelled" }),
        items: [{ itemId: ITEM, epc: "urn:x", role: "epc" as const }],
        anchors:
          position === 0 ? [{ action: "commission", epc: "urn:x", txHash: `0x${"f".repeat(64)}`, blockNumber: 7 }] : [],
      },
    })),
  };
}

describe("ProvenanceStore", function () {
  let dir: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "t12-store-"));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  describe(".open()", function () {
    it("creates the prov_ tables at schema version 1, in WAL mode", function () {
      const store = ProvenanceStore.open(join(dir, "data", "fresh.sqlite"));
      expect(store.schemaVersion()).to.equal(1);
      expect(store.db.pragma("journal_mode", { simple: true })).to.equal("wal");
      const tables = (
        store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
          name: string;
        }>
      ).map((row) => row.name);
      expect(tables).to.deep.equal([
        "prov_anchors",
        "prov_document_events",
        "prov_documents",
        "prov_event_items",
        "prov_events",
        "prov_schema_migrations",
      ]);
      store.close();
    });

    it("keeps data and version when opened again, and leaves other concerns' tables alone", function () {
      const path = join(dir, "shared.sqlite");
      const first = ProvenanceStore.open(path);
      first.db.exec("CREATE TABLE aml_cases (id INTEGER PRIMARY KEY)");
      first.saveImport(batch("doc1", [HASH_A]));
      first.close();
      const second = ProvenanceStore.open(path);
      expect(second.schemaVersion()).to.equal(1);
      expect(second.hasEvent(HASH_A)).to.be.true;
      expect(second.db.prepare("SELECT COUNT(*) AS n FROM prov_schema_migrations").get()).to.deep.equal({ n: 1 });
      expect(second.db.prepare("SELECT name FROM sqlite_master WHERE name = 'aml_cases'").get()).to.not.equal(
        undefined,
      );
      second.close();
    });

    it("defaults to data/t12.sqlite under the project root", function () {
      expect(defaultStorePath("/srv/t12")).to.equal(join("/srv/t12", "data", "t12.sqlite"));
    });
  });

  describe(".saveImport()", function () {
    it("stores events as canonical JSON with their items, document and anchors", function () {
      const store = ProvenanceStore.open(":memory:");
      store.saveImport(batch("doc1", [HASH_A, HASH_B]));
      const event = store.getEvent(HASH_A);
      expect(event).to.deep.include({ documentId: "doc1", position: 0, status: "anchored", eventType: "ObjectEvent" });
      expect(event?.anchors).to.deep.equal([
        { action: "commission", epc: "urn:x", txHash: `0x${"f".repeat(64)}`, blockNumber: 7 },
      ]);
      expect(store.getEvent(HASH_B)?.note).to.equal("not modelled");
      const row = store.db.prepare("SELECT event_json FROM prov_events WHERE hash_id = ?").get(HASH_A) as {
        event_json: string;
      };
      expect(row.event_json).to.equal('{"action":"ADD","epcList":["urn:x"],"type":"ObjectEvent"}');
      expect(store.eventsOfItem(ITEM).map((stored) => stored.hashId)).to.deep.equal([HASH_A, HASH_B]);
      expect(store.getDocument("doc1")?.hashIds).to.deep.equal([HASH_A, HASH_B]);
      expect(store.counts()).to.deep.equal({ anchored: 1, stored: 1 });
    });

    it("writes nothing of an import that fails halfway", function () {
      const store = ProvenanceStore.open(":memory:");
      // The second event repeats the first's hash id: the primary key refuses it, the transaction rolls back.
      expect(() => store.saveImport(batch("doc1", [HASH_A, HASH_A]))).to.throw(/UNIQUE/);
      expect(store.hasEvent(HASH_A)).to.be.false;
      expect(store.getDocument("doc1")).to.equal(undefined);
    });

    it("adds a later error declaration to the stored event", function () {
      const store = ProvenanceStore.open(":memory:");
      store.saveImport(batch("doc1", [HASH_A]));
      const declaration = { declarationTime: "2026-11-02T00:00:00Z", reason: "incorrect_data" };
      store.saveImport({
        document: { id: "doc2", context: null, importedAt: "2026-11-02T00:00:00.000Z" },
        events: [{ kind: "known", hashId: HASH_A, position: 0, errorDeclaration: declaration }],
      });
      expect(store.getEvent(HASH_A)?.event.errorDeclaration).to.deep.equal(declaration);
      expect(store.getDocument("doc2")?.hashIds).to.deep.equal([HASH_A]);
    });
  });

  describe("canonicalJson()", function () {
    it("sorts keys at every level and keeps array order", function () {
      expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).to.equal('{"a":null,"b":[{"c":2,"d":1}]}');
    });

    it("orders keys by code point, as the travel-rule hash does", function () {
      expect(canonicalJson({ "\u{1f600}": 1, "\uff61": 2, a: 3 })).to.equal('{"a":3,"\uff61":2,"\u{1f600}":1}');
      expect(canonicalJson({ "9": 1, "10": 2, b: 3 })).to.equal('{"10":2,"9":1,"b":3}');
      expect(canonicalJson({ "\u{1f600}": [{ "9": 1, "10": 2 }] })).to.equal(
        ivmsCanonicalJson({ "\u{1f600}": [{ "9": 1, "10": 2 }] }),
      );
    });

    it("keeps the document id of an ASCII-keyed document", function () {
      expect(documentIdOf({ type: "EPCISDocument", epcisBody: { eventList: [] }, "@context": ["ctx"] })).to.equal(
        createHash("sha256")
          .update('{"@context":["ctx"],"epcisBody":{"eventList":[]},"type":"EPCISDocument"}')
          .digest("hex"),
      );
    });
  });
});
