import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { packEndToEndId } from "../src/sdk/endToEndId";
import type { ISettlementEngine } from "../typechain-types";
import { ParticipantKind } from "../src/sdk/constants";
import { toBytes2 } from "../src/sdk/deploy";
import { prng, setupBench, uetrFrom, usd } from "./setup";

const PURPOSES = ["SUPP", "TRAD", "INTC", "GDDS", "CASH"];
const toBytes4 = (code: string): string => "0x" + Buffer.from(code, "ascii").toString("hex");

export interface SettlementBench {
  gas: { paymentGross: number; netting100PerPayment: number; netting100Cycle: number };
  settlement: { netting100GrossValue: number; netting100NetLiquidity: number; netting100Settled: number };
}

/**
 * A fully referenced gross payment, then a gridlock of 100 queued payments among 12 banks that one netting
 * cycle settles once every bank has deposited its net debit. Values are in dollars.
 */
export async function benchSettlement(hre: HardhatRuntimeEnvironment): Promise<SettlementBench> {
  const s = await setupBench(hre, 0);
  const engineAddress = await s.engine.getAddress();
  const random = prng(20261128);
  for (const bank of s.banks) {
    await s.dollar.connect(bank).approve(engineAddress, hre.ethers.MaxUint256);
    await s.engine.connect(bank).deposit(usd(1));
  }
  const [a, b] = s.banks;

  const instruction = (creditor: string, amount: bigint, i: number): ISettlementEngine.InstructionStruct => ({
    uetr: uetrFrom(random),
    creditor,
    amount,
    purpose: toBytes4(PURPOSES[i % PURPOSES.length]),
    priority: i % 3,
    endToEndId: packEndToEndId("endToEndId", `E2E-20261128-${String(i).padStart(6, "0")}`),
    // A fixed digest per payment: its bytes are calldata, so random ones would make the gas vary between runs.
    travelRuleHash: hre.ethers.id(`travel-rule-${i}`),
    businessRef: hre.ethers.id(`PO-2026-${i}`),
  });

  await s.engine.connect(a).deposit(usd(100_000));
  const gross = await (await s.engine.connect(a).submit(instruction(b.address, usd(25_000), 0))).wait();
  const paymentGross = Number(gross?.gasUsed ?? 0);
  // Back to a token balance of 1 dollar each, so that every payment of the gridlock has to queue.
  await s.engine.connect(a).withdraw(usd(75_000));
  await s.engine.connect(b).withdraw(usd(25_000));

  // The gridlock: every payment is larger than its debtor's settlement balance, so all of them queue.
  const netDebit = new Map<string, bigint>();
  for (let i = 0; i < 100; i++) {
    const d = Math.floor(random() * s.banks.length);
    let c = Math.floor(random() * (s.banks.length - 1));
    if (c >= d) c += 1;
    const amount = usd(Math.round((10_000 + random() * 490_000) * 100) / 100);
    const [debtor, creditor] = [s.banks[d], s.banks[c]];
    await s.engine.connect(debtor).submit(instruction(creditor.address, amount, i + 1));
    netDebit.set(debtor.address, (netDebit.get(debtor.address) ?? 0n) + amount);
    netDebit.set(creditor.address, (netDebit.get(creditor.address) ?? 0n) - amount);
  }
  if ((await s.engine.queueLength()) !== 100n) throw new Error("the gridlock did not queue all 100 payments");
  for (const bank of s.banks) {
    const needed = netDebit.get(bank.address) ?? 0n;
    const { balance } = await s.engine.account(bank.address);
    if (needed > balance) await s.engine.connect(bank).deposit(needed - balance);
  }
  await s.engine.grantRole(await s.engine.OPERATOR_ROLE(), s.admin.address);
  const receipt = await (await s.engine.connect(s.admin).runNettingCycle(100)).wait();
  if (!receipt) throw new Error("the netting cycle was not mined");
  const cycle = receipt.logs
    .map((log) => s.engine.interface.parseLog(log))
    .find((parsed) => parsed?.name === "CycleSettled");
  if (!cycle) throw new Error("the netting cycle emitted no CycleSettled event");
  const settled = Number(cycle.args.settled);
  const cycleGas = Number(receipt.gasUsed);
  return {
    gas: { paymentGross, netting100PerPayment: Math.round(cycleGas / settled), netting100Cycle: cycleGas },
    settlement: {
      netting100GrossValue: Number(cycle.args.grossValue) / 1e6,
      netting100NetLiquidity: Number(cycle.args.netLiquidity) / 1e6,
      netting100Settled: settled,
    },
  };
}

/** The per-transaction gas cap of the network (2^24, since the Fusaka upgrade), which a cycle must fit. */
export const TRANSACTION_GAS_CAP = 2 ** 24;

export interface NettingWindowBench {
  /** A full window: 400 queued payments among 400 parties, before anyone deposits. */
  nettingWindowUncovered: number;
  /** The same window once every debtor has deposited its payment: all 400 settle. */
  nettingWindowAllCovered: number;
}

/**
 * The costliest cycles the engine admits: `MAX_CYCLE_PAYMENTS` (400) queued payments among
 * `MAX_CYCLE_PARTIES` (400) parties in a ring (party i pays party i + 1 a random amount), so every party
 * costs a storage read and, once settled, a write. From one snapshot: the cycle before anyone deposited
 * (only the parties who receive at least what they pay can settle), and the cycle after every debtor
 * deposited its payment, which settles all 400.
 */
export async function benchNettingWindow(hre: HardhatRuntimeEnvironment): Promise<NettingWindowBench> {
  const { ethers } = hre;
  const s = await setupBench(hre, 0);
  const [bank] = s.banks;
  const window = Number(await s.engine.MAX_CYCLE_PAYMENTS());
  const partyCount = Number(await s.engine.MAX_CYCLE_PARTIES());
  const random = prng(20261129);
  const latest = await ethers.provider.getBlock("latest");
  const kycExpiry = (latest?.timestamp ?? 0) + 365 * 24 * 3600;

  const parties = Array.from(
    { length: partyCount },
    (_, i) => new ethers.Wallet(ethers.id(`party-${i}`), ethers.provider),
  );
  for (let start = 0; start < parties.length; start += 100) {
    const rows = parties.slice(start, start + 100).map((party, i) => ({
      account: party.address,
      kind: ParticipantKind.Customer,
      jurisdiction: toBytes2("US"),
      lei: ethers.zeroPadValue(ethers.toBeHex(start + i + 1), 20),
      kycExpiry,
    }));
    await s.registry.connect(bank).onboardParticipants(rows);
  }
  const oneEther = ethers.toQuantity(ethers.parseEther("1"));
  for (const party of parties) {
    await ethers.provider.send("hardhat_setBalance", [party.address, oneEther]);
    await s.engine.connect(party).openAccount();
  }

  const amounts: bigint[] = [];
  for (let i = 0; i < window; i++) {
    const [debtor, creditor] = [parties[i % partyCount], parties[(i + 1) % partyCount]];
    const amount = usd(Math.round((100 + random() * 9_900) * 100) / 100);
    amounts.push(amount);
    await s.engine.connect(debtor).submit({
      uetr: uetrFrom(random),
      creditor: creditor.address,
      amount,
      purpose: toBytes4(PURPOSES[i % PURPOSES.length]),
      priority: i % 3,
      endToEndId: packEndToEndId("endToEndId", `WINDOW-${String(i).padStart(4, "0")}`),
      travelRuleHash: ethers.id(`window-travel-rule-${i}`),
      businessRef: ethers.id(`window-${i}`),
    });
  }
  if ((await s.engine.queueLength()) !== BigInt(window)) throw new Error("the window did not queue every payment");

  await s.engine.grantRole(await s.engine.OPERATOR_ROLE(), s.admin.address);
  const runCycle = async (): Promise<{ gas: number; read: number; settled: number }> => {
    const tx = await s.engine.connect(s.admin).runNettingCycle(window, { gasLimit: TRANSACTION_GAS_CAP });
    const receipt = await tx.wait();
    const cycle = receipt?.logs
      .map((log) => s.engine.interface.parseLog(log))
      .find((parsed) => parsed?.name === "CycleSettled");
    if (!receipt || !cycle) throw new Error("the netting cycle was not mined");
    return { gas: Number(receipt.gasUsed), read: Number(cycle.args.considered), settled: Number(cycle.args.settled) };
  };
  const snapshot: unknown = await ethers.provider.send("evm_snapshot", []);
  const uncovered = await runCycle();
  if (uncovered.read !== window) throw new Error(`the cycle read ${uncovered.read} payments, not ${window}`);
  await ethers.provider.send("evm_revert", [snapshot]);

  const engineAddress = await s.engine.getAddress();
  for (let i = 0; i < window; i++) {
    const debtor = parties[i % partyCount];
    await s.dollar.connect(s.issuer).mint(debtor.address, amounts[i]);
    await s.dollar.connect(debtor).approve(engineAddress, amounts[i]);
    // A deposit settles nothing by itself: queued payments wait for a cycle.
    await s.engine.connect(debtor).deposit(amounts[i]);
  }
  const covered = await runCycle();
  if (covered.settled !== window) throw new Error(`the cycle settled ${covered.settled} payments, not ${window}`);
  return { nettingWindowUncovered: uncovered.gas, nettingWindowAllCovered: covered.gas };
}
