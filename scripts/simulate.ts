/**
 * `npm run simulate`: one simulated business day of the T-12 ledger on the selected network (the in-process
 * Hardhat network by default), with a progress bar, a summary table, and a JSON report in
 * reports/simulation-<timestamp>/summary.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path, { join } from "node:path";

import { SingleBar, Presets } from "cli-progress";
import { ethers, network } from "hardhat";

import { runSimulation, type SimulationSummary } from "../src/simulation";

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** "1550000.5" -> "1,550,000.5". */
function grouped(dollars: string): string {
  const [whole, fraction] = dollars.split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? withCommas : `${withCommas}.${fraction}`;
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => (label === "" ? "" : `  ${label.padEnd(width)}  ${value}`)).join("\n");
}

function supplyChainRows(summary: SimulationSummary): [string, string][] {
  const chain = summary.supplyChain;
  if (chain === undefined) return [];
  return [
    [
      "Provenance events",
      `${chain.events.anchored} anchored on chain, ${chain.events.storedOnly} stored only; ${chain.items} items`,
    ],
    ...chain.sales.map((sale): [string, string] => [
      "  delivery vs payment",
      `${sale.item} to ${sale.buyer} for ${grouped(sale.price)} DUSD`,
    ]),
    ...chain.screens.map((screen): [string, string] => [
      "  origin screen",
      `${screen.item}: ${screen.components} components, ` +
        (screen.clean
          ? "clean"
          : screen.findings.map((finding) => `${finding.rule} via ${finding.path.join(" -> ")}`).join("; ")),
    ]),
    ["  recall trace", `${chain.recall.item}: ${chain.recall.affected.length} items affected`],
    [
      "  store audit",
      `${chain.audit.altered} altered, ${chain.audit.added} added, ${chain.audit.dropped} dropped ` +
        `of ${chain.audit.anchoredEvents} anchored events`,
    ],
  ];
}

function render(summary: SimulationSummary): string {
  const { participants: p, supply, payments, gridlock } = summary;
  const rows: [string, string][] = [
    ["Network", `${network.name} (chain ${summary.chainId}), blocks ${summary.blocks.first}..${summary.blocks.last}`],
    [
      "Participants",
      `${p.total}: ${p.centralBanks} central banks, ${p.commercialBanks} commercial banks, ` +
        `${p.customers} customers, ${p.suppliers} suppliers, ${p.auditors} auditor`,
    ],
    ["Jurisdictions", `${p.jurisdictions} admitted; banks in ${p.bankJurisdictions.join(", ")}`],
    [
      "Supply / reserves",
      `${grouped(supply.totalSupply)} / ${grouped(supply.reserves)} DUSD (${supply.backed ? "backed" : "NOT BACKED"})`,
    ],
    ["Transfers", `${summary.transfers.count} worth ${grouped(summary.transfers.value)} DUSD`],
    ["Payments submitted", String(payments.submitted)],
    ["  settled gross", String(payments.settledGross)],
    ["  queued", `${payments.queued} (${payments.cancelled} cancelled)`],
    ["  netted", `${payments.netted} in ${summary.cycles.length} cycles`],
    ["  still queued", String(payments.stillQueued)],
    ["Value settled", `${grouped(payments.valueSettled)} DUSD`],
    ...summary.cycles.map((cycle): [string, string] => [
      `Cycle ${cycle.cycleId}`,
      `${cycle.settled} of ${cycle.considered} settled, gross ${grouped(cycle.grossValue)}, net ${grouped(cycle.netLiquidity)}, ` +
        `liquidity saved ${percent(cycle.liquiditySaved)}`,
    ]),
    [
      "Gridlock",
      `${gridlock.payments} payments worth ${grouped(gridlock.value)} among ${gridlock.banks.map((name) => name.split(" ")[0]).join(" -> ")}: ` +
        `${gridlock.resolved ? `resolved by cycle ${gridlock.cycleId}` : "NOT resolved"}`,
    ],
    [
      "Liquidity saved",
      `${percent(gridlock.liquiditySaved)} (net ${grouped(gridlock.netLiquidity)} for gross ${grouped(gridlock.value)})`,
    ],
    ...supplyChainRows(summary),
    ["Duration", `${(summary.durationMs / 1000).toFixed(1)} s`],
  ];
  return table(rows);
}

async function main(): Promise<void> {
  const signers = await ethers.getSigners();
  const bar = new SingleBar(
    { format: "{bar} {value}/{total} {stage}: {step}", hideCursor: true, clearOnComplete: false, noTTYOutput: true },
    Presets.shades_classic,
  );
  let started = false;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = join(__dirname, "..", "reports", `simulation-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const summary = await runSimulation({
    signers,
    storePath: join(dir, "provenance.sqlite"),
    onProgress: ({ stage, step, completed, total }) => {
      if (!started) {
        bar.start(total, 0, { stage, step });
        started = true;
      }
      bar.update(completed, { stage, step: step.length > 60 ? `${step.slice(0, 57)}...` : step });
    },
  });
  bar.stop();

  const trees = summary.supplyChain?.trees ?? {};
  for (const [index, [label, tree]] of Object.entries(trees).entries()) {
    writeFileSync(join(dir, `trace-${index + 1}.txt`), `${label}\n\n${tree}\n`);
  }
  const file = join(dir, "summary.json");
  writeFileSync(
    file,
    `${JSON.stringify({ ...summary, supplyChain: { ...summary.supplyChain, trees: undefined } }, null, 2)}\n`,
  );
  console.log(`\nSimulated business day\n${render(summary)}\n`);
  for (const [label, tree] of Object.entries(trees)) console.log(`${label}\n${tree}\n`);
  console.log(`Report: ${path.relative(process.cwd(), dir)} (summary.json, trace-*.txt, provenance.sqlite)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
