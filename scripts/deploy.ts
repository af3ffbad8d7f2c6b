import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import T12Ledger from "../ignition/modules/T12Ledger";
import { FOUNDING_JURISDICTIONS } from "../src/sdk/constants";
import { toBytes2 } from "../src/sdk/deploy";
import { parseJurisdiction } from "../src/sdk/inputs";

/**
 * Deploys the ledger with Ignition and writes `deployments/<network>.json` (addresses, block, chain id).
 * Optional environment: T12_FOUNDERS (comma-separated two-letter codes), T12_DEPLOYMENTS_DIR.
 */
async function main(): Promise<void> {
  const founders = (process.env.T12_FOUNDERS?.split(",") ?? [...FOUNDING_JURISDICTIONS]).map((code, i) =>
    toBytes2(parseJurisdiction(`T12_FOUNDERS[${i}]`, code.trim())),
  );
  const { registry, dollar, engine, provenance } = await hre.ignition.deploy(T12Ledger, {
    parameters: { T12Ledger: { founders } },
  });
  const network = await hre.ethers.provider.getNetwork();
  const block = await hre.ethers.provider.getBlockNumber();
  const record = {
    network: hre.network.name,
    chainId: Number(network.chainId),
    block,
    contracts: {
      ParticipantRegistry: await registry.getAddress(),
      DigitalDollar: await dollar.getAddress(),
      SettlementEngine: await engine.getAddress(),
      ProvenanceRegistry: await provenance.getAddress(),
    },
  };
  const dir = process.env.T12_DEPLOYMENTS_DIR ?? path.join(__dirname, "..", "deployments");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${hre.network.name}.json`);
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  console.log(`Deployed to ${hre.network.name} (chain ${record.chainId}) at block ${block}:`);
  for (const [name, address] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
