import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { packEndToEndId } from "../src/sdk/endToEndId";
import type { ISettlementEngine } from "../typechain-types";
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
    travelRuleHash: hre.ethers.hexlify(hre.ethers.randomBytes(32)),
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
