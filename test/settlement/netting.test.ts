import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import { toBytes2 } from "../../src/sdk/deploy";
import { NettingHarness__factory } from "../../typechain-types";
import { usd } from "../fixtures/core.fixture";
import { HIGH, instruction, NORMAL, referenceNetting, URGENT, type Instruction, type Leg } from "../fixtures/payments";
import { settlementFixture } from "../fixtures/settlement.fixture";
import { RUNS } from "../fixtures/properties";

/** Banks A to F with settlement accounts; A, B and C hold 1,000 dollars each, D, E and F nothing. */
async function gridlockFixture() {
  const f = await settlementFixture();
  const [bankA, bankB, bankC, bankD, bankE, bankF] = f.banks;
  for (const bank of [bankA, bankB, bankC]) await f.engine.connect(bank).deposit(usd(1_000));
  for (const bank of [bankD, bankE, bankF]) await f.engine.connect(bank).openAccount();
  return { ...f, bankA, bankB, bankC, bankD, bankE, bankF };
}

async function harnessFixture() {
  const [deployer] = await ethers.getSigners();
  return { harness: await new NettingHarness__factory(deployer).deploy() };
}

type Fixture = Awaited<ReturnType<typeof gridlockFixture>>;
type Bank = Fixture["bankA"];

/** Submits `amount` from `debtor` to `creditor` and checks that it queued. */
async function queue(f: Fixture, debtor: Bank, creditor: Bank, amount: bigint, priority = NORMAL) {
  const ins = instruction(creditor.address, amount, { priority });
  await expect(f.engine.connect(debtor).submit(ins)).to.emit(f.engine, "PaymentQueued");
  return ins;
}

async function balanceOf(f: Fixture, bank: Bank): Promise<bigint> {
  return (await f.engine.account(bank.address)).balance;
}

const uetrs = (payments: readonly Instruction[]) => payments.map((p) => p.uetr);

describe("SettlementEngine netting", function () {
  describe(".runNettingCycle()", function () {
    describe("when three banks are gridlocked in a circle", function () {
      it("settles all three at no net cost", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, operator, bankA, bankB, bankC } = f;
        const ab = await queue(f, bankA, bankB, usd(500_000));
        const bc = await queue(f, bankB, bankC, usd(500_000));
        const ca = await queue(f, bankC, bankA, usd(500_000));
        expect(await engine.queueLength()).to.equal(3n);

        const tx = engine.connect(operator).runNettingCycle(10);
        await expect(tx).to.emit(engine, "CycleSettled").withArgs(1n, 3n, 3n, usd(1_500_000), 0n, 0n);
        for (const [ins, debtor] of [
          [ab, bankA],
          [bc, bankB],
          [ca, bankC],
        ] as const) {
          await expect(tx)
            .to.emit(engine, "QueuedPaymentSettled")
            .withArgs(ins.uetr, debtor.address, ins.creditor, ins.amount, ins.purpose, ins.travelRuleHash, 1n);
        }
        await expect(tx).not.to.emit(engine, "NetPositionSettled");
        for (const bank of [bankA, bankB, bankC]) expect(await balanceOf(f, bank)).to.equal(usd(1_000));
        expect(await engine.queueLength()).to.equal(0n);
        expect(await engine.queue(0, 10)).to.deep.equal([]);
      });
    });

    describe("when one bank cannot cover its net debit", function () {
      /**
       * A holds 40,000 and owes 300,000 + 100,000 + 50,000 while it is owed 260,000 + 10,000: all in, A is
       * 180,000 short of nothing; without its last payment (50,000) still 130,000; without its last two, 30,000,
       * which it covers. B and C hold nothing and break even or gain.
       */
      async function shortBankFixture() {
        const f = await gridlockFixture();
        const { engine, bankA, bankB, bankC } = f;
        await engine.connect(bankA).withdraw(usd(1_000));
        await engine.connect(bankA).deposit(usd(40_000));
        await engine.connect(bankB).withdraw(usd(1_000));
        await engine.connect(bankC).withdraw(usd(1_000));
        const p1 = await queue(f, bankA, bankB, usd(300_000));
        const p2 = await queue(f, bankB, bankC, usd(290_000));
        const p3 = await queue(f, bankC, bankA, usd(260_000));
        const p4 = await queue(f, bankA, bankC, usd(100_000));
        const p5 = await queue(f, bankA, bankB, usd(50_000));
        const p6 = await queue(f, bankB, bankA, usd(10_000));
        return { ...f, p1, p2, p3, p4, p5, p6 };
      }

      it("leaves out exactly that bank's last payments, in order, and settles the rest", async function () {
        const f = await loadFixture(shortBankFixture);
        const { engine, operator, bankA, bankB, bankC, p1, p2, p3, p4, p5, p6 } = f;
        const tx = engine.connect(operator).runNettingCycle(10);
        await expect(tx)
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 4n, 6n, usd(300_000 + 290_000 + 260_000 + 10_000), usd(30_000), 2n);
        await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, bankA.address, -usd(30_000));
        await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, bankC.address, usd(30_000));
        const receipt = await (await tx).wait();
        const positions = receipt!.logs.filter((log) => engine.interface.parseLog(log)?.name === "NetPositionSettled");
        expect(positions).to.have.length(2);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([p4, p5]));
        for (const p of [p1, p2, p3, p6]) expect((await engine.payment(p.uetr)).status).to.equal(1n);
        expect(await balanceOf(f, bankA)).to.equal(usd(10_000));
        expect(await balanceOf(f, bankB)).to.equal(0n);
        expect(await balanceOf(f, bankC)).to.equal(usd(30_000));
      });

      it("settles the payments left out once the bank deposits", async function () {
        const f = await loadFixture(shortBankFixture);
        const { engine, operator, bankA, bankB, bankC, p4, p5 } = f;
        await engine.connect(operator).runNettingCycle(10);
        // A then holds one unit less than the 150,000 both need: only the earlier one settles.
        await engine.connect(bankA).deposit(usd(140_000) - 1n);
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(2n, 1n, 2n, usd(100_000), usd(100_000), 1n);
        expect((await engine.payment(p4.uetr)).status).to.equal(1n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([p5]));
        await engine.connect(bankA).deposit(1n);
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(3n, 1n, 1n, usd(50_000), usd(50_000), 0n);
        expect(await balanceOf(f, bankA)).to.equal(0n);
        expect(await balanceOf(f, bankB)).to.equal(usd(50_000));
        expect(await balanceOf(f, bankC)).to.equal(usd(130_000));
        expect(await engine.cycleCount()).to.equal(3n);
      });
    });

    describe("when an urgent payment queues after normal ones", function () {
      it("considers it first", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, operator, bankA, bankB, bankC, bankD } = f;
        const n1 = await queue(f, bankA, bankB, usd(150_000), NORMAL);
        const n2 = await queue(f, bankA, bankC, usd(150_000), NORMAL);
        const h1 = await queue(f, bankA, bankC, usd(150_000), HIGH);
        const u1 = await queue(f, bankA, bankD, usd(150_000), URGENT);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([u1, h1, n1, n2]));
        await engine.connect(bankA).deposit(usd(149_000));
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 1n, 4n, usd(150_000), usd(150_000), 3n);
        expect((await engine.payment(u1.uetr)).status).to.equal(1n);
        expect(await balanceOf(f, bankD)).to.equal(usd(150_000));
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([h1, n1, n2]));
      });
    });

    describe("when the queue is longer than the cycle", function () {
      it("considers only the first payments and keeps the rest in order", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, operator, bankA, bankB, bankC } = f;
        const ring = [
          await queue(f, bankA, bankB, usd(500_000)),
          await queue(f, bankB, bankC, usd(500_000)),
          await queue(f, bankC, bankA, usd(500_000)),
        ];
        const rest = [await queue(f, bankA, bankB, usd(200_000)), await queue(f, bankB, bankA, usd(200_000))];
        await expect(engine.connect(operator).runNettingCycle(3))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 3n, 3n, usd(1_500_000), 0n, 2n);
        for (const p of ring) expect((await engine.payment(p.uetr)).status).to.equal(1n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs(rest));
      });

      it("puts the payments it left out back ahead of the ones it did not read", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, operator, bankA, bankB, bankD, bankE } = f;
        const u1 = await queue(f, bankA, bankB, usd(500_000), URGENT);
        const n1 = await queue(f, bankB, bankA, usd(500_000));
        const n2 = await queue(f, bankD, bankE, usd(1_000_000));
        const n3 = await queue(f, bankE, bankD, usd(5));
        const n4 = await queue(f, bankA, bankB, usd(5_000));
        await expect(engine.connect(operator).runNettingCycle(3))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 2n, 3n, usd(1_000_000), 0n, 3n);
        expect((await engine.payment(u1.uetr)).status).to.equal(1n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([n2, n3, n4]));
        // The relinked list settles past the payment still left out, once E and A can cover n3 and n4.
        await engine.connect(bankE).deposit(usd(5));
        await engine.connect(bankA).deposit(usd(4_000));
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(2n, 2n, 3n, usd(5_005), usd(5_005), 1n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([n2]));
        expect((await engine.payment(n1.uetr)).status).to.equal(1n);
      });
    });

    describe("when two parties' holder numbers fall on the same slot of the cycle's party table", function () {
      it("tells them apart and nets each its own position", async function () {
        const f = await loadFixture(settlementFixture);
        const { engine, operator, banks, registry } = f;
        // Banks 0 to 11 hold accounts 1 to 12; five customers take 13 to 17. A one- or two-payment cycle has a
        // table of 16 slots, so holders 1 and 17 both start at slot 1.
        for (const bank of banks) await engine.connect(bank).openAccount();
        const kycExpiry = (await time.latest()) + 365 * 24 * 3600;
        const customers = Array.from(
          { length: 5 },
          (_, i) => new ethers.Wallet(ethers.id(`slot-${i}`), ethers.provider),
        );
        for (const [i, customer] of customers.entries()) {
          await registry
            .connect(banks[0])
            .onboardParticipant(
              customer.address,
              3,
              toBytes2("US"),
              ethers.zeroPadValue(ethers.toBeHex(i + 1), 20),
              kycExpiry,
            );
          await setBalance(customer.address, ethers.parseEther("1"));
          await engine.connect(customer).openAccount();
        }
        const [first, seventeenth] = [banks[0], customers[4]];
        await engine.connect(first).submit(instruction(seventeenth.address, usd(300)));
        await engine.connect(seventeenth).submit(instruction(first.address, usd(100)));
        await engine.connect(first).deposit(usd(200));
        const tx = engine.connect(operator).runNettingCycle(2);
        await expect(tx).to.emit(engine, "CycleSettled").withArgs(1n, 2n, 2n, usd(400), usd(200), 0n);
        await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, first.address, -usd(200));
        await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, seventeenth.address, usd(200));
        expect((await engine.account(seventeenth.address)).balance).to.equal(usd(200));
      });
    });

    describe("when the queue names more parties than a cycle takes", function () {
      /** Six banks with settlement accounts owe 1 dollar each to 395 customers, round robin; all 395 queued. */
      async function crowdFixture() {
        const f = await settlementFixture();
        const banks = f.banks.slice(0, 6);
        const kycExpiry = (await time.latest()) + 365 * 24 * 3600;
        const customers = Array.from(
          { length: 395 },
          (_, i) => new ethers.Wallet(ethers.id(`crowd-${i}`), ethers.provider),
        );
        for (let start = 0; start < customers.length; start += 100) {
          const rows = customers.slice(start, start + 100).map((customer, i) => ({
            account: customer.address,
            kind: 3,
            jurisdiction: toBytes2("US"),
            lei: ethers.zeroPadValue(ethers.toBeHex(start + i + 1), 20),
            kycExpiry,
          }));
          await f.registry.connect(banks[0]).onboardParticipants(rows);
        }
        for (const customer of customers) {
          await setBalance(customer.address, ethers.parseEther("1"));
          await f.engine.connect(customer).openAccount();
        }
        for (const bank of banks) await f.engine.connect(bank).openAccount();
        const payments: Instruction[] = [];
        for (const [i, customer] of customers.entries()) {
          const ins = instruction(customer.address, usd(1));
          await f.engine.connect(banks[i % banks.length]).submit(ins);
          payments.push(ins);
        }
        for (const bank of banks) await f.engine.connect(bank).deposit(usd(100));
        return { ...f, banks, customers, payments };
      }

      it("stops before the payment that would bring in a 401st party, and the next cycle takes it", async function () {
        this.timeout(300_000);
        const { engine, operator, payments } = await loadFixture(crowdFixture);
        const max = await engine.MAX_CYCLE_PAYMENTS();
        // 6 banks and 394 customers make 400 parties: the 395th payment's customer would be the 401st.
        await expect(engine.connect(operator).runNettingCycle(max))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 394n, 394n, usd(394), usd(394), 1n);
        const last = payments[payments.length - 1];
        expect(await engine.queue(0, 10)).to.deep.equal([last.uetr]);
        expect((await engine.payment(payments[393].uetr)).status).to.equal(1n);
        await expect(engine.connect(operator).runNettingCycle(max))
          .to.emit(engine, "CycleSettled")
          .withArgs(2n, 1n, 1n, usd(1), usd(1), 0n);
      });
    });

    describe("when a bank is capped", function () {
      /** A holds 50,000 with a 100,000 cap and queues two payments of 90,000, then deposits 500,000. */
      async function cappedFixture() {
        const f = await gridlockFixture();
        const { engine, operator, bankA, bankB, bankC } = f;
        await engine.connect(bankA).deposit(usd(49_000));
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(100_000));
        const first = await queue(f, bankA, bankB, usd(90_000));
        const second = await queue(f, bankA, bankC, usd(90_000));
        await engine.connect(bankA).deposit(usd(500_000));
        return { ...f, first, second };
      }

      it("treats it as short beyond its cap, though its balance would cover more", async function () {
        const f = await loadFixture(cappedFixture);
        const { engine, operator, bankA, bankB, second } = f;
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 1n, 2n, usd(90_000), usd(90_000), 1n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([second]));
        const account = await engine.account(bankA.address);
        expect(account.balance).to.equal(usd(460_000));
        expect(account.openingBalance - account.balance).to.equal(usd(90_000));
        expect(await balanceOf(f, bankB)).to.equal(usd(91_000));
      });

      it("settles the rest once the cap is cleared", async function () {
        const { engine, operator, bankA, second } = await loadFixture(cappedFixture);
        await engine.connect(operator).runNettingCycle(10);
        await engine.connect(operator).clearNetDebitCap(bankA.address);
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "QueuedPaymentSettled")
          .withArgs(
            second.uetr,
            bankA.address,
            second.creditor,
            second.amount,
            second.purpose,
            second.travelRuleHash,
            2n,
          );
      });

      it("lets incoming payments in the same cycle make room under the cap", async function () {
        const f = await loadFixture(cappedFixture);
        const { engine, operator, bankC, bankA } = f;
        await queue(f, bankC, bankA, usd(80_000));
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 3n, 3n, usd(260_000), usd(100_000), 0n);
      });
    });

    describe("when a party is restricted after its payments queued", function () {
      it("keeps every payment to or from a frozen bank queued, and settles the others", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, dollar, freezer, operator, bankA, bankB, bankC } = f;
        const toA = await queue(f, bankB, bankA, usd(600_000));
        const fromA = await queue(f, bankA, bankB, usd(500_000));
        const bc = await queue(f, bankB, bankC, usd(5_000));
        const cb = await queue(f, bankC, bankB, usd(5_000));
        await dollar.connect(freezer).freeze(bankA.address);
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 2n, 4n, usd(10_000), 0n, 2n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([toA, fromA]));
        expect((await engine.payment(bc.uetr)).status).to.equal(1n);
        expect((await engine.payment(cb.uetr)).status).to.equal(1n);
        expect(await balanceOf(f, bankA)).to.equal(usd(1_000));

        await dollar.connect(freezer).unfreeze(bankA.address);
        await engine.connect(bankB).deposit(usd(100_000));
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(2n, 2n, 2n, usd(1_100_000), usd(100_000), 0n);
        expect(await balanceOf(f, bankA)).to.equal(usd(101_000));
      });

      it("keeps a suspended bank's payments queued even when its incoming covers them", async function () {
        const f = await loadFixture(gridlockFixture);
        const { engine, registry, usRegulator, operator, bankB, bankC } = f;
        const bc = await queue(f, bankB, bankC, usd(300_000));
        const cb = await queue(f, bankC, bankB, usd(300_000));
        await registry.connect(usRegulator).suspend(bankC.address);
        await expect(engine.connect(operator).runNettingCycle(10))
          .to.emit(engine, "CycleSettled")
          .withArgs(1n, 0n, 2n, 0n, 0n, 2n);
        expect(await engine.queue(0, 10)).to.deep.equal(uetrs([bc, cb]));
      });
    });

    describe("when the queue is empty", function () {
      it("settles nothing and still counts the cycle", async function () {
        const { engine, operator } = await loadFixture(gridlockFixture);
        expect(await engine.connect(operator).runNettingCycle.staticCall(400)).to.deep.equal([1n, 0n]);
        const tx = engine.connect(operator).runNettingCycle(400);
        await expect(tx).to.emit(engine, "CycleSettled").withArgs(1n, 0n, 0n, 0n, 0n, 0n);
        await expect(tx).not.to.emit(engine, "QueuedPaymentSettled");
        expect(await engine.cycleCount()).to.equal(1n);
      });
    });
  });

  describe("Netting.resolve (through a harness)", function () {
    const toLegs = (legs: readonly Leg[]) =>
      legs.map((l) => ({ debtor: l.debtor, creditor: l.creditor, amount: l.amount, excluded: false }));

    describe("when there are no legs", function () {
      it("keeps nothing and leaves every position at zero", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const [excluded, net, kept] = await harness.resolve([], [5n, 0n]);
        expect(excluded).to.deep.equal([]);
        expect(net).to.deep.equal([0n, 0n]);
        expect(kept).to.equal(0n);
      });
    });

    describe("when nobody can cover anything", function () {
      it("leaves out every leg of a chain", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const legs = toLegs([
          { debtor: 0, creditor: 1, amount: 10n },
          { debtor: 1, creditor: 2, amount: 20n },
          { debtor: 2, creditor: 3, amount: 30n },
        ]);
        const [excluded, net, kept] = await harness.resolve(legs, [0n, 0n, 0n, 0n]);
        expect(excluded).to.deep.equal([true, true, true]);
        expect(net).to.deep.equal([0n, 0n, 0n, 0n]);
        expect(kept).to.equal(0n);
      });
    });

    describe("when legs come marked as excluded", function () {
      it("leaves them out from the start", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const legs = toLegs([
          { debtor: 0, creditor: 1, amount: 10n },
          { debtor: 1, creditor: 0, amount: 10n },
          { debtor: 1, creditor: 2, amount: 17n },
        ]);
        // Counted, B's 10 back to A would leave B short by 17 and only its payment to C would go.
        legs[1].excluded = true;
        const [excluded, net, kept] = await harness.resolve(legs, [10n, 0n, 0n]);
        // Left out from the start, B has only A's 10 to pay C's 17 with: that payment goes too.
        expect(excluded).to.deep.equal([false, true, true]);
        expect(net).to.deep.equal([-10n, 10n, 0n]);
        expect(kept).to.equal(1n);
      });
    });

    describe("when two parties are short and either could be treated first", function () {
      it("gives the same answer whichever party is numbered first", async function () {
        const { harness } = await loadFixture(harnessFixture);
        // A and B each pay the other and C, and both start short: A by 20 beyond its 20, B by 10 beyond its 20.
        const legs: Leg[] = [
          { debtor: 0, creditor: 1, amount: 50n },
          { debtor: 1, creditor: 0, amount: 40n },
          { debtor: 0, creditor: 2, amount: 30n },
          { debtor: 1, creditor: 2, amount: 40n },
        ];
        const [excluded, net] = await harness.resolve(toLegs(legs), [20n, 20n, 0n]);
        const swap = (p: number) => (p === 0 ? 1 : p === 1 ? 0 : p);
        const swapped = legs.map((l) => ({ ...l, debtor: swap(l.debtor), creditor: swap(l.creditor) }));
        const [excludedSwapped, netSwapped] = await harness.resolve(toLegs(swapped), [20n, 20n, 0n]);
        expect(excludedSwapped).to.deep.equal(excluded);
        expect([netSwapped[1], netSwapped[0], netSwapped[2]]).to.deep.equal(net);
        expect(excluded).to.deep.equal([false, false, true, true]);
        expect(net).to.deep.equal([-10n, 10n, 0n]);
      });
    });

    describe("for random payments", function () {
      it("matches the reference, whichever short party it treats first, and covers every net debit", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const arbitrary = fc.integer({ min: 2, max: 6 }).chain((parties) =>
          fc.record({
            maxDebit: fc.array(fc.bigInt({ min: 0n, max: 1_000n }), { minLength: parties, maxLength: parties }),
            legs: fc.array(
              fc
                .record({
                  debtor: fc.nat({ max: parties - 1 }),
                  offset: fc.integer({ min: 1, max: parties - 1 }),
                  amount: fc.bigInt({ min: 1n, max: 1_000n }),
                })
                .map(({ debtor, offset, amount }) => ({ debtor, creditor: (debtor + offset) % parties, amount })),
              { maxLength: 24 },
            ),
          }),
        );
        await fc.assert(
          fc.asyncProperty(arbitrary, async ({ maxDebit, legs }) => {
            const [excluded, net, kept] = await harness.resolve(toLegs(legs), maxDebit);
            const first = referenceNetting(legs, maxDebit, "first");
            const last = referenceNetting(legs, maxDebit, "last");
            expect(last.excluded).to.deep.equal(first.excluded);
            expect(excluded).to.deep.equal(first.excluded);
            expect(net).to.deep.equal(first.net);
            expect(kept).to.equal(BigInt(excluded.filter((x) => !x).length));
            net.forEach((position, p) => expect(-position <= maxDebit[p]).to.be.true);
            // Each party keeps a prefix of its payments, and the largest: adding back its first one left out
            // makes some party short.
            const firstOut = new Map<number, number>();
            excluded.forEach((out, i) => {
              const debtor = legs[i].debtor;
              if (out && !firstOut.has(debtor)) firstOut.set(debtor, i);
              if (!out) expect(firstOut.has(debtor), `leg ${i} kept after an earlier one left out`).to.be.false;
            });
            firstOut.forEach((i) => {
              const trial = [...net];
              trial[legs[i].debtor] -= legs[i].amount;
              trial[legs[i].creditor] += legs[i].amount;
              expect(trial.some((position, p) => -position > maxDebit[p])).to.be.true;
            });
          }),
          { numRuns: RUNS },
        );
      });
    });
  });
});
