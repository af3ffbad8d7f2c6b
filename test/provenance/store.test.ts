import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import Database from "better-sqlite3";
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

const REGISTRY = { chainId: 31337, contract: `0x${"ab".repeat(20)}` };

/** A store file as version 1 wrote it: one event anchored halfway, with its document's registry. */
function writeVersion1(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE prov_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
    INSERT INTO prov_schema_migrations VALUES (1, '2026-11-01T00:00:00.000Z');
    CREATE TABLE prov_documents (id TEXT PRIMARY KEY, source TEXT, context_json TEXT NOT NULL,
      imported_at TEXT NOT NULL, chain_id INTEGER, contract TEXT);
    CREATE TABLE prov_events (hash_id TEXT PRIMARY KEY, event_type TEXT NOT NULL, event_time TEXT NOT NULL,
      event_json TEXT NOT NULL, context_json TEXT NOT NULL, document_id TEXT NOT NULL REFERENCES prov_documents(id),
      position INTEGER NOT NULL, status TEXT NOT NULL CHECK (status IN ('anchored', 'stored')), note TEXT);
    CREATE INDEX prov_events_time ON prov_events(event_time);
    CREATE TABLE prov_document_events (document_id TEXT NOT NULL REFERENCES prov_documents(id),
      position INTEGER NOT NULL, hash_id TEXT NOT NULL REFERENCES prov_events(hash_id),
      PRIMARY KEY (document_id, position));
    CREATE TABLE prov_event_items (hash_id TEXT NOT NULL REFERENCES prov_events(hash_id), item_id TEXT NOT NULL,
      epc TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (hash_id, item_id, role));
    CREATE INDEX prov_event_items_item ON prov_event_items(item_id);
    CREATE TABLE prov_anchors (hash_id TEXT NOT NULL REFERENCES prov_events(hash_id), seq INTEGER NOT NULL,
      action TEXT NOT NULL, epc TEXT, tx_hash TEXT NOT NULL, block_number INTEGER NOT NULL,
      PRIMARY KEY (hash_id, seq));`);
  db.prepare(
    "INSERT INTO prov_documents VALUES ('doc1', 'doc.json', '[\"ctx\"]', '2026-11-01T00:00:00.000Z', ?, ?)",
  ).run(REGISTRY.chainId, `0x${"AB".repeat(20)}`);
  db.prepare(
    `INSERT INTO prov_events VALUES (?, 'ObjectEvent', '2026-11-01T00:00:00.000Z', '{}', '["ctx"]', 'doc1', 0,
       'anchored', 'incomplete: event 0 failed')`,
  ).run(HASH_A);
  db.prepare("INSERT INTO prov_document_events VALUES ('doc1', 0, ?)").run(HASH_A);
  db.prepare("INSERT INTO prov_anchors VALUES (?, 0, 'commission', 'urn:x', ?, 7)").run(HASH_A, `0x${"f".repeat(64)}`);
  db.close();
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
    it("creates the prov_ tables at schema version 2, in WAL mode", function () {
      const store = ProvenanceStore.open(join(dir, "data", "fresh.sqlite"));
      expect(store.schemaVersion()).to.equal(2);
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
        "prov_event_registries",
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
      expect(second.schemaVersion()).to.equal(2);
      expect(second.hasEvent(HASH_A)).to.be.true;
      expect(second.db.prepare("SELECT COUNT(*) AS n FROM prov_schema_migrations").get()).to.deep.equal({ n: 2 });
      expect(second.db.prepare("SELECT name FROM sqlite_master WHERE name = 'aml_cases'").get()).to.not.equal(
        undefined,
      );
      second.close();
    });

    it("migrates a version 1 file: each event's registry is its document's, an incomplete event is partial", function () {
      const path = join(dir, "version1.sqlite");
      writeVersion1(path);
      const readOnly = ProvenanceStore.open(path, { readonly: true });
      expect(readOnly.schemaVersion()).to.equal(1);
      expect(readOnly.getEvent(HASH_A)?.status).to.equal("partial");
      expect(readOnly.statusAt(HASH_A, REGISTRY)).to.equal("partial");
      expect(readOnly.statusAt(HASH_A, { ...REGISTRY, chainId: 1 })).to.equal(undefined);
      readOnly.close();
      expect(() => ProvenanceStore.open(path, { readonly: true }).saveImport(batch("doc2", [HASH_B]))).to.throw(
        "the store was opened readonly: it cannot save an import",
      );
      const store = ProvenanceStore.open(path);
      expect(store.schemaVersion()).to.equal(2);
      expect(store.getEvent(HASH_A)).to.deep.include({ status: "partial", note: "incomplete: event 0 failed" });
      expect(
        store.statusAt(HASH_A, { ...REGISTRY, contract: REGISTRY.contract.toUpperCase().replace("0X", "0x") }),
      ).to.equal("partial");
      expect(store.anchorsAt(HASH_A, REGISTRY)).to.deep.equal([
        { action: "commission", epc: "urn:x", txHash: `0x${"f".repeat(64)}`, blockNumber: 7, ...REGISTRY },
      ]);
      expect(store.counts()).to.deep.equal({ anchored: 0, partial: 1, stored: 0 });
      store.close();
    });

    it("refuses to open a missing file read-only, and creates nothing", function () {
      const path = join(dir, "absent.sqlite");
      expect(() => ProvenanceStore.open(path, { readonly: true })).to.throw(/unable to open database file/);
      expect(existsSync(path)).to.be.false;
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
      expect(store.counts()).to.deep.equal({ anchored: 1, partial: 0, stored: 1 });
    });

    it("writes nothing of an import that fails halfway", function () {
      const store = ProvenanceStore.open(":memory:");
      // The second event repeats the first's hash id: the primary key refuses it, the transaction rolls back.
      expect(() => store.saveImport(batch("doc1", [HASH_A, HASH_A]))).to.throw(/UNIQUE/);
      expect(store.hasEvent(HASH_A)).to.be.false;
      expect(store.getDocument("doc1")).to.equal(undefined);
    });

    it("refuses a known entry for an event it does not have, naming it, and writes nothing", function () {
      const store = ProvenanceStore.open(":memory:");
      const known = { kind: "known" as const, hashId: HASH_B, position: 1 };
      const first = batch("doc1", [HASH_A]);
      expect(() => store.saveImport({ ...first, events: [...first.events, known] })).to.throw(
        `event ${HASH_B} at position 1 is given as known, but it is neither in the store nor earlier in the import`,
      );
      expect(store.hasEvent(HASH_A)).to.be.false;
      expect(store.getDocument("doc1")).to.equal(undefined);
    });

    it("takes a known entry for an event inserted earlier in the same import", function () {
      const store = ProvenanceStore.open(":memory:");
      const first = batch("doc1", [HASH_A]);
      store.saveImport({ ...first, events: [...first.events, { kind: "known", hashId: HASH_A, position: 1 }] });
      expect(store.getDocument("doc1")?.hashIds).to.deep.equal([HASH_A, HASH_A]);
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
