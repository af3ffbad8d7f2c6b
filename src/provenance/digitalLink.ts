/**
 * EPC URIs (GS1 Tag Data Standard) and GS1 Digital Link URIs, reduced to the constrained canonical
 * GS1 Digital Link form that the CBV 2.0 event hash (section 8.9) asks for:
 * `https://id.gs1.org/{primary key}/{value}[/{qualifier}/{value}]`, no query string, and only the
 * finest level of identification.
 */
import { describeValue, InputError } from "../sdk/errors";

export const CANONICAL_DL_ORIGIN = "https://id.gs1.org";

/** GS1 mod-10 check digit of a string of digits (weights 3,1,3,... from the right). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * Percent-encodes a GS1 Digital Link path value. Letters, digits and `-._~` stay as they are; so
 * does the apostrophe: the reference vectors (an UPUI with `'` in its TPX) keep it unencoded although
 * the Digital Link standard lists it among the characters to encode.
 */
export function encodeDigitalLinkValue(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~']/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const isDigits = (value: string): boolean => /^\d+$/.test(value);
const isDigitsOrEmpty = (value: string): boolean => /^\d*$/.test(value);

/** Splits `a.b.c.rest.with.dots` into `count` fields; the last field takes the remainder. */
function splitFields(body: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let rest = body;
  for (let i = 0; i < count - 1; i++) {
    const dot = rest.indexOf(".");
    if (dot < 0) return undefined;
    fields.push(rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
  fields.push(rest);
  return fields;
}

/** Company prefix + reference of a fixed total length, both digits (the reference may be empty). */
function fixedKey(companyPrefix: string, reference: string, length: number): string | undefined {
  if (!isDigits(companyPrefix) || !isDigitsOrEmpty(reference)) return undefined;
  if (companyPrefix.length + reference.length !== length) return undefined;
  const key = companyPrefix + reference;
  return key + gs1CheckDigit(key);
}

/** GTIN-14 from company prefix and indicator-digit-plus-item-reference (TDS 6.3.1). */
function gtinOf(companyPrefix: string, indicatorAndItemRef: string): string | undefined {
  if (!isDigits(companyPrefix) || !isDigits(indicatorAndItemRef)) return undefined;
  if (companyPrefix.length + indicatorAndItemRef.length !== 13) return undefined;
  const body = indicatorAndItemRef[0] + companyPrefix + indicatorAndItemRef.slice(1);
  return body + gs1CheckDigit(body);
}

/** SSCC-18 from company prefix and extension-digit-plus-serial-reference (TDS 6.3.2). */
function ssccOf(companyPrefix: string, extensionAndSerialRef: string): string | undefined {
  if (!isDigits(companyPrefix) || !isDigits(extensionAndSerialRef)) return undefined;
  if (companyPrefix.length + extensionAndSerialRef.length !== 17) return undefined;
  const body = extensionAndSerialRef[0] + companyPrefix + extensionAndSerialRef.slice(1);
  return body + gs1CheckDigit(body);
}

/** Variable-length key starting with the company prefix (GIAI, GINC, CPID). */
function variableKey(companyPrefix: string, reference: string): string | undefined {
  if (!isDigits(companyPrefix)) return undefined;
  return companyPrefix + reference;
}

const dl = (...pairs: Array<readonly [string, string]>): string =>
  CANONICAL_DL_ORIGIN + pairs.map(([ai, value]) => `/${ai}/${encodeDigitalLinkValue(value)}`).join("");

function instanceToDigitalLink(scheme: string, body: string): string | undefined {
  const f = (count: number): string[] | undefined => splitFields(body, count)?.map(percentDecode);
  switch (scheme) {
    case "sgtin": {
      const [cp, itemRef, serial] = f(3) ?? [];
      const gtin = gtinOf(cp, itemRef);
      return gtin && serial !== "" ? dl(["01", gtin], ["21", serial]) : undefined;
    }
    case "sscc": {
      const [cp, serialRef] = f(2) ?? [];
      const sscc = ssccOf(cp, serialRef);
      return sscc && dl(["00", sscc]);
    }
    case "sgln": {
      const [cp, locationRef, extension] = f(3) ?? [];
      const gln = fixedKey(cp, locationRef, 12);
      if (!gln) return undefined;
      // Extension "0" is the GLN itself, without an extension component (TDS 6.3.3).
      return extension === "0" || extension === "" ? dl(["414", gln]) : dl(["414", gln], ["254", extension]);
    }
    case "grai": {
      const [cp, assetType, serial] = f(3) ?? [];
      const grai = fixedKey(cp, assetType, 12);
      return grai && dl(["8003", `0${grai}${serial}`]);
    }
    case "giai": {
      const [cp, assetRef] = f(2) ?? [];
      const giai = variableKey(cp, assetRef);
      return giai && assetRef !== "" ? dl(["8004", giai]) : undefined;
    }
    case "gsrn":
    case "gsrnp": {
      const [cp, serviceRef] = f(2) ?? [];
      const gsrn = fixedKey(cp, serviceRef, 17);
      return gsrn && dl([scheme === "gsrn" ? "8018" : "8017", gsrn]);
    }
    case "gdti": {
      const [cp, documentType, serial] = f(3) ?? [];
      const gdti = fixedKey(cp, documentType, 12);
      return gdti && dl(["253", gdti + serial]);
    }
    case "cpi": {
      const [cp, cpRef, serial] = f(3) ?? [];
      const cpid = variableKey(cp, cpRef);
      return cpid && isDigits(serial) ? dl(["8010", cpid], ["8011", serial]) : undefined;
    }
    case "sgcn": {
      const [cp, couponRef, serial] = f(3) ?? [];
      const gcn = fixedKey(cp, couponRef, 12);
      return gcn && isDigitsOrEmpty(serial) ? dl(["255", gcn + serial]) : undefined;
    }
    case "ginc": {
      const [cp, consignmentRef] = f(2) ?? [];
      const ginc = variableKey(cp, consignmentRef);
      return ginc && consignmentRef !== "" ? dl(["401", ginc]) : undefined;
    }
    case "gsin": {
      const [cp, shipperRef] = f(2) ?? [];
      const gsin = fixedKey(cp, shipperRef, 16);
      return gsin && dl(["402", gsin]);
    }
    case "itip": {
      const [cp, itemRef, piece, total, serial] = f(5) ?? [];
      const gtin = gtinOf(cp, itemRef);
      if (!gtin || !/^\d{2}$/.test(piece) || !/^\d{2}$/.test(total) || serial === "") return undefined;
      return dl(["8006", gtin + piece + total], ["21", serial]);
    }
    case "upui": {
      const [cp, itemRef, tpx] = f(3) ?? [];
      const gtin = gtinOf(cp, itemRef);
      return gtin && tpx !== "" ? dl(["01", gtin], ["235", tpx]) : undefined;
    }
    case "pgln": {
      const [cp, partyRef] = f(2) ?? [];
      const pgln = fixedKey(cp, partyRef, 12);
      return pgln && dl(["417", pgln]);
    }
    default:
      // gid, usdod, adi, bic, imovn and others have no GS1 key, hence no Digital Link form.
      return undefined;
  }
}

function classToDigitalLink(scheme: string, body: string): string | undefined {
  if (scheme !== "lgtin") return undefined;
  const [cp, itemRef, lot] = (splitFields(body, 3) ?? []).map(percentDecode);
  const gtin = gtinOf(cp, itemRef);
  return gtin && lot !== "" ? dl(["01", gtin], ["10", lot]) : undefined;
}

/** Class-level EPC patterns: every field given except a final `*` (TDS 8). */
function patternToDigitalLink(scheme: string, body: string): string | undefined {
  if (!body.endsWith(".*") || body.slice(0, -2).includes("*")) return undefined;
  const fields = body.slice(0, -2).split(".").map(percentDecode);
  const [cp, ref] = fields;
  switch (scheme) {
    case "sgtin":
    case "upui": {
      const gtin = fields.length === 2 ? gtinOf(cp, ref) : undefined;
      return gtin && dl(["01", gtin]);
    }
    case "itip": {
      const [, , piece, total] = fields;
      const gtin = fields.length === 4 ? gtinOf(cp, ref) : undefined;
      return gtin && /^\d{2}$/.test(piece) && /^\d{2}$/.test(total) ? dl(["8006", gtin + piece + total]) : undefined;
    }
    case "sgln": {
      const gln = fields.length === 2 ? fixedKey(cp, ref, 12) : undefined;
      return gln && dl(["414", gln]);
    }
    case "grai": {
      const grai = fields.length === 2 ? fixedKey(cp, ref, 12) : undefined;
      return grai && dl(["8003", `0${grai}`]);
    }
    case "gdti": {
      const gdti = fields.length === 2 ? fixedKey(cp, ref, 12) : undefined;
      return gdti && dl(["253", gdti]);
    }
    case "sgcn": {
      const gcn = fields.length === 2 ? fixedKey(cp, ref, 12) : undefined;
      return gcn && dl(["255", gcn]);
    }
    case "cpi": {
      const cpid = fields.length === 2 ? variableKey(cp, ref) : undefined;
      return cpid && dl(["8010", cpid]);
    }
    default:
      return undefined;
  }
}

/**
 * `urn:epc:id:...`, `urn:epc:class:...` or `urn:epc:idpat:...` -> canonical GS1 Digital Link URI,
 * or `undefined` when the value is not such a URI or has no Digital Link equivalent. The company
 * prefix length needs no lookup table: the EPC URI marks it with the first dot.
 */
export function epcUriToDigitalLink(uri: string): string | undefined {
  const match = /^urn:epc:(id|class|idpat):([a-z0-9]+):(.*)$/.exec(uri);
  if (!match) return undefined;
  const [, kind, scheme, body] = match;
  if (kind === "id") return instanceToDigitalLink(scheme, body);
  if (kind === "class") return classToDigitalLink(scheme, body);
  return patternToDigitalLink(scheme, body);
}

// GS1 Digital Link 1.2: primary keys this form allows, with the name and value syntax of each (after
// percent-decoding), where its GS1 check digit sits (GS1 General Specifications 3.2; a GTIN counted
// in its 14-digit form), and the key qualifiers that may follow, finest first.
interface PrimaryKey {
  readonly name: string;
  readonly value: RegExp;
  readonly checkDigitAt?: number;
  readonly qualifiers: readonly string[];
}

const PRIMARY_KEYS: Readonly<Record<string, PrimaryKey>> = {
  "00": { name: "SSCC", value: /^\d{18}$/, checkDigitAt: 17, qualifiers: [] },
  "01": { name: "GTIN", value: /^(\d{8}|\d{12,14})$/, checkDigitAt: 13, qualifiers: ["21", "235", "10", "22"] },
  "253": { name: "GDTI", value: /^\d{13}[\x21-\x7e]{0,17}$/, checkDigitAt: 12, qualifiers: [] },
  "255": { name: "GCN", value: /^\d{13,25}$/, checkDigitAt: 12, qualifiers: [] },
  "401": { name: "GINC", value: /^\d[\x21-\x7e]{0,29}$/, qualifiers: [] },
  "402": { name: "GSIN", value: /^\d{17}$/, checkDigitAt: 16, qualifiers: [] },
  "414": { name: "GLN", value: /^\d{13}$/, checkDigitAt: 12, qualifiers: ["254", "7040"] },
  "417": { name: "party GLN", value: /^\d{13}$/, checkDigitAt: 12, qualifiers: [] },
  "8003": { name: "GRAI", value: /^\d{14}[\x21-\x7e]{0,16}$/, checkDigitAt: 13, qualifiers: [] },
  "8004": { name: "GIAI", value: /^\d[\x21-\x7e]{0,29}$/, qualifiers: [] },
  "8006": { name: "ITIP", value: /^\d{18}$/, checkDigitAt: 13, qualifiers: ["21", "10", "22"] },
  "8010": { name: "CPID", value: /^\d[\x21-\x7e]{0,29}$/, qualifiers: ["8011"] },
  "8017": { name: "GSRN of a provider", value: /^\d{18}$/, checkDigitAt: 17, qualifiers: [] },
  "8018": { name: "GSRN of a recipient", value: /^\d{18}$/, checkDigitAt: 17, qualifiers: [] },
};

// Qualifiers kept in the constrained canonical form (CBV 2.0 section 8.9): the finest one only.
const KEPT_QUALIFIERS: Readonly<Record<string, readonly string[]>> = {
  "01": ["21", "235", "10"],
  "8006": ["21", "10"],
  "8010": ["8011"],
  "414": ["254"],
};

// GS1 Digital Link short names for primary keys and key qualifiers.
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: "01",
  itip: "8006",
  cpid: "8010",
  gln: "414",
  party: "417",
  gsrnp: "8017",
  gsrn: "8018",
  gcn: "255",
  sscc: "00",
  gdti: "253",
  ginc: "401",
  gsin: "402",
  grai: "8003",
  giai: "8004",
  cpv: "22",
  lot: "10",
  ser: "21",
  cpsn: "8011",
  glnx: "254",
};

const aiOf = (segment: string): string => SHORT_NAMES[segment] ?? segment;

/** A GS1 Digital Link URI's primary key and the qualifier its canonical form keeps. */
interface ParsedLink {
  ai: string;
  key: PrimaryKey;
  value: string;
  kept?: readonly [ai: string, value: string];
}

function parseDigitalLink(uri: string): ParsedLink | undefined {
  const match = /^https?:\/\/[^/?#]+((?:\/[^?#]*)?)(?:\?[^#]*)?(?:#.*)?$/i.exec(uri);
  if (!match) return undefined;
  const segments = match[1].split("/").filter((segment) => segment !== "");
  // The path may start with segments of its own before the primary key (Digital Link 1.2, 4.4).
  for (let start = 0; start + 1 < segments.length; start++) {
    const ai = aiOf(segments[start]);
    const key = PRIMARY_KEYS[ai];
    if (key === undefined || (segments.length - start) % 2 !== 0) continue;
    let value = percentDecode(segments[start + 1]);
    if (!key.value.test(value)) continue;
    if (ai === "01") value = value.padStart(14, "0");
    const qualifiers = new Map<string, string>();
    let valid = true;
    for (let i = start + 2; i < segments.length; i += 2) {
      const qualifier = aiOf(segments[i]);
      if (!key.qualifiers.includes(qualifier) || qualifiers.has(qualifier)) valid = false;
      qualifiers.set(qualifier, percentDecode(segments[i + 1]));
    }
    if (!valid) continue;
    const kept = (KEPT_QUALIFIERS[ai] ?? []).find((qualifier) => qualifiers.has(qualifier));
    return kept === undefined ? { ai, key, value } : { ai, key, value, kept: [kept, qualifiers.get(kept) ?? ""] };
  }
  return undefined;
}

/**
 * An `http(s)` GS1 Digital Link URI on any domain -> its constrained canonical form on
 * `https://id.gs1.org` (no query string, finest identification level only), or `undefined` when
 * the value is not a GS1 Digital Link URI. It never throws, so event hashes can always be computed:
 * inputs are checked with {@link requireCheckDigits}.
 */
export function canonicalDigitalLink(uri: string): string | undefined {
  const link = parseDigitalLink(uri);
  if (link === undefined) return undefined;
  return link.kept === undefined ? dl([link.ai, link.value]) : dl([link.ai, link.value], [...link.kept]);
}

/**
 * Throws an `InputError` for `field`, naming the key and the right digit, when `uri` is a GS1 Digital Link whose
 * primary key has a wrong check digit; anything else passes. An EPC URI always converts to a key with the right
 * digit, so a mistyped link would otherwise name an item of its own, for good.
 */
export function requireCheckDigits(uri: string, field = "GS1 Digital Link"): void {
  const link = parseDigitalLink(uri);
  const at = link?.key.checkDigitAt;
  if (link === undefined || at === undefined) return;
  const digit = gs1CheckDigit(link.value.slice(0, at));
  if (link.value[at] === digit) return;
  const corrected = link.value.slice(0, at) + digit + link.value.slice(at + 1);
  throw new InputError(
    field,
    `the ${link.key.name} (${link.ai}) ${link.value} in ${describeValue(uri)} has a wrong check digit`,
    `check digit ${digit} (${corrected})`,
  );
}

/** Any EPC URI or GS1 Digital Link URI -> canonical GS1 Digital Link URI; other values unchanged. */
export function toCanonicalIdentifier(value: string): string {
  if (value.startsWith("urn:epc:")) return epcUriToDigitalLink(value) ?? value;
  if (/^https?:\/\//i.test(value)) return canonicalDigitalLink(value) ?? value;
  return value;
}
