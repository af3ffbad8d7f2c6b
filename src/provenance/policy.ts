/**
 * The origin-policy screen: a policy file (JSON) names the trusted origin jurisdictions, barred manufacturers,
 * the participant kinds a manufacturer must have, and the product classes that need a valid certificate; the
 * screen walks an item's lineage and flags every offending component with the path by which it taints the item.
 * The file format is documented in docs/provenance.md ("Origin policy").
 */

import { describeValue, InputError } from "../sdk/errors";
import { readJsonFile } from "../sdk/json";
import { parseAddress, parseJurisdiction, parseLei } from "../sdk/inputs";
import {
  PARTICIPANT_KINDS,
  PRODUCT_CLASSES,
  type Certificate,
  type ParticipantInfo,
  type ParticipantKindName,
  type ProductClassName,
} from "./graph";
import { lineageNodes, type Lineage, type LineageNode } from "./lineage";

export type CertificateOccasion = "incorporation" | "shipment";
export const CERTIFICATE_OCCASIONS: readonly CertificateOccasion[] = ["incorporation", "shipment"];

export interface OriginPolicy {
  name?: string;
  /** ISO 3166-1 alpha-2 codes an item may originate from. */
  trustedJurisdictions: Set<string>;
  /** Barred manufacturers: checksummed addresses and LEIs. */
  barredManufacturers: { addresses: Set<string>; leis: Set<string> };
  /** When given, a manufacturer must be registered as one of these kinds. */
  requiredManufacturerKinds?: Set<ParticipantKindName>;
  requireValidCertificate?: {
    productClasses: Set<ProductClassName>;
    /** When a certificate must be valid: when the item went into its assembly, and/or whenever it was shipped. */
    at: Set<CertificateOccasion>;
    /** When given, only certificates attested by these auditors count. */
    auditors?: Set<string>;
  };
  /** Longest acceptable time in transit for the custody-gap check, in hours. */
  maxTransitHours?: number;
}

// ---------------------------------------------------------------------------------------------
// Reading a policy

const POLICY_FIELDS = [
  "name",
  "trustedJurisdictions",
  "barredManufacturers",
  "requiredManufacturerKinds",
  "requireValidCertificate",
  "maxTransitHours",
] as const;
const CERTIFICATE_FIELDS = ["productClasses", "at", "auditors"] as const;
const MANUFACTURER_KINDS = PARTICIPANT_KINDS.filter((kind) => kind !== "None");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireFields(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InputError(`${field}.${key}`, "is not a known field", `only ${known.join(", ")}`);
    }
  }
}

function requireArray(field: string, value: unknown, expected: string, allowEmpty: boolean): unknown[] {
  if (!Array.isArray(value)) throw new InputError(field, `${describeValue(value)} is not an array`, expected);
  if (!allowEmpty && value.length === 0) throw new InputError(field, "is empty", expected);
  return value;
}

function requireText(field: string, value: unknown, expected: string): string {
  if (typeof value !== "string") throw new InputError(field, `${describeValue(value)} is not a string`, expected);
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, names: readonly T[]): T {
  const expected = `one of ${names.join(", ")}`;
  const text = requireText(field, value, expected);
  const name = names.find((candidate) => candidate === text);
  if (name === undefined) throw new InputError(field, `${describeValue(text)} is not allowed`, expected);
  return name;
}

/**
 * Validates a parsed policy. Errors name the offending field from `root` (e.g. the file's path):
 * `policy.json: trustedJurisdictions[2]: "XX" is not an assigned ISO 3166-1 code; expected ...`.
 */
export function parsePolicy(value: unknown, root = "policy"): OriginPolicy {
  const shape = '{ "trustedJurisdictions": ["US", ...], "barredManufacturers": [...], ... }';
  if (!isObject(value)) throw new InputError(root, `${describeValue(value)} is not an object`, shape);
  requireFields(root, value, POLICY_FIELDS);
  const at = (field: string): string => `${root}: ${field}`;

  const policy: OriginPolicy = {
    trustedJurisdictions: new Set(),
    barredManufacturers: { addresses: new Set(), leis: new Set() },
  };
  if (value.name !== undefined) policy.name = requireText(at("name"), value.name, "a name for the policy");

  if (value.trustedJurisdictions === undefined) {
    throw new InputError(at("trustedJurisdictions"), "is missing", 'a list of ISO 3166-1 alpha-2 codes like ["US"]');
  }
  const codes = requireArray(
    at("trustedJurisdictions"),
    value.trustedJurisdictions,
    'a list of ISO 3166-1 alpha-2 codes like ["US"]',
    false,
  );
  codes.forEach((code, i) => {
    const field = at(`trustedJurisdictions[${i}]`);
    policy.trustedJurisdictions.add(parseJurisdiction(field, requireText(field, code, "a two-letter code")));
  });

  if (value.barredManufacturers !== undefined) {
    const expected = "a list of manufacturer addresses (0x...) or LEIs (20 characters)";
    requireArray(at("barredManufacturers"), value.barredManufacturers, expected, true).forEach((entry, i) => {
      const field = at(`barredManufacturers[${i}]`);
      const text = requireText(field, entry, "a 0x address or a 20-character LEI");
      if (text.startsWith("0x")) policy.barredManufacturers.addresses.add(parseAddress(field, text));
      else policy.barredManufacturers.leis.add(parseLei(field, text));
    });
  }

  if (value.requiredManufacturerKinds !== undefined) {
    const expected = `a list of participant kinds (${MANUFACTURER_KINDS.join(", ")})`;
    const kinds = requireArray(at("requiredManufacturerKinds"), value.requiredManufacturerKinds, expected, false);
    policy.requiredManufacturerKinds = new Set(
      kinds.map((kind, i) => oneOf(at(`requiredManufacturerKinds[${i}]`), kind, MANUFACTURER_KINDS)),
    );
  }

  if (value.requireValidCertificate !== undefined) {
    const field = at("requireValidCertificate");
    const rule = value.requireValidCertificate;
    if (!isObject(rule)) {
      throw new InputError(field, `${describeValue(rule)} is not an object`, '{ "productClasses": [...] }');
    }
    requireFields(field, rule, CERTIFICATE_FIELDS);
    if (rule.productClasses === undefined) {
      throw new InputError(`${field}.productClasses`, "is missing", `a list of ${PRODUCT_CLASSES.join(", ")}`);
    }
    const classes = requireArray(
      `${field}.productClasses`,
      rule.productClasses,
      `a list of ${PRODUCT_CLASSES.join(", ")}`,
      false,
    ).map((name, i) => oneOf(`${field}.productClasses[${i}]`, name, PRODUCT_CLASSES));
    const occasions =
      rule.at === undefined
        ? [...CERTIFICATE_OCCASIONS]
        : requireArray(`${field}.at`, rule.at, 'a list of "incorporation", "shipment"', false).map((name, i) =>
            oneOf(`${field}.at[${i}]`, name, CERTIFICATE_OCCASIONS),
          );
    policy.requireValidCertificate = { productClasses: new Set(classes), at: new Set(occasions) };
    if (rule.auditors !== undefined) {
      const auditors = requireArray(`${field}.auditors`, rule.auditors, "a list of auditor addresses", false);
      policy.requireValidCertificate.auditors = new Set(
        auditors.map((entry, i) => {
          const name = `${field}.auditors[${i}]`;
          return parseAddress(name, requireText(name, entry, "an auditor's 0x address"));
        }),
      );
    }
  }

  if (value.maxTransitHours !== undefined) {
    const hours = value.maxTransitHours;
    if (typeof hours !== "number" || !Number.isFinite(hours) || hours <= 0) {
      throw new InputError(at("maxTransitHours"), `${describeValue(hours)} is not a positive number`, "hours, e.g. 72");
    }
    policy.maxTransitHours = hours;
  }
  return policy;
}

/** Reads and validates a policy file; errors name the file and the field. */
export function readPolicyFile(path: string, field = "policy"): OriginPolicy {
  return parsePolicy(readJsonFile(field, path, "a JSON origin-policy file"), `${field} ${path}`);
}

// ---------------------------------------------------------------------------------------------
// Screening

export type PolicyRule =
  "untrusted-origin" | "barred-manufacturer" | "manufacturer-kind" | "certificate-missing" | "certificate-invalid";

/** One time a certificate had to be valid, and what was found then. */
export interface CertificateCheck {
  occasion: CertificateOccasion;
  time: number;
  eventHash: string;
  /** For an invalid certificate: the latest one recorded by then. */
  certificate?: Certificate;
}

export interface PolicyFinding {
  rule: PolicyRule;
  item: string;
  /** Item ids from the screened item down to the offending component, both included. */
  path: string[];
  origin: string;
  productClass: ProductClassName;
  manufacturer: ParticipantInfo;
  message: string;
  /** For certificate rules: each occasion on which no valid certificate was on record. */
  checks?: CertificateCheck[];
}

export interface PolicyReport {
  root: string;
  policy?: string;
  /** Items screened: the root and every component. */
  screened: number;
  clean: boolean;
  findings: PolicyFinding[];
  /** The distinct offending items, in lineage order. */
  tainted: string[];
}

function isValidAt(certificate: Certificate, time: number): boolean {
  return certificate.validFrom <= time && time < certificate.validUntil;
}

/** Unix seconds as ISO 8601 without the milliseconds. */
function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function describeInvalid(certificate: Certificate, time: number): string {
  return time < certificate.validFrom
    ? `valid only from ${iso(certificate.validFrom)}`
    : `expired ${iso(certificate.validUntil)}`;
}

/** The occasions on which `node` needed a valid certificate. */
function occasionsOf(node: LineageNode, at: Set<CertificateOccasion>): Omit<CertificateCheck, "certificate">[] {
  const out: Omit<CertificateCheck, "certificate">[] = [];
  if (at.has("incorporation") && node.incorporated !== undefined) {
    out.push({ occasion: "incorporation", time: node.incorporated.time, eventHash: node.incorporated.eventHash });
  }
  if (at.has("shipment")) {
    for (const step of node.custody) {
      // Moves carried along inside a container are the container's shipments.
      if (step.event === "ship" && step.via === undefined) {
        out.push({ occasion: "shipment", time: step.since, eventHash: step.eventHash });
      }
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

function certificateFindings(node: LineageNode, policy: OriginPolicy): Omit<PolicyFinding, "item" | "path">[] {
  const rule = policy.requireValidCertificate;
  if (rule === undefined || !rule.productClasses.has(node.productClass)) return [];
  const accepted = node.certificates.filter((c) => rule.auditors === undefined || rule.auditors.has(c.auditor));
  const missing: CertificateCheck[] = [];
  const invalid: CertificateCheck[] = [];
  for (const occasion of occasionsOf(node, rule.at)) {
    // A certificate counts only once it is on record.
    const known = accepted.filter((c) => c.time <= occasion.time);
    if (known.length === 0) missing.push(occasion);
    else if (!known.some((c) => isValidAt(c, occasion.time))) {
      invalid.push({ ...occasion, certificate: known[known.length - 1] });
    }
  }
  const base = { origin: node.origin, productClass: node.productClass, manufacturer: node.manufacturer };
  const when = (checks: CertificateCheck[]): string => checks.map((c) => `${c.occasion} ${iso(c.time)}`).join(", ");
  const findings: Omit<PolicyFinding, "item" | "path">[] = [];
  if (missing.length > 0) {
    findings.push({
      ...base,
      rule: "certificate-missing",
      message: `${node.productClass} without a certificate on record at ${when(missing)}`,
      checks: missing,
    });
  }
  if (invalid.length > 0) {
    const reasons = invalid.map((c) => `${when([c])} (${describeInvalid(c.certificate as Certificate, c.time)})`);
    findings.push({
      ...base,
      rule: "certificate-invalid",
      message: `${node.productClass} whose certificate was not valid at ${reasons.join(", ")}`,
      checks: invalid,
    });
  }
  return findings;
}

/** The findings of one lineage node, without its path. */
function nodeFindings(node: LineageNode, policy: OriginPolicy): Omit<PolicyFinding, "item" | "path">[] {
  const base = { origin: node.origin, productClass: node.productClass, manufacturer: node.manufacturer };
  const findings: Omit<PolicyFinding, "item" | "path">[] = [];
  if (!policy.trustedJurisdictions.has(node.origin)) {
    const origin = node.origin === "" ? "unknown origin" : `origin ${node.origin}`;
    findings.push({ ...base, rule: "untrusted-origin", message: `${origin} is not a trusted jurisdiction` });
  }
  const maker = node.manufacturer;
  const barred = policy.barredManufacturers;
  if (barred.addresses.has(maker.address) || (maker.lei !== undefined && barred.leis.has(maker.lei))) {
    const lei = maker.lei === undefined ? "" : ` (LEI ${maker.lei})`;
    findings.push({ ...base, rule: "barred-manufacturer", message: `manufacturer ${maker.address}${lei} is barred` });
  }
  const kinds = policy.requiredManufacturerKinds;
  if (kinds !== undefined && !kinds.has(maker.kind)) {
    const kind = maker.kind === "None" ? "not a registered participant" : `a ${maker.kind}`;
    findings.push({
      ...base,
      rule: "manufacturer-kind",
      message: `manufacturer ${maker.address} is ${kind}, not ${[...kinds].join(" or ")}`,
    });
  }
  findings.push(...certificateFindings(node, policy));
  return findings;
}

/**
 * Screens an item's lineage (the item and every component) against `policy`. A clean item gives no findings;
 * otherwise each offending component is reported once per rule, with its path from the item.
 */
export function screenLineage(lineage: Lineage, policy: OriginPolicy): PolicyReport {
  const findings: PolicyFinding[] = [];
  const tainted: string[] = [];
  const nodes = lineageNodes(lineage);
  for (const node of nodes) {
    const found = nodeFindings(node, policy);
    if (found.length === 0) continue;
    tainted.push(node.id);
    for (const finding of found) findings.push({ ...finding, item: node.id, path: node.path });
  }
  const report: PolicyReport = {
    root: lineage.root,
    screened: nodes.length,
    clean: findings.length === 0,
    findings,
    tainted,
  };
  if (policy.name !== undefined) report.policy = policy.name;
  return report;
}
