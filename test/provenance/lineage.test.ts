import { expect } from "chai";
import { ethers } from "hardhat";

import {
  buildProvenanceGraph,
  EventSequence,
  type ProvenanceEventBody,
  type ProvenanceGraph,
} from "../../src/provenance/graph";
import {
  DEFAULT_MAX_TRANSIT_SECONDS,
  findCustodyGaps,
  lineageNodes,
  traceLineage,
  traceRecall,
} from "../../src/provenance/lineage";
import { renderRecallTree, shortId } from "../../src/report/provenanceTree";
import { InputError } from "../../src/sdk/errors";
import {
  ADDRESS,
  DAY,
  defibrillatorHistory,
  eventHash,
  ID,
  PARTICIPANTS,
  START,
} from "../fixtures/policy/defibrillator";

function defibrillatorGraph(extra: (seq: EventSequence) => void = () => undefined): ProvenanceGraph {
  const { events, participants } = defibrillatorHistory();
  const seq = new EventSequence(START + 100 * DAY, 10_000);
  extra(seq);
  return buildProvenanceGraph([...events, ...seq.events], participants);
}

const GADGET = ethers.id("urn:epc:id:sgtin:0614141.999999.1");

/** A lone item commissioned by the US maker on `START`, then the given moves on the given days. */
function gadgetGraph(moves: [number, ProvenanceEventBody][]): ProvenanceGraph {
  const seq = new EventSequence(START);
  seq.add({
    type: "ItemCommissioned",
    item: GADGET,
    manufacturer: ADDRESS.usMaker,
    origin: "US",
    productClass: "Other",
    exportClass: "EAR99",
    eventHash: eventHash("commission-gadget"),
    documentHash: ethers.ZeroHash,
  });
  for (const [day, body] of moves) seq.at(START + day * DAY).add(body);
  return buildProvenanceGraph(seq.events, PARTICIPANTS);
}

const ship = (from: string, to: string, label = "ship"): ProvenanceEventBody => ({
  type: "ItemShipped",
  item: GADGET,
  from,
  to,
  licenceRef: ethers.ZeroHash,
  eventHash: eventHash(label),
});
const receive = (from: string, to: string, label = "receive"): ProvenanceEventBody => ({
  type: "ItemReceived",
  item: GADGET,
  from,
  to,
  eventHash: eventHash(label),
});

describe("provenance lineage", function () {
  describe("traceLineage()", function () {
    describe("when tracing the defibrillator", function () {
      const graph = defibrillatorGraph();
      const lineage = traceLineage(graph, ID.defibrillator);

      it("reaches every component, recursively, through transformations and aggregations", function () {
        expect(lineage.size).to.equal(9);
        expect(lineage.depth).to.equal(2);
        expect(lineage.cycles).to.deep.equal([]);
        expect(lineageNodes(lineage).map((node) => [node.path, node.via])).to.deep.equal([
          [[ID.defibrillator], "root"],
          [[ID.defibrillator, ID.housing], "transformation"],
          [[ID.defibrillator, ID.board], "transformation"],
          [[ID.defibrillator, ID.board, ID.krChip], "transformation"],
          [[ID.defibrillator, ID.board, ID.cnChip], "transformation"],
          [[ID.defibrillator, ID.board, ID.capacitor], "transformation"],
          [[ID.defibrillator, ID.pack], "aggregation"],
          [[ID.defibrillator, ID.pack, ID.cellA], "aggregation"],
          [[ID.defibrillator, ID.pack, ID.cellB], "aggregation"],
        ]);
      });

      it("gives each component its origin, manufacturer, holder, custody chain and certificates", function () {
        const cell = lineageNodes(lineage).find((node) => node.id === ID.cellA);
        expect(cell).to.include({ origin: "JP", productClass: "MedicalDevice", disposition: "Contained" });
        expect(cell?.incorporated).to.deep.equal({
          time: START + 60 * DAY,
          eventHash: eventHash("aggregate-pack"),
          block: cell?.incorporated?.block,
        });
        expect(cell?.manufacturer).to.deep.equal(PARTICIPANTS[2]);
        expect(cell?.holder).to.deep.equal(PARTICIPANTS[4]);
        expect(cell?.container).to.equal(ID.defibrillator);
        expect(cell?.custody.map((step) => step.event)).to.deep.equal([
          "commission",
          "ship",
          "receive",
          "ship",
          "receive",
        ]);
        expect(cell?.certificates.map((c) => c.validUntil)).to.deep.equal([START + 30 * DAY]);
      });

      it("names a manufacturer the participant registry does not know as unregistered", function () {
        const { events } = defibrillatorHistory();
        const bare = traceLineage(buildProvenanceGraph(events), ID.housing);
        expect(bare.tree.manufacturer).to.deep.equal({ address: ADDRESS.usMaker, kind: "None" });
      });
    });

    describe("when a child was unpacked", function () {
      const graph = defibrillatorGraph((seq) =>
        seq.add({
          type: "ItemDisaggregated",
          parent: ID.defibrillator,
          child: ID.pack,
          eventHash: eventHash("unpack"),
        }),
      );

      it("leaves it out, with everything inside it", function () {
        const lineage = traceLineage(graph, ID.defibrillator);
        expect(lineageNodes(lineage).map((node) => node.id)).to.not.include.members([ID.pack, ID.cellA, ID.cellB]);
        expect(lineage.size).to.equal(6);
      });

      it("keeps it, marked, with includeRemoved", function () {
        const lineage = traceLineage(graph, ID.defibrillator, { includeRemoved: true });
        expect(lineage.size).to.equal(9);
        const pack = lineageNodes(lineage).find((node) => node.id === ID.pack);
        expect(pack?.removed).to.deep.equal({ time: START + 100 * DAY, eventHash: eventHash("unpack") });
      });
    });

    describe("when the item is unknown", function () {
      it("throws an InputError naming the item", function () {
        const unknown = ethers.id("urn:epc:id:sgtin:0000000.000000.0");
        expect(() => traceLineage(defibrillatorGraph(), unknown))
          .to.throw(InputError)
          .with.property(
            "message",
            `item: ${unknown} is not in the provenance records; expected the id of a commissioned item`,
          );
      });
    });
  });

  describe("traceRecall()", function () {
    describe("when a chip is recalled", function () {
      const trace = traceRecall(defibrillatorGraph(), ID.krChip);

      it("lists everything built from it with who holds it now", function () {
        expect(trace.affected.map((e) => [e.path, e.via, e.disposition, e.holder.address])).to.deep.equal([
          [[ID.krChip], "source", "Consumed", ADDRESS.usMaker],
          [[ID.krChip, ID.board], "transformation", "Consumed", ADDRESS.usMaker],
          [[ID.krChip, ID.board, ID.defibrillator], "transformation", "Active", ADDRESS.hospital],
        ]);
        expect(trace.affected[1].incorporatedAt).to.equal(START + 65 * DAY);
        expect(trace.holders).to.deep.equal([{ holder: PARTICIPANTS[4], items: [ID.defibrillator] }]);
      });
    });

    describe("when a cell is recalled", function () {
      it("includes the items still packed, held by whoever holds their outermost container", function () {
        const trace = traceRecall(defibrillatorGraph(), ID.cellA);
        expect(trace.affected.map((e) => [e.id, e.via, e.disposition, e.holder.address, e.container])).to.deep.equal([
          [ID.cellA, "source", "Contained", ADDRESS.hospital, ID.defibrillator],
          [ID.pack, "aggregation", "Contained", ADDRESS.hospital, ID.defibrillator],
          [ID.defibrillator, "aggregation", "Active", ADDRESS.hospital, undefined],
        ]);
        expect(trace.holders).to.deep.equal([
          { holder: PARTICIPANTS[4], items: [ID.cellA, ID.pack, ID.defibrillator] },
        ]);
      });

      it("stops at a container it was unpacked from", function () {
        const graph = defibrillatorGraph((seq) => {
          seq.add({
            type: "ItemDisaggregated",
            parent: ID.defibrillator,
            child: ID.pack,
            eventHash: eventHash("unpack"),
          });
          seq
            .after(60)
            .add({ type: "ItemDisaggregated", parent: ID.pack, child: ID.cellA, eventHash: eventHash("unpack-cellA") });
        });
        const trace = traceRecall(graph, ID.cellA);
        expect(trace.affected.map((e) => [e.id, e.disposition, e.holder.address])).to.deep.equal([
          [ID.cellA, "Active", ADDRESS.hospital],
        ]);
      });

      it("renders the tree and the holders to contact", function () {
        const text = renderRecallTree(traceRecall(defibrillatorGraph(), ID.cellA));
        const hospital = `${ADDRESS.hospital} (US, Customer, LEI HOSPITAL-US000000000)`;
        expect(text.split("\n")).to.deep.equal([
          `Recall of ${shortId(ID.cellA)}: 3 affected items, 1 holders`,
          `recalled: ${shortId(ID.cellA)}  MedicalDevice, Contained; held by ${hospital}, packed in ${shortId(ID.defibrillator)}`,
          `└─ packed into 2026-03-02T00:00:00Z ${shortId(ID.pack)}  MedicalDevice, Contained; held by ${hospital}, packed in ${shortId(ID.defibrillator)}`,
          `   └─ packed into 2026-03-09T00:00:00Z ${shortId(ID.defibrillator)}  MedicalDevice, Active; held by ${hospital}`,
          "",
          "Holders:",
          `  ${hospital}: ${[ID.cellA, ID.pack, ID.defibrillator].map(shortId).join(", ")}`,
        ]);
      });
    });
  });

  describe("findCustodyGaps()", function () {
    describe("when every shipment was received in time", function () {
      it("finds none in the defibrillator's lineage", function () {
        expect(findCustodyGaps(defibrillatorGraph(), ID.defibrillator)).to.deep.equal([]);
      });
    });

    describe("when the transit limit is shorter than the shipments", function () {
      it("reports each item's own shipments, not those it rode along in", function () {
        const gaps = findCustodyGaps(defibrillatorGraph(), ID.defibrillator, { maxTransitSeconds: DAY });
        expect(gaps.map((g) => [g.kind, g.item, g.path.length, g.seconds])).to.deep.equal([
          ["transit-delay", ID.defibrillator, 1, 2 * DAY],
          ["transit-delay", ID.krChip, 3, 2 * DAY],
          ["transit-delay", ID.cnChip, 3, 2 * DAY],
          ["transit-delay", ID.capacitor, 3, 2 * DAY],
          ["transit-delay", ID.pack, 2, 3 * DAY],
        ]);
        expect(gaps[0].message).to.equal("was in transit 48.0 h, longer than 24.0 h");
      });
    });

    describe("when custody was handed over by someone who did not hold it", function () {
      it("reports a discontinuity naming who handed over and who should have", function () {
        const graph = gadgetGraph([
          [1, ship(ADDRESS.usMaker, ADDRESS.krMaker)],
          [2, receive(ADDRESS.krMaker, ADDRESS.krMaker)],
          [3, ship(ADDRESS.jpMaker, ADDRESS.deMaker, "ship-2")],
          [4, receive(ADDRESS.deMaker, ADDRESS.deMaker, "receive-2")],
        ]);
        const gaps = findCustodyGaps(graph, GADGET);
        expect(gaps).to.deep.equal([
          {
            kind: "discontinuity",
            item: GADGET,
            path: [GADGET],
            step: 3,
            event: "ship",
            eventHash: eventHash("ship-2"),
            since: START + 3 * DAY,
            from: ADDRESS.jpMaker,
            expectedFrom: ADDRESS.krMaker,
            message: `ship by ${ADDRESS.jpMaker}, but the custodian before was ${ADDRESS.krMaker}`,
          },
        ]);
      });
    });

    describe("when a shipment is never received", function () {
      it("reports it, and the time in transit so far against the limit", function () {
        const graph = gadgetGraph([[1, ship(ADDRESS.usMaker, ADDRESS.krMaker)]]);
        const gaps = findCustodyGaps(graph, GADGET, { asOf: START + 31 * DAY });
        expect(gaps.map((g) => [g.kind, g.step, g.seconds, g.message])).to.deep.equal([
          ["transit-delay", 1, 30 * DAY, "has been in transit 720.0 h, longer than 336.0 h"],
          ["never-received", 1, 30 * DAY, `shipped to ${ADDRESS.krMaker} and never received`],
        ]);
        expect(DEFAULT_MAX_TRANSIT_SECONDS).to.equal(14 * DAY);
      });
    });

    describe("when a shipment against payment is delivered or taken back", function () {
      it("accepts the seller as the one delivering, and the buyer as the one returning", function () {
        const graph = gadgetGraph([
          [1, ship(ADDRESS.usMaker, ADDRESS.hospital)],
          [
            2,
            {
              type: "ItemDelivered",
              item: GADGET,
              from: ADDRESS.usMaker,
              to: ADDRESS.hospital,
              uetr: "0x6f1c2d3e4b5a4c6d8e7f8091a2b3c4d5",
              price: 1_000_000n,
              eventHash: eventHash("deliver"),
            },
          ],
          [3, ship(ADDRESS.hospital, ADDRESS.krMaker, "ship-2")],
          [4, receive(ADDRESS.krMaker, ADDRESS.hospital, "withdraw")],
        ]);
        expect(findCustodyGaps(graph, GADGET)).to.deep.equal([]);
      });

      it("reports a delivery by someone other than the shipper", function () {
        const graph = gadgetGraph([
          [1, ship(ADDRESS.usMaker, ADDRESS.hospital)],
          [
            2,
            {
              type: "ItemDelivered",
              item: GADGET,
              from: ADDRESS.krMaker,
              to: ADDRESS.hospital,
              uetr: "0x6f1c2d3e4b5a4c6d8e7f8091a2b3c4d5",
              price: 1_000_000n,
              eventHash: eventHash("deliver"),
            },
          ],
        ]);
        expect(findCustodyGaps(graph, GADGET).map((g) => [g.kind, g.event, g.from, g.expectedFrom])).to.deep.equal([
          ["discontinuity", "deliver", ADDRESS.krMaker, ADDRESS.usMaker],
        ]);
      });
    });
  });
});
