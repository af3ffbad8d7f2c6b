import { isJsonObject } from "./epcisTypes";
import type { JsonLdContext, PrefixMap } from "./epcisTypes";

/** Base of the CBV 2.0 web vocabulary. */
export const CBV_WEB_BASE = "https://ref.gs1.org/cbv/";
/** Base of the GS1 web vocabulary used for sensor measurement types, alert types and components. */
export const GS1_VOC_BASE = "https://gs1.org/voc/";

/** CBV 2.0 section 7.1: business steps. */
export const CBV_BIZ_STEPS: ReadonlySet<string> = new Set([
  "accepting",
  "arriving",
  "assembling",
  "collecting",
  "commissioning",
  "consigning",
  "creating_class_instance",
  "cycle_counting",
  "decommissioning",
  "departing",
  "destroying",
  "disassembling",
  "dispensing",
  "encoding",
  "entering_exiting",
  "holding",
  "inspecting",
  "installing",
  "killing",
  "loading",
  "other",
  "packing",
  "picking",
  "receiving",
  "removing",
  "repackaging",
  "repairing",
  "replacing",
  "reserving",
  "retail_selling",
  "sampling",
  "sensor_reporting",
  "shipping",
  "staging_outbound",
  "stock_taking",
  "stocking",
  "storing",
  "transporting",
  "unloading",
  "unpacking",
  "void_shipping",
]);

/** CBV 2.0 section 7.2: dispositions. */
export const CBV_DISPOSITIONS: ReadonlySet<string> = new Set([
  "active",
  "available",
  "completeness_inferred",
  "completeness_verified",
  "conformant",
  "container_closed",
  "container_open",
  "damaged",
  "destroyed",
  "dispensed",
  "disposed",
  "encoded",
  "expired",
  "in_progress",
  "in_transit",
  "inactive",
  "mismatch_class",
  "mismatch_instance",
  "mismatch_quantity",
  "needs_replacement",
  "no_pedigree_match",
  "non_conformant",
  "non_sellable_other",
  "partially_dispensed",
  "recalled",
  "reserved",
  "retail_sold",
  "returned",
  "sellable_accessible",
  "sellable_not_accessible",
  "stolen",
  "unavailable",
  "unknown",
]);

/** CBV 2.0 section 7.3: business transaction types. */
export const CBV_BIZ_TRANSACTION_TYPES: ReadonlySet<string> = new Set([
  "bol",
  "cert",
  "desadv",
  "inv",
  "pedigree",
  "po",
  "poc",
  "prodorder",
  "recadv",
  "rma",
  "testprd",
  "testres",
  "upevt",
]);

/** CBV 2.0 section 7.4: source / destination types. */
export const CBV_SOURCE_DEST_TYPES: ReadonlySet<string> = new Set(["location", "owning_party", "possessing_party"]);

/** CBV 2.0 section 7.5: error reasons. */
export const CBV_ERROR_REASONS: ReadonlySet<string> = new Set(["did_not_occur", "incorrect_data"]);

/** The CBV vocabularies whose bare values a JSON event may use, with their web URI term prefix. */
export type CbvVocabulary = "BizStep" | "Disp" | "BTT" | "SDT" | "ER";

export const CBV_VOCABULARY_TERMS: Readonly<Record<CbvVocabulary, ReadonlySet<string>>> = {
  BizStep: CBV_BIZ_STEPS,
  Disp: CBV_DISPOSITIONS,
  BTT: CBV_BIZ_TRANSACTION_TYPES,
  SDT: CBV_SOURCE_DEST_TYPES,
  ER: CBV_ERROR_REASONS,
};

// CBV 1.x URN vocabularies and the web URI term prefix each maps to (CBV 2.0 section 8.9, rule on
// `urn:epcglobal:cbv` values). `urn:epcglobal:cbv:bt:` and `urn:epcglobal:cbv:mda:` are identifiers
// and attribute namespaces, not vocabulary terms, and stay as they are.
const CBV_URN_PREFIXES: ReadonlyArray<readonly [string, CbvVocabulary]> = [
  ["urn:epcglobal:cbv:bizstep:", "BizStep"],
  ["urn:epcglobal:cbv:disp:", "Disp"],
  ["urn:epcglobal:cbv:btt:", "BTT"],
  ["urn:epcglobal:cbv:sdt:", "SDT"],
  ["urn:epcglobal:cbv:er:", "ER"],
];

/** True when the value has the form `scheme:...` (RFC 3986), i.e. is not a bare vocabulary word. */
export function hasUriScheme(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
}

/** `urn:epcglobal:cbv:bizstep:receiving` -> `https://ref.gs1.org/cbv/BizStep-receiving`; other values unchanged. */
export function cbvUrnToWebUri(value: string): string {
  for (const [urnPrefix, term] of CBV_URN_PREFIXES) {
    if (value.startsWith(urnPrefix) && value.length > urnPrefix.length) {
      return `${CBV_WEB_BASE}${term}-${value.slice(urnPrefix.length)}`;
    }
  }
  return value;
}

/** A bare CBV value (`shipping`) -> its web URI (`https://ref.gs1.org/cbv/BizStep-shipping`); URIs unchanged. */
export function expandCbvValue(value: string, vocabulary: CbvVocabulary): string {
  if (hasUriScheme(value)) return cbvUrnToWebUri(value);
  return `${CBV_WEB_BASE}${vocabulary}-${value}`;
}

/** A bare GS1 web vocabulary value (`Temperature`) -> `https://gs1.org/voc/Temperature`; URIs unchanged. */
export function expandGs1VocValue(value: string): string {
  return hasUriScheme(value) ? value : `${GS1_VOC_BASE}${value}`;
}

/** True when a bare value is a term of the given CBV 2.0 vocabulary. */
export function isCbvTerm(value: string, vocabulary: CbvVocabulary): boolean {
  return CBV_VOCABULARY_TERMS[vocabulary].has(value);
}

// Prefixes that the standard EPCIS 2.0 JSON-LD context (epcis-context.jsonld) defines. The context is
// not fetched: these are the ones that EPCIS documents use in practice.
const STANDARD_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["epcis", "https://ref.gs1.org/epcis/"],
  ["cbv", CBV_WEB_BASE],
  ["gs1", GS1_VOC_BASE],
  ["cbvmda", "urn:epcglobal:cbv:mda:"],
  ["rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
  ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"],
  ["owl", "http://www.w3.org/2002/07/owl#"],
  ["xsd", "http://www.w3.org/2001/XMLSchema#"],
  ["dcterms", "http://purl.org/dc/terms/"],
  ["sh", "http://www.w3.org/ns/shacl#"],
  ["schema", "http://schema.org/"],
];

/**
 * Collects the CURIE prefixes of one or more JSON-LD `@context` values, later contexts overriding
 * earlier ones, on top of the prefixes of the standard EPCIS 2.0 context. Remote context IRIs are
 * not fetched.
 */
export function prefixMapOf(...contexts: JsonLdContext[]): PrefixMap {
  const prefixes = new Map<string, string>(STANDARD_PREFIXES);
  const visit = (context: JsonLdContext): void => {
    if (Array.isArray(context)) {
      for (const entry of context) visit(entry);
      return;
    }
    if (!isJsonObject(context)) return;
    for (const [term, definition] of Object.entries(context)) {
      if (term.startsWith("@")) continue;
      if (typeof definition === "string") prefixes.set(term, definition);
      else if (isJsonObject(definition) && typeof definition["@id"] === "string") prefixes.set(term, definition["@id"]);
    }
  };
  for (const context of contexts) visit(context);
  return prefixes;
}

/** `gs1:Temperature` -> `https://gs1.org/voc/Temperature` when the prefix is known; anything else unchanged. */
export function expandCurie(value: string, prefixes: PrefixMap): string {
  const colon = value.indexOf(":");
  if (colon <= 0) return value;
  const prefix = value.slice(0, colon);
  const suffix = value.slice(colon + 1);
  // `https://...` is an absolute IRI, never a compact one.
  if (suffix.startsWith("//")) return value;
  const namespace = prefixes.get(prefix);
  return namespace === undefined ? value : namespace + suffix;
}
