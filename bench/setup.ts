import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deploySystem, toBytes2, type SystemDeployment } from "../src/sdk/deploy";
import { ParticipantKind } from "../src/sdk/constants";
import { PlainERC20__factory, type PlainERC20 } from "../typechain-types";

export const usd = (dollars: number): bigint => BigInt(Math.round(dollars * 1e6));
const lei = (tag: string, hre: HardhatRuntimeEnvironment): string =>
  hre.ethers.hexlify(hre.ethers.toUtf8Bytes(tag.padEnd(20, "0").slice(0, 20)));

export interface BenchSystem extends SystemDeployment {
  plain: PlainERC20;
  admin: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  banks: HardhatEthersSigner[];
  fresh: HardhatEthersSigner[];
}

/** A deterministic generator (mulberry32), so every run benchmarks the same payments. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv4 as 16 bytes, drawn from `random`. */
export function uetrFrom(random: () => number): string {
  const bytes = new Uint8Array(16).map(() => Math.floor(random() * 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return "0x" + Buffer.from(bytes).toString("hex");
}

/**
 * Deploys the system and the plain ERC-20 baseline, licenses twelve banks (two per jurisdiction of six
 * regulators), onboards `freshCount` customers who hold nothing yet, attests reserves and gives each bank
 * 10,000,000 DUSD and the same in the plain token.
 */
export async function setupBench(hre: HardhatRuntimeEnvironment, freshCount = 4): Promise<BenchSystem> {
  const signers = await hre.ethers.getSigners();
  const [admin, issuer] = signers;
  const regulators = signers.slice(2, 8);
  const banks = signers.slice(8, 20);
  const fresh = signers.slice(20, 20 + freshCount);
  const system = await deploySystem(admin);
  const { registry, dollar } = system;
  const plain = await new PlainERC20__factory(admin).deploy();

  const codes = ["US", "GB", "FR", "DE", "JP", "KR"];
  for (const [i, regulator] of regulators.entries()) {
    await registry.appointRegulator(toBytes2(codes[i]), regulator.address, lei(`CB-${codes[i]}`, hre));
  }
  const latest = await hre.ethers.provider.getBlock("latest");
  const kycExpiry = (latest?.timestamp ?? 0) + 365 * 24 * 3600;
  for (const [i, bank] of banks.entries()) {
    await registry
      .connect(regulators[i % regulators.length])
      .onboardBank(bank.address, lei(`BANK-${i}`, hre), kycExpiry);
  }
  for (const [i, account] of fresh.entries()) {
    await registry
      .connect(banks[0])
      .onboardParticipant(account.address, ParticipantKind.Customer, toBytes2("US"), lei(`CUST-${i}`, hre), kycExpiry);
  }
  await registry.appointRegulator(toBytes2("AU"), issuer.address, lei("CB-AU", hre));
  await dollar.grantRole(await dollar.MASTER_MINTER_ROLE(), admin.address);
  await dollar.grantRole(await dollar.ATTESTOR_ROLE(), admin.address);
  await dollar.configureIssuer(issuer.address, usd(1e12));
  const now = (await hre.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  await dollar.attestReserves(usd(1e12), hre.ethers.id("bench-reserve-report"), now);
  for (const bank of banks) {
    await dollar.connect(issuer).mint(bank.address, usd(10_000_000));
    await plain.mint(bank.address, usd(10_000_000));
  }
  return { ...system, plain, admin, issuer, banks, fresh };
}
