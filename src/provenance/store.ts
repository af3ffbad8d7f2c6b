/**
 * The project's event store: one SQLite file (default `data/t12.sqlite`) shared by the off-chain concerns,
 * each with its own tables under its own prefix. The provenance tables (`prov_`) keep every imported EPCIS
 * event in full, as canonical JSON keyed by its CBV 2.0 event hash id, with the items it touches, the
 * document it came from and the transactions that anchored it on chain.
 *
 * The schema evolves through numbered migrations recorded in `prov_schema_migrations`; the file runs in WAL
 * mode; one import is written in one SQLite transaction ({@link ProvenanceStore.saveImport}).
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

import Database from "better-sqlite3";

import { canonicalJson as canonicalJsonText } from "../sdk/ivms101";
import type { JsonLdContext, JsonObject, JsonValue } from "./epcisTypes";

/** The store's file under a project root: `data/t12.sqlite`. */
export function defaultStorePath(root: string = process.cwd()): string {
  return join(root, "data", "t12.sqlite");
}

/**
 * JSON with object keys sorted by Unicode code point at every level and no whitespace: one text per value. It is
 * the travel-rule hash's canonical JSON (`src/sdk/ivms101.ts`), so the project has one canonical form.
 *
 * Document ids (`documentIdOf`) hash this text. An earlier version sorted keys by UTF-16 code unit and let
 * `JSON.stringify` put integer-like keys ("9", "10") first in numeric order; for documents whose keys are ASCII
 * names, as EPCIS keys are, both give the same text and so the same id. Only a document with a key above U+FFFF,
 * or with several integer-like keys of different lengths, gets a different id than before.
 */
export function canonicalJson(value: JsonValue): string {
  return canonicalJsonText(value);
}

/** Where an item appears in an event. */
export type ItemRole = "epc" | "parent" | "child" | "input" | "output";

export interface EventItem {
  /** 0x keccak256 of the canonical identifier (see `items.ts`). */
  itemId: string;
  /** The canonical identifier. */
  epc: string;
  role: ItemRole;
}

/** One transaction that anchored an event: the action it took and the item it acted on. */
export interface EventAnchor {
  action: string;
  /** The canonical identifier of the item acted on (the parent for an aggregation, the first output of a transformation). */
  epc?: string;
  txHash: string;
  blockNumber: number;
  /** The chain and registry (lower-case address) the transaction went to, when the import recorded them. */
  chainId?: number;
  contract?: string;
}

/**
 * What became of an event at one registry. `anchored`: every transaction its plan needed carries the event hash;
 * `partial`: some of them do, the rest were never sent (an import failed halfway), so importing again sends the
 * rest; `stored`: kept off chain only, with a note why.
 */
export type EventStatus = "anchored" | "partial" | "stored";

/** A provenance registry: the chain it runs on and its address. */
export interface RegistryRef {
  chainId: number;
  contract: string;
}

export interface OpenOptions {
  /** Open an existing file for reading only: nothing is created, migrated or written. */
  readonly?: boolean;
}

export interface StoredEvent {
  hashId: string;
  eventType: string;
  eventTime: string;
  event: JsonObject;
  /** The JSON-LD `@context` the event's CURIEs and extension fields are to be read with. */
  context: JsonLdContext;
  /** The document the event first came in, and its position there. */
  documentId: string;
  position: number;
  /** Over all registries: `anchored` when some registry has it anchored, else `partial` when one has some anchors. */
  status: EventStatus;
  note?: string;
  items: EventItem[];
  anchors: EventAnchor[];
}

export interface StoredDocument {
  /** Hex sha-256 of the document's canonical JSON. */
  id: string;
  source?: string;
  context: JsonLdContext;
  importedAt: string;
  chainId?: number;
  contract?: string;
  /** Hash ids of the document's events, in document order. */
  hashIds: string[];
}

/** What one import writes. */
export interface ImportBatch {
  document: Omit<StoredDocument, "hashIds">;
  /** Every event of the document in order: a new event to insert, or one the store already has. */
  events: Array<
    | { kind: "new"; record: Omit<StoredEvent, "documentId"> }
    | {
        kind: "known";
        hashId: string;
        position: number;
        errorDeclaration?: JsonValue;
        /** What became of the event at the document's registry this time, with the transactions newly sent. */
        status?: EventStatus;
        note?: string;
        anchors?: EventAnchor[];
      }
  >;
}

/** The migrations of the provenance tables, in order; the n-th brings the schema to version n + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE prov_documents (
     id TEXT PRIMARY KEY,
     source TEXT,
     context_json TEXT NOT NULL,
     imported_at TEXT NOT NULL,
     chain_id INTEGER,
     contract TEXT
   );
   CREATE TABLE prov_events (
     hash_id TEXT PRIMARY KEY,
     event_type TEXT NOT NULL,
     event_time TEXT NOT NULL,
     event_json TEXT NOT NULL,
     context_json TEXT NOT NULL,
     document_id TEXT NOT NULL REFERENCES prov_documents(id),
     position INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('anchored', 'stored')),
     note TEXT
   );
   CREATE INDEX prov_events_time ON prov_events(event_time);
   CREATE TABLE prov_document_events (
     document_id TEXT NOT NULL REFERENCES prov_documents(id),
     position INTEGER NOT NULL,
     hash_id TEXT NOT NULL REFERENCES prov_events(hash_id),
     PRIMARY KEY (document_id, position)
   );
   CREATE TABLE prov_event_items (
     hash_id TEXT NOT NULL REFERENCES prov_events(hash_id),
     item_id TEXT NOT NULL,
     epc TEXT NOT NULL,
     role TEXT NOT NULL,
     PRIMARY KEY (hash_id, item_id, role)
   );
   CREATE INDEX prov_event_items_item ON prov_event_items(item_id);
   CREATE TABLE prov_anchors (
     hash_id TEXT NOT NULL REFERENCES prov_events(hash_id),
     seq INTEGER NOT NULL,
     action TEXT NOT NULL,
     epc TEXT,
     tx_hash TEXT NOT NULL,
     block_number INTEGER NOT NULL,
     PRIMARY KEY (hash_id, seq)
   );`,
  // Version 2: an event's status and anchors per registry (chain id and lower-case address), so that an event
  // imported at one registry is anchored again at another, and an event anchored halfway is finished later.
  // The registry of earlier rows is their document's; prov_events.status keeps what the first import wrote
  // (`anchored` with an "incomplete: " note for an event anchored halfway), for readers of version 1.
  `CREATE TABLE prov_event_registries (
     hash_id TEXT NOT NULL REFERENCES prov_events(hash_id),
     chain_id INTEGER NOT NULL,
     contract TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('anchored', 'partial', 'stored')),
     note TEXT,
     PRIMARY KEY (hash_id, chain_id, contract)
   );
   ALTER TABLE prov_anchors ADD COLUMN chain_id INTEGER;
   ALTER TABLE prov_anchors ADD COLUMN contract TEXT;
   UPDATE prov_anchors SET
     chain_id = (SELECT d.chain_id FROM prov_events e JOIN prov_documents d ON d.id = e.document_id
                 WHERE e.hash_id = prov_anchors.hash_id),
     contract = (SELECT lower(d.contract) FROM prov_events e JOIN prov_documents d ON d.id = e.document_id
                 WHERE e.hash_id = prov_anchors.hash_id);
   INSERT INTO prov_event_registries (hash_id, chain_id, contract, status, note)
     SELECT e.hash_id, d.chain_id, lower(d.contract),
            CASE WHEN e.status = 'anchored' AND e.note LIKE 'incomplete: %' THEN 'partial' ELSE e.status END,
            e.note
     FROM prov_events e JOIN prov_documents d ON d.id = e.document_id
     WHERE d.chain_id IS NOT NULL AND d.contract IS NOT NULL;`,
];

/** The status prov_events.status stands for: an "incomplete: " note marks an event anchored halfway. */
const legacyStatus = (status: string, note: string | null): EventStatus =>
  status === "anchored" && note !== null && note.startsWith("incomplete: ") ? "partial" : (status as EventStatus);

/** The registry of a document, when it names one. */
function registryOf(document: { chainId?: number; contract?: string }): RegistryRef | undefined {
  if (document.chainId === undefined || document.contract === undefined) return undefined;
  return { chainId: document.chainId, contract: document.contract.toLowerCase() };
}

interface EventRow {
  hash_id: string;
  event_type: string;
  event_time: string;
  event_json: string;
  context_json: string;
  document_id: string;
  position: number;
  status: string;
  note: string | null;
}

export class ProvenanceStore {
  private constructor(readonly db: Database.Database) {}

  /**
   * Opens (creating and migrating as needed) the store at `path`; `:memory:` for a throw-away store. With
   * `readonly`, the file must exist and is neither migrated nor written; a file of an older schema version is
   * read as that version describes it.
   */
  static open(path: string = defaultStorePath(), options: OpenOptions = {}): ProvenanceStore {
    if (options.readonly === true) {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      return new ProvenanceStore(db);
    }
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      const store = new ProvenanceStore(db);
      store.migrate();
      return store;
    } catch (error) {
      // A file that is no database opens, then fails here: close it rather than leave it open.
      db.close();
      throw error;
    }
  }

  /** True when the file knows each event's registries (schema version 2 on). */
  private hasRegistries(): boolean {
    return (
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prov_event_registries'").get() !==
      undefined
    );
  }

  close(): void {
    this.db.close();
  }

  /** The provenance schema's version: the number of migrations applied. */
  schemaVersion(): number {
    const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'prov_schema_migrations'").get();
    if (table === undefined) return 0;
    const row = this.db.prepare("SELECT MAX(version) AS version FROM prov_schema_migrations").get() as {
      version: number | null;
    };
    return row.version ?? 0;
  }

  private migrate(): void {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS prov_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    );
    const current = this.schemaVersion();
    MIGRATIONS.slice(current).forEach((sql, i) => {
      const version = current + i + 1;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db
          .prepare("INSERT INTO prov_schema_migrations (version, applied_at) VALUES (?, ?)")
          .run(version, new Date().toISOString());
      })();
    });
  }

  /**
   * Writes one import (its document, new events, items, anchors) in one transaction: all or nothing. A `known`
   * entry must name an event the store has, or one inserted earlier in the same batch.
   */
  saveImport(batch: ImportBatch): void {
    if (this.db.readonly) throw new Error("the store was opened readonly: it cannot save an import");
    const insertDocument = this.db.prepare(
      `INSERT OR IGNORE INTO prov_documents (id, source, context_json, imported_at, chain_id, contract)
       VALUES (@id, @source, @context, @importedAt, @chainId, @contract)`,
    );
    const insertEvent = this.db.prepare(
      `INSERT INTO prov_events (hash_id, event_type, event_time, event_json, context_json, document_id, position, status, note)
       VALUES (@hashId, @eventType, @eventTime, @event, @context, @documentId, @position, @status, @note)`,
    );
    const insertPosition = this.db.prepare(
      "INSERT OR REPLACE INTO prov_document_events (document_id, position, hash_id) VALUES (?, ?, ?)",
    );
    const insertItem = this.db.prepare(
      "INSERT OR IGNORE INTO prov_event_items (hash_id, item_id, epc, role) VALUES (?, ?, ?, ?)",
    );
    const insertAnchor = this.db.prepare(
      `INSERT INTO prov_anchors (hash_id, seq, action, epc, tx_hash, block_number, chain_id, contract)
       VALUES (?, (SELECT COALESCE(MAX(seq) + 1, 0) FROM prov_anchors WHERE hash_id = ?), ?, ?, ?, ?, ?, ?)`,
    );
    const upsertRegistry = this.db.prepare(
      `INSERT INTO prov_event_registries (hash_id, chain_id, contract, status, note) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hash_id, chain_id, contract) DO UPDATE SET status = excluded.status, note = excluded.note`,
    );
    const { document } = batch;
    const registry = registryOf(document);
    const record = (
      hashId: string,
      status: EventStatus | undefined,
      note: string | undefined,
      anchors: EventAnchor[],
    ) => {
      for (const anchor of anchors) {
        insertAnchor.run(
          hashId,
          hashId,
          anchor.action,
          anchor.epc ?? null,
          anchor.txHash,
          anchor.blockNumber,
          registry?.chainId ?? null,
          registry?.contract ?? null,
        );
      }
      if (registry !== undefined && status !== undefined) {
        upsertRegistry.run(hashId, registry.chainId, registry.contract, status, note ?? null);
      }
    };
    this.db.transaction(() => {
      insertDocument.run({
        id: document.id,
        source: document.source ?? null,
        context: canonicalJson(document.context ?? null),
        importedAt: document.importedAt,
        chainId: document.chainId ?? null,
        contract: document.contract ?? null,
      });
      for (const entry of batch.events) {
        if (entry.kind === "known") {
          // Said plainly rather than left to the foreign key; the transaction rolls back either way.
          if (!this.hasEvent(entry.hashId)) {
            throw new Error(
              `event ${entry.hashId} at position ${entry.position} is given as known, but it is neither in the ` +
                "store nor earlier in the import",
            );
          }
          if (entry.errorDeclaration !== undefined) this.declareError(entry.hashId, entry.errorDeclaration);
          insertPosition.run(document.id, entry.position, entry.hashId);
          record(entry.hashId, entry.status, entry.note, entry.anchors ?? []);
          continue;
        }
        const { record: event } = entry;
        insertEvent.run({
          hashId: event.hashId,
          eventType: event.eventType,
          eventTime: event.eventTime,
          event: canonicalJson(event.event),
          context: canonicalJson(event.context ?? null),
          documentId: document.id,
          position: event.position,
          // The column keeps version 1's two values: an event anchored halfway is `anchored` with its note.
          status: event.status === "stored" ? "stored" : "anchored",
          note: event.note ?? null,
        });
        insertPosition.run(document.id, event.position, event.hashId);
        for (const item of event.items) insertItem.run(event.hashId, item.itemId, item.epc, item.role);
        record(event.hashId, event.status, event.note, event.anchors);
      }
    })();
  }

  /** Adds an error declaration to a stored event that has none (the hash id does not cover it). */
  private declareError(hashId: string, declaration: JsonValue): void {
    const row = this.db.prepare("SELECT event_json FROM prov_events WHERE hash_id = ?").get(hashId) as
      { event_json: string } | undefined;
    if (row === undefined) return;
    const event = JSON.parse(row.event_json) as JsonObject;
    if (event.errorDeclaration !== undefined) return;
    event.errorDeclaration = declaration;
    this.db.prepare("UPDATE prov_events SET event_json = ? WHERE hash_id = ?").run(canonicalJson(event), hashId);
  }

  hasEvent(hashId: string): boolean {
    return this.db.prepare("SELECT 1 FROM prov_events WHERE hash_id = ?").get(hashId) !== undefined;
  }

  /**
   * What became of an event at one registry, or `undefined` when it was never imported there. An event of a
   * document that names no registry counts as imported everywhere: nothing says where it was anchored.
   */
  statusAt(hashId: string, registry: RegistryRef): EventStatus | undefined {
    const contract = registry.contract.toLowerCase();
    if (this.hasRegistries()) {
      const row = this.db
        .prepare("SELECT status FROM prov_event_registries WHERE hash_id = ? AND chain_id = ? AND contract = ?")
        .get(hashId, registry.chainId, contract) as { status: EventStatus } | undefined;
      if (row !== undefined) return row.status;
    }
    const legacy = this.db
      .prepare(
        `SELECT e.status, e.note, d.chain_id, lower(d.contract) AS contract
         FROM prov_events e JOIN prov_documents d ON d.id = e.document_id WHERE e.hash_id = ?`,
      )
      .get(hashId) as
      { status: string; note: string | null; chain_id: number | null; contract: string | null } | undefined;
    if (legacy === undefined) return undefined;
    if (legacy.chain_id === null || legacy.contract === null) return legacyStatus(legacy.status, legacy.note);
    // A file not yet migrated knows only the registry of the event's first document.
    if (!this.hasRegistries() && legacy.chain_id === registry.chainId && legacy.contract === contract) {
      return legacyStatus(legacy.status, legacy.note);
    }
    return undefined;
  }

  /** The transactions that anchored an event at one registry, in the order they were recorded. */
  anchorsAt(hashId: string, registry: RegistryRef): EventAnchor[] {
    const contract = registry.contract.toLowerCase();
    return this.anchorsOf(hashId).filter(
      (anchor) =>
        (anchor.chainId === undefined || anchor.chainId === registry.chainId) &&
        (anchor.contract === undefined || anchor.contract === contract),
    );
  }

  private anchorsOf(hashId: string): EventAnchor[] {
    const columns = this.hasRegistries()
      ? "action, epc, tx_hash, block_number, chain_id, contract"
      : "action, epc, tx_hash, block_number";
    const rows = this.db
      .prepare(`SELECT ${columns} FROM prov_anchors WHERE hash_id = ? ORDER BY seq`)
      .all(hashId) as Array<{
      action: string;
      epc: string | null;
      tx_hash: string;
      block_number: number;
      chain_id?: number | null;
      contract?: string | null;
    }>;
    return rows.map((anchor) => ({
      action: anchor.action,
      ...(anchor.epc === null ? {} : { epc: anchor.epc }),
      txHash: anchor.tx_hash,
      blockNumber: anchor.block_number,
      ...(anchor.chain_id === null || anchor.chain_id === undefined ? {} : { chainId: anchor.chain_id }),
      ...(anchor.contract === null || anchor.contract === undefined ? {} : { contract: anchor.contract }),
    }));
  }

  /** An event's status over all registries: anchored somewhere, else partial somewhere, else stored. */
  private overallStatus(row: EventRow): EventStatus {
    if (!this.hasRegistries()) return legacyStatus(row.status, row.note);
    const statuses = (
      this.db.prepare("SELECT status FROM prov_event_registries WHERE hash_id = ?").all(row.hash_id) as Array<{
        status: EventStatus;
      }>
    ).map((entry) => entry.status);
    if (statuses.length === 0) return legacyStatus(row.status, row.note);
    return statuses.includes("anchored") ? "anchored" : statuses.includes("partial") ? "partial" : "stored";
  }

  getEvent(hashId: string): StoredEvent | undefined {
    const row = this.db.prepare("SELECT * FROM prov_events WHERE hash_id = ?").get(hashId) as EventRow | undefined;
    return row === undefined ? undefined : this.toEvent(row);
  }

  /** Every stored event, oldest event time first. */
  allEvents(): StoredEvent[] {
    const rows = this.db.prepare("SELECT * FROM prov_events ORDER BY event_time, hash_id").all() as EventRow[];
    return rows.map((row) => this.toEvent(row));
  }

  /** The events touching an item (by its 0x item id), oldest event time first. */
  eventsOfItem(itemId: string): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT e.* FROM prov_events e JOIN prov_event_items i ON i.hash_id = e.hash_id
         WHERE i.item_id = ? ORDER BY e.event_time, e.hash_id`,
      )
      .all(itemId.toLowerCase()) as EventRow[];
    return rows.map((row) => this.toEvent(row));
  }

  getDocument(id: string): StoredDocument | undefined {
    const row = this.db.prepare("SELECT * FROM prov_documents WHERE id = ?").get(id) as
      | {
          id: string;
          source: string | null;
          context_json: string;
          imported_at: string;
          chain_id: number | null;
          contract: string | null;
        }
      | undefined;
    if (row === undefined) return undefined;
    const positions = this.db
      .prepare("SELECT hash_id FROM prov_document_events WHERE document_id = ? ORDER BY position")
      .all(id) as Array<{ hash_id: string }>;
    return {
      id: row.id,
      context: JSON.parse(row.context_json) as JsonValue,
      importedAt: row.imported_at,
      hashIds: positions.map((position) => position.hash_id),
      ...(row.source === null ? {} : { source: row.source }),
      ...(row.chain_id === null ? {} : { chainId: row.chain_id }),
      ...(row.contract === null ? {} : { contract: row.contract }),
    };
  }

  /** Counts of stored events by status (over all registries, see {@link StoredEvent.status}). */
  counts(): Record<EventStatus, number> {
    const counts: Record<EventStatus, number> = { anchored: 0, partial: 0, stored: 0 };
    const rows = this.db.prepare("SELECT * FROM prov_events").all() as EventRow[];
    for (const row of rows) counts[this.overallStatus(row)] += 1;
    return counts;
  }

  private toEvent(row: EventRow): StoredEvent {
    const items = this.db
      .prepare("SELECT item_id, epc, role FROM prov_event_items WHERE hash_id = ? ORDER BY role, epc")
      .all(row.hash_id) as Array<{ item_id: string; epc: string; role: ItemRole }>;
    return {
      hashId: row.hash_id,
      eventType: row.event_type,
      eventTime: row.event_time,
      event: JSON.parse(row.event_json) as JsonObject,
      context: JSON.parse(row.context_json) as JsonValue,
      documentId: row.document_id,
      position: row.position,
      status: this.overallStatus(row),
      ...(row.note === null ? {} : { note: row.note }),
      items: items.map((item) => ({ itemId: item.item_id, epc: item.epc, role: item.role })),
      anchors: this.anchorsOf(row.hash_id),
    };
  }
}
