import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { benchTokenGas } from "../bench/gas";
import { benchNettingWindow, benchSettlement, TRANSACTION_GAS_CAP } from "../bench/settlement";
import { benchProvenanceGas } from "../bench/provenanceGas";
import { benchLineage } from "../bench/provenance";

/** A goal a benchmark figure is held to: `value <= limit`. */
interface Goal {
  name: string;
  value: number;
  limit: number;
}

/**
 * `npm run bench`: runs every benchmark on the in-process network, prints a table and writes
 * bench/results.json. Gas is receipt gasUsed and deterministic; ratios are taken within the same run.
 */
async function main(): Promise<void> {
  const tokenGas = await benchTokenGas(hre);
  await hre.network.provider.send("hardhat_reset");
  const settlement = await benchSettlement(hre);
  await hre.network.provider.send("hardhat_reset");
  const nettingWindow = await benchNettingWindow(hre);
  await hre.network.provider.send("hardhat_reset");
  const provenanceGas = await benchProvenanceGas(hre);
  const provenance = await benchLineage();

  const gas = { ...tokenGas, ...settlement.gas, ...nettingWindow, ...provenanceGas };
  const results = { gas, settlement: settlement.settlement, provenance };

  const goals: Goal[] = [
    { name: "dollarTransfer / plainTransfer", value: gas.dollarTransfer / gas.plainTransfer, limit: 1.08 },
    { name: "paymentGross / plainTransfer", value: gas.paymentGross / gas.plainTransfer, limit: 1.9 },
    { name: "netting100PerPayment / paymentGross", value: gas.netting100PerPayment / gas.paymentGross, limit: 0.3 },
    { name: "provShip / plainTransfer", value: gas.provShip / gas.plainTransfer, limit: 1.5 },
    {
      name: "costliest 400-payment cycle / transaction gas cap",
      value: Math.max(gas.nettingWindowUncovered, gas.nettingWindowAllCovered) / TRANSACTION_GAS_CAP,
      limit: 1,
    },
  ];

  console.log("\nGas (receipt gasUsed)");
  console.table(Object.fromEntries(Object.entries(gas).map(([key, value]) => [key, { gas: value }])));
  console.log("Settlement (dollars)");
  console.table(Object.fromEntries(Object.entries(settlement.settlement).map(([key, value]) => [key, { value }])));
  const saved = 1 - settlement.settlement.netting100NetLiquidity / settlement.settlement.netting100GrossValue;
  console.log(`Lineage of a 1,000-part, 6-level bill of materials: median ${provenance.lineage1000Ms.toFixed(2)} ms`);
  console.log(`Liquidity saved by netting: ${(saved * 100).toFixed(1)}% (net liquidity / gross value)`);
  console.log("Goals");
  console.table(
    goals.map((goal) => ({
      goal: goal.name,
      ratio: Number(goal.value.toFixed(4)),
      limit: goal.limit,
      met: goal.value <= goal.limit ? "yes" : "NO",
    })),
  );

  const file = path.join(__dirname, "..", "bench", "results.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
  if (goals.some((goal) => goal.value > goal.limit)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
