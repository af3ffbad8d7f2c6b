import { existsSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import T12Ledger from "../ignition/modules/T12Ledger";
import { FOUNDING_JURISDICTIONS } from "../src/sdk/constants";
import { toBytes2 } from "../src/sdk/deploy";
import {
  deploymentPath,
  deploymentsDir,
  readDeployment,
  writeDeployment,
  type DeploymentRecord,
} from "../src/sdk/deployments";
import { parseJurisdiction } from "../src/sdk/inputs";

/**
 * Deploys the ledger with Ignition and writes `deployments/<network>.json` (addresses, first block, chain id).
 * Optional environment: T12_FOUNDERS (comma-separated two-letter codes), T12_DEPLOYMENTS_DIR.
 *
 * The recorded block is where log readers (provenance traces, audits) start. For a fresh deployment it is the
 * first block after the one current before deploying; when Ignition resumes a deployment it had already
 * made, the block of the existing record for the same contracts is kept.
 */
async function main(): Promise<void> {
  const founders = (process.env.T12_FOUNDERS?.split(",") ?? [...FOUNDING_JURISDICTIONS]).map((code, i) =>
    toBytes2(parseJurisdiction(`T12_FOUNDERS[${i}]`, code.trim())),
  );
  const provider = hre.ethers.provider;
  const before = await provider.getBlockNumber();
  const { registry, dollar, engine, provenance } = await hre.ignition.deploy(T12Ledger, {
    parameters: { T12Ledger: { founders } },
  });
  const contracts = {
    ParticipantRegistry: await registry.getAddress(),
    DigitalDollar: await dollar.getAddress(),
    SettlementEngine: await engine.getAddress(),
    ProvenanceRegistry: await provenance.getAddress(),
  };
  const dir = deploymentsDir(path.join(__dirname, ".."));
  const fresh = (await provider.getCode(contracts.ParticipantRegistry, before)) === "0x";
  const previous = existsSync(deploymentPath(hre.network.name, dir))
    ? readDeployment(hre.network.name, dir)
    : undefined;
  const sameContracts = previous?.contracts.ParticipantRegistry === contracts.ParticipantRegistry;
  if (!fresh && !sameContracts) {
    console.warn("Ignition reused contracts deployed earlier with no record of their block: log readers start at 0.");
  }
  const record: DeploymentRecord = {
    network: hre.network.name,
    chainId: Number((await provider.getNetwork()).chainId),
    block: fresh ? before + 1 : sameContracts && previous !== undefined ? previous.block : 0,
    contracts,
  };
  const file = writeDeployment(record, dir);
  console.log(`Deployed to ${record.network} (chain ${record.chainId}) from block ${record.block}:`);
  for (const [name, address] of Object.entries(contracts)) console.log(`  ${name.padEnd(20)} ${address}`);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
