/**
 * Provenance traces for people and for machines: a lineage as an indented tree with its policy findings and
 * custody gaps flagged on the components they concern, a recall as the tree of everything built from the recalled
 * item with who holds it now, and both as JSON.
 */
import type { CustodyStep, ParticipantInfo } from "../provenance/graph";
import type { CustodyGap, Lineage, LineageNode, RecallEntry, RecallTrace } from "../provenance/lineage";
import type { PolicyFinding, PolicyReport } from "../provenance/policy";

export interface LineageRenderInput {
  lineage: Lineage;
  report?: PolicyReport;
  gaps?: readonly CustodyGap[];
  /** Human names of items (e.g. the EPC URI the trace was asked for), by id. */
  labels?: ReadonlyMap<string, string>;
}

/** A 32-byte id shortened for reading: `0x1a2b3c4d…9e8f`. */
export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 10)}…${id.slice(-4)}` : id;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function itemName(id: string, labels: ReadonlyMap<string, string> | undefined): string {
  const label = labels?.get(id);
  return label === undefined ? shortId(id) : `${label} (${shortId(id)})`;
}

function describeParticipant(party: ParticipantInfo): string {
  if (party.kind === "None") return `${party.address} (not registered)`;
  const facts = [party.jurisdiction, party.kind, party.lei === undefined ? undefined : `LEI ${party.lei}`];
  return `${party.address} (${facts.filter((fact) => fact !== undefined).join(", ")})`;
}

function describeStep(step: CustodyStep): string {
  const via = step.via === undefined ? "" : ` inside ${shortId(step.via)}`;
  const from = step.from !== undefined && step.from !== step.custodian ? `${shortId(step.from)}→` : "";
  const transit = step.inTransit ? ", in transit" : "";
  return `${step.event}${via} ${from}${shortId(step.custodian)} ${isoTime(step.since)}${transit}`;
}

function nodeLines(node: LineageNode, findings: PolicyFinding[], gaps: CustodyGap[]): string[] {
  const lines = [
    `manufacturer ${describeParticipant(node.manufacturer)}`,
    `holder ${describeParticipant(node.holder)}${node.container === undefined ? "" : `, packed in ${shortId(node.container)}`}`,
  ];
  if (node.custody.length > 0) lines.push(`custody: ${node.custody.map(describeStep).join("; ")}`);
  lines.push(
    node.certificates.length === 0
      ? "certificates: none"
      : `certificates: ${node.certificates
          .map(
            (c) =>
              `${shortId(c.documentHash)} by ${shortId(c.auditor)} valid ${isoTime(c.validFrom)}..${isoTime(c.validUntil)}`,
          )
          .join("; ")}`,
  );
  for (const finding of findings) lines.push(`! ${finding.rule}: ${finding.message}`);
  for (const gap of gaps) lines.push(`! custody ${gap.kind}: ${gap.message}`);
  return lines;
}

function headline(node: LineageNode, labels: ReadonlyMap<string, string> | undefined): string {
  const facts = [
    node.productClass,
    `origin ${node.origin === "" ? "unknown" : node.origin}`,
    node.exportClass === "" ? undefined : node.exportClass,
    node.disposition,
  ].filter((fact) => fact !== undefined);
  const how =
    node.incorporated === undefined
      ? ""
      : `${node.via === "transformation" ? "made into it" : "packed into it"} ${isoTime(node.incorporated.time)}: `;
  const removed = node.removed === undefined ? "" : ` [unpacked ${isoTime(node.removed.time)}]`;
  const flag = node.commissioned ? "" : " [commissioning not on record]";
  return `${how}${itemName(node.id, labels)}  ${facts.join(", ")}${removed}${flag}`;
}

/** The lineage as an indented tree, one item per branch, with findings and custody gaps flagged with `!`. */
export function renderLineageTree(input: LineageRenderInput): string {
  const { lineage, report, labels } = input;
  const findingsOf = new Map<string, PolicyFinding[]>();
  for (const finding of report?.findings ?? []) {
    findingsOf.set(finding.item, [...(findingsOf.get(finding.item) ?? []), finding]);
  }
  const gapsOf = new Map<string, CustodyGap[]>();
  for (const gap of input.gaps ?? []) gapsOf.set(gap.item, [...(gapsOf.get(gap.item) ?? []), gap]);

  const out: string[] = [];
  const summary = [`Lineage of ${itemName(lineage.root, labels)}: ${lineage.size} items, ${lineage.depth} levels`];
  if (report !== undefined) {
    const policy = report.policy === undefined ? "the policy" : `policy "${report.policy}"`;
    summary.push(
      report.clean
        ? `clean under ${policy}`
        : `${report.findings.length} findings on ${report.tainted.length} items under ${policy}`,
    );
  }
  if (input.gaps !== undefined) summary.push(`${input.gaps.length} custody gaps`);
  out.push(summary.join("; "));

  const walk = (node: LineageNode, lead: string, branch: string, below: string): void => {
    out.push(`${lead}${branch}${headline(node, labels)}`);
    const detail = `${lead}${below}${node.components.length > 0 ? "│  " : "   "}`;
    for (const line of nodeLines(node, findingsOf.get(node.id) ?? [], gapsOf.get(node.id) ?? [])) {
      out.push(`${detail}${line}`);
    }
    node.components.forEach((part, i) => {
      const last = i === node.components.length - 1;
      walk(part, `${lead}${below}`, last ? "└─ " : "├─ ", last ? "   " : "│  ");
    });
  };
  walk(lineage.tree, "", "", "");

  if (report !== undefined && report.findings.length > 0) {
    out.push("", "Tainted by:");
    for (const finding of report.findings) {
      out.push(`  ${finding.rule}: ${finding.path.map((id) => itemName(id, labels)).join(" → ")}`);
    }
  }
  return out.join("\n");
}

/** The lineage, policy report and custody gaps as one JSON document. */
export function lineageToJson(input: LineageRenderInput): string {
  const label = input.labels?.get(input.lineage.root);
  return JSON.stringify(
    {
      root: input.lineage.root,
      ...(label === undefined ? {} : { label }),
      size: input.lineage.size,
      depth: input.lineage.depth,
      lineage: input.lineage.tree,
      ...(input.report === undefined ? {} : { policy: input.report }),
      ...(input.gaps === undefined ? {} : { custodyGaps: input.gaps }),
    },
    null,
    2,
  );
}

// ---------------------------------------------------------------------------------------------
// Recall

function recallLine(entry: RecallEntry, labels: ReadonlyMap<string, string> | undefined): string {
  const how =
    entry.via === "source"
      ? "recalled: "
      : `${entry.via === "transformation" ? "made into" : "packed into"} ${
          entry.incorporatedAt === undefined ? "" : `${isoTime(entry.incorporatedAt)} `
        }`;
  const where = entry.container === undefined ? "" : `, packed in ${shortId(entry.container)}`;
  const transit = entry.inTransit ? ", in transit" : "";
  return (
    `${how}${itemName(entry.id, labels)}  ${entry.productClass}, ${entry.disposition}; ` +
    `held by ${describeParticipant(entry.holder)}${where}${transit}`
  );
}

/** The recall as a tree of everything built from the recalled item, then the holders to contact. */
export function renderRecallTree(trace: RecallTrace, labels?: ReadonlyMap<string, string>): string {
  const childrenOf = new Map<string, RecallEntry[]>();
  for (const entry of trace.affected.slice(1)) {
    const parent = entry.path[entry.path.length - 2];
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), entry]);
  }
  const out = [
    `Recall of ${itemName(trace.source, labels)}: ${trace.affected.length} affected items, ` +
      `${trace.holders.length} holders`,
  ];
  const walk = (entry: RecallEntry, lead: string, branch: string, below: string): void => {
    out.push(`${lead}${branch}${recallLine(entry, labels)}`);
    const children = childrenOf.get(entry.id) ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      walk(child, `${lead}${below}`, last ? "└─ " : "├─ ", last ? "   " : "│  ");
    });
  };
  walk(trace.affected[0], "", "", "");
  out.push("", "Holders:");
  for (const group of trace.holders) {
    out.push(`  ${describeParticipant(group.holder)}: ${group.items.map((id) => itemName(id, labels)).join(", ")}`);
  }
  return out.join("\n");
}

export function recallToJson(trace: RecallTrace, labels?: ReadonlyMap<string, string>): string {
  const label = labels?.get(trace.source);
  return JSON.stringify({ ...(label === undefined ? {} : { label }), ...trace }, null, 2);
}
