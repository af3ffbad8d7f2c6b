import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import Database from "better-sqlite3";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { eventHashIds } from "../../src/provenance/eventHash";
import type { EpcisDocument } from "../../src/provenance/epcisTypes";
import { ProvenanceStore } from "../../src/provenance/store";
import { validateEpcisDocument } from "../../src/provenance/validate";
import { useTaskHarness } from "../fixtures/taskHarness";
import {
  documentsIn,
  HASH_VECTORS_DIR,
  importFixture,
  INVALID_DIR,
  MAPPING_FILE,
  readJson,
  SUPPLY_CHAIN_FILE,
} from "../fixtures/epcis-mapping/import.fixture";

const CHIP_1 = "urn:epc:id:sgtin:4012345.011111.1001";

/** The import fixture, recorded as the hardhat network's deployment in `dir`. */
async function recordedFixture() {
  const fixture = await importFixture();
  const block = await ethers.provider.getBlockNumber();
  return {
    ...fixture,
    record: {
      network: "hardhat",
      chainId: 31337,
      block,
      contracts: {
        ParticipantRegistry: await fixture.registry.getAddress(),
        DigitalDollar: await fixture.dollar.getAddress(),
        SettlementEngine: await fixture.engine.getAddress(),
        ProvenanceRegistry: await fixture.provenance.getAddress(),
      },
    },
  };
}

describe("epcis tasks", function () {
  const harness = useTaskHarness("t12-epcis-", "deployments");
  let dir: string;
  let out: string[];
  let err: string[];

  beforeEach(function () {
    ({ dir, out, err } = harness);
    rmSync(join(dir, "deployments"), { recursive: true, force: true });
  });

  async function recorded() {
    const fixture = await loadFixture(recordedFixture);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "deployments"), { recursive: true });
    writeFileSync(join(dir, "deployments", "hardhat.json"), JSON.stringify(fixture.record));
    return fixture;
  }

  describe("epcis hash", function () {
    for (const { name, file } of documentsIn(HASH_VECTORS_DIR)) {
      it(`prints the reference hash ids of ${name}, one per line in document order`, async function () {
        await hre.run({ scope: "epcis", task: "hash" }, { file });
        const expected = readFileSync(file.replace(/\.jsonld$/, ".hashes"), "utf8")
          .trim()
          .split(/\r?\n/);
        expect(err).to.deep.equal([]);
        expect(out).to.deep.equal(expected);
      });
    }

    it("names a file that does not exist", async function () {
      await hre.run({ scope: "epcis", task: "hash" }, { file: join(dir, "missing.json") });
      expect(err).to.have.length(1);
      expect(err[0]).to.match(/^file: ".*missing\.json" does not exist/);
      expect(process.exitCode).to.equal(1);
    });
  });

  describe("when the document is no valid EPCIS document", function () {
    it("refuses to hash it, with the lines validate prints and a non-zero exit", async function () {
      const file = join(dir, "empty.json");
      writeFileSync(file, "{}");
      await hre.run({ scope: "epcis", task: "hash" }, { file });
      expect(out).to.deep.equal([]);
      expect(err).to.deep.equal([
        'document: /type is required: an EPCIS document has type "EPCISDocument" or "EPCISQueryDocument"',
        "document: /@context is required",
        "document: /epcisBody is required",
      ]);
      expect(process.exitCode).to.equal(1);
      err.length = 0;
      await hre.run({ scope: "epcis", task: "validate" }, { file });
      expect(err).to.deep.equal([
        'document: /type is required: an EPCIS document has type "EPCISDocument" or "EPCISQueryDocument"',
        "document: /@context is required",
        "document: /epcisBody is required",
      ]);
    });
  });

  describe("epcis validate", function () {
    it('prints "valid" for a valid document', async function () {
      await hre.run({ scope: "epcis", task: "validate" }, { file: SUPPLY_CHAIN_FILE });
      expect(out).to.deep.equal(["valid"]);
      expect(process.exitCode).to.equal(undefined);
    });

    for (const { name, file } of documentsIn(INVALID_DIR)) {
      it(`exits non-zero on ${name}, one line per error naming event and field`, async function () {
        await hre.run({ scope: "epcis", task: "validate" }, { file });
        const result = validateEpcisDocument(readJson(file));
        if (result.valid) expect.fail("the fixture is valid");
        expect(out).to.deep.equal([]);
        expect(err).to.deep.equal(result.errors.map((error) => error.message));
        for (const line of err) expect(line).to.match(/^(event \d+( \([^)]*\))?|document): \S*\/?/);
        expect(process.exitCode).to.equal(1);
      });
    }
  });

  describe("epcis import", function () {
    describe("when the network has a recorded deployment", function () {
      it("anchors and stores the document, one line per event", async function () {
        const { provenance } = await recorded();
        const db = join(dir, "import.sqlite");
        await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
        expect(err).to.deep.equal([]);
        const hashIds = eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument);
        expect(out).to.have.length(12);
        expect(out[0]).to.match(
          new RegExp(`^${escape(hashIds[0])} anchored: commission 0x[0-9a-f]{64}, commission 0x[0-9a-f]{64}$`),
        );
        expect(out[10]).to.equal(`${hashIds[10]} stored, not anchored: TransactionEvent is not modelled by the ledger`);
        expect(out[11]).to.equal(
          `imported ${SUPPLY_CHAIN_FILE}: 10 anchored, 1 stored, not anchored, 0 already stored`,
        );
        const store = ProvenanceStore.open(db);
        expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
        store.close();
        expect(
          (await provenance.item(ethers.keccak256(ethers.toUtf8Bytes("https://id.gs1.org/01/04012345111118/21/1001"))))
            .disposition,
        ).to.equal(4n);
      });

      it("refuses an invalid document: errors on stderr, no transaction, no store", async function () {
        await recorded();
        const db = join(dir, "invalid.sqlite");
        const block = await ethers.provider.getBlockNumber();
        const [file] = documentsIn(INVALID_DIR).map((entry) => entry.file);
        await hre.run({ scope: "epcis", task: "import" }, { file, mapping: MAPPING_FILE, db });
        expect(out).to.deep.equal([]);
        expect(err).to.not.be.empty;
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect(() => readFileSync(db)).to.throw(/ENOENT/);
      });

      it("names an unknown party and sends nothing", async function () {
        await recorded();
        const document = readJson(SUPPLY_CHAIN_FILE) as EpcisDocument;
        const [first] = (document.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
        first.bizLocation = { id: "urn:epc:id:sgln:7777777.00001.0" };
        const file = join(dir, "unknown-party.jsonld");
        writeFileSync(file, JSON.stringify(document));
        const block = await ethers.provider.getBlockNumber();
        await hre.run(
          { scope: "epcis", task: "import" },
          { file, mapping: MAPPING_FILE, db: join(dir, "unknown.sqlite") },
        );
        expect(err).to.deep.equal([
          `event 0 (${eventHashIds(document)[0]}): party urn:epc:id:sgln:7777777.00001.0 is not in the party mapping`,
          "nothing was sent or stored",
        ]);
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect(existsSync(join(dir, "unknown.sqlite"))).to.be.false;
      });

      it("names the mapping field that is wrong", async function () {
        await recorded();
        const mapping = join(dir, "bad-mapping.json");
        writeFileSync(mapping, JSON.stringify({ parties: { "urn:epc:id:pgln:4012345.00000": "not an address" } }));
        await hre.run(
          { scope: "epcis", task: "import" },
          { file: SUPPLY_CHAIN_FILE, mapping, db: join(dir, "bad.sqlite") },
        );
        expect(err).to.deep.equal([
          `${mapping}: parties["urn:epc:id:pgln:4012345.00000"]: "not an address" is not 0x followed by 40 hex digits; ` +
            'expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"',
        ]);
        expect(process.exitCode).to.equal(1);
      });
    });

    describe("when --db names no event store", function () {
      const STORE_TO_WRITE = "expected a file for the event store: a new one, or the one written by `epcis import`";

      /** Runs an import into `db` and checks it was refused with `message` before anything was sent. */
      async function expectRefused(db: string, message: string): Promise<void> {
        await recorded();
        const block = await ethers.provider.getBlockNumber();
        await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
        expect(out).to.deep.equal([]);
        expect(err).to.deep.equal([message]);
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
      }

      it("refuses :memory:, which would lose the record of what it sends", async function () {
        await expectRefused(
          ":memory:",
          `--db: ":memory:" is an in-memory store, which keeps nothing after the command; ${STORE_TO_WRITE}`,
        );
      });

      it("refuses a folder", async function () {
        await expectRefused(dir, `--db: "${dir}" is a folder; ${STORE_TO_WRITE}`);
      });

      it("refuses a file under a file", async function () {
        const file = join(dir, "plain.txt");
        writeFileSync(file, "text");
        await expectRefused(
          join(file, "t12.sqlite"),
          `--db: "${join(file, "t12.sqlite")}" is under "${file}", which is a file; ${STORE_TO_WRITE}`,
        );
      });

      it("refuses a file that is no database, and leaves it as it was", async function () {
        const db = join(dir, "document.json");
        writeFileSync(db, readFileSync(SUPPLY_CHAIN_FILE));
        await expectRefused(db, `--db: "${db}" is not an event store (file is not a database); ${STORE_TO_WRITE}`);
        expect(readFileSync(db)).to.deep.equal(readFileSync(SUPPLY_CHAIN_FILE));
      });

      it("takes a database of other concerns and adds the provenance tables", async function () {
        await recorded();
        const db = join(dir, "shared.sqlite");
        const other = new Database(db);
        other.exec("CREATE TABLE aml_cases (id INTEGER PRIMARY KEY)");
        other.close();
        await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
        expect(err).to.deep.equal([]);
        const store = ProvenanceStore.open(db);
        expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
        store.close();
      });
    });

    describe("when the document has no events", function () {
      it("refuses it, naming the event list, and sends and stores nothing", async function () {
        await recorded();
        const document = readJson(SUPPLY_CHAIN_FILE) as EpcisDocument;
        (document.epcisBody as { eventList: unknown[] }).eventList = [];
        const file = join(dir, "no-events.jsonld");
        writeFileSync(file, JSON.stringify(document));
        const db = join(dir, "no-events.sqlite");
        const block = await ethers.provider.getBlockNumber();
        await hre.run({ scope: "epcis", task: "import" }, { file, mapping: MAPPING_FILE, db });
        expect(out).to.deep.equal([]);
        expect(err).to.deep.equal([
          "document: /epcisBody/eventList is empty: there is no event to import",
          "nothing was sent or stored",
        ]);
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect(existsSync(db)).to.be.false;
      });
    });

    describe("when the in-process network has no deployment", function () {
      it("deploys nothing and creates no store when planning fails", async function () {
        const document = readJson(SUPPLY_CHAIN_FILE) as EpcisDocument;
        const [first] = (document.epcisBody as { eventList: Array<Record<string, unknown>> }).eventList;
        first.bizLocation = { id: "urn:epc:id:sgln:7777777.00001.0" };
        const file = join(dir, "unknown-party-fresh.jsonld");
        writeFileSync(file, JSON.stringify(document));
        const db = join(dir, "never.sqlite");
        const block = await ethers.provider.getBlockNumber();
        await hre.run({ scope: "epcis", task: "import" }, { file, mapping: MAPPING_FILE, db });
        expect(out).to.deep.equal([]);
        expect(err).to.deep.equal([
          `event 0 (${eventHashIds(document)[0]}): party urn:epc:id:sgln:7777777.00001.0 is not in the party mapping`,
          "nothing was sent or stored",
        ]);
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect(existsSync(db)).to.be.false;
      });

      it("deploys a fresh system, says so, and imports", async function () {
        const db = join(dir, "fresh.sqlite");
        await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
        expect(err).to.deep.equal([]);
        expect(out[0]).to.match(
          /^no provenance registry deployed on the in-process hardhat network: deployed a fresh system/,
        );
        // Every supplier is in one jurisdiction there, so the shipment needs no licence either way.
        expect(out.at(-1)).to.equal(
          `imported ${SUPPLY_CHAIN_FILE}: 10 anchored, 1 stored, not anchored, 0 already stored`,
        );
      });
    });
  });

  describe("epcis export", function () {
    it("writes the item's history as a valid EPCIS document whose events hash to the anchored ids", async function () {
      await recorded();
      const db = join(dir, "export.sqlite");
      await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
      out.length = 0;
      const file = join(dir, "chip.jsonld");
      await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: file, db });
      expect(err).to.deep.equal([]);
      expect(out).to.deep.equal([`wrote 6 events of https://id.gs1.org/01/04012345111118/21/1001 to ${file}`]);
      const exported = readJson(file) as EpcisDocument;
      expect(validateEpcisDocument(exported)).to.deep.equal({ valid: true });
      const hashIds = eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument);
      expect(eventHashIds(exported)).to.deep.equal([0, 2, 5, 6, 7, 9].map((i) => hashIds[i]));
    });

    it("names an --out folder that does not exist, before reading anything", async function () {
      const out = join(dir, "no-such-folder", "x.jsonld");
      await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out, db: join(dir, "missing.sqlite") });
      expect(err).to.deep.equal([
        `--out: "${out}" is in "${join(dir, "no-such-folder")}", which is not an existing folder; ` +
          "expected a file in an existing folder",
      ]);
      expect(process.exitCode).to.equal(1);
    });

    it("refuses an --item without a canonical form", async function () {
      await hre.run(
        { scope: "epcis", task: "export" },
        { item: "urn:epc:id:sgtin:bad", out: join(dir, "bad.jsonld"), db: join(dir, "missing.sqlite") },
      );
      expect(err).to.have.length(1);
      expect(err[0]).to.match(/^--item: "urn:epc:id:sgtin:bad" names no item: it has no GS1 Digital Link form; /);
      expect(process.exitCode).to.equal(1);
    });

    it("refuses a missing store and creates none", async function () {
      await recorded();
      const db = join(dir, "absent.sqlite");
      await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: join(dir, "x.jsonld"), db });
      expect(err).to.deep.equal([`--db: "${db}" does not exist; expected the event store written by \`epcis import\``]);
      expect(existsSync(db)).to.be.false;
    });

    describe("when --out is the event store", function () {
      for (const suffix of ["", "-wal", "-shm"]) {
        it(`refuses --out on the store${suffix === "" ? "" : `'s ${suffix} file`} and leaves the store whole`, async function () {
          await recorded();
          const db = join(dir, "kept.sqlite");
          await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
          out.length = 0;
          const before = readFileSync(db);
          await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: `${db}${suffix}`, db });
          expect(out).to.deep.equal([]);
          expect(err).to.deep.equal([
            `--out: "${db}${suffix}" is the event store "${db}" or one of its files; expected a file other than the event store`,
          ]);
          expect(process.exitCode).to.equal(1);
          expect(readFileSync(db)).to.deep.equal(before);
          const store = ProvenanceStore.open(db, { readonly: true });
          expect(store.counts()).to.deep.equal({ anchored: 10, partial: 0, stored: 1 });
          store.close();
        });
      }

      it("refuses another name of the store's file", async function () {
        await recorded();
        const db = join(dir, "linked.sqlite");
        ProvenanceStore.open(db).close();
        const link = join(dir, "link.jsonld");
        rmSync(link, { force: true });
        symlinkSync(db, link);
        await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: link, db });
        expect(err).to.deep.equal([
          `--out: "${link}" is the event store "${db}" or one of its files; expected a file other than the event store`,
        ]);
      });
    });

    it("replaces an existing --out whole, leaving no temporary file", async function () {
      await recorded();
      const folder = mkdtempSync(join(dir, "export-"));
      const db = join(folder, "export.sqlite");
      await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
      const file = join(folder, "chip.jsonld");
      writeFileSync(file, "x".repeat(100_000));
      await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: file, db });
      expect(err).to.deep.equal([]);
      expect(validateEpcisDocument(readJson(file))).to.deep.equal({ valid: true });
      const written = readdirSync(folder).filter((name) => !name.startsWith("export.sqlite"));
      expect(written).to.deep.equal(["chip.jsonld"]);
    });

    it("refuses a --db that is no database, or a database without the provenance tables", async function () {
      await recorded();
      const json = join(dir, "store.json");
      writeFileSync(json, "{}");
      const bare = join(dir, "bare.sqlite");
      new Database(bare).close();
      for (const [db, problem] of [
        [json, "is not an event store (file is not a database)"],
        [bare, "is not an event store: it has no provenance tables"],
        [dir, "is a folder"],
      ]) {
        err.length = 0;
        await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: join(dir, "x.jsonld"), db });
        expect(err).to.deep.equal([`--db: "${db}" ${problem}; expected the event store written by \`epcis import\``]);
      }
      expect(existsSync(join(dir, "x.jsonld"))).to.be.false;
    });

    it("names an item the store does not know", async function () {
      await recorded();
      const db = join(dir, "empty.sqlite");
      ProvenanceStore.open(db).close();
      await hre.run({ scope: "epcis", task: "export" }, { item: CHIP_1, out: join(dir, "none.jsonld"), db });
      expect(err).to.deep.equal([`--item: "${CHIP_1}" has no stored or anchored events; expected an imported item`]);
      expect(process.exitCode).to.equal(1);
    });
  });

  describe("epcis audit", function () {
    it("reports ok after an import, and an altered event after tampering", async function () {
      await recorded();
      const db = join(dir, "audit.sqlite");
      await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
      out.length = 0;
      await hre.run({ scope: "epcis", task: "audit" }, { db });
      expect(out).to.have.length(1);
      expect(out[0]).to.match(/^ok: 11 stored events \(1 off chain only\), 10 anchored hashes in blocks \d+\.\.\d+$/);
      const store = ProvenanceStore.open(db);
      const [hashId] = eventHashIds(readJson(SUPPLY_CHAIN_FILE) as EpcisDocument);
      store.db
        .prepare("UPDATE prov_events SET event_json = replace(event_json, '08:00:00', '08:00:01') WHERE hash_id = ?")
        .run(hashId);
      store.close();
      out.length = 0;
      await hre.run({ scope: "epcis", task: "audit" }, { db });
      expect(out[0]).to.match(new RegExp(`^altered ${escape(hashId)}: its stored JSON hashes to ni:///sha-256;`));
      expect(out.at(-1)).to.match(/^NOT ok/);
      expect(process.exitCode).to.equal(1);
    });

    it("refuses a missing store and creates none", async function () {
      await recorded();
      const db = join(dir, "absent.sqlite");
      await hre.run({ scope: "epcis", task: "audit" }, { db });
      expect(out).to.deep.equal([]);
      expect(err).to.deep.equal([`--db: "${db}" does not exist; expected the event store written by \`epcis import\``]);
      expect(process.exitCode).to.equal(1);
      expect(existsSync(db)).to.be.false;
    });

    it("refuses a --db folder or :memory: in one line", async function () {
      await recorded();
      await hre.run({ scope: "epcis", task: "audit" }, { db: dir });
      await hre.run({ scope: "epcis", task: "audit" }, { db: ":memory:" });
      expect(err).to.deep.equal([
        `--db: "${dir}" is a folder; expected the event store written by \`epcis import\``,
        '--db: ":memory:" is an empty in-memory store; expected the event store written by `epcis import`',
      ]);
    });

    it("opens the store read-only", async function () {
      await recorded();
      const db = join(dir, "readonly.sqlite");
      await hre.run({ scope: "epcis", task: "import" }, { file: SUPPLY_CHAIN_FILE, mapping: MAPPING_FILE, db });
      chmodSync(db, 0o444);
      out.length = 0;
      await hre.run({ scope: "epcis", task: "audit" }, { db });
      chmodSync(db, 0o644);
      expect(err).to.deep.equal([]);
      expect(out[0]).to.match(/^ok: 11 stored events/);
    });

    for (const [value, problem] of [
      ["99999999999999999999", "is after the latest block"],
      ["1e3", "is not a block number"],
      ["-1", "is not a block number"],
    ]) {
      it(`refuses --from-block ${value}`, async function () {
        await recorded();
        const db = join(dir, "from-block.sqlite");
        ProvenanceStore.open(db).close();
        const latest = await ethers.provider.getBlockNumber();
        await hre.run({ scope: "epcis", task: "audit" }, { db, fromBlock: value });
        expect(err).to.deep.equal([
          `--from-block: "${value}" ${problem}${problem.endsWith("block") && !problem.startsWith("is not") ? ` ${latest}` : ""}; ` +
            `expected a whole number from 0 to the latest block, ${latest}`,
        ]);
        expect(process.exitCode).to.equal(1);
      });
    }

    it("refuses a --from-block after the latest block", async function () {
      await recorded();
      const db = join(dir, "from-block.sqlite");
      ProvenanceStore.open(db).close();
      const latest = await ethers.provider.getBlockNumber();
      await hre.run({ scope: "epcis", task: "audit" }, { db, fromBlock: String(latest + 1) });
      expect(err).to.deep.equal([
        `--from-block: "${latest + 1}" is after the latest block ${latest}; expected a whole number from 0 to the latest block, ${latest}`,
      ]);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
