/**
 * The IVMS101 travel-rule payload (interVASP Messaging Standard 101, 2020 edition) that a payment at
 * or above the travel-rule threshold commits to on chain by its hash.
 *
 * `validateIvms101` checks an outside JSON value against the IVMS101 data model plus the ledger's
 * own rules (every legal person identified by a valid LEI, account numbers always present) and
 * returns a typed copy; `travelRuleHash` is the sha-256 of that copy's canonical JSON, so two banks
 * holding the same payload compute the same hash whatever key order or whitespace their files have.
 */
import { sha256, toUtf8Bytes } from "ethers";

import { describeValue, InputError } from "./errors";
import { isCountryCode, parseLei } from "./inputs";

export type NaturalPersonNameTypeCode = "ALIA" | "BIRT" | "MAID" | "LEGL" | "MISC";
export type LegalPersonNameTypeCode = "LEGL" | "SHRT" | "TRAD";
export type AddressTypeCode = "HOME" | "BIZZ" | "GEOG";
export type NationalIdentifierTypeCode =
  "ARNU" | "CCPT" | "RAID" | "DRLC" | "FIIN" | "TXID" | "SOCS" | "IDCD" | "LEIX" | "MISC";

const NATURAL_NAME_TYPES: readonly NaturalPersonNameTypeCode[] = ["ALIA", "BIRT", "MAID", "LEGL", "MISC"];
const LEGAL_NAME_TYPES: readonly LegalPersonNameTypeCode[] = ["LEGL", "SHRT", "TRAD"];
const ADDRESS_TYPES: readonly AddressTypeCode[] = ["HOME", "BIZZ", "GEOG"];
const NATIONAL_ID_TYPES: readonly NationalIdentifierTypeCode[] = [
  "ARNU",
  "CCPT",
  "RAID",
  "DRLC",
  "FIIN",
  "TXID",
  "SOCS",
  "IDCD",
  "LEIX",
  "MISC",
];

export interface NaturalPersonNameId {
  /** Family name, or the full name when it cannot be split. */
  primaryIdentifier: string;
  /** Given names. */
  secondaryIdentifier?: string;
  nameIdentifierType: NaturalPersonNameTypeCode;
}

export interface NaturalPersonName {
  nameIdentifier: NaturalPersonNameId[];
  /** The same name in local script. */
  localNameIdentifier?: NaturalPersonNameId[];
  phoneticNameIdentifier?: NaturalPersonNameId[];
}

export interface LegalPersonNameId {
  legalPersonName: string;
  legalPersonNameIdentifierType: LegalPersonNameTypeCode;
}

export interface LegalPersonName {
  nameIdentifier: LegalPersonNameId[];
  localNameIdentifier?: LegalPersonNameId[];
  phoneticNameIdentifier?: LegalPersonNameId[];
}

export interface Address {
  addressType: AddressTypeCode;
  department?: string;
  subDepartment?: string;
  streetName?: string;
  buildingNumber?: string;
  buildingName?: string;
  floor?: string;
  postBox?: string;
  room?: string;
  postCode?: string;
  townName: string;
  townLocationName?: string;
  districtName?: string;
  countrySubDivision?: string;
  addressLine?: string[];
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface NationalIdentification {
  nationalIdentifier: string;
  nationalIdentifierType: NationalIdentifierTypeCode;
  /** ISO 3166-1 alpha-2; natural persons only. */
  countryOfIssue?: string;
  /** GLEIF registration authority code, "RA" and six digits. */
  registrationAuthority?: string;
}

export interface DateAndPlaceOfBirth {
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  placeOfBirth: string;
}

export interface NaturalPerson {
  name: NaturalPersonName;
  geographicAddress?: Address[];
  nationalIdentification?: NationalIdentification;
  customerIdentification?: string;
  dateAndPlaceOfBirth?: DateAndPlaceOfBirth;
  /** ISO 3166-1 alpha-2. */
  countryOfResidence?: string;
}

export interface LegalPerson {
  name: LegalPersonName;
  geographicAddress?: Address[];
  customerNumber?: string;
  /** Required on this ledger, and always an LEI (`nationalIdentifierType` "LEIX"). */
  nationalIdentification: NationalIdentification;
  /** ISO 3166-1 alpha-2. */
  countryOfRegistration?: string;
}

export type Person = { naturalPerson: NaturalPerson } | { legalPerson: LegalPerson };

export interface Originator {
  originatorPersons: Person[];
  accountNumber: string[];
}

export interface Beneficiary {
  beneficiaryPersons: Person[];
  accountNumber: string[];
}

export interface OriginatingVasp {
  originatingVASP: Person;
}

export interface BeneficiaryVasp {
  beneficiaryVASP: Person;
}

export interface Ivms101Payload {
  originator: Originator;
  beneficiary: Beneficiary;
  originatingVASP?: OriginatingVasp;
  beneficiaryVASP?: BeneficiaryVasp;
}

// ---------------------------------------------------------------------------------------------
// Field readers: each names the JSON path of what it rejects.

type Fields = Record<string, unknown>;

function record(path: string, value: unknown, allowed: readonly string[]): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(path, `${describeValue(value)} is not an object`, `an object with ${allowed.join(", ")}`);
  }
  const fields = value as Fields;
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      throw new InputError(`${path}.${key}`, "is not an IVMS101 field here", `only ${allowed.join(", ")}`);
    }
  }
  return fields;
}

function present(fields: Fields, key: string): boolean {
  return fields[key] !== undefined;
}

/**
 * Code points refused in text: controls, and characters that do not show or that reorder what is shown, so that
 * two names that look alike cannot hash apart; and lone surrogates, which have no UTF-8 form, so that another
 * bank's encoder cannot hash one payload differently. The zero-width non-joiner and joiner (U+200C, U+200D)
 * stay allowed: Persian and several Indic scripts need them to spell names correctly.
 */
const REFUSED_CODE_POINTS: ReadonlyArray<readonly [first: number, last: number, kind: string]> = [
  [0x0000, 0x001f, "a control character"],
  [0x007f, 0x009f, "a control character"],
  [0x00ad, 0x00ad, "a soft hyphen, which does not show"],
  [0x061c, 0x061c, "a bidirectional formatting character"],
  [0xd800, 0xdfff, "a lone surrogate, which UTF-8 cannot encode"],
  [0x200b, 0x200b, "a zero-width character"],
  [0x200e, 0x200f, "a bidirectional formatting character"],
  [0x2060, 0x2064, "an invisible character"],
  [0xfeff, 0xfeff, "a zero-width character"],
  [0x2028, 0x2029, "a line or paragraph separator"],
  [0x202a, 0x202e, "a bidirectional formatting character"],
  [0x2066, 0x2069, "a bidirectional formatting character"],
];

/** The first refused code point of `value`, described, or `undefined` when there is none. */
function refusedCodePoint(value: string): string | undefined {
  let position = 0;
  // Iterating a string yields whole code points: a surrogate pair is one, a lone surrogate stays alone.
  for (const char of value) {
    position += 1;
    const codePoint = char.codePointAt(0) ?? 0;
    const refused = REFUSED_CODE_POINTS.find(([first, last]) => codePoint >= first && codePoint <= last);
    if (refused !== undefined) {
      const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
      return `${name} (${refused[2]}) at character ${position}`;
    }
  }
  return undefined;
}

function text(path: string, value: unknown, max: number): string {
  const expected = `text of 1 to ${max} characters`;
  if (typeof value !== "string") throw new InputError(path, `${describeValue(value)} is not a string`, expected);
  if (value.trim() === "") throw new InputError(path, value === "" ? "is empty" : "is only whitespace", expected);
  // The value itself is not shown: a bidirectional override in it would garble the message.
  const refused = refusedCodePoint(value);
  if (refused !== undefined) throw new InputError(path, `contains ${refused}`, expected);
  const shown = describeValue(value);
  if (value.trim() !== value) throw new InputError(path, `${shown} has surrounding whitespace`, expected);
  // Names arrive from many systems; one Unicode form keeps equal names hashing equal.
  if (value.normalize("NFC") !== value) throw new InputError(path, `${shown} is not in Unicode NFC form`, expected);
  const length = [...value].length;
  if (length > max) throw new InputError(path, `${shown} is ${length} characters, over ${max}`, expected);
  return value;
}

function optionalText(path: string, fields: Fields, key: string, max: number): { [key: string]: string } {
  return present(fields, key) ? { [key]: text(`${path}.${key}`, fields[key], max) } : {};
}

function list(path: string, value: unknown, min: number, max = Infinity): unknown[] {
  const expected = max === Infinity ? `an array of at least ${min}` : `an array of ${min} to ${max}`;
  if (!Array.isArray(value)) throw new InputError(path, `${describeValue(value)} is not an array`, expected);
  if (value.length < min) throw new InputError(path, value.length === 0 ? "is empty" : "is too short", expected);
  if (value.length > max) throw new InputError(path, `has ${value.length} entries`, expected);
  return value;
}

function code<T extends string>(path: string, value: unknown, codes: readonly T[]): T {
  const found = codes.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new InputError(path, `${describeValue(value)} is not a known code`, `one of ${codes.join(", ")}`);
  }
  return found;
}

function country(path: string, value: unknown): string {
  const expected = 'an ISO 3166-1 alpha-2 country code like "US"';
  if (typeof value !== "string" || !/^[A-Z]{2}$/.test(value)) {
    throw new InputError(path, `${describeValue(value)} is not two upper-case letters`, expected);
  }
  if (!isCountryCode(value)) {
    throw new InputError(path, `${describeValue(value)} is not an assigned ISO 3166-1 code`, expected);
  }
  return value;
}

function optionalCountry(path: string, fields: Fields, key: string): { [key: string]: string } {
  return present(fields, key) ? { [key]: country(`${path}.${key}`, fields[key]) } : {};
}

function isRealDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const parsed = new Date(0);
  parsed.setUTCFullYear(year, month - 1, day);
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

// ---------------------------------------------------------------------------------------------
// IVMS101 elements

function naturalNameId(path: string, value: unknown): NaturalPersonNameId {
  const fields = record(path, value, ["primaryIdentifier", "secondaryIdentifier", "nameIdentifierType"]);
  return {
    primaryIdentifier: text(`${path}.primaryIdentifier`, fields.primaryIdentifier, 100),
    ...optionalText(path, fields, "secondaryIdentifier", 100),
    nameIdentifierType: code(`${path}.nameIdentifierType`, fields.nameIdentifierType, NATURAL_NAME_TYPES),
  };
}

function legalNameId(path: string, value: unknown): LegalPersonNameId {
  const fields = record(path, value, ["legalPersonName", "legalPersonNameIdentifierType"]);
  return {
    legalPersonName: text(`${path}.legalPersonName`, fields.legalPersonName, 100),
    legalPersonNameIdentifierType: code(
      `${path}.legalPersonNameIdentifierType`,
      fields.legalPersonNameIdentifierType,
      LEGAL_NAME_TYPES,
    ),
  };
}

/** A name: `nameIdentifier` (1..n, one of them the legal name) plus optional local and phonetic forms. */
function personName<T>(
  path: string,
  value: unknown,
  readId: (path: string, value: unknown) => T,
  isLegal: (id: T) => boolean,
): { nameIdentifier: T[]; localNameIdentifier?: T[]; phoneticNameIdentifier?: T[] } {
  const fields = record(path, value, ["nameIdentifier", "localNameIdentifier", "phoneticNameIdentifier"]);
  const ids = (key: string, min: number): T[] =>
    list(`${path}.${key}`, fields[key], min).map((entry, index) => readId(`${path}.${key}[${index}]`, entry));
  const nameIdentifier = ids("nameIdentifier", 1);
  if (!nameIdentifier.some(isLegal)) {
    throw new InputError(`${path}.nameIdentifier`, "has no legal name", 'at least one name of type "LEGL"');
  }
  return {
    nameIdentifier,
    ...(present(fields, "localNameIdentifier") ? { localNameIdentifier: ids("localNameIdentifier", 1) } : {}),
    ...(present(fields, "phoneticNameIdentifier") ? { phoneticNameIdentifier: ids("phoneticNameIdentifier", 1) } : {}),
  };
}

/** Maximum lengths of the optional address texts (IVMS101 MaxNText types). */
const ADDRESS_TEXTS: Readonly<Record<string, number>> = {
  department: 50,
  subDepartment: 70,
  streetName: 70,
  buildingNumber: 16,
  buildingName: 35,
  floor: 70,
  postBox: 16,
  room: 70,
  postCode: 16,
  townLocationName: 35,
  districtName: 35,
  countrySubDivision: 35,
};

function address(path: string, value: unknown): Address {
  const optional = Object.keys(ADDRESS_TEXTS);
  const fields = record(path, value, ["addressType", ...optional, "townName", "addressLine", "country"]);
  const result: Address = {
    addressType: code(`${path}.addressType`, fields.addressType, ADDRESS_TYPES),
    townName: text(`${path}.townName`, fields.townName, 35),
    country: country(`${path}.country`, fields.country),
  };
  for (const key of optional) Object.assign(result, optionalText(path, fields, key, ADDRESS_TEXTS[key]));
  if (present(fields, "addressLine")) {
    result.addressLine = list(`${path}.addressLine`, fields.addressLine, 1, 7).map((line, index) =>
      text(`${path}.addressLine[${index}]`, line, 70),
    );
  }
  // IVMS101 constraint C8: a free-form address line, or a street with a building name or number.
  if (
    result.addressLine === undefined &&
    (result.streetName === undefined || (result.buildingName ?? result.buildingNumber) === undefined)
  ) {
    throw new InputError(
      path,
      "has neither addressLine nor streetName with buildingName or buildingNumber",
      "a locatable address",
    );
  }
  return result;
}

function addresses(path: string, fields: Fields): { geographicAddress?: Address[] } {
  if (!present(fields, "geographicAddress")) return {};
  const entries = list(`${path}.geographicAddress`, fields.geographicAddress, 1);
  return { geographicAddress: entries.map((entry, index) => address(`${path}.geographicAddress[${index}]`, entry)) };
}

function nationalIdentification(path: string, value: unknown, legal: boolean): NationalIdentification {
  const fields = record(path, value, [
    "nationalIdentifier",
    "nationalIdentifierType",
    "countryOfIssue",
    "registrationAuthority",
  ]);
  const typePath = `${path}.nationalIdentifierType`;
  const type = code(typePath, fields.nationalIdentifierType, NATIONAL_ID_TYPES);
  if (legal && type !== "LEIX") {
    throw new InputError(
      typePath,
      `${describeValue(type)} is not an LEI`,
      '"LEIX" (legal persons are identified by LEI)',
    );
  }
  const idPath = `${path}.nationalIdentifier`;
  const identifier = text(idPath, fields.nationalIdentifier, 35);
  if (type === "LEIX") parseLei(idPath, identifier);
  // IVMS101 constraint C9: a legal person's identifier carries no country of issue.
  if (legal && present(fields, "countryOfIssue")) {
    throw new InputError(
      `${path}.countryOfIssue`,
      "is set for a legal person",
      "no countryOfIssue (use countryOfRegistration)",
    );
  }
  const result: NationalIdentification = {
    nationalIdentifier: identifier,
    nationalIdentifierType: type,
    ...optionalCountry(path, fields, "countryOfIssue"),
  };
  if (present(fields, "registrationAuthority")) {
    const raPath = `${path}.registrationAuthority`;
    const authority = fields.registrationAuthority;
    if (typeof authority !== "string" || !/^RA[0-9]{6}$/.test(authority)) {
      throw new InputError(
        raPath,
        `${describeValue(authority)} is not a GLEIF RA code`,
        '"RA" and six digits like "RA000665"',
      );
    }
    // IVMS101 constraint C10: an LEI names its own registration authority (GLEIF), so none may be given with it.
    if (type === "LEIX") {
      throw new InputError(
        raPath,
        "is set for an LEI (nationalIdentifierType LEIX)",
        "no registrationAuthority with an LEI",
      );
    }
    result.registrationAuthority = authority;
  }
  return result;
}

/** Options of {@link validateIvms101}. */
export interface Ivms101Options {
  /** The current time in unix milliseconds, for the date of birth check; `Date.now()` by default. */
  now?: number;
}

function naturalPerson(path: string, value: unknown, now: number): NaturalPerson {
  const fields = record(path, value, [
    "name",
    "geographicAddress",
    "nationalIdentification",
    "customerIdentification",
    "dateAndPlaceOfBirth",
    "countryOfResidence",
  ]);
  const result: NaturalPerson = {
    name: personName(`${path}.name`, fields.name, naturalNameId, (id) => id.nameIdentifierType === "LEGL"),
    ...addresses(path, fields),
    ...optionalText(path, fields, "customerIdentification", 50),
    ...optionalCountry(path, fields, "countryOfResidence"),
  };
  if (present(fields, "nationalIdentification")) {
    result.nationalIdentification = nationalIdentification(
      `${path}.nationalIdentification`,
      fields.nationalIdentification,
      false,
    );
  }
  if (present(fields, "dateAndPlaceOfBirth")) {
    const birthPath = `${path}.dateAndPlaceOfBirth`;
    const birth = record(birthPath, fields.dateAndPlaceOfBirth, ["dateOfBirth", "placeOfBirth"]);
    const date = text(`${birthPath}.dateOfBirth`, birth.dateOfBirth, 10);
    if (!isRealDate(date)) {
      throw new InputError(
        `${birthPath}.dateOfBirth`,
        `${describeValue(date)} is not a calendar date`,
        'a date like "1984-07-21"',
      );
    }
    // IVMS101 constraint C2: a date of birth is a date before the current date.
    const today = new Date(now).toISOString().slice(0, 10);
    if (date >= today) {
      throw new InputError(
        `${birthPath}.dateOfBirth`,
        `${describeValue(date)} is not before the current date ${today}`,
        "a date of birth in the past",
      );
    }
    result.dateAndPlaceOfBirth = {
      dateOfBirth: date,
      placeOfBirth: text(`${birthPath}.placeOfBirth`, birth.placeOfBirth, 70),
    };
  }
  return result;
}

function legalPerson(path: string, value: unknown): LegalPerson {
  const fields = record(path, value, [
    "name",
    "geographicAddress",
    "customerNumber",
    "nationalIdentification",
    "countryOfRegistration",
  ]);
  const name = personName(
    `${path}.name`,
    fields.name,
    legalNameId,
    (id) => id.legalPersonNameIdentifierType === "LEGL",
  );
  const located = addresses(path, fields);
  const customerNumber = optionalText(path, fields, "customerNumber", 50);
  const idPath = `${path}.nationalIdentification`;
  if (!present(fields, "nationalIdentification")) {
    throw new InputError(
      idPath,
      "is missing",
      'an LEI: { "nationalIdentifier": "<LEI>", "nationalIdentifierType": "LEIX" }',
    );
  }
  return {
    name,
    ...located,
    ...customerNumber,
    nationalIdentification: nationalIdentification(idPath, fields.nationalIdentification, true),
    ...optionalCountry(path, fields, "countryOfRegistration"),
  };
}

function person(path: string, value: unknown, now: number, originator = false): Person {
  const fields = record(path, value, ["naturalPerson", "legalPerson"]);
  const natural = present(fields, "naturalPerson");
  if (natural === present(fields, "legalPerson")) {
    throw new InputError(
      path,
      natural ? "has both naturalPerson and legalPerson" : "has neither naturalPerson nor legalPerson",
      "exactly one of naturalPerson or legalPerson",
    );
  }
  if (!natural) return { legalPerson: legalPerson(`${path}.legalPerson`, fields.legalPerson) };
  const found = naturalPerson(`${path}.naturalPerson`, fields.naturalPerson, now);
  // IVMS101 constraint C1: a natural-person originator comes with an address, a customer identification, a
  // national identification, or a date and place of birth.
  if (
    originator &&
    found.geographicAddress === undefined &&
    found.customerIdentification === undefined &&
    found.nationalIdentification === undefined &&
    found.dateAndPlaceOfBirth === undefined
  ) {
    throw new InputError(
      `${path}.naturalPerson`,
      "is an originator with no geographicAddress, customerIdentification, nationalIdentification or dateAndPlaceOfBirth",
      "at least one of them for a natural-person originator",
    );
  }
  return { naturalPerson: found };
}

function persons(path: string, value: unknown, now: number, originator = false): Person[] {
  return list(path, value, 1).map((entry, index) => person(`${path}[${index}]`, entry, now, originator));
}

function accountNumbers(path: string, value: unknown): string[] {
  return list(path, value, 1).map((entry, index) => text(`${path}[${index}]`, entry, 100));
}

/**
 * Validates an outside JSON value as an IVMS101 payload and returns a typed copy of it. Throws an
 * InputError naming the JSON path (from `root`, default `$`) of the first bad field. Fields
 * outside the IVMS101 model are refused rather than dropped, so the hash covers everything sent.
 */
export function validateIvms101(payload: unknown, root = "$", options: Ivms101Options = {}): Ivms101Payload {
  const now = options.now ?? Date.now();
  const top = record(root, payload, ["originator", "beneficiary", "originatingVASP", "beneficiaryVASP"]);
  const originatorPath = `${root}.originator`;
  const originator = record(originatorPath, top.originator, ["originatorPersons", "accountNumber"]);
  const beneficiaryPath = `${root}.beneficiary`;
  const beneficiary = record(beneficiaryPath, top.beneficiary, ["beneficiaryPersons", "accountNumber"]);
  const result: Ivms101Payload = {
    originator: {
      originatorPersons: persons(`${originatorPath}.originatorPersons`, originator.originatorPersons, now, true),
      accountNumber: accountNumbers(`${originatorPath}.accountNumber`, originator.accountNumber),
    },
    beneficiary: {
      beneficiaryPersons: persons(`${beneficiaryPath}.beneficiaryPersons`, beneficiary.beneficiaryPersons, now),
      accountNumber: accountNumbers(`${beneficiaryPath}.accountNumber`, beneficiary.accountNumber),
    },
  };
  if (present(top, "originatingVASP")) {
    const path = `${root}.originatingVASP`;
    const vasp = record(path, top.originatingVASP, ["originatingVASP"]);
    result.originatingVASP = { originatingVASP: person(`${path}.originatingVASP`, vasp.originatingVASP, now) };
  }
  if (present(top, "beneficiaryVASP")) {
    const path = `${root}.beneficiaryVASP`;
    const vasp = record(path, top.beneficiaryVASP, ["beneficiaryVASP"]);
    result.beneficiaryVASP = { beneficiaryVASP: person(`${path}.beneficiaryVASP`, vasp.beneficiaryVASP, now) };
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON and the travel-rule hash

const JSON_EXPECTED = "JSON data: null, booleans, finite numbers, strings, arrays and plain objects";

/** Orders strings by Unicode code point (UTF-16 order differs above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(j) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

function writeCanonical(value: unknown, path: string, open: Set<object>): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InputError(path, `${describeValue(value)} is not finite`, JSON_EXPECTED);
    // ECMAScript's shortest round-trip form, "-0" written as "0" (as RFC 8785 does).
    return JSON.stringify(value);
  }
  if (typeof value !== "object") throw new InputError(path, `${describeValue(value)} has no JSON form`, JSON_EXPECTED);
  if (open.has(value)) throw new InputError(path, "refers back to itself", JSON_EXPECTED);
  open.add(value);
  let json: string;
  if (Array.isArray(value)) {
    const items: string[] = [];
    // An index loop, not map: map skips holes, which must be refused like undefined.
    for (let index = 0; index < value.length; index += 1)
      items.push(writeCanonical(value[index], `${path}[${index}]`, open));
    json = `[${items.join(",")}]`;
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new InputError(path, "is not a plain object", JSON_EXPECTED);
    }
    const fields = value as Record<string, unknown>;
    const members = Object.keys(fields)
      .sort(byCodePoint)
      .map((key) => `${JSON.stringify(key)}:${writeCanonical(fields[key], `${path}.${key}`, open)}`);
    json = `{${members.join(",")}}`;
  }
  open.delete(value);
  return json;
}

/**
 * Deterministic JSON: object keys sorted by code point, no whitespace, arrays in order, strings
 * escaped as JSON.stringify does, numbers in ECMAScript's shortest form. Refuses undefined (also as
 * a property value or array hole), NaN, Infinity, bigint, functions, symbols, non-plain objects and
 * cycles, naming the path (from `root`, default `$`).
 */
export function canonicalJson(value: unknown, root = "$"): string {
  return writeCanonical(value, root, new Set());
}

/**
 * The travel-rule hash committed on chain: `0x` + sha-256 hex of the canonical JSON of the
 * validated payload. Throws InputError when the payload is not valid IVMS101.
 */
export function travelRuleHash(payload: unknown): string {
  return sha256(toUtf8Bytes(canonicalJson(validateIvms101(payload))));
}
