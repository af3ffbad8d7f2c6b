/**
 * Pure validators for the values that enter the SDK from outside (task parameters, files, JSON):
 * each one takes the field name and the raw value, returns the typed value, and otherwise throws
 * an `InputError` naming the field and the expected form. Nothing here touches a chain.
 *
 * Also the conversions between the validated values and their on-chain forms (`bytes2` jurisdiction,
 * `bytes20` LEI, `bytes16` UETR, `bytes32` text, `bytes4` purpose code).
 */
import { randomUUID } from "node:crypto";
import { formatUnits, getAddress, hexlify, isAddress, parseUnits, toUtf8Bytes, ZeroAddress } from "ethers";

import { describeValue, InputError } from "./errors";

/** Decimals of the digital dollar. */
export const DOLLAR_DECIMALS = 6;

const MAX_UINT256 = (1n << 256n) - 1n;

/** Whole-dollar digits beyond which an amount is above uint256 whatever its decimals (78 digits less 6). */
const MAX_WHOLE_DIGITS = MAX_UINT256.toString().length - DOLLAR_DECIMALS;

function requireString(field: string, value: unknown, expected: string): string {
  if (typeof value !== "string") throw new InputError(field, `${describeValue(value)} is not a string`, expected);
  if (value.length === 0) throw new InputError(field, "is empty", expected);
  return value;
}

function requireNoSurroundingSpace(field: string, value: string, expected: string): void {
  if (value.trim() !== value) {
    throw new InputError(field, `${describeValue(value)} has surrounding whitespace`, expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Dollars

const DOLLARS_EXPECTED = 'a dollar amount like "1250.75"';

export interface ParseDollarsOptions {
  /** Accept "0" (e.g. a cap that may be zero); default false. */
  allowZero?: boolean;
}

/**
 * Parses a decimal dollar string ("1250.75", "10", "0.000001") into 6-decimal base units.
 * Rejects signs, exponents, separators, surrounding whitespace, more than 6 decimals, values above
 * uint256, and zero unless `allowZero`.
 */
export function parseDollars(field: string, value: string, options: ParseDollarsOptions = {}): bigint {
  const text = requireString(field, value, DOLLARS_EXPECTED);
  const shown = describeValue(text);
  requireNoSurroundingSpace(field, text, DOLLARS_EXPECTED);
  if (text.startsWith("-")) throw new InputError(field, `${shown} is negative`, DOLLARS_EXPECTED);
  if (text.startsWith("+")) throw new InputError(field, `${shown} has a leading '+'`, DOLLARS_EXPECTED);
  if (/^[0-9]*\.?[0-9]+[eE]/.test(text)) {
    throw new InputError(field, `${shown} uses exponent notation`, DOLLARS_EXPECTED);
  }
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (match === null) throw new InputError(field, `${shown} is not a decimal number`, DOLLARS_EXPECTED);
  if ((match[2] ?? "").length > DOLLAR_DECIMALS) {
    throw new InputError(field, `${shown} has more than ${DOLLAR_DECIMALS} decimals`, DOLLARS_EXPECTED);
  }
  // parseUnits throws a RangeError from about 148 digits on; refuse an amount that long first.
  if (match[1].replace(/^0+/, "").length > MAX_WHOLE_DIGITS) {
    throw new InputError(field, `${shown} is above the uint256 range`, DOLLARS_EXPECTED);
  }
  const units = parseUnits(text, DOLLAR_DECIMALS);
  if (units > MAX_UINT256) throw new InputError(field, `${shown} is above the uint256 range`, DOLLARS_EXPECTED);
  if (units === 0n && options.allowZero !== true) throw new InputError(field, `${shown} is zero`, DOLLARS_EXPECTED);
  return units;
}

/** Formats 6-decimal base units as dollars: 1250750000n -> "1250.75", 10000000n -> "10". */
export function formatDollars(units: bigint): string {
  const text = formatUnits(units, DOLLAR_DECIMALS);
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

// ---------------------------------------------------------------------------------------------
// Addresses

const ADDRESS_EXPECTED = 'a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"';

/** Parses an EVM address (all lower-case, all upper-case or correctly checksummed); returns it checksummed. */
export function parseAddress(field: string, value: string): string {
  const text = requireString(field, value, ADDRESS_EXPECTED);
  const shown = describeValue(text);
  // ethers also accepts ICAP ("XE...") and un-prefixed hex; the ledger only ever shows 0x-hex.
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) {
    throw new InputError(field, `${shown} is not 0x followed by 40 hex digits`, ADDRESS_EXPECTED);
  }
  if (!isAddress(text)) throw new InputError(field, `${shown} has a wrong EIP-55 checksum`, ADDRESS_EXPECTED);
  const address = getAddress(text);
  if (address === ZeroAddress) throw new InputError(field, `${shown} is the zero address`, ADDRESS_EXPECTED);
  return address;
}

// ---------------------------------------------------------------------------------------------
// Jurisdictions (ISO 3166-1 alpha-2)

/** The officially assigned ISO 3166-1 alpha-2 codes (249). */
const ISO_3166_ALPHA2 = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO " +
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE " +
    "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO " +
    "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW " +
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM " +
    "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

const JURISDICTION_EXPECTED = 'an ISO 3166-1 alpha-2 country code like "US"';

/** True when `code` is an assigned ISO 3166-1 alpha-2 code. */
export function isCountryCode(code: string): boolean {
  return ISO_3166_ALPHA2.has(code);
}

/**
 * Parses an ISO 3166-1 alpha-2 code (two upper-case letters, officially assigned); when `admitted`
 * is given, the code must also be one of them.
 */
export function parseJurisdiction(field: string, value: string, admitted?: readonly string[]): string {
  const text = requireString(field, value, JURISDICTION_EXPECTED);
  const shown = describeValue(text);
  if (!/^[A-Z]{2}$/.test(text)) {
    throw new InputError(field, `${shown} is not two upper-case letters`, JURISDICTION_EXPECTED);
  }
  if (!ISO_3166_ALPHA2.has(text)) {
    throw new InputError(field, `${shown} is not an assigned ISO 3166-1 code`, JURISDICTION_EXPECTED);
  }
  if (admitted !== undefined && !admitted.includes(text)) {
    throw new InputError(field, `${shown} is not an admitted jurisdiction`, `one of ${admitted.join(", ")}`);
  }
  return text;
}

/** "US" -> "0x5553" (the `bytes2` the registry keys jurisdictions by). */
export function jurisdictionToBytes2(code: string, field = "jurisdiction"): string {
  return hexlify(toUtf8Bytes(parseJurisdiction(field, code)));
}

/** "0x5553" -> "US". */
export function bytes2ToJurisdiction(hex: string, field = "jurisdiction"): string {
  const bytes = parseFixedHex(field, hex, 2);
  return parseJurisdiction(field, asciiOf(field, bytes));
}

// ---------------------------------------------------------------------------------------------
// Legal Entity Identifiers (ISO 17442)

const LEI_EXPECTED = 'a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"';

/** ISO 7064 MOD 97-10 over an upper-case alphanumeric string (letters A..Z count as 10..35). */
export function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const digits = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/** Parses an LEI: 18 upper-case alphanumerics then 2 check digits satisfying ISO 7064 MOD 97-10. */
export function parseLei(field: string, value: string): string {
  const text = requireString(field, value, LEI_EXPECTED);
  const shown = describeValue(text);
  if (text.length !== 20) throw new InputError(field, `${shown} is ${text.length} characters, not 20`, LEI_EXPECTED);
  if (!/^[A-Z0-9]{18}/.test(text)) {
    throw new InputError(field, `${shown} has characters other than A-Z and 0-9 in its first 18`, LEI_EXPECTED);
  }
  if (!/[0-9]{2}$/.test(text)) throw new InputError(field, `${shown} does not end in two check digits`, LEI_EXPECTED);
  if (mod97(text) !== 1) throw new InputError(field, `${shown} fails the ISO 7064 MOD 97-10 check`, LEI_EXPECTED);
  return text;
}

/** The two ISO 7064 MOD 97-10 check digits that complete an 18-character LEI prefix. */
export function leiCheckDigits(prefix: string): string {
  return String(98 - mod97(`${prefix}00`)).padStart(2, "0");
}

/** LEI -> its 20 ASCII bytes as 0x-hex (the registry's `bytes20`). */
export function leiToBytes20(lei: string, field = "lei"): string {
  return hexlify(toUtf8Bytes(parseLei(field, lei)));
}

/** `bytes20` hex -> LEI (validated). */
export function bytes20ToLei(hex: string, field = "lei"): string {
  return parseLei(field, asciiOf(field, parseFixedHex(field, hex, 20)));
}

// ---------------------------------------------------------------------------------------------
// UETR (UUID v4)

const UETR_EXPECTED = 'a UUID v4 UETR like "eb6305c9-1f7f-49de-aed0-16487c27b42d"';

/** Parses a UETR: a UUID version 4, RFC 4122 variant; any case in, lower case out. */
export function parseUetr(field: string, value: string): string {
  const text = requireString(field, value, UETR_EXPECTED);
  const shown = describeValue(text);
  const uuid = text.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
    throw new InputError(field, `${shown} is not a UUID (8-4-4-4-12 hex digits)`, UETR_EXPECTED);
  }
  if (uuid[14] !== "4") throw new InputError(field, `${shown} is UUID version ${uuid[14]}, not 4`, UETR_EXPECTED);
  if (!"89ab".includes(uuid[19])) {
    throw new InputError(field, `${shown} does not have the RFC 4122 variant (8, 9, a or b)`, UETR_EXPECTED);
  }
  return uuid;
}

/** UETR -> its 16 bytes as 0x-hex. */
export function uetrToBytes16(uetr: string, field = "uetr"): string {
  return `0x${parseUetr(field, uetr).replaceAll("-", "")}`;
}

/** `bytes16` hex -> UETR (validated, lower case). */
export function bytes16ToUetr(hex: string, field = "uetr"): string {
  const digits = hexlify(parseFixedHex(field, hex, 16)).slice(2);
  const uuid = [digits.slice(0, 8), digits.slice(8, 12), digits.slice(12, 16), digits.slice(16, 20), digits.slice(20)];
  return parseUetr(field, uuid.join("-"));
}

/** A fresh random UETR. */
export function newUetr(): string {
  return randomUUID();
}

// ---------------------------------------------------------------------------------------------
// Text ids (ISO 20022 Max35Text) and bytes32 text

const END_TO_END_EXPECTED = "1 to 35 printable ASCII characters without leading or trailing spaces";

/**
 * Parses an ISO 20022 end-to-end id: 1..35 characters of printable ASCII (space to tilde), not
 * starting or ending with a space.
 */
export function parseEndToEndId(field: string, value: string): string {
  const text = requireString(field, value, END_TO_END_EXPECTED);
  const shown = describeValue(text);
  if (text.length > 35) {
    throw new InputError(field, `${shown} is ${text.length} characters, over 35`, END_TO_END_EXPECTED);
  }
  if (!/^[\x20-\x7e]+$/.test(text)) {
    throw new InputError(field, `${shown} has characters outside printable ASCII`, END_TO_END_EXPECTED);
  }
  if (text.startsWith(" ") || text.endsWith(" ")) {
    throw new InputError(field, `${shown} starts or ends with a space`, END_TO_END_EXPECTED);
  }
  return text;
}

const BYTES32_TEXT_EXPECTED = "1 to 32 printable ASCII characters";

/**
 * Text -> `bytes32`: its ASCII bytes, right-padded with zero bytes.
 *
 * Only 32 characters fit, so the 33..35-character end-to-end ids that ISO 20022 allows are refused
 * here rather than cut; the caller must shorten them or choose another encoding.
 */
export function textToBytes32(text: string, field = "text"): string {
  const value = requireString(field, text, BYTES32_TEXT_EXPECTED);
  const shown = describeValue(value);
  if (!/^[\x20-\x7e]+$/.test(value)) {
    throw new InputError(field, `${shown} has characters outside printable ASCII`, BYTES32_TEXT_EXPECTED);
  }
  if (value.length > 32) {
    throw new InputError(field, `${shown} is ${value.length} characters, too long for bytes32`, BYTES32_TEXT_EXPECTED);
  }
  return hexlify(toUtf8Bytes(value)).padEnd(66, "0");
}

/** `bytes32` hex -> text (trailing zero bytes removed; other zero bytes or non-ASCII refused). */
export function bytes32ToText(hex: string, field = "text"): string {
  const bytes = parseFixedHex(field, hex, 32);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  if (end === 0) throw new InputError(field, "is all zero bytes", BYTES32_TEXT_EXPECTED);
  return asciiOf(field, bytes.subarray(0, end));
}

// ---------------------------------------------------------------------------------------------
// Purpose codes (ISO 20022 ExternalPurpose1Code)

const PURPOSE_EXPECTED = 'an ISO 20022 purpose code of four upper-case letters like "SUPP"';

/**
 * Parses a purpose code by its form (four upper-case letters). The external code list changes
 * every quarter, so membership is not checked here.
 */
export function parsePurposeCode(field: string, value: string): string {
  const text = requireString(field, value, PURPOSE_EXPECTED);
  if (!/^[A-Z]{4}$/.test(text)) {
    throw new InputError(field, `${describeValue(text)} is not four upper-case letters`, PURPOSE_EXPECTED);
  }
  return text;
}

/** "SUPP" -> "0x53555050". */
export function purposeToBytes4(code: string, field = "purpose"): string {
  return hexlify(toUtf8Bytes(parsePurposeCode(field, code)));
}

/** "0x53555050" -> "SUPP". */
export function bytes4ToPurpose(hex: string, field = "purpose"): string {
  return parsePurposeCode(field, asciiOf(field, parseFixedHex(field, hex, 4)));
}

// ---------------------------------------------------------------------------------------------
// Priority

/** Queue priority of a payment; lower settles first. */
export type Priority = 0 | 1 | 2;

/** Names of the priorities, indexed by value. */
export const PRIORITY_NAMES = ["urgent", "high", "normal"] as const;

const PRIORITY_EXPECTED = '"urgent", "high", "normal" or 0..2';

/** Parses a priority: a name (any case) or its number 0..2, given as a number or a numeric string. */
export function parsePriority(field: string, value: string | number): Priority {
  if (typeof value === "number") {
    if (value === 0 || value === 1 || value === 2) return value;
    throw new InputError(field, `${describeValue(value)} is not 0, 1 or 2`, PRIORITY_EXPECTED);
  }
  const text = requireString(field, value, PRIORITY_EXPECTED);
  if (text === "0" || text === "1" || text === "2") return Number(text) as Priority;
  const index = PRIORITY_NAMES.findIndex((name) => name === text.toLowerCase());
  if (index === -1) throw new InputError(field, `${describeValue(text)} is not a priority`, PRIORITY_EXPECTED);
  return index as Priority;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const TIMESTAMP_EXPECTED = 'an ISO 8601 time with a zone like "2025-03-31T17:00:00Z", or unix seconds';

/** Unix seconds of 9999-12-31T23:59:59Z; a larger "seconds" value is most likely milliseconds. */
const MAX_SECONDS = 253402300799n;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a time into unix seconds (fractions of a second dropped): either ISO 8601 with an explicit
 * zone (`Z` or `+hh:mm`), or non-negative unix seconds as a number or digit string.
 */
export function parseTimestamp(field: string, value: string | number): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InputError(field, `${describeValue(value)} is not a whole non-negative number`, TIMESTAMP_EXPECTED);
    }
    return checkSeconds(field, BigInt(value), describeValue(value));
  }
  const text = requireString(field, value, TIMESTAMP_EXPECTED);
  const shown = describeValue(text);
  if (/^[0-9]+$/.test(text)) return checkSeconds(field, BigInt(text), shown);
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/.exec(
    text,
  );
  if (match === null) {
    const problem = /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(text) ? "has no time zone" : "is not an ISO 8601 time";
    throw new InputError(field, `${shown} ${problem}`, TIMESTAMP_EXPECTED);
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? "0"));
  // Checked before Date.UTC, which reads years 0..99 as 1900..1999.
  if (year < 1969) throw new InputError(field, `${shown} is before 1970-01-01T00:00:00Z`, TIMESTAMP_EXPECTED);
  const zoneHours = Number(match[9] ?? "0");
  const zoneMinutes = Number(match[10] ?? "0");
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHours <= 23 &&
    zoneMinutes <= 59;
  if (!inRange) throw new InputError(field, `${shown} is not a real date and time`, TIMESTAMP_EXPECTED);
  const sign = match[8] === "-" ? -1 : 1;
  const offsetSeconds = match[7] === "Z" ? 0 : sign * (zoneHours * 3600 + zoneMinutes * 60);
  const utcSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetSeconds;
  if (utcSeconds < 0) throw new InputError(field, `${shown} is before 1970-01-01T00:00:00Z`, TIMESTAMP_EXPECTED);
  if (BigInt(utcSeconds) > MAX_SECONDS) {
    throw new InputError(field, `${shown} is after 9999-12-31T23:59:59Z`, TIMESTAMP_EXPECTED);
  }
  return BigInt(utcSeconds);
}

function checkSeconds(field: string, seconds: bigint, shown: string): bigint {
  if (seconds > MAX_SECONDS) {
    throw new InputError(field, `${shown} is after year 9999 (milliseconds given as seconds?)`, TIMESTAMP_EXPECTED);
  }
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// bytes32 and fixed-size hex

const BYTES32_EXPECTED = "0x followed by 64 hex digits";

/** Parses a 32-byte hex value (a hash, an id); returns it in lower case. */
export function parseBytes32(field: string, value: string): string {
  const text = requireString(field, value, BYTES32_EXPECTED);
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) {
    throw new InputError(field, `${describeValue(text)} is not 0x followed by 64 hex digits`, BYTES32_EXPECTED);
  }
  return text.toLowerCase();
}

function parseFixedHex(field: string, value: string, size: number): Uint8Array {
  const expected = `0x followed by ${size * 2} hex digits (bytes${size})`;
  const text = requireString(field, value, expected);
  if (!new RegExp(`^0x[0-9a-fA-F]{${size * 2}}$`).test(text)) {
    throw new InputError(field, `${describeValue(text)} is not ${size} bytes of 0x-hex`, expected);
  }
  return Uint8Array.from(Buffer.from(text.slice(2), "hex"));
}

function asciiOf(field: string, bytes: Uint8Array): string {
  if (bytes.some((byte) => byte > 0x7e || byte < 0x20)) {
    throw new InputError(
      field,
      `0x${Buffer.from(bytes).toString("hex")} is not printable ASCII`,
      "printable ASCII bytes",
    );
  }
  return Buffer.from(bytes).toString("latin1");
}
