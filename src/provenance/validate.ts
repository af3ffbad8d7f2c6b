/**
 * Validation of EPCIS 2.0 JSON / JSON-LD documents: the GS1 EPCIS 2.0 JSON Schema, then the rules of
 * the EPCIS 2.0 and CBV 2.0 standards that the schema does not express.
 */
import Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

import { InputError } from "../sdk/errors";
import { expandCurie, hasUriScheme, isCbvTerm, prefixMapOf } from "./cbv";
import type { CbvVocabulary } from "./cbv";
import { requireCheckDigits } from "./digitalLink";
import { isJsonObject } from "./epcisTypes";
import type { JsonLdContext, JsonObject, JsonValue, PrefixMap } from "./epcisTypes";
import epcisSchema from "./schema/EPCIS-JSON-Schema.json";

export interface EpcisValidationError {
  /** Position of the failing event in the document's event list, when the error is about an event. */
  eventIndex?: number;
  /** The failing event's `eventID`, when it has one. */
  eventId?: string;
  /** JSON pointer to the failing value within the document (`""` for the document itself). */
  path: string;
  message: string;
}

export type EpcisValidationResult = { valid: true } | { valid: false; errors: EpcisValidationError[] };

const EVENT_TYPES_WITH_ACTION = new Set(["ObjectEvent", "AggregationEvent", "TransactionEvent", "AssociationEvent"]);
const ACTIONS = new Set(["ADD", "OBSERVE", "DELETE"]);
const EVENTS_WITHOUT_PERSISTENT_DISPOSITION = ["AggregationEvent", "TransactionEvent", "AssociationEvent"];

/**
 * The published schema (gs1/EPCIS 2b888bef) forgets `persistentDisposition` on AggregationEvent,
 * TransactionEvent and AssociationEvent, although EPCIS 2.0 section 7.3.4 gives it to every event
 * type; allow it there as on ObjectEvent. The schema file itself stays as GS1 publishes it.
 */
function correctedSchema(): JsonObject {
  const schema = structuredClone(epcisSchema) as unknown as JsonObject;
  const definitions = schema.definitions;
  if (!isJsonObject(definitions)) return schema;
  for (const eventType of EVENTS_WITHOUT_PERSISTENT_DISPOSITION) {
    const definition = definitions[eventType];
    if (!isJsonObject(definition) || !Array.isArray(definition.allOf)) continue;
    for (const part of definition.allOf) {
      if (!isJsonObject(part) || !isJsonObject(part.properties)) continue;
      part.properties.persistentDisposition = { $ref: "#/definitions/persistentDisposition" };
      const names = isJsonObject(part.propertyNames) ? part.propertyNames.anyOf : undefined;
      for (const option of Array.isArray(names) ? names : []) {
        if (isJsonObject(option) && Array.isArray(option.enum) && option.enum.includes("bizStep")) {
          option.enum.push("persistentDisposition");
        }
      }
    }
  }
  return schema;
}

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled === undefined) {
    // The schema declares draft-07, which is Ajv's default dialect. It uses no unknown keywords but
    // leaves some types implicit, hence strict mode off.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(correctedSchema());
  }
  return compiled;
}

const escapePointer = (segment: string | number): string => String(segment).replace(/~/g, "~0").replace(/\//g, "~1");

/** The event list of a capture or query document, and the JSON pointer it sits at. */
function eventListOf(document: JsonObject): { pointer: string; events: JsonValue[] } | undefined {
  const body = document.epcisBody;
  if (!isJsonObject(body)) return undefined;
  if (Array.isArray(body.eventList)) return { pointer: "/epcisBody/eventList", events: body.eventList };
  const results = body.queryResults;
  if (isJsonObject(results) && isJsonObject(results.resultsBody) && Array.isArray(results.resultsBody.eventList)) {
    return { pointer: "/epcisBody/queryResults/resultsBody/eventList", events: results.resultsBody.eventList };
  }
  return undefined;
}

/** Labels an error with the event it belongs to, from its JSON pointer. */
function locate(document: JsonObject, path: string, message: string): EpcisValidationError {
  const list = eventListOf(document);
  if (list !== undefined && path.startsWith(`${list.pointer}/`)) {
    const eventIndex = Number(path.slice(list.pointer.length + 1).split("/")[0]);
    const event = list.events[eventIndex];
    const eventId = isJsonObject(event) && typeof event.eventID === "string" ? event.eventID : undefined;
    const label = `event ${eventIndex}${eventId === undefined ? "" : ` (${eventId})`}`;
    return { eventIndex, ...(eventId === undefined ? {} : { eventId }), path, message: `${label}: ${message}` };
  }
  return { path, message: `document: ${message}` };
}

function describeSchemaError(error: ErrorObject): { path: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required" && typeof params.missingProperty === "string") {
    const path = `${error.instancePath}/${escapePointer(params.missingProperty)}`;
    return { path, message: `${path} is required` };
  }
  if (error.keyword === "propertyNames" && typeof params.propertyName === "string") {
    const path = `${error.instancePath}/${escapePointer(params.propertyName)}`;
    return { path, message: `${path} is not allowed here` };
  }
  const path = error.instancePath;
  const allowed = Array.isArray(params.allowedValues) ? ` (${params.allowedValues.join(", ")})` : "";
  return { path, message: `${path === "" ? "document" : path} ${error.message ?? "is invalid"}${allowed}` };
}

// Combinator errors (`if`, `anyOf`, `oneOf`) repeat what their branches already said.
const NOISE_KEYWORDS = new Set(["if", "anyOf", "oneOf", "allOf", "not"]);

function schemaErrors(document: JsonValue): Array<{ path: string; message: string }> {
  const validate = schemaValidator();
  if (validate(document)) return [];
  const all = validate.errors ?? [];
  // `anyOf` branches that each require properties mean "one of these sets": say so once.
  const branchPattern = /^(.*?\/anyOf)\/(\d+)\/(?:allOf\/\d+\/)?required$/;
  const alternatives = new Map<string, Map<string, string[]>>();
  for (const error of all) {
    const branch = branchPattern.exec(error.schemaPath);
    const missing = (error.params as Record<string, unknown>).missingProperty;
    if (error.keyword !== "required" || !branch || typeof missing !== "string") continue;
    const key = `${error.instancePath}#${branch[1]}`;
    const branches = alternatives.get(key) ?? new Map<string, string[]>();
    branches.set(branch[2], [...(branches.get(branch[2]) ?? []), missing]);
    alternatives.set(key, branches);
  }
  const described: Array<{ path: string; message: string }> = [];
  for (const [key, branches] of alternatives) {
    const instancePath = key.slice(0, key.indexOf("#"));
    const options = [...branches.values()];
    const path = `${instancePath}/${escapePointer(options[0][0])}`;
    const wanted = options.map((names) => names.join(" and ")).join(", or ");
    const owner = instancePath === "" ? "the document" : instancePath;
    described.push({ path, message: `${path} is missing: ${owner} must have ${wanted}` });
  }
  const errors = all.filter(
    (error) =>
      !NOISE_KEYWORDS.has(error.keyword) && !(error.keyword === "required" && branchPattern.test(error.schemaPath)),
  );
  described.push(...(errors.length > 0 || described.length > 0 ? errors : all).map(describeSchemaError));
  const seen = new Set<string>();
  return described.filter((error) => !seen.has(error.message) && seen.add(error.message) !== undefined);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** True for an offset of `hours` and `minutes` between -14:00 and +14:00, the range EPCIS allows. */
function isOffsetInRange(hours: number, minutes: number): boolean {
  return minutes <= 59 && hours * 60 + minutes <= 14 * 60;
}

/**
 * True for an xsd:dateTime with a timezone that names a real instant (no 30 February, no hour 25), with an offset
 * within the range `eventTimeZoneOffset` allows.
 */
export function isDateTimeWithZone(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = match.map(Number);
  // setUTCFullYear, not Date.UTC, which reads years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const realTime = hour <= 23 && minute <= 59 && second <= 59;
  const realOffset = match[8] === "Z" || isOffsetInRange(offsetHours, offsetMinutes);
  return realDay && realTime && realOffset;
}

/** True for an EPCIS time zone offset `±hh:mm` between -14:00 and +14:00. */
export function isTimeZoneOffset(value: string): boolean {
  const match = /^[+-](\d{2}):(\d{2})$/.exec(value);
  return match !== null && isOffsetInRange(Number(match[1]), Number(match[2]));
}

const VOCABULARY_NAMES: Readonly<Record<CbvVocabulary, string>> = {
  BizStep: "business step",
  Disp: "disposition",
  BTT: "business transaction type",
  SDT: "source/destination type",
  ER: "error reason",
};

/** The rules of EPCIS 2.0 / CBV 2.0 that the JSON Schema cannot state, for one event. */
function eventRuleErrors(event: JsonObject, pointer: string): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  const fail = (path: string, message: string): void => {
    errors.push({ path: `${pointer}${path}`, message: `${pointer}${path} ${message}` });
  };
  const type = typeof event.type === "string" ? event.type : "";

  for (const key of ["eventTime", "recordTime"]) {
    const value = event[key];
    if (value === undefined) {
      if (key === "eventTime") fail(`/${key}`, "is required");
      continue;
    }
    if (typeof value !== "string" || !isDateTimeWithZone(value)) {
      fail(`/${key}`, "must be a date-time with a timezone, like 2020-03-04T11:00:30.000+01:00");
    }
  }
  const offset = event.eventTimeZoneOffset;
  if (offset === undefined) fail("/eventTimeZoneOffset", "is required");
  else if (typeof offset !== "string" || !isTimeZoneOffset(offset)) {
    fail("/eventTimeZoneOffset", "must be a time zone offset ±hh:mm between -14:00 and +14:00");
  }
  if (EVENT_TYPES_WITH_ACTION.has(type)) {
    if (event.action === undefined) fail("/action", "is required");
    else if (typeof event.action !== "string" || !ACTIONS.has(event.action))
      fail("/action", "must be ADD, OBSERVE or DELETE");
  }

  const checkVocabulary = (path: string, value: JsonValue | undefined, vocabulary: CbvVocabulary): void => {
    if (value === undefined) return;
    if (typeof value !== "string" || (!hasUriScheme(value) && !isCbvTerm(value, vocabulary))) {
      fail(path, `must be a CBV 2.0 ${VOCABULARY_NAMES[vocabulary]} or a URI, got ${JSON.stringify(value)}`);
    }
  };
  checkVocabulary("/bizStep", event.bizStep, "BizStep");
  checkVocabulary("/disposition", event.disposition, "Disp");
  if (isJsonObject(event.persistentDisposition)) {
    for (const key of ["set", "unset"]) {
      const values = event.persistentDisposition[key];
      (Array.isArray(values) ? values : []).forEach((value, i) =>
        checkVocabulary(`/persistentDisposition/${key}/${i}`, value, "Disp"),
      );
    }
  }
  const checkTypedList = (list: string, vocabulary: CbvVocabulary): void => {
    const entries = event[list];
    (Array.isArray(entries) ? entries : []).forEach((entry, i) => {
      if (isJsonObject(entry)) checkVocabulary(`/${list}/${i}/type`, entry.type, vocabulary);
    });
  };
  checkTypedList("bizTransactionList", "BTT");
  checkTypedList("sourceList", "SDT");
  checkTypedList("destinationList", "SDT");
  if (isJsonObject(event.errorDeclaration)) {
    checkVocabulary("/errorDeclaration/reason", event.errorDeclaration.reason, "ER");
    const declared = event.errorDeclaration.declarationTime;
    if (typeof declared !== "string" || !isDateTimeWithZone(declared)) {
      fail("/errorDeclaration/declarationTime", "must be a date-time with a timezone");
    }
  }

  return errors;
}

/**
 * Problems of single values anywhere in the document, which the schema does not see: a number that JSON cannot
 * hold (Infinity or NaN, as `JSON.parse("1e400")` gives), and a GS1 Digital Link whose key has a wrong check
 * digit, which would otherwise name an item of its own; a compact IRI (`dl:414/...`) is expanded with the
 * prefixes in scope first, as the event hash does.
 */
function valueErrors(
  value: JsonValue,
  pointer: string,
  contexts: readonly JsonLdContext[],
  prefixes: PrefixMap = prefixMapOf(...contexts),
): Array<{ path: string; message: string }> {
  if (typeof value === "number") {
    return Number.isFinite(value) ? [] : [{ path: pointer, message: `${pointer} is ${value}, not a finite number` }];
  }
  if (typeof value === "string") {
    try {
      requireCheckDigits(expandCurie(value.trim(), prefixes));
      return [];
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return [{ path: pointer, message: `${pointer}: ${error.problem}; expected ${error.expected}` }];
    }
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => valueErrors(item, `${pointer}/${index}`, contexts, prefixes));
  }
  if (isJsonObject(value)) {
    // An object's own @context applies on top of the ones around it, to everything it holds.
    const own = value["@context"];
    const inScope = own === undefined ? contexts : [...contexts, own];
    const scopePrefixes = own === undefined ? prefixes : prefixMapOf(...inScope);
    return Object.entries(value).flatMap(([key, item]) =>
      key === "@context" ? [] : valueErrors(item, `${pointer}/${escapePointer(key)}`, inScope, scopePrefixes),
    );
  }
  return [];
}

const DOCUMENT_TYPES = ["EPCISDocument", "EPCISQueryDocument"];

/**
 * The document-level shape: a `type` of EPCISDocument or EPCISQueryDocument, an `@context` and an `epcisBody`.
 * Without a document type the schema would check the value as a bare event and report event fields; only the
 * document-level problems are reported then.
 */
function documentShapeErrors(document: JsonObject): Array<{ path: string; message: string }> {
  const type = document.type;
  if (typeof type === "string" && DOCUMENT_TYPES.includes(type)) return [];
  const wanted = 'an EPCIS document has type "EPCISDocument" or "EPCISQueryDocument"';
  const errors = [
    type === undefined
      ? { path: "/type", message: `/type is required: ${wanted}` }
      : { path: "/type", message: `/type is ${JSON.stringify(type)}: ${wanted}` },
  ];
  for (const key of ["@context", "epcisBody"]) {
    if (document[key] === undefined) errors.push({ path: `/${key}`, message: `/${key} is required` });
  }
  return errors;
}

/**
 * Validates an EPCIS 2.0 document (already parsed from JSON) against the GS1 EPCIS 2.0 JSON Schema
 * and the standard's further rules. Every error names the failing event (index and eventID) and
 * field (JSON pointer).
 */
export function validateEpcisDocument(document: JsonValue): EpcisValidationResult {
  if (!isJsonObject(document)) {
    return { valid: false, errors: [{ path: "", message: "document: must be a JSON object" }] };
  }
  const shape = documentShapeErrors(document);
  if (shape.length > 0) {
    return {
      valid: false,
      errors: shape.map((error) => ({ path: error.path, message: `document: ${error.message}` })),
    };
  }
  // Rule errors first: where both speak about one field, the rule's message is the more precise.
  const found: Array<{ path: string; message: string }> = [];
  const list = eventListOf(document);
  list?.events.forEach((event, index) => {
    if (isJsonObject(event)) found.push(...eventRuleErrors(event, `${list.pointer}/${index}`));
  });
  found.push(...valueErrors(document, "", []));
  found.push(...schemaErrors(document));
  const seen = new Set<string>();
  const errors = found
    .filter((error) => !seen.has(error.path) && seen.add(error.path) !== undefined)
    .map((error) => locate(document, error.path, error.message));
  return errors.length === 0 ? { valid: true } : { valid: false, errors };
}
