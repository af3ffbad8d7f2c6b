import { existsSync, rmSync } from "node:fs";
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
 *
 * On a local development node (chain id 31337, e.g. `npx hardhat node`) every run deploys afresh: the node
 * forgets its state when it stops and developers redeploy after changing the contracts, so Ignition's journal of
 * an earlier run would only refuse the new bytecode or point at contracts the node no longer has.
 */
/** The chain id of Hardhat's own networks: the in-process one and `npx hardhat node`. */
const LOCAL_CHAIN_ID = 31337;

async function main(): Promise<void> {
  const founders = (process.env.T12_FOUNDERS?.split(",") ?? [...FOUNDING_JURISDICTIONS]).map((code, i) =>
    toBytes2(parseJurisdiction(`T12_FOUNDERS[${i}]`, code.trim())),
  );
  const provider = hre.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  if (chainId === LOCAL_CHAIN_ID && hre.network.name !== "hardhat") {
    const journal = path.join(hre.config.paths.ignition, "deployments", `chain-${chainId}`);
    if (existsSync(journal)) {
      console.log(
        `Local development chain: starting a fresh deployment (${path.relative(process.cwd(), journal)} reset)`,
      );
      rmSync(journal, { recursive: true, force: true });
    }
  }
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
    chainId,
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
