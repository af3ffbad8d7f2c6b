import { expect } from "chai";
import { ethers } from "hardhat";

import { runSimulation, type SimulationProgress, type SimulationSummary } from "../../src/simulation";
import { parseDollars } from "../../src/sdk/inputs";

describe("runSimulation()", function () {
  let summary: SimulationSummary;
  const progress: SimulationProgress[] = [];

  before(async function () {
    summary = await runSimulation({ signers: await ethers.getSigners(), onProgress: (p) => progress.push(p) });
  });

  it("reports every step once, in order, ending at the total", function () {
    expect(progress.map((p) => p.completed)).to.deep.equal(progress.map((_, index) => index + 1));
    expect(progress.at(-1)?.completed).to.equal(progress[0].total);
    expect(new Set(progress.map((p) => p.stage))).to.deep.equal(
      new Set([
        "deploy",
        "consortium",
        "roles",
        "onboarding",
        "issuance",
        "transfers",
        "liquidity",
        "payments",
        "netting",
        "provenance",
      ]),
    );
  });

  it("onboards the whole cast", function () {
    expect(summary.participants).to.deep.equal({
      total: 33,
      centralBanks: 12,
      commercialBanks: 8,
      customers: 8,
      suppliers: 4,
      auditors: 1,
      jurisdictions: 12,
      bankJurisdictions: ["US", "GB", "FR", "DE", "JP", "CA", "AU"],
    });
  });

  it("keeps the supply within the attested reserves", function () {
    expect(summary.supply).to.deep.equal({ totalSupply: "40000000", reserves: "60000000", backed: true });
    expect(parseDollars("supply", summary.supply.totalSupply) <= parseDollars("reserves", summary.supply.reserves)).to
      .be.true;
  });

  it("settles, queues, cancels and nets the payments of the day", function () {
    expect(summary.transfers.count).to.equal(12);
    expect(summary.payments).to.deep.equal({
      submitted: 16,
      settledGross: 10,
      queued: 6,
      cancelled: 1,
      netted: 5,
      stillQueued: 0,
      valueSettled: "3975501.5",
    });
  });

  it("resolves the gridlock with a netting cycle, saving most of the liquidity", function () {
    expect(summary.gridlock).to.deep.include({ payments: 4, value: "1550000", resolved: true, cycleId: 1 });
    expect(summary.cycles[0]).to.deep.equal({
      cycleId: 1,
      settled: 4,
      considered: 5,
      grossValue: "1550000",
      netLiquidity: "90000",
      stillQueued: 1,
      liquiditySaved: 0.941935,
    });
    expect(summary.gridlock.liquiditySaved).to.equal(summary.cycles[0].liquiditySaved);
    expect(summary.cycles[1]).to.deep.include({ settled: 1, stillQueued: 0, netLiquidity: "750000" });
  });

  it("builds, sells with delivery versus payment, and audits the medical device and the defense component", function () {
    const chain = summary.supplyChain;
    expect(chain).to.not.equal(undefined);
    if (chain === undefined) return;
    expect(chain.items).to.equal(8);
    expect(chain.events).to.deep.equal({ anchored: 23, storedOnly: 0 });
    expect(chain.sales.map((sale) => [sale.item, sale.price])).to.deep.equal([
      ["defibrillator (Ottawa, CA)", "18500"],
      ["shipping case of the radar module (Negev, IL)", "22000"],
    ]);
    expect(chain.audit).to.deep.equal({ altered: 0, added: 0, dropped: 0, anchoredEvents: 23 });
    expect(chain.exportedEvents).to.be.greaterThan(0);
  });

  it("flags exactly the component of untrusted origin, with the path that taints the defense component", function () {
    const [device, radar] = summary.supplyChain?.screens ?? [];
    expect(device).to.deep.include({ item: "defibrillator (Ottawa, CA)", components: 3, clean: true, findings: [] });
    expect(radar).to.deep.include({
      item: "shipping case of the radar module (Negev, IL)",
      components: 3,
      clean: false,
    });
    expect(radar.findings.map((finding) => [finding.rule, finding.path])).to.deep.equal([
      [
        "untrusted-origin",
        [
          "shipping case of the radar module (Negev, IL)",
          "radar module (Negev, IL)",
          "display module (made in CN, sold by Kyoto)",
        ],
      ],
    ]);
    expect(summary.supplyChain?.recall.affected).to.deep.equal([
      "FPGA (Nordsee, DE)",
      "radar module (Negev, IL)",
      "shipping case of the radar module (Negev, IL)",
    ]);
  });
});
