/**
 * The EPCIS event hash ID of GS1 CBV 2.0, section 8.9: a canonical pre-hash string built from an
 * event's content, hashed with SHA-256 and written as `ni:///sha-256;<hex>?ver=CBV2.0` (RFC 6920).
 * Two serialisations of the same event (JSON or JSON-LD, any key order, any list order, URN or
 * Digital Link identifiers, bare or full vocabulary) give the same hash ID.
 */
import { createHash } from "node:crypto";

import { cbvUrnToWebUri, expandCbvValue, expandCurie, expandGs1VocValue, hasUriScheme, prefixMapOf } from "./cbv";
import type { CbvVocabulary } from "./cbv";
import { toCanonicalIdentifier } from "./digitalLink";
import { isJsonObject } from "./epcisTypes";
import type { EpcisDocument, EpcisEvent, JsonLdContext, JsonObject, JsonValue, PrefixMap } from "./epcisTypes";

export const HASH_ID_PREFIX = "ni:///sha-256;";
export const HASH_ID_SUFFIX = "?ver=CBV2.0";

/** Sorts by Unicode code point, which is the UTF-8 byte order the standard asks for. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const sorted = (values: string[]): string[] => [...values].sort(compareCodePoints);

// ---------------------------------------------------------------------------------------------
// Value normalisation
// ---------------------------------------------------------------------------------------------

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * A date-time in UTC with exactly three decimals and `Z`: `2020-03-04T11:00:30.14159+01:00` ->
 * `2020-03-04T10:00:30.142Z`. Fractions beyond milliseconds round half up. A time without an
 * offset is read as UTC. A value that is not an ISO 8601 date-time comes back trimmed but unchanged.
 */
export function normaliseTimestamp(value: string): string {
  const text = value.trim();
  const match = DATE_TIME.exec(text);
  if (!match) return text;
  const [, year, month, day, hour, minute, second, fraction = "", zone = "Z"] = match;
  const digits = fraction.padEnd(4, "0");
  const roundUp = Number(digits[3]) >= 5 ? 1 : 0;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(digits.slice(0, 3)) + roundUp);
  if (zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    date.setTime(date.getTime() - sign * offsetMinutes * 60_000);
  }
  if (Number.isNaN(date.getTime())) return text;
  return date.toISOString();
}

/** A decimal written without exponent and without trailing zeros: `1.50` -> `1.5`, `2.0` -> `2`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponent) return text;
  const [, sign, lead, rest = "", power] = exponent;
  const digits = lead + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`.replace(/0+$/, "");
  return sign + digits.padEnd(point, "0");
}

/** A decimal inside a string loses trailing fractional zeros (`"23.0"` -> `"23"`); leading zeros stay. */
function trimNumericString(value: string): string {
  const match = /^([+-]?)(\d*)\.(\d*)$/.exec(value);
  if (!match || match[2] + match[3] === "") return value;
  const [, sign, whole, fraction] = match;
  const kept = fraction.replace(/0+$/, "");
  const integer = whole === "" ? "0" : whole;
  return `${sign === "-" ? "-" : ""}${integer}${kept === "" ? "" : `.${kept}`}`;
}

/** The canonical text of a scalar: CURIEs expanded, CBV URNs as web URIs, identifiers as Digital Links. */
function canonicalScalar(value: JsonValue | undefined, prefixes: PrefixMap): string | undefined {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  return toCanonicalIdentifier(cbvUrnToWebUri(expandCurie(trimNumericString(text), prefixes)));
}

/** A CBV vocabulary field: bare values expand to the CBV web URI, anything else as `canonicalScalar`. */
function vocabularyScalar(value: JsonValue | undefined, vocabulary: CbvVocabulary, prefixes: PrefixMap) {
  if (typeof value === "string" && value.trim() !== "" && !hasUriScheme(value.trim())) {
    return expandCbvValue(value.trim(), vocabulary);
  }
  return canonicalScalar(value, prefixes);
}

/** A GS1 web vocabulary field (sensor types, alert types, components). */
function gs1VocScalar(value: JsonValue | undefined, prefixes: PrefixMap): string | undefined {
  if (typeof value === "string" && value.trim() !== "" && !hasUriScheme(value.trim())) {
    return expandGs1VocValue(value.trim());
  }
  return canonicalScalar(value, prefixes);
}

function timeScalar(value: JsonValue | undefined): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return normaliseTimestamp(value);
}

function plainScalar(value: JsonValue | undefined): string | undefined {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return trimNumericString(value.trim());
}

// ---------------------------------------------------------------------------------------------
// Pieces of the pre-hash string
// ---------------------------------------------------------------------------------------------

type ScalarRule = (value: JsonValue | undefined, prefixes: PrefixMap) => string | undefined;

const canonical: ScalarRule = canonicalScalar;
const time: ScalarRule = (value) => timeScalar(value);
const plain: ScalarRule = (value) => plainScalar(value);
const vocabulary =
  (name: CbvVocabulary): ScalarRule =>
  (value, prefixes) =>
    vocabularyScalar(value, name, prefixes);
const gs1Voc: ScalarRule = gs1VocScalar;

const keyValue = (key: string, value: string | undefined): string => (value === undefined ? "" : `${key}=${value}`);

/** Ordered `key=value` pairs of an object's known fields. */
function orderedFields(object: JsonObject, rules: ReadonlyArray<readonly [string, ScalarRule]>, prefixes: PrefixMap) {
  return rules.map(([key, rule]) => keyValue(key, rule(object[key], prefixes))).join("");
}

/** Expands an extension key to `{namespace}localName`; `undefined` for a term no context defines. */
function expandKey(key: string, prefixes: PrefixMap): string | undefined {
  if (/^https?:\/\//i.test(key) || key.startsWith("urn:")) {
    const cut = Math.max(
      key.lastIndexOf("#"),
      key.lastIndexOf("/"),
      key.startsWith("urn:") ? key.lastIndexOf(":") : -1,
    );
    return `{${key.slice(0, cut + 1)}}${key.slice(cut + 1)}`;
  }
  const colon = key.indexOf(":");
  if (colon <= 0) return undefined;
  const namespace = prefixes.get(key.slice(0, colon));
  return namespace === undefined ? undefined : `{${namespace}}${key.slice(colon + 1)}`;
}

/**
 * The pre-hash pieces of one user extension (or ILMD) element: `{ns}name=value` for a value,
 * `{ns}name` followed by its sorted children for a nested element, one piece per entry of an array.
 */
function extensionPieces(expandedKey: string, value: JsonValue, prefixes: PrefixMap): string[] {
  if (Array.isArray(value)) return value.flatMap((entry) => extensionPieces(expandedKey, entry, prefixes));
  if (isJsonObject(value)) {
    if ("@value" in value) return extensionPieces(expandedKey, value["@value"], prefixes);
    return [expandedKey + extensionsOf(value, new Set(), prefixes)];
  }
  const localName = expandedKey.slice(expandedKey.lastIndexOf("}") + 1).toLowerCase();
  const isTime = localName.includes("time") && !localName.includes("offset") && typeof value === "string";
  const text = isTime && DATE_TIME.test(value.trim()) ? normaliseTimestamp(value) : canonicalScalar(value, prefixes);
  return [text === undefined ? expandedKey : `${expandedKey}=${text}`];
}

/** All extension elements of an object (keys not in `known`), as one sorted string. */
function extensionsOf(object: JsonObject, known: ReadonlySet<string>, prefixes: PrefixMap): string {
  const pieces: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (known.has(key) || key.startsWith("@")) continue;
    // JSON-LD drops keys that no context defines; so does the hash.
    const expanded = expandKey(key, prefixes);
    if (expanded !== undefined) pieces.push(...extensionPieces(expanded, value, prefixes));
  }
  return sorted(pieces).join("");
}

const asList = (value: JsonValue | undefined): JsonValue[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

const asObjects = (value: JsonValue | undefined): JsonObject[] => asList(value).filter(isJsonObject);

/** `name` followed by its sorted, non-empty entries; nothing when there are none. */
function listPiece(name: string, entries: string[]): string {
  const present = entries.filter((entry) => entry !== "");
  return present.length === 0 ? "" : name + sorted(present).join("");
}

function epcListPiece(name: string, value: JsonValue | undefined, prefixes: PrefixMap): string {
  return listPiece(
    name,
    asList(value).map((epc) => keyValue("epc", canonicalScalar(epc, prefixes))),
  );
}

const QUANTITY_FIELDS = [
  ["epcClass", canonical],
  ["quantity", plain],
  ["uom", plain],
] as const;

function quantityListPiece(name: string, value: JsonValue | undefined, prefixes: PrefixMap): string {
  const known = new Set(QUANTITY_FIELDS.map(([key]) => key));
  return listPiece(
    name,
    asObjects(value).map((element) => {
      const body = orderedFields(element, QUANTITY_FIELDS, prefixes) + extensionsOf(element, known, prefixes);
      return body === "" ? "" : `quantityElement${body}`;
    }),
  );
}

/** bizTransaction, source, destination: the type comes first, then the identifier. */
function typedListPiece(
  name: string,
  valueKey: string,
  typeVocabulary: CbvVocabulary,
  value: JsonValue | undefined,
  prefixes: PrefixMap,
) {
  const known = new Set(["type", valueKey]);
  return listPiece(
    name,
    asObjects(value).map(
      (entry) =>
        keyValue("type", vocabularyScalar(entry.type, typeVocabulary, prefixes)) +
        keyValue(valueKey, canonicalScalar(entry[valueKey], prefixes)) +
        extensionsOf(entry, known, prefixes),
    ),
  );
}

function persistentDispositionPiece(value: JsonValue | undefined, prefixes: PrefixMap): string {
  if (!isJsonObject(value)) return "";
  const entries = (key: string): string =>
    sorted(asList(value[key]).map((entry) => keyValue(key, vocabularyScalar(entry, "Disp", prefixes)))).join("");
  const body = entries("set") + entries("unset");
  return body === "" ? "" : `persistentDisposition${body}`;
}

/** readPoint, bizLocation: `id`, then the location's own extension elements. */
function locationPiece(name: string, value: JsonValue | undefined, prefixes: PrefixMap): string {
  if (!isJsonObject(value)) return "";
  const body = keyValue("id", canonicalScalar(value.id, prefixes)) + extensionsOf(value, new Set(["id"]), prefixes);
  return body === "" ? "" : name + body;
}

const SENSOR_METADATA_FIELDS = [
  ["time", time],
  ["startTime", time],
  ["endTime", time],
  ["deviceID", canonical],
  ["deviceMetadata", canonical],
  ["rawData", canonical],
  ["dataProcessingMethod", canonical],
  ["bizRules", canonical],
] as const;

const SENSOR_REPORT_FIELDS = [
  ["type", gs1Voc],
  ["exception", gs1Voc],
  ["deviceID", canonical],
  ["deviceMetadata", canonical],
  ["rawData", canonical],
  ["dataProcessingMethod", canonical],
  ["time", time],
  ["microorganism", canonical],
  ["chemicalSubstance", canonical],
  ["value", plain],
  ["component", gs1Voc],
  ["stringValue", canonical],
  ["booleanValue", plain],
  ["hexBinaryValue", plain],
  ["uriValue", canonical],
  ["minValue", plain],
  ["maxValue", plain],
  ["meanValue", plain],
  ["sDev", plain],
  ["percRank", plain],
  ["percValue", plain],
  ["uom", plain],
  ["coordinateReferenceSystem", canonical],
] as const;

function sensorElementPiece(element: JsonObject, prefixes: PrefixMap): string {
  let metadata = "";
  if (isJsonObject(element.sensorMetadata)) {
    const known = new Set(SENSOR_METADATA_FIELDS.map(([key]) => key));
    const body =
      orderedFields(element.sensorMetadata, SENSOR_METADATA_FIELDS, prefixes) +
      extensionsOf(element.sensorMetadata, known, prefixes);
    metadata = body === "" ? "" : `sensorMetadata${body}`;
  }
  const reportKnown = new Set(SENSOR_REPORT_FIELDS.map(([key]) => key));
  const reports = asObjects(element.sensorReport).map((report) => {
    const body = orderedFields(report, SENSOR_REPORT_FIELDS, prefixes) + extensionsOf(report, reportKnown, prefixes);
    return body === "" ? "" : `sensorReport${body}`;
  });
  const body =
    metadata +
    sorted(reports.filter((report) => report !== "")).join("") +
    extensionsOf(element, new Set(["sensorMetadata", "sensorReport"]), prefixes);
  return body === "" ? "" : `sensorElement${body}`;
}

function ilmdPiece(value: JsonValue | undefined, prefixes: PrefixMap): string {
  if (!isJsonObject(value)) return "";
  const body = extensionsOf(value, new Set(), prefixes);
  return body === "" ? "" : `ilmd${body}`;
}

// Event fields the hash leaves out: identity and bookkeeping of a capture, not of the event. An
// error declaration leaves the hash unchanged so that the declaration event keeps the hash ID of
// the event it corrects (EPCIS 2.0 section 7.4.1.4); comments are not event content.
const EXCLUDED_FIELDS = ["type", "eventID", "recordTime", "errorDeclaration", "rdfs:comment", "comment"];

const EPC_LISTS = ["epcList", "inputEPCList", "childEPCs", "outputEPCList"];
const QUANTITY_LISTS = ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"];

const STANDARD_FIELDS: ReadonlySet<string> = new Set([
  ...EXCLUDED_FIELDS,
  ...EPC_LISTS,
  ...QUANTITY_LISTS,
  "eventTime",
  "eventTimeZoneOffset",
  "certificationInfo",
  "parentID",
  "action",
  "transformationID",
  "bizStep",
  "disposition",
  "persistentDisposition",
  "readPoint",
  "bizLocation",
  "bizTransactionList",
  "sourceList",
  "destinationList",
  "sensorElementList",
  "ilmd",
]);

/**
 * The pre-hash string of one event (CBV 2.0 section 8.9.2). `context` is the `@context` of the
 * document the event came from; an `@context` on the event itself is added to it.
 */
export function eventPreHash(event: EpcisEvent, context?: JsonLdContext): string {
  const prefixes = prefixMapOf(context, event["@context"]);
  const scalar = (key: string, rule: ScalarRule): string => keyValue(key, rule(event[key], prefixes));
  const pieces = [
    keyValue("eventType", plainScalar(event.type)),
    scalar("eventTime", time),
    scalar("eventTimeZoneOffset", plain),
    // certificationInfo (EPCIS 2.0) has no place in the CBV 2.0 table; the reference vectors put it
    // right after eventTimeZoneOffset.
    sorted(
      asList(event.certificationInfo).map((value) => keyValue("certificationInfo", canonicalScalar(value, prefixes))),
    ).join(""),
    epcListPiece("epcList", event.epcList, prefixes),
    scalar("parentID", canonical),
    epcListPiece("inputEPCList", event.inputEPCList, prefixes),
    epcListPiece("childEPCs", event.childEPCs, prefixes),
    quantityListPiece("quantityList", event.quantityList, prefixes),
    quantityListPiece("childQuantityList", event.childQuantityList, prefixes),
    quantityListPiece("inputQuantityList", event.inputQuantityList, prefixes),
    epcListPiece("outputEPCList", event.outputEPCList, prefixes),
    quantityListPiece("outputQuantityList", event.outputQuantityList, prefixes),
    scalar("action", plain),
    scalar("transformationID", canonical),
    scalar("bizStep", vocabulary("BizStep")),
    scalar("disposition", vocabulary("Disp")),
    persistentDispositionPiece(event.persistentDisposition, prefixes),
    locationPiece("readPoint", event.readPoint, prefixes),
    locationPiece("bizLocation", event.bizLocation, prefixes),
    typedListPiece("bizTransactionList", "bizTransaction", "BTT", event.bizTransactionList, prefixes),
    // The CBV 2.0 table lists sourceList before destinationList; every reference vector with both
    // puts destinationList first, and the vectors are what other implementations check against.
    typedListPiece("destinationList", "destination", "SDT", event.destinationList, prefixes),
    typedListPiece("sourceList", "source", "SDT", event.sourceList, prefixes),
    listPiece(
      "sensorElementList",
      asObjects(event.sensorElementList).map((element) => sensorElementPiece(element, prefixes)),
    ),
    ilmdPiece(event.ilmd, prefixes),
    extensionsOf(event, STANDARD_FIELDS, prefixes),
  ];
  return pieces.join("");
}

/** `ni:///sha-256;<hex>?ver=CBV2.0` of a pre-hash string. */
export function preHashToHashId(preHash: string): string {
  return HASH_ID_PREFIX + createHash("sha256").update(preHash, "utf8").digest("hex") + HASH_ID_SUFFIX;
}

/** The CBV 2.0 event hash ID of one event. */
export function eventHashId(event: EpcisEvent, context?: JsonLdContext): string {
  return preHashToHashId(eventPreHash(event, context));
}

/** The raw SHA-256 digest of an event's pre-hash string as a 0x-prefixed `bytes32`, for anchoring on chain. */
export function eventHashBytes32(event: EpcisEvent, context?: JsonLdContext): string {
  return hashIdToBytes32(eventHashId(event, context));
}

/** `ni:///sha-256;<hex>?ver=CBV2.0` -> `0x<hex>`; throws on anything else. */
export function hashIdToBytes32(hashId: string): string {
  const match = /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV\d+\.\d+(?:\.\d+)?$/.exec(hashId);
  if (!match)
    throw new Error(`hashId: expected ni:///sha-256;<64 lowercase hex>?ver=CBV<major>.<minor>, got "${hashId}"`);
  return `0x${match[1]}`;
}

/** The events of an EPCIS capture document or query document, in document order. */
export function documentEvents(document: EpcisDocument): EpcisEvent[] {
  const body = document.epcisBody;
  if (!isJsonObject(body)) return [];
  if (Array.isArray(body.eventList)) return body.eventList.filter(isJsonObject);
  const results = body.queryResults;
  if (isJsonObject(results) && isJsonObject(results.resultsBody) && Array.isArray(results.resultsBody.eventList)) {
    return results.resultsBody.eventList.filter(isJsonObject);
  }
  return [];
}

/** The pre-hash strings of all events of a document, in document order. */
export function eventPreHashes(document: EpcisDocument): string[] {
  return documentEvents(document).map((event) => eventPreHash(event, document["@context"]));
}

/** The CBV 2.0 event hash IDs of all events of a document, in document order. */
export function eventHashIds(document: EpcisDocument): string[] {
  return eventPreHashes(document).map(preHashToHashId);
}
