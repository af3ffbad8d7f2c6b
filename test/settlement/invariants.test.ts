import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";

import { usd } from "../fixtures/core.fixture";
import { instruction, PaymentStatus, referenceNetting, type Leg } from "../fixtures/payments";
import { settlementFixture } from "../fixtures/settlement.fixture";
import { RUNS } from "../fixtures/properties";

/**
 * Random settlement days among four to six banks, checked against a plain model of the engine: random
 * balances and net debit caps, random payments (gross or queued), random cancellations, then a netting cycle
 * of random size, twice. After every cycle the chain must agree with the model and with what must always hold.
 * About 20 transactions a run; 200 runs take some 30 seconds on two cores (FC_RUNS overrides the count).
 */

const DAY = 24 * 3600;
const MAX_BANKS = 6;

/** The settlement fixture moved to 01:00 UTC, so that a run never crosses into the next business day. */
async function invariantFixture() {
  const f = await settlementFixture();
  await time.increaseTo((Math.floor((await time.latest()) / DAY) + 1) * DAY + 3600);
  return { ...f, banks: f.banks.slice(0, MAX_BANKS) };
}

type Op =
  { kind: "pay"; debtor: number; offset: number; amount: number; priority: number } | { kind: "cancel"; pick: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("pay" as const),
      debtor: fc.nat({ max: MAX_BANKS - 1 }),
      offset: fc.integer({ min: 1, max: MAX_BANKS - 1 }),
      amount: fc.integer({ min: 1, max: 1_500 }),
      priority: fc.nat({ max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
);

const dayArbitrary = fc.record({
  banks: fc.integer({ min: 4, max: MAX_BANKS }),
  balances: fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: MAX_BANKS, maxLength: MAX_BANKS }),
  caps: fc.array(fc.option(fc.integer({ min: 0, max: 1_500 }), { freq: 2 }), {
    minLength: MAX_BANKS,
    maxLength: MAX_BANKS,
  }),
  rounds: fc.array(
    fc.record({ ops: fc.array(opArbitrary, { maxLength: 8 }), cycleSize: fc.integer({ min: 1, max: 16 }) }),
    { minLength: 1, maxLength: 2 },
  ),
});

interface ModelPayment {
  uetr: string;
  debtor: number;
  creditor: number;
  amount: bigint;
  priority: number;
  sequence: number;
  status: PaymentStatus;
}

describe("SettlementEngine invariants", function () {
  it("conserves funds, settles each payment once and keeps the queue in order, for random days", async function () {
    await fc.assert(
      fc.asyncProperty(dayArbitrary, async (day) => {
        const { engine, dollar, operator, banks: allBanks } = await loadFixture(invariantFixture);
        const banks = allBanks.slice(0, day.banks);
        const n = banks.length;
        const balances: bigint[] = [];
        const opening: bigint[] = [];
        const caps: (bigint | undefined)[] = [];
        const payments: ModelPayment[] = [];
        const terminal = new Map<string, string[]>();
        const queued = new Set<string>();
        let sequence = 0;
        let cycles = 0;

        const record = async (tx: Promise<ContractTransactionResponse>) => {
          const receipt = await (await tx).wait();
          for (const log of receipt!.logs) {
            const parsed = engine.interface.parseLog(log);
            if (!parsed) continue;
            const uetr = parsed.args[0] as string;
            if (parsed.name === "PaymentQueued") queued.add(uetr);
            if (["PaymentSettled", "QueuedPaymentSettled", "PaymentCancelled"].includes(parsed.name)) {
              terminal.set(uetr, [...(terminal.get(uetr) ?? []), parsed.name]);
            }
          }
          return receipt!;
        };

        for (const [i, bank] of banks.entries()) {
          const amount = usd(day.balances[i]);
          if (amount > 0n) await engine.connect(bank).deposit(amount);
          else await engine.connect(bank).openAccount();
          balances.push(amount);
          opening.push(amount);
          const cap = day.caps[i] === null ? undefined : usd(day.caps[i]!);
          if (cap !== undefined) await engine.connect(operator).setNetDebitCap(bank.address, cap);
          caps.push(cap);
        }
        const supply = balances.reduce((a, b) => a + b, 0n);

        for (const round of day.rounds) {
          for (const op of round.ops) {
            if (op.kind === "pay") {
              const debtor = op.debtor % n;
              const creditor = (debtor + (op.offset % (n - 1)) + 1) % n;
              const amount = usd(op.amount);
              const ins = instruction(banks[creditor].address, amount, { priority: op.priority });
              const cap = caps[debtor];
              const netDebit = opening[debtor] + amount - balances[debtor];
              if (cap !== undefined && netDebit > cap) {
                await expect(engine.connect(banks[debtor]).submit(ins))
                  .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
                  .withArgs(banks[debtor].address, cap, netDebit);
                continue;
              }
              await record(engine.connect(banks[debtor]).submit(ins));
              const payment = { uetr: ins.uetr, debtor, creditor, amount, priority: op.priority, sequence: 0 };
              if (balances[debtor] >= amount) {
                balances[debtor] -= amount;
                balances[creditor] += amount;
                payments.push({ ...payment, status: PaymentStatus.Settled });
              } else {
                payments.push({ ...payment, sequence: ++sequence, status: PaymentStatus.Queued });
              }
            } else if (payments.length > 0) {
              const payment = payments[op.pick % payments.length];
              const debtor = banks[payment.debtor];
              if (payment.status === PaymentStatus.Queued) {
                await record(engine.connect(debtor).cancel(payment.uetr));
                payment.status = PaymentStatus.Cancelled;
              } else {
                await expect(engine.connect(debtor).cancel(payment.uetr))
                  .to.be.revertedWithCustomError(engine, "SettlementNotQueued")
                  .withArgs(payment.uetr, payment.status);
              }
            }
          }

          // The model's cycle: the first payments in settlement order, netted by the reference rule.
          const order = payments
            .filter((p) => p.status === PaymentStatus.Queued)
            .sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
          const considered = order.slice(0, round.cycleSize);
          const legs: Leg[] = considered.map((p) => ({ debtor: p.debtor, creditor: p.creditor, amount: p.amount }));
          const maxDebit = balances.map((balance, p) => {
            const cap = caps[p];
            if (cap === undefined) return balance;
            const floor = opening[p] > cap ? opening[p] - cap : 0n;
            return balance > floor ? balance - floor : 0n;
          });
          const { excluded, net } = referenceNetting(legs, maxDebit);
          let gross = 0n;
          considered.forEach((p, i) => {
            if (excluded[i]) return;
            p.status = PaymentStatus.Settled;
            gross += p.amount;
          });
          const netLiquidity = net.reduce((sum, position) => (position < 0n ? sum - position : sum), 0n);
          net.forEach((position, p) => (balances[p] += position));
          const settled = BigInt(excluded.filter((out) => !out).length);
          const stillQueued = BigInt(order.length) - settled;

          const receipt = await record(engine.connect(operator).runNettingCycle(round.cycleSize));
          cycles += 1;
          const cycleLog = receipt.logs
            .map((log) => engine.interface.parseLog(log))
            .find((parsed) => parsed?.name === "CycleSettled");
          expect([...cycleLog!.args]).to.deep.equal([
            BigInt(cycles),
            settled,
            BigInt(considered.length),
            gross,
            netLiquidity,
            stillQueued,
          ]);

          // Funds are conserved, and every account agrees with the model and stays within its cap.
          let total = 0n;
          for (const [p, bank] of banks.entries()) {
            const account = await engine.account(bank.address);
            expect(account.balance, `balance of bank ${p}`).to.equal(balances[p]);
            if (caps[p] !== undefined) expect(account.openingBalance - account.balance <= caps[p]!).to.be.true;
            total += account.balance;
          }
          expect(total).to.equal(supply);
          expect(await dollar.balanceOf(await engine.getAddress())).to.equal(supply);

          // Each payment is exactly one of settled, queued or cancelled, with at most one terminal event.
          for (const p of payments) {
            const events = terminal.get(p.uetr) ?? [];
            expect(events.length, `terminal events of ${p.uetr}`).to.be.at.most(1);
            const expected =
              events.length === 0
                ? PaymentStatus.Queued
                : events[0] === "PaymentCancelled"
                  ? PaymentStatus.Cancelled
                  : PaymentStatus.Settled;
            if (expected === PaymentStatus.Queued) expect(queued.has(p.uetr)).to.be.true;
            expect(p.status).to.equal(expected);
            expect((await engine.payment(p.uetr)).status).to.equal(BigInt(expected));
          }

          // The queue is the model's, in settlement order.
          const remaining = payments
            .filter((p) => p.status === PaymentStatus.Queued)
            .sort((a, b) => a.priority - b.priority || a.sequence - b.sequence)
            .map((p) => p.uetr);
          expect(await engine.queueLength()).to.equal(BigInt(remaining.length));
          expect(await engine.queue(0, 100)).to.deep.equal(remaining);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
