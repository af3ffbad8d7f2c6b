import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import {
  buildProvenanceGraph,
  createProvenanceGraph,
  EventSequence,
  holderOf,
  readProvenanceGraph,
  type ProvenanceGraph,
} from "../../src/provenance/graph";
import {
  ADDRESS,
  DAY,
  defibrillatorHistory,
  defibrillatorOnChain,
  documentHash,
  eventHash,
  ID,
  START,
} from "../fixtures/policy/defibrillator";
import "../fixtures/properties";

/** The graph's items as plain JSON (times are left out when `withTimes` is false: the chain has its own clock). */
function snapshot(graph: ProvenanceGraph, withTimes = true): unknown {
  const drop = new Set(
    withTimes
      ? ["transactionHash"]
      : ["transactionHash", "time", "since", "until", "block", "logIndex", "commissionedAt", "validFrom", "validUntil"],
  );
  return JSON.parse(
    JSON.stringify([...graph.items.entries()].sort(), (key, value: unknown) =>
      drop.has(key) ? undefined : typeof value === "bigint" ? value.toString() : value,
    ),
  );
}

describe("provenance graph", function () {
  describe("buildProvenanceGraph()", function () {
    describe("when given the defibrillator's history", function () {
      const { events, participants } = defibrillatorHistory();
      const graph = buildProvenanceGraph(events, participants);

      it("records every item with its manufacturer, origin, classes, disposition and parent", function () {
        expect(graph.items.size).to.equal(9);
        expect(graph.anomalies).to.deep.equal([]);
        const chip = graph.items.get(ID.cnChip);
        expect(chip).to.include({
          commissioned: true,
          manufacturer: ADDRESS.krMaker,
          origin: "CN",
          productClass: "Semiconductor",
          exportClass: "3A001",
          disposition: "Consumed",
          commissionedAt: START,
          documentHash: documentHash("declaration-cnChip"),
        });
        expect(graph.items.get(ID.board)).to.include({ disposition: "Consumed", manufacturer: ADDRESS.usMaker });
        expect(graph.items.get(ID.pack)).to.include({ disposition: "Contained", parent: ID.defibrillator });
        expect(graph.items.get(ID.cellA)).to.include({ disposition: "Contained", parent: ID.pack });
        expect(graph.items.get(ID.defibrillator)).to.include({
          disposition: "Active",
          custodian: ADDRESS.hospital,
          productClass: "MedicalDevice",
        });
        expect(graph.items.get(ID.defibrillator)?.parent).to.equal(undefined);
      });

      it("records components with the event and time that incorporated them", function () {
        const board = graph.items.get(ID.board);
        expect(board?.components).to.deep.equal(
          (["krChip", "cnChip", "capacitor"] as const).map((part, i) => ({
            component: ID[part],
            assembly: ID.board,
            via: "transformation",
            eventHash: eventHash("transform-board"),
            time: START + 65 * DAY,
            block: board?.components[0].block,
            logIndex: i + 1,
          })),
        );
        const defibrillator = graph.items.get(ID.defibrillator);
        expect(defibrillator?.components.map((e) => [e.component, e.via, e.time])).to.deep.equal([
          [ID.housing, "transformation", START + 66 * DAY],
          [ID.board, "transformation", START + 66 * DAY],
          [ID.pack, "aggregation", START + 67 * DAY],
        ]);
        expect(graph.items.get(ID.cellA)?.usedIn.map((e) => e.assembly)).to.deep.equal([ID.pack]);
      });

      it("records the custody chain, carrying packed items along with their container", function () {
        expect(
          graph.items.get(ID.krChip)?.custody.map((s) => [s.event, s.from, s.custodian, s.since, s.until, s.inTransit]),
        ).to.deep.equal([
          ["commission", undefined, ADDRESS.krMaker, START, START + DAY, false],
          ["ship", ADDRESS.krMaker, ADDRESS.usMaker, START + DAY, START + 3 * DAY, true],
          ["receive", ADDRESS.usMaker, ADDRESS.usMaker, START + 3 * DAY, undefined, false],
        ]);
        expect(graph.items.get(ID.cellA)?.custody.map((s) => [s.event, s.custodian, s.since, s.via])).to.deep.equal([
          ["commission", ADDRESS.jpMaker, START, undefined],
          ["ship", ADDRESS.usMaker, START + 61 * DAY, ID.pack],
          ["receive", ADDRESS.usMaker, START + 64 * DAY, ID.pack],
          ["ship", ADDRESS.hospital, START + 68 * DAY, ID.defibrillator],
          ["receive", ADDRESS.hospital, START + 70 * DAY, ID.defibrillator],
        ]);
        expect(holderOf(graph, ID.cellA)).to.deep.equal({ custodian: ADDRESS.hospital, container: ID.defibrillator });
      });

      it("records certificates with their document hash and validity window", function () {
        expect(graph.items.get(ID.cellA)?.certificates.map((c) => ({ ...c, block: 0 }))).to.deep.equal([
          {
            auditor: ADDRESS.auditor,
            documentHash: documentHash("cellA"),
            validFrom: START,
            validUntil: START + 30 * DAY,
            time: START + 3600,
            eventHash: eventHash("certify-cellA-0"),
            block: 0,
          },
        ]);
      });

      it("records the disposition history with the event that changed it", function () {
        expect(
          graph.items.get(ID.krChip)?.dispositions.map((d) => [d.previous, d.current, d.cause, d.time]),
        ).to.deep.equal([
          ["None", "Active", "ItemCommissioned", START],
          ["Active", "InTransit", "ItemShipped", START + DAY],
          ["InTransit", "Active", "ItemReceived", START + 3 * DAY],
          ["Active", "Consumed", "ItemTransformed", START + 65 * DAY],
        ]);
      });

      it("keeps the participant records", function () {
        expect(graph.participants.get(ADDRESS.deMaker)).to.deep.equal({
          address: ADDRESS.deMaker,
          kind: "Supplier",
          jurisdiction: "DE",
          lei: "MAKER-DE000000000000",
        });
      });
    });

    it("builds the same graph whatever order the events come in", function () {
      const { events, participants } = defibrillatorHistory();
      const expected = snapshot(buildProvenanceGraph(events, participants));
      fc.assert(
        fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (shuffled) => {
          expect(snapshot(buildProvenanceGraph(shuffled, participants))).to.deep.equal(expected);
        }),
        { numRuns: 25 },
      );
    });

    describe("when a child is unpacked", function () {
      it("hands it to the container's custodian, clears its parent and marks the packing removed", function () {
        const { events, participants } = defibrillatorHistory();
        const seq = new EventSequence(START + 80 * DAY, 1_000);
        seq.add({
          type: "ItemDisaggregated",
          parent: ID.defibrillator,
          child: ID.pack,
          eventHash: eventHash("unpack"),
        });
        const graph = buildProvenanceGraph([...events, ...seq.events], participants);
        const pack = graph.items.get(ID.pack);
        expect(pack).to.include({ disposition: "Active", custodian: ADDRESS.hospital });
        expect(pack?.parent).to.equal(undefined);
        expect(pack?.custody.at(-1)).to.include({
          event: "disaggregate",
          custodian: ADDRESS.hospital,
          from: ADDRESS.hospital,
        });
        expect(pack?.custody.at(-1)?.via).to.equal(undefined);
        expect(graph.items.get(ID.cellA)?.custody.at(-1)).to.include({ event: "disaggregate", via: ID.pack });
        expect(graph.items.get(ID.defibrillator)?.components[2].removed).to.deep.equal({
          time: START + 80 * DAY,
          eventHash: eventHash("unpack"),
          block: 1_000,
        });
        expect(holderOf(graph, ID.cellA)).to.deep.equal({ custodian: ADDRESS.hospital, container: ID.pack });
      });
    });

    describe("when the events contradict each other", function () {
      it("notes an item commissioned twice and keeps the first record", function () {
        const seq = new EventSequence(START);
        const commission = {
          type: "ItemCommissioned",
          item: ID.housing,
          manufacturer: ADDRESS.usMaker,
          origin: "US",
          productClass: "Other",
          exportClass: "EAR99",
          eventHash: eventHash("c1"),
          documentHash: ethers.ZeroHash,
        } as const;
        seq.add(commission);
        seq.after(60).add({ ...commission, manufacturer: ADDRESS.krMaker, origin: "KR" });
        const graph = buildProvenanceGraph(seq.events);
        expect(graph.anomalies).to.deep.equal([`item ${ID.housing} commissioned again at block 2`]);
        expect(graph.items.get(ID.housing)).to.include({ manufacturer: ADDRESS.usMaker, origin: "US" });
      });
    });
  });

  describe("readProvenanceGraph()", function () {
    describe("when reading a real deployment's logs", function () {
      it("rebuilds the history the synthetic events describe, with participant attributes", async function () {
        const { provenance, registry, deployedAt } = await loadFixture(defibrillatorOnChain);
        const ranges: [number, number][] = [];
        const graph = await readProvenanceGraph({
          provenance,
          registry,
          fromBlock: deployedAt,
          batchBlocks: 7,
          onProgress: ({ fromBlock, toBlock }) => ranges.push([fromBlock, toBlock]),
        });
        const { events, participants } = defibrillatorHistory();
        expect(snapshot(graph, false)).to.deep.equal(snapshot(buildProvenanceGraph(events, participants), false));
        expect(graph.nextBlock).to.equal((await ethers.provider.getBlockNumber()) + 1);
        expect(ranges.every(([from, to]) => to - from < 7)).to.equal(true);
        expect(ranges[0][0]).to.equal(deployedAt);
        for (const participant of participants) {
          expect(graph.participants.get(participant.address)).to.deep.equal(participant);
        }
      });

      it("resumes from where an earlier read stopped", async function () {
        const { provenance, registry, deployedAt } = await loadFixture(defibrillatorOnChain);
        const whole = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt });
        const latest = await ethers.provider.getBlockNumber();
        const half = Math.floor((deployedAt + latest) / 2);
        const first = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt, toBlock: half });
        expect(first.nextBlock).to.equal(half + 1);
        expect(first.items.size).to.be.below(whole.items.size);
        const resumed = await readProvenanceGraph({ provenance, registry, graph: first });
        expect(snapshot(resumed)).to.deep.equal(snapshot(whole));
        expect([...resumed.participants.keys()].sort()).to.deep.equal([...whole.participants.keys()].sort());
      });

      it("applies no event twice when resuming after a range failed halfway", async function () {
        const { provenance, registry, deployedAt } = await loadFixture(defibrillatorOnChain);
        const whole = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt });
        // The node fails the third block lookup, in the middle of the first range.
        let lookups = 0;
        const flaky = new Proxy(ethers.provider, {
          get(target, property) {
            if (property === "getBlock") {
              return async (block: number) => {
                lookups += 1;
                if (lookups === 3) throw new Error("connection reset");
                return target.getBlock(block);
              };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        const partial = createProvenanceGraph();
        partial.nextBlock = deployedAt;
        let failure: unknown;
        await readProvenanceGraph({ provenance, registry, provider: flaky, graph: partial }).catch((error: unknown) => {
          failure = error;
        });
        expect(String(failure)).to.equal("Error: connection reset");
        expect(partial.items.size).to.equal(0);
        expect(partial.nextBlock).to.equal(deployedAt);
        const resumed = await readProvenanceGraph({ provenance, registry, graph: partial });
        expect(resumed.anomalies).to.deep.equal([]);
        expect(snapshot(resumed)).to.deep.equal(snapshot(whole));
      });

      it("refreshes the participant records of accounts named in the newly read ranges", async function () {
        const { provenance, registry, deployedAt } = await loadFixture(defibrillatorOnChain);
        const whole = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt });
        const latest = await ethers.provider.getBlockNumber();
        const half = Math.floor((deployedAt + latest) / 2);
        const first = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt, toBlock: half });
        const later = await readProvenanceGraph({ provenance, registry, fromBlock: half + 1 });
        const [account] = [...later.participants.keys()].filter((key) => first.participants.has(key));
        expect(account).to.not.equal(undefined);
        first.participants.set(account, { address: account, kind: "None" });
        const resumed = await readProvenanceGraph({ provenance, registry, graph: first });
        expect(resumed.participants.get(account)).to.deep.equal(whole.participants.get(account));
      });
    });
  });
});
