import type { Signer } from "ethers";
import { ethers } from "ethers";
import {
  DigitalDollar__factory,
  ParticipantRegistry__factory,
  ProvenanceRegistry__factory,
  SettlementEngine__factory,
  type DigitalDollar,
  type ParticipantRegistry,
  type ProvenanceRegistry,
  type SettlementEngine,
} from "../../typechain-types";
import {
  DEFAULT_TRAVEL_RULE_THRESHOLD,
  DEFAULT_MAX_ATTESTATION_AGE,
  DEFAULT_VOTING_PERIOD,
  FOUNDING_JURISDICTIONS,
} from "./constants";

export interface DeployOptions {
  /** Jurisdictions admitted at deployment; the founding twelve by default. */
  founders?: readonly string[];
  /** Seconds a jurisdiction proposal stays open. */
  votingPeriod?: number;
  /** Seconds after which a reserve attestation is too old to mint against. */
  maxAttestationAge?: number;
  /** Payments at or above this many DUSD units need a travel-rule hash (default 1,000 dollars). */
  travelRuleThreshold?: bigint;
}

export interface CoreDeployment {
  registry: ParticipantRegistry;
  dollar: DigitalDollar;
}

/** Encodes a two-letter code as the `bytes2` the contracts use. */
export function toBytes2(code: string): string {
  return ethers.hexlify(ethers.toUtf8Bytes(code));
}

/**
 * Deploys the participant registry and the digital dollar, and wires the dollar in as the registry's
 * compliance observer. The deployer becomes the admin of both.
 */
export async function deployCore(deployer: Signer, options: DeployOptions = {}): Promise<CoreDeployment> {
  const admin = await deployer.getAddress();
  const founders = (options.founders ?? FOUNDING_JURISDICTIONS).map(toBytes2);
  const registry = await new ParticipantRegistry__factory(deployer).deploy(
    admin,
    founders,
    options.votingPeriod ?? DEFAULT_VOTING_PERIOD,
  );
  await registry.waitForDeployment();
  const dollar = await new DigitalDollar__factory(deployer).deploy(
    admin,
    await registry.getAddress(),
    options.maxAttestationAge ?? DEFAULT_MAX_ATTESTATION_AGE,
  );
  await dollar.waitForDeployment();
  await (await registry.addObserver(await dollar.getAddress())).wait();
  return { registry, dollar };
}

export interface SystemDeployment extends CoreDeployment {
  engine: SettlementEngine;
  provenance: ProvenanceRegistry;
}

/**
 * Deploys the core, the settlement engine and the provenance registry: makes the engine a system account of the
 * dollar (it holds the DUSD behind the settlement accounts) and the dollar's compliance observer, and lets it
 * deliver items against payment.
 */
export async function deploySystem(deployer: Signer, options: DeployOptions = {}): Promise<SystemDeployment> {
  const core = await deployCore(deployer, options);
  const engine = await new SettlementEngine__factory(deployer).deploy(
    await deployer.getAddress(),
    await core.dollar.getAddress(),
    options.travelRuleThreshold ?? DEFAULT_TRAVEL_RULE_THRESHOLD,
  );
  await engine.waitForDeployment();
  const engineAddress = await engine.getAddress();
  await (await core.dollar.setSystemAccount(engineAddress, true)).wait();
  await (await core.dollar.setObserver(engineAddress)).wait();
  const provenance = await new ProvenanceRegistry__factory(deployer).deploy(
    await deployer.getAddress(),
    await core.registry.getAddress(),
  );
  await provenance.waitForDeployment();
  await (await provenance.setSettlementEngine(engineAddress)).wait();
  await (await engine.setProvenance(await provenance.getAddress())).wait();
  return { ...core, engine, provenance };
}
