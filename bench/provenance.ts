import { performance } from "node:perf_hooks";

import { id } from "ethers";

import {
  buildProvenanceGraph,
  EventSequence,
  type ParticipantInfo,
  type ProductClassName,
  type ProvenanceGraph,
} from "../src/provenance/graph";
import { itemIdOf } from "../src/provenance/items";
import { traceLineage } from "../src/provenance/lineage";
import { parsePolicy, screenLineage } from "../src/provenance/policy";

/** Parts per level below the finished item: 1,000 parts over 6 levels. */
const LEVEL_SIZES = [4, 12, 36, 108, 240, 600];
const RUNS = 15;
const WARM_UP = 3;
const DAY = 24 * 3600;
const START = 1_767_225_600; // 2026-01-01T00:00:00Z

const JURISDICTIONS = ["US", "DE", "JP", "KR", "GB", "FR", "CA", "CN"];
const CLASSES: ProductClassName[] = ["Semiconductor", "MedicalDevice", "Other", "Defense"];

const address = (n: number): string => `0x${(0x1000 + n).toString(16).padStart(40, "0")}`;

/**
 * A finished item whose bill of materials has 1,000 parts over 6 levels: odd levels are made by transformation,
 * even levels packed by aggregation; every part is commissioned, certified, shipped to its assembler and received
 * before it is incorporated. One part in 50 comes from an untrusted origin and one maker is barred.
 */
export function lineageBenchGraph(): { graph: ProvenanceGraph; root: string } {
  const makers: ParticipantInfo[] = JURISDICTIONS.map((jurisdiction, i) => ({
    address: address(i),
    kind: "Supplier",
    jurisdiction,
    lei: `MAKER${String(i).padStart(15, "0")}`,
  }));
  const auditor = address(100);
  const seq = new EventSequence(START);
  let serial = 0;
  const newId = (): string => itemIdOf(`urn:epc:id:sgtin:0614141.900000.${serial++}`);

  // Level sizes from the root down; each part's parent is chosen round-robin from the level above.
  const levels: string[][] = [[newId()], ...LEVEL_SIZES.map((size) => Array.from({ length: size }, newId))];
  const childrenOf = new Map<string, string[]>();
  levels.forEach((level, depth) => {
    if (depth === 0) return;
    level.forEach((part, i) => {
      const parent = levels[depth - 1][i % levels[depth - 1].length];
      childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), part]);
    });
  });

  // Makers are assigned up front, so each part can be shipped to the maker of its assembly.
  const makerByPart = new Map<string, ParticipantInfo>();
  const parentOf = new Map<string, string>();
  levels.flat().forEach((part, i) => makerByPart.set(part, makers[i % makers.length]));
  for (const [parent, parts] of childrenOf) for (const part of parts) parentOf.set(part, parent);
  let n = 0;
  const attributes = (): { origin: string; productClass: ProductClassName; exportClass: string } => {
    n += 1;
    return {
      origin: n % 50 === 0 ? "CN" : JURISDICTIONS[n % (JURISDICTIONS.length - 1)],
      productClass: CLASSES[n % CLASSES.length],
      exportClass: n % 3 === 0 ? "3A001" : "EAR99",
    };
  };
  /** Certifies a level's parts, ships each to the maker of its assembly and has it received two days later. */
  const deliverLevel = (parts: string[], day: number): void => {
    seq.at(START + day * DAY);
    const moved: [string, string][] = [];
    for (const part of parts) {
      seq.add({
        type: "ItemCertified",
        item: part,
        auditor,
        documentHash: id(`certificate:${part}`),
        validFrom: START,
        validUntil: START + 365 * DAY,
        eventHash: id(`certify:${part}`),
      });
      const from = (makerByPart.get(part) as ParticipantInfo).address;
      const to = (makerByPart.get(parentOf.get(part) as string) as ParticipantInfo).address;
      if (from === to) continue;
      seq.add({ type: "ItemShipped", item: part, from, to, licenceRef: id("licence"), eventHash: id(`ship:${part}`) });
      moved.push([part, to]);
    }
    seq.at(START + (day + 2) * DAY);
    for (const [part, to] of moved) {
      seq.add({ type: "ItemReceived", item: part, from: to, to, eventHash: id(`receive:${part}`) });
    }
  };

  // Bottom-up: the leaves, then each level of assemblies, ten days apart.
  for (let depth = levels.length - 1; depth >= 0; depth--) {
    const day = (levels.length - 1 - depth) * 10;
    seq.at(START + day * DAY);
    for (const part of levels[depth]) {
      const maker = makerByPart.get(part) as ParticipantInfo;
      const parts = childrenOf.get(part) ?? [];
      const common = { item: part, manufacturer: maker.address, ...attributes(), documentHash: id(`doc:${part}`) };
      if (parts.length > 0 && depth % 2 === 0) {
        // Made by transformation: the output is commissioned with the transformation's event hash.
        const eventHash = id(`transform:${part}`);
        seq.add({ type: "ItemCommissioned", ...common, eventHash });
        for (const input of parts) seq.add({ type: "ItemTransformed", input, output: part, eventHash });
      } else {
        seq.add({ type: "ItemCommissioned", ...common, eventHash: id(`commission:${part}`) });
        for (const child of parts) {
          seq.add({ type: "ItemAggregated", parent: part, child, eventHash: id(`aggregate:${part}`) });
        }
      }
    }
    if (depth === 0) break;
    // Each part goes to the maker of its assembly before the next level is built.
    deliverLevel(levels[depth], day + 1);
  }
  return { graph: buildProvenanceGraph(seq.events, makers), root: levels[0][0] };
}

/**
 * The median time, in milliseconds, of tracing the full lineage of an item with 1,000 parts over 6 levels and
 * screening it against an origin policy, over 15 runs after a warm-up. The graph is built once, from synthetic
 * decoded events (no chain).
 */
export async function benchLineage(): Promise<{ lineage1000Ms: number }> {
  const { graph, root } = lineageBenchGraph();
  const policy = parsePolicy({
    trustedJurisdictions: JURISDICTIONS.filter((code) => code !== "CN"),
    barredManufacturers: [address(3)],
    requiredManufacturerKinds: ["Supplier"],
    requireValidCertificate: { productClasses: ["MedicalDevice", "Defense"] },
  });
  const run = (): number => {
    const started = performance.now();
    const lineage = traceLineage(graph, root);
    const report = screenLineage(lineage, policy);
    const elapsed = performance.now() - started;
    if (lineage.size !== 1 + LEVEL_SIZES.reduce((a, b) => a + b, 0) || lineage.depth !== LEVEL_SIZES.length) {
      throw new Error(`the bench lineage has ${lineage.size} items over ${lineage.depth} levels`);
    }
    if (report.findings.length === 0) throw new Error("the bench policy screen found nothing");
    return elapsed;
  };
  for (let i = 0; i < WARM_UP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(run());
    // Let other work run between samples, as a real caller would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  times.sort((a, b) => a - b);
  return { lineage1000Ms: Math.round(times[Math.floor(RUNS / 2)] * 1000) / 1000 };
}
