/**
 * `npx hardhat epcis <task>`: EPCIS 2.0 documents in and out of the provenance registry.
 *
 *   epcis hash <file>                                   one CBV 2.0 event hash id per event, in order
 *   epcis validate <file>                               "valid", or one line per error and exit code 1
 *   epcis import <file> [--mapping <file>] [--db <file>] anchor what the ledger models, store everything
 *   epcis export --item <epc> --out <file> [--db <file>] an item's history as an EPCIS 2.0 document
 *   epcis audit [--db <file>] [--from-block <n>]        the store against the anchors on chain
 *
 * The registry's address comes from `deployments/<network>.json` (`contracts.ProvenanceRegistry`). On the
 * in-process `hardhat` network without a deployed registry, `import` deploys a fresh system and onboards the
 * mapping's accounts as suppliers, and says so: that chain ends with the command.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

import Database from "better-sqlite3";
import type { Signer } from "ethers";
import { scope, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { describeValue, InputError } from "../src/sdk/errors";
import { readJsonFile } from "../src/sdk/json";
import { eventHashIds } from "../src/provenance/eventHash";
import type { JsonValue } from "../src/provenance/epcisTypes";
import { mappedAccounts, readMappingFile } from "../src/provenance/mapping";
import type { PartyMapping } from "../src/provenance/mapping";
import { defaultStorePath, ProvenanceStore } from "../src/provenance/store";
import { validateEpcisDocument } from "../src/provenance/validate";
import type { ProvenanceRegistry } from "../typechain-types";
import { io, reporting } from "./cli";
import { parseEpc } from "./provenance";

export interface FileArgs {
  file: string;
}

export interface ImportArgs extends FileArgs {
  mapping?: string;
  db?: string;
}

export interface ExportArgs {
  item: string;
  out: string;
  db?: string;
}

export interface AuditArgs {
  db?: string;
  fromBlock?: string;
}

/** Jurisdiction of the suppliers a fresh in-process deployment onboards. */
const FRESH_JURISDICTION = "US";

function resolvePath(path: string): string {
  return isAbsolute(path) ? path : join(process.cwd(), path);
}

const STORE_TO_READ = "the event store written by `epcis import`";
const STORE_TO_WRITE = "a file for the event store: a new one, or the one written by `epcis import`";

/**
 * The store file `--db` names, `data/t12.sqlite` under the project root when it names none, checked before the
 * chain or the store is read. To `read`, the file must exist; to `import`, it may be new, in a folder that exists
 * or can be made. Never a folder, and never SQLite's `:memory:`: to read, it would be empty; to import, it would
 * lose the record of the transactions sent as the command ends.
 */
function parseStorePath(hre: HardhatRuntimeEnvironment, db: string | undefined, use: "read" | "import"): string {
  const expected = use === "read" ? STORE_TO_READ : STORE_TO_WRITE;
  if (db === ":memory:") {
    const problem =
      use === "read" ? "is an empty in-memory store" : "is an in-memory store, which keeps nothing after the command";
    throw new InputError("--db", `${describeValue(db)} ${problem}`, expected);
  }
  if (db === "") throw new InputError("--db", `${describeValue(db)} names no file`, expected);
  const path = db === undefined ? defaultStorePath(hre.config.paths.root) : resolvePath(db);
  const shown = describeValue(path);
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError("--db", `${shown} is a folder`, expected);
  if (use === "read" && !existsSync(path)) throw new InputError("--db", `${shown} does not exist`, expected);
  // The store creates its missing folders; a file where one of them should be would stop it.
  let folder = dirname(path);
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) {
    throw new InputError("--db", `${shown} is under ${describeValue(folder)}, which is a file`, expected);
  }
  return path;
}

/**
 * Opens the store at a path from {@link parseStorePath}. A file SQLite cannot read as a database (a JSON file, say)
 * is refused as an InputError naming --db, in one line.
 */
function openStore(path: string, options: { readonly: boolean }, expected: string): ProvenanceStore {
  try {
    const store = ProvenanceStore.open(path, options);
    try {
      // Opening read-only reads nothing yet: reading the schema version is what finds a file that is no database.
      store.schemaVersion();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error;
    throw new InputError("--db", `${describeValue(path)} is not an event store (${error.message})`, expected);
  }
}

/** The store named by `--db` for reading, opened read-only: a database with the provenance tables. */
function openStoreToRead(path: string): ProvenanceStore {
  const store = openStore(path, { readonly: true }, STORE_TO_READ);
  if (store.schemaVersion() === 0) {
    store.close();
    throw new InputError(
      "--db",
      `${describeValue(path)} is not an event store: it has no provenance tables`,
      STORE_TO_READ,
    );
  }
  return store;
}

/**
 * What an import plans against: the store as it is, read-only, or `undefined` when there is none yet (no file, or
 * a database of the project's other concerns without the provenance tables, which the import adds).
 */
function openStoreToPlan(path: string): ProvenanceStore | undefined {
  if (!existsSync(path)) return undefined;
  const store = openStore(path, { readonly: true }, STORE_TO_WRITE);
  if (store.schemaVersion() > 0) return store;
  store.close();
  return undefined;
}

/** True when `path` is the store's file or one of the files SQLite keeps beside it. */
function isStoreFile(path: string, store: string): boolean {
  return ["", "-wal", "-shm", "-journal"].some((suffix) => {
    const candidate = `${store}${suffix}`;
    if (resolve(path) === resolve(candidate)) return true;
    // Another name of the same file: a link, or a path through a linked folder.
    if (!existsSync(path) || !existsSync(candidate)) return false;
    const [a, b] = [statSync(path), statSync(candidate)];
    return a.dev === b.dev && a.ino === b.ino;
  });
}

/**
 * Writes a file whole or not at all: the text goes to a temporary file in the same folder, which then replaces
 * the target in one rename. A failed write leaves the target as it was, and no temporary file.
 */
function writeWhole(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temporary, "wx");
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The block number `--from-block` names: a whole number from 0 to the latest block. */
export function parseFromBlock(value: string, latest: number): number {
  const expected = `a whole number from 0 to the latest block, ${latest}`;
  if (!/^[0-9]+$/.test(value))
    throw new InputError("--from-block", `${describeValue(value)} is not a block number`, expected);
  const block = Number(value);
  if (!Number.isSafeInteger(block) || block > latest) {
    throw new InputError("--from-block", `${describeValue(value)} is after the latest block ${latest}`, expected);
  }
  return block;
}

/** Reads a JSON file named by a task parameter. */
function readJson(field: string, file: string): JsonValue {
  return readJsonFile(field, file, "a JSON or JSON-LD EPCIS document") as JsonValue;
}

interface Located {
  provenance: ProvenanceRegistry;
  fromBlock: number;
  /** Said to the user before the task's own output, e.g. that a fresh system was deployed. */
  note?: string;
}

/** The recorded provenance registry of the network, or `undefined` when none is recorded or it holds no code. */
async function recordedProvenance(hre: HardhatRuntimeEnvironment, runner: Signer): Promise<Located | undefined> {
  const { deploymentPath, deploymentsDir, readDeployment } = await import("../src/sdk/deployments");
  const { ProvenanceRegistry__factory } = await import("../typechain-types");
  const dir = deploymentsDir(hre.config.paths.root);
  const path = deploymentPath(hre.network.name, dir);
  if (!existsSync(path)) return undefined;
  const record = readDeployment(hre.network.name, dir);
  const field = `${path}: contracts.ProvenanceRegistry`;
  const address = record.contracts.ProvenanceRegistry;
  const { chainId } = await hre.ethers.provider.getNetwork();
  if (chainId !== BigInt(record.chainId) || (await hre.ethers.provider.getCode(address)) === "0x") {
    if (hre.network.name === "hardhat") return undefined;
    throw new InputError(field, `${address} holds no code on chain ${chainId}`, "the address of a deployed registry");
  }
  return { provenance: ProvenanceRegistry__factory.connect(address, runner), fromBlock: record.block };
}

/**
 * A fresh system on the in-process network: the deployer appoints a regulator, which licenses a bank, which
 * onboards every mapped account as a supplier.
 */
async function freshProvenance(hre: HardhatRuntimeEnvironment, mapping: PartyMapping): Promise<Located> {
  const { deploySystem, toBytes2 } = await import("../src/sdk/deploy");
  const signers = await hre.ethers.getSigners();
  const [admin] = signers;
  const regulator = signers[signers.length - 2];
  const bank = signers[signers.length - 1];
  const fromBlock = await hre.ethers.provider.getBlockNumber();
  const system = await deploySystem(admin);
  const lei = (tag: string): string => hre.ethers.hexlify(hre.ethers.toUtf8Bytes(tag.padEnd(20, "0").slice(0, 20)));
  const now = (await hre.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  const kycExpiry = now + 365 * 24 * 3600;
  await (
    await system.registry.appointRegulator(toBytes2(FRESH_JURISDICTION), regulator.address, lei("REGULATOR"))
  ).wait();
  await (await system.registry.connect(regulator).onboardBank(bank.address, lei("SPONSOR-BANK"), kycExpiry)).wait();
  const accounts = mappedAccounts(mapping).filter(
    (account) => account !== regulator.address && account !== bank.address,
  );
  for (const [i, account] of accounts.entries()) {
    await (
      await system.registry
        .connect(bank)
        .onboardParticipant(account, 4, toBytes2(FRESH_JURISDICTION), lei(`SUPPLIER-${i}`), kycExpiry)
    ).wait();
  }
  const address = await system.provenance.getAddress();
  return {
    provenance: system.provenance,
    fromBlock,
    note:
      `no provenance registry deployed on the in-process hardhat network: deployed a fresh system ` +
      `(ProvenanceRegistry ${address}) and onboarded ${accounts.length} mapped accounts as ${FRESH_JURISDICTION} suppliers; ` +
      `that chain ends with this command`,
  };
}

/** The signer of each mapped account: its `signers` entry, else the network's account of that address. */
async function mappedSigners(hre: HardhatRuntimeEnvironment, mapping: PartyMapping): Promise<Map<string, Signer>> {
  const accounts = await hre.ethers.getSigners();
  const found = new Map<string, Signer>();
  for (const address of mappedAccounts(mapping)) {
    const spec = mapping.signers.get(address);
    const field = `--mapping: signers[${JSON.stringify(address)}]`;
    if (spec === undefined) {
      const signer = accounts.find((candidate) => candidate.address === address);
      if (signer !== undefined) found.set(address, signer);
    } else if ("account" in spec) {
      const signer = accounts[spec.account];
      if (signer === undefined || signer.address !== address) {
        const problem =
          signer === undefined
            ? `${spec.account} is not an account index of network ${hre.network.name}`
            : `account ${spec.account} of network ${hre.network.name} is ${signer.address}`;
        throw new InputError(`${field}.account`, problem, `the index of ${address}`);
      }
      found.set(address, signer);
    } else {
      const key = process.env[spec.privateKeyEnv];
      if (key === undefined || key === "") {
        throw new InputError(
          `${field}.privateKeyEnv`,
          `${spec.privateKeyEnv} is not set`,
          "a variable holding the key",
        );
      }
      let wallet;
      try {
        wallet = new hre.ethers.Wallet(key, hre.ethers.provider);
      } catch {
        throw new InputError(`${field}.privateKeyEnv`, `${spec.privateKeyEnv} holds no private key`, "a 0x-hex key");
      }
      if (wallet.address !== address) {
        throw new InputError(
          `${field}.privateKeyEnv`,
          `${spec.privateKeyEnv} is the key of ${wallet.address}`,
          address,
        );
      }
      found.set(address, wallet);
    }
  }
  return found;
}

const epcis = scope("epcis", "EPCIS 2.0 documents: event hashes, validation, import into and export from the ledger");

epcis
  .task("hash", "Prints the CBV 2.0 event hash id of each event of an EPCIS document, in document order")
  .addPositionalParam("file", "The EPCIS 2.0 JSON or JSON-LD document", undefined, types.string)
  .setAction(async (args: FileArgs) =>
    reporting(async () => {
      const document = readJson("file", resolvePath(args.file));
      // Hash ids of a document that is not EPCIS would look as good as real ones: refuse it as `validate` does.
      const validation = validateEpcisDocument(document);
      if (!validation.valid || typeof document !== "object" || document === null || Array.isArray(document)) {
        for (const error of validation.valid ? [] : validation.errors) io.err(error.message);
        process.exitCode = 1;
        return;
      }
      for (const id of eventHashIds(document)) io.out(id);
    }),
  );

epcis
  .task("validate", "Validates an EPCIS 2.0 document against the GS1 schema and the standard's rules")
  .addPositionalParam("file", "The EPCIS 2.0 JSON or JSON-LD document", undefined, types.string)
  .setAction(async (args: FileArgs) =>
    reporting(async () => {
      const result = validateEpcisDocument(readJson("file", resolvePath(args.file)));
      if (result.valid) {
        io.out("valid");
        return;
      }
      for (const error of result.errors) io.err(error.message);
      process.exitCode = 1;
    }),
  );

epcis
  .task("import", "Imports an EPCIS 2.0 document: anchors what the ledger models, stores every event")
  .addPositionalParam("file", "The EPCIS 2.0 JSON or JSON-LD document", undefined, types.string)
  .addOptionalParam("mapping", "The party mapping file (JSON)", "data/epcis-mapping.json", types.string)
  .addOptionalParam("db", "The event store (SQLite); data/t12.sqlite by default", undefined, types.string)
  .setAction(async (args: ImportArgs, hre) =>
    reporting(async () => {
      const file = resolvePath(args.file);
      const document = readJson("file", file);
      const mapping = readMappingFile(resolvePath(args.mapping ?? "data/epcis-mapping.json"), "--mapping");
      const path = parseStorePath(hre, args.db, "import");
      const signers = await mappedSigners(hre, mapping);
      const [reader] = await hre.ethers.getSigners();
      const { executeImport, planImport } = await import("../src/provenance/importer");
      // Validation comes first: an invalid document deploys nothing either.
      const validation = validateEpcisDocument(document);
      if (!validation.valid) {
        for (const error of validation.errors) io.err(error.message);
        process.exitCode = 1;
        return;
      }
      // Planning reads the chain and, for what the registry already has, the store: read-only, and a store that
      // does not exist yet is empty. The store is opened first, so that a file that is no store deploys and sends
      // nothing. A fresh system deployed to plan against is rolled back if the plan fails.
      const signerOf = (account: string) => signers.get(account);
      const existing = openStoreToPlan(path);
      let located: Located;
      let snapshot: string | undefined;
      let plan;
      try {
        const recorded = await recordedProvenance(hre, reader);
        snapshot =
          recorded === undefined ? ((await hre.network.provider.send("evm_snapshot", [])) as string) : undefined;
        located = recorded ?? (await freshOrFail(hre, mapping));
        const known = existing === undefined ? {} : { store: existing };
        plan = await planImport(document, { provenance: located.provenance, mapping, signers: signerOf, ...known });
      } finally {
        existing?.close();
      }
      const options = { provenance: located.provenance, mapping, signers: signerOf };
      const problems = "ok" in plan ? (plan.ok ? [] : plan.errors) : plan.errors;
      if ("ok" in plan || problems.length > 0) {
        if (snapshot !== undefined) await hre.network.provider.send("evm_revert", [snapshot]);
        for (const error of problems) io.err(error.message);
        io.err("nothing was sent or stored");
        process.exitCode = 1;
        return;
      }
      if (located.note !== undefined) io.out(located.note);
      const store = openStore(path, { readonly: false }, STORE_TO_WRITE);
      try {
        const report = await executeImport(document, plan, { ...options, store, source: args.file });
        for (const event of report.events) {
          if (event.status === "anchored") {
            const txs = event.transactions.map((tx) => `${tx.action} ${tx.txHash}`).join(", ");
            io.out(`${event.hashId} anchored: ${txs}`);
          } else if (event.status === "partial") {
            const txs = event.transactions.map((tx) => `${tx.action} ${tx.txHash}`).join(", ");
            io.out(
              `${event.hashId} anchored in part (import again to finish): ${txs === "" ? "no new transaction" : txs}`,
            );
          } else if (event.status === "stored") io.out(`${event.hashId} stored, not anchored: ${event.reason}`);
          else if (event.status === "duplicate") io.out(`${event.hashId} already stored: ${event.reason}`);
        }
        if (!report.ok) {
          for (const error of report.errors) io.err(error.message);
          process.exitCode = 1;
          return;
        }
        const count = (status: string): number => report.events.filter((event) => event.status === status).length;
        io.out(
          `imported ${args.file}: ${count("anchored")} anchored, ${count("stored")} stored, not anchored, ` +
            `${count("duplicate")} already stored`,
        );
      } finally {
        store.close();
      }
    }),
  );

async function freshOrFail(hre: HardhatRuntimeEnvironment, mapping: PartyMapping): Promise<Located> {
  if (hre.network.name !== "hardhat") {
    const { deploymentPath, deploymentsDir } = await import("../src/sdk/deployments");
    throw new InputError(
      deploymentPath(hre.network.name, deploymentsDir(hre.config.paths.root)),
      `there is no deployment record for network ${describeValue(hre.network.name)}`,
      "the file written by `npm run deploy` on that network",
    );
  }
  return freshProvenance(hre, mapping);
}

epcis
  .task("export", "Exports an item's history as an EPCIS 2.0 JSON-LD document")
  .addParam("item", "The item: an EPC URI or a GS1 Digital Link", undefined, types.string)
  .addParam("out", "The file to write", undefined, types.string)
  .addOptionalParam("db", "The event store (SQLite); data/t12.sqlite by default", undefined, types.string)
  .setAction(async (args: ExportArgs, hre) =>
    reporting(async () => {
      // Every parameter is checked before the chain or the store is read.
      const item = parseEpc("--item", args.item);
      const out = resolvePath(args.out);
      const folder = dirname(out);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        throw new InputError(
          "--out",
          `${describeValue(args.out)} is in ${describeValue(folder)}, which is not an existing folder`,
          "a file in an existing folder",
        );
      }
      if (existsSync(out) && statSync(out).isDirectory()) {
        throw new InputError("--out", `${describeValue(args.out)} is a folder`, "a file in an existing folder");
      }
      const path = parseStorePath(hre, args.db, "read");
      // Written over, the store would be lost: its -wal file too holds events not yet in the main file.
      if (isStoreFile(out, path)) {
        throw new InputError(
          "--out",
          `${describeValue(args.out)} is the event store ${describeValue(path)} or one of its files`,
          "a file other than the event store",
        );
      }
      const { exportItemHistory } = await import("../src/provenance/exporter");
      const store = openStoreToRead(path);
      try {
        const [reader] = await hre.ethers.getSigners();
        const located = await recordedProvenance(hre, reader);
        if (located === undefined)
          io.out(`no provenance registry on network ${hre.network.name}: exporting from the store alone`);
        const result = await exportItemHistory(store, item, {
          ...(located === undefined ? {} : { provenance: located.provenance, fromBlock: located.fromBlock }),
        });
        if (result.hashIds.length === 0 && result.missing.length === 0) {
          throw new InputError(
            "--item",
            `${describeValue(args.item)} has no stored or anchored events`,
            "an imported item",
          );
        }
        try {
          writeWhole(out, `${JSON.stringify(result.document, null, 2)}\n`);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === undefined) throw error;
          throw new InputError(
            "--out",
            `${describeValue(args.out)} could not be written (${code})`,
            "a file in a folder you can write to",
          );
        }
        const count = result.hashIds.length;
        io.out(`wrote ${count} event${count === 1 ? "" : "s"} of ${result.epc} to ${args.out}`);
        for (const hashId of result.missing) io.err(`${hashId} is anchored on chain for the item but not in the store`);
      } finally {
        store.close();
      }
    }),
  );

epcis
  .task("audit", "Recomputes every stored event's hash and compares the store with the anchors on chain")
  .addOptionalParam("db", "The event store (SQLite); data/t12.sqlite by default", undefined, types.string)
  .addOptionalParam(
    "fromBlock",
    "The first block to read anchors from; the deployment's by default",
    undefined,
    types.string,
  )
  .setAction(async (args: AuditArgs, hre) =>
    reporting(async () => {
      const { auditStore } = await import("../src/provenance/audit");
      const path = parseStorePath(hre, args.db, "read");
      const [reader] = await hre.ethers.getSigners();
      const located = await recordedProvenance(hre, reader);
      if (located === undefined) {
        throw new InputError(
          "network",
          `no provenance registry is deployed on ${hre.network.name}`,
          "a deployed network",
        );
      }
      const toBlock = await hre.ethers.provider.getBlockNumber();
      const fromBlock = args.fromBlock === undefined ? located.fromBlock : parseFromBlock(args.fromBlock, toBlock);
      const store = openStoreToRead(path);
      try {
        const report = await auditStore(store, located.provenance, { fromBlock, toBlock });
        for (const event of report.altered)
          io.out(`altered ${event.hashId}: its stored JSON hashes to ${event.recomputed}`);
        for (const event of report.added) io.out(`added ${event.hashId}: stored as anchored, no anchor on chain`);
        for (const event of report.dropped) {
          io.out(`dropped ${event.hashId}: anchored in ${event.anchors.map((anchor) => anchor.txHash).join(", ")}`);
        }
        io.out(
          `${report.ok ? "ok" : "NOT ok"}: ${report.storedEvents} stored events (${report.offChain.length} off chain only` +
            `${report.otherRegistries.length > 0 ? `, ${report.otherRegistries.length} of other registries` : ""}), ` +
            `${report.anchoredHashes} anchored hashes in blocks ${report.fromBlock}..${report.toBlock}`,
        );
        if (!report.ok) process.exitCode = 1;
      } finally {
        store.close();
      }
    }),
  );
