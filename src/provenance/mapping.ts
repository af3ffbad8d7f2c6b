/**
 * The party mapping of an EPCIS import: which participant account acts for a GS1 party or location, how
 * to sign for that account, and the item attributes an EPCIS document does not carry.
 *
 * ```json
 * {
 *   "parties": {
 *     "urn:epc:id:pgln:4012345.00000": "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D",
 *     "urn:epc:id:sgln:4012345.00001.0": "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D",
 *     "https://id.gs1.org/417/9520999999990": "0x61097BA76cD906d2ba4FD106E757f7Eb455fc295"
 *   },
 *   "signers": {
 *     "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D": { "account": 21 },
 *     "0x61097BA76cD906d2ba4FD106E757f7Eb455fc295": { "privateKeyEnv": "T12_KEY_RECEIVER" }
 *   },
 *   "defaults": { "party": "urn:epc:id:pgln:4012345.00000", "origin": "DE", "productClass": "Other", "exportClass": "EAR99" }
 * }
 * ```
 *
 * - `parties` (required): GS1 party ids (PGLN: `urn:epc:id:pgln:...` or `https://id.gs1.org/417/...`) and
 *   location ids (SGLN: `urn:epc:id:sgln:...` or `https://id.gs1.org/414/...[/254/...]`) to account
 *   addresses. Keys are compared in their canonical Digital Link form, so the URN and the link of one party
 *   are the same key. A location with an extension (`.../414/<gln>/254/<ext>`) not listed falls back to its
 *   GLN without extension.
 * - `signers` (optional): how to sign for an account: `{ "account": <index> }`, an account of the network's
 *   configuration, or `{ "privateKeyEnv": "<NAME>" }`, an environment variable holding the key. Never the
 *   key itself. An account without an entry is looked up among the network's accounts.
 * - `defaults` (optional): `party`, the party that acts for an event naming no party or location; and
 *   `origin` (ISO 3166-1 alpha-2), `productClass` (Other, Defense, Semiconductor, MedicalDevice) and
 *   `exportClass` (an ECCN such as "3A001", or "EAR99"), used for a commissioned item when neither the
 *   event's ILMD nor its extension fields give them.
 */

import { describeValue, InputError } from "../sdk/errors";
import { readJsonFile } from "../sdk/json";
import { parseAddress, parseJurisdiction } from "../sdk/inputs";
import { requireCheckDigits, toCanonicalIdentifier } from "./digitalLink";

/** The registry's product classes, in the order of the on-chain enum. */
export const PRODUCT_CLASSES = ["Other", "Defense", "Semiconductor", "MedicalDevice"] as const;
export type ProductClassName = (typeof PRODUCT_CLASSES)[number];

/** How the caller signs for an account: an account index of the network, or a key in the environment. */
export type SignerSpec = { account: number } | { privateKeyEnv: string };

/** Attributes a commissioned item needs and an EPCIS event may lack. */
export interface ItemAttributes {
  origin?: string;
  productClass?: ProductClassName;
  exportClass?: string;
}

export interface PartyMapping {
  /** Canonical party or location id -> checksummed account address. */
  parties: ReadonlyMap<string, string>;
  /** Checksummed account address -> how to sign for it. */
  signers: ReadonlyMap<string, SignerSpec>;
  /** The canonical id of the party acting for events that name none. */
  defaultParty?: string;
  defaults: ItemAttributes;
}

const MAPPING_SHAPE =
  '{ "parties": { "<GS1 party or location id>": "0x<address>" }, "signers"?: {...}, "defaults"?: {...} }';
const PARTY_EXPECTED =
  'a GS1 party or location id: "urn:epc:id:pgln:...", "urn:epc:id:sgln:...", or a Digital Link ".../417/<PGLN>" or ".../414/<GLN>"';
const SIGNER_EXPECTED = '{ "account": <index of a configured account> } or { "privateKeyEnv": "<VARIABLE_NAME>" }';
const EXPORT_CLASS_EXPECTED = 'an ECCN like "3A001" or "5A002.a1" (at most 8 characters), or "EAR99"';

/** "EAR99", or an ECCN: a digit, a letter A-E, three digits, and a suffix of up to three characters. */
export function parseExportClass(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^(EAR99|[0-9][A-E][0-9]{3}[A-Za-z0-9.]{0,3})$/.test(value)) {
    throw new InputError(field, `${describeValue(value)} is not an export classification`, EXPORT_CLASS_EXPECTED);
  }
  return value;
}

export function parseProductClass(field: string, value: unknown): ProductClassName {
  const found = PRODUCT_CLASSES.find((name) => name === value);
  if (found === undefined) {
    throw new InputError(
      field,
      `${describeValue(value)} is not a product class`,
      `one of ${PRODUCT_CLASSES.join(", ")}`,
    );
  }
  return found;
}

export function parseOrigin(field: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new InputError(field, `${describeValue(value)} is not a string`, 'an ISO 3166-1 alpha-2 code like "US"');
  }
  return parseJurisdiction(field, value);
}

/** The canonical Digital Link of a GS1 party (417) or location (414) id, or `undefined` for anything else. */
export function canonicalPartyId(id: string): string | undefined {
  const canonical = toCanonicalIdentifier(id.trim());
  return /^https:\/\/id\.gs1\.org\/(417\/\d{13}|414\/\d{13}(\/254\/[^/]+)?)$/.test(canonical) ? canonical : undefined;
}

/** `canonicalPartyId` of a mapping entry, refusing a Digital Link with a wrong check digit as an error of `field`. */
function partyIdAt(field: string, id: string): string | undefined {
  requireCheckDigits(id.trim(), field);
  return canonicalPartyId(id);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseSigner(field: string, value: unknown): SignerSpec {
  if (!isObject(value)) throw new InputError(field, `${describeValue(value)} is not an object`, SIGNER_EXPECTED);
  const keys = Object.keys(value);
  if (keys.length !== 1 || !["account", "privateKeyEnv"].includes(keys[0])) {
    throw new InputError(field, `has the fields ${describeValue(keys.join(", "))}`, SIGNER_EXPECTED);
  }
  if ("account" in value) {
    const account = value.account;
    if (typeof account !== "number" || !Number.isSafeInteger(account) || account < 0) {
      throw new InputError(
        `${field}.account`,
        `${describeValue(account)} is not an account index`,
        "a whole number ≥ 0",
      );
    }
    return { account };
  }
  const name = value.privateKeyEnv;
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new InputError(
      `${field}.privateKeyEnv`,
      `${describeValue(name)} is not a variable name`,
      "a name like T12_KEY",
    );
  }
  return { privateKeyEnv: name };
}

/** Validates a parsed mapping; every error names its field, prefixed by `source` (e.g. the file's path). */
export function parseMapping(value: unknown, source = "mapping"): PartyMapping {
  if (!isObject(value)) throw new InputError(source, `${describeValue(value)} is not an object`, MAPPING_SHAPE);
  for (const key of Object.keys(value)) {
    if (!["parties", "signers", "defaults"].includes(key)) {
      throw new InputError(`${source}: ${key}`, "is not a mapping field", MAPPING_SHAPE);
    }
  }
  if (!isObject(value.parties)) {
    throw new InputError(`${source}: parties`, `${describeValue(value.parties)} is not an object`, MAPPING_SHAPE);
  }
  const parties = new Map<string, string>();
  for (const [id, address] of Object.entries(value.parties)) {
    const field = `${source}: parties[${JSON.stringify(id)}]`;
    const canonical = partyIdAt(field, id);
    if (canonical === undefined) throw new InputError(field, `${describeValue(id)} is not a party id`, PARTY_EXPECTED);
    if (typeof address !== "string") {
      throw new InputError(field, `${describeValue(address)} is not a string`, "the party's account address");
    }
    const account = parseAddress(field, address);
    const previous = parties.get(canonical);
    if (previous !== undefined && previous !== account) {
      throw new InputError(field, `names the party ${canonical} again, with another account`, "one account per party");
    }
    parties.set(canonical, account);
  }

  const signers = new Map<string, SignerSpec>();
  if (value.signers !== undefined) {
    if (!isObject(value.signers)) {
      throw new InputError(`${source}: signers`, `${describeValue(value.signers)} is not an object`, MAPPING_SHAPE);
    }
    // One account written twice (checksummed and in lower case) must not let the last entry win unseen.
    const written = new Map<string, string>();
    for (const [address, spec] of Object.entries(value.signers)) {
      const field = `${source}: signers[${JSON.stringify(address)}]`;
      const account = parseAddress(field, address);
      const earlier = written.get(account);
      if (earlier !== undefined) {
        throw new InputError(
          field,
          `names the account ${account} again, after signers[${JSON.stringify(earlier)}]`,
          "one signer per account",
        );
      }
      written.set(account, address);
      signers.set(account, parseSigner(field, spec));
    }
  }

  const defaults: ItemAttributes = {};
  let defaultParty: string | undefined;
  if (value.defaults !== undefined) {
    const given = value.defaults;
    const field = `${source}: defaults`;
    if (!isObject(given)) throw new InputError(field, `${describeValue(given)} is not an object`, MAPPING_SHAPE);
    for (const key of Object.keys(given)) {
      if (!["party", "origin", "productClass", "exportClass"].includes(key)) {
        throw new InputError(`${field}.${key}`, "is not a default", "party, origin, productClass or exportClass");
      }
    }
    if (given.party !== undefined) {
      const id = typeof given.party === "string" ? partyIdAt(`${field}.party`, given.party) : undefined;
      if (id === undefined) {
        throw new InputError(`${field}.party`, `${describeValue(given.party)} is not a party id`, PARTY_EXPECTED);
      }
      if (lookupParty(parties, id) === undefined) {
        throw new InputError(`${field}.party`, `${describeValue(given.party)} is not in parties`, "a mapped party");
      }
      defaultParty = id;
    }
    if (given.origin !== undefined) defaults.origin = parseOrigin(`${field}.origin`, given.origin);
    if (given.productClass !== undefined) {
      defaults.productClass = parseProductClass(`${field}.productClass`, given.productClass);
    }
    if (given.exportClass !== undefined)
      defaults.exportClass = parseExportClass(`${field}.exportClass`, given.exportClass);
  }
  return { parties, signers, defaults, ...(defaultParty === undefined ? {} : { defaultParty }) };
}

/** Reads and validates a mapping file. */
export function readMappingFile(path: string, field = "--mapping"): PartyMapping {
  return parseMapping(readJsonFile(field, path, "a JSON party mapping file"), path);
}

function lookupParty(parties: ReadonlyMap<string, string>, canonical: string): string | undefined {
  const exact = parties.get(canonical);
  if (exact !== undefined) return exact;
  const extension = /^(.*\/414\/\d{13})\/254\/[^/]+$/.exec(canonical);
  return extension === null ? undefined : parties.get(extension[1]);
}

/**
 * The account acting for a GS1 party or location id as written in a document (EPC URI or Digital Link),
 * or `undefined` when the mapping does not list it.
 */
export function accountOfParty(mapping: PartyMapping, id: string): string | undefined {
  const canonical = canonicalPartyId(id);
  return canonical === undefined ? undefined : lookupParty(mapping.parties, canonical);
}

/** Every account the mapping names, each once. */
export function mappedAccounts(mapping: PartyMapping): string[] {
  return [...new Set(mapping.parties.values())];
}
