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
});
