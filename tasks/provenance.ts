/**
 * `npx hardhat provenance trace <epc> [--json] [--policy <file>]`: the full lineage of an item as a tree, with the
 * findings of an origin policy and custody gaps flagged on the components they concern.
 * `npx hardhat provenance recall <epc> [--json]`: everything built from an item and who holds it now.
 *
 * The item id is the keccak-256 hash of the item's canonical GS1 Digital Link (src/provenance/items.ts), so an
 * EPC URI and a Digital Link of the same item name the same record. Contract addresses come from
 * `deployments/<network>.json` (or `$T12_DEPLOYMENTS_DIR`); the graph is read from the provenance registry's logs
 * from the recorded block on.
 *
 * Only modules free of the TypeChain output are imported at the top: Hardhat loads the tasks with its config,
 * before `npx hardhat compile` has generated the bindings on a fresh clone.
 */
import { scope, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { canonicalDigitalLink, epcUriToDigitalLink, requireCheckDigits } from "../src/provenance/digitalLink";
import { readProvenanceGraph, type ProvenanceGraph } from "../src/provenance/graph";
import { itemIdOf } from "../src/provenance/items";
import { findCustodyGaps, traceLineage, traceRecall } from "../src/provenance/lineage";
import { readPolicyFile, screenLineage } from "../src/provenance/policy";
import { lineageToJson, recallToJson, renderLineageTree, renderRecallTree } from "../src/report/provenanceTree";
import { describeValue, InputError } from "../src/sdk/errors";
import { io, reporting } from "./cli";

const EPC_EXPECTED = 'an EPC URI like "urn:epc:id:sgtin:0614141.107346.2017" or a GS1 Digital Link URI';

/**
 * Checks an item parameter and returns it as given. It must be an EPC URI or GS1 Digital Link URI that has a
 * canonical GS1 Digital Link form (`src/provenance/items.ts`), since the item id hashes that form: a URI that only
 * looks like an EPC (`urn:epc:id:sgtin:bad`) names no item. Surrounding whitespace is refused rather than trimmed,
 * so that what is printed back is what was given.
 */
export function parseEpc(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new InputError(field, `${describeValue(value)} is not an EPC URI`, EPC_EXPECTED);
  }
  if (value.trim() !== value) {
    throw new InputError(field, `${describeValue(value)} has surrounding whitespace`, EPC_EXPECTED);
  }
  if (!/^(urn:epc:id:[a-z0-9]+:\S+|https?:\/\/\S+)$/i.test(value)) {
    throw new InputError(field, `${describeValue(value)} is not an EPC URI`, EPC_EXPECTED);
  }
  requireCheckDigits(value, field);
  const canonical = value.startsWith("urn:epc:") ? epcUriToDigitalLink(value) : canonicalDigitalLink(value);
  if (canonical === undefined) {
    throw new InputError(field, `${describeValue(value)} names no item: it has no GS1 Digital Link form`, EPC_EXPECTED);
  }
  return value;
}

/** The provenance graph of the current network, read from the recorded deployment block on. */
async function networkGraph(hre: HardhatRuntimeEnvironment): Promise<ProvenanceGraph> {
  const { attachDeployment, deploymentsDir, readDeployment } = await import("../src/sdk/deployments");
  const record = readDeployment(hre.network.name, deploymentsDir(hre.config.paths.root));
  const provider = hre.ethers.provider;
  const { registry, provenance } = await attachDeployment(record, provider, provider);
  return readProvenanceGraph({ provenance, registry, provider, fromBlock: record.block });
}

function itemOf(graph: ProvenanceGraph, epc: string, network: string): string {
  const id = itemIdOf(epc);
  if (!graph.items.has(id)) {
    throw new InputError(
      "epc",
      `${describeValue(epc)} (item ${id}) is not in the provenance records of network ${network}`,
      "the EPC URI of a commissioned item",
    );
  }
  return id;
}

export interface TraceArgs {
  epc: string;
  json: boolean;
  policy?: string;
}

export interface RecallArgs {
  epc: string;
  json: boolean;
}

const provenance = scope("provenance", "Lineage, origin-policy screens and recall traces of supply-chain items");

provenance
  .task("trace", "The full lineage of an item: every component, with origins, custody and certificates")
  .addPositionalParam("epc", "The item's EPC URI, e.g. urn:epc:id:sgtin:0614141.107346.2017", undefined, types.string)
  .addFlag("json", "Print JSON instead of a tree")
  .addOptionalParam("policy", "An origin-policy JSON file to screen the lineage against", undefined, types.string)
  .setAction(async (args: TraceArgs, hre) =>
    reporting(async () => {
      // Every parameter is checked before the chain is read.
      const epc = parseEpc("epc", args.epc);
      const policy = args.policy === undefined ? undefined : readPolicyFile(args.policy, "--policy");
      const graph = await networkGraph(hre);
      const lineage = traceLineage(graph, itemOf(graph, epc, hre.network.name));
      const maxTransit = policy?.maxTransitHours;
      const gaps = findCustodyGaps(
        graph,
        lineage,
        maxTransit === undefined ? {} : { maxTransitSeconds: maxTransit * 3600 },
      );
      const input = {
        lineage,
        gaps,
        labels: new Map([[lineage.root, epc]]),
        ...(policy === undefined ? {} : { report: screenLineage(lineage, policy) }),
      };
      io.out(args.json ? lineageToJson(input) : renderLineageTree(input));
    }),
  );

provenance
  .task("recall", "Everything built from an item, transitively, and who holds each now")
  .addPositionalParam("epc", "The recalled item's EPC URI", undefined, types.string)
  .addFlag("json", "Print JSON instead of a tree")
  .setAction(async (args: RecallArgs, hre) =>
    reporting(async () => {
      const epc = parseEpc("epc", args.epc);
      const graph = await networkGraph(hre);
      const trace = traceRecall(graph, itemOf(graph, epc, hre.network.name));
      const labels = new Map([[trace.source, epc]]);
      io.out(args.json ? recallToJson(trace, labels) : renderRecallTree(trace, labels));
    }),
  );
