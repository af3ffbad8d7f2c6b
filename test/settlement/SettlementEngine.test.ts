import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { DEFAULT_TRAVEL_RULE_THRESHOLD, Restriction } from "../../src/sdk/constants";
import { SettlementEngine__factory } from "../../typechain-types";
import { usd } from "../fixtures/core.fixture";
import {
  HIGH,
  instruction,
  NORMAL,
  packEndToEndId,
  PaymentStatus,
  unpackEndToEndId,
  URGENT,
  type Instruction,
} from "../fixtures/payments";
import { purpose, randomUetr, settlementFixture } from "../fixtures/settlement.fixture";

const DAY = 24 * 3600;
const HOUR = 3600;
const THRESHOLD = DEFAULT_TRAVEL_RULE_THRESHOLD;
const FUNDS = usd(100_000);
const MAX_AMOUNT = 2n ** 88n - 1n;
const MAX_BALANCE = 2n ** 96n - 1n;

/** Banks A, B and C each with FUNDS in their settlement accounts; bank D with an open, empty account. */
async function fundedFixture() {
  const f = await settlementFixture();
  const [bankA, bankB, bankC, bankD] = f.banks;
  for (const bank of [bankA, bankB, bankC]) await f.engine.connect(bank).deposit(FUNDS);
  await f.engine.connect(bankD).openAccount();
  const operatorRole = await f.engine.OPERATOR_ROLE();
  return { ...f, bankA, bankB, bankC, bankD, operatorRole };
}

/** Bank D has queued two payments to A (the first of 10,000, the second of 20,000 dollars) and A one to D. */
async function queuedFixture() {
  const f = await fundedFixture();
  const first = instruction(f.bankA.address, usd(10_000), { priority: NORMAL });
  const second = instruction(f.bankA.address, usd(20_000), { priority: NORMAL });
  const fromA = instruction(f.bankD.address, usd(500_000), { priority: HIGH });
  await f.engine.connect(f.bankD).submit(first);
  await f.engine.connect(f.bankD).submit(second);
  await f.engine.connect(f.bankA).submit(fromA);
  return { ...f, first, second, fromA };
}

/** The same UUID with another version nibble, or another variant. */
function withVersion(uetr: string, version: number): string {
  const bytes = ethers.getBytes(uetr);
  bytes[6] = (bytes[6] & 0x0f) | (version << 4);
  return ethers.hexlify(bytes);
}

function withVariant(uetr: string, variantBits: number): string {
  const bytes = ethers.getBytes(uetr);
  bytes[8] = (bytes[8] & 0x3f) | (variantBits << 6);
  return ethers.hexlify(bytes);
}

/** Sets the next block's time to `secondsOfDay` into the next UTC day. */
async function nextDayAt(secondsOfDay: number): Promise<number> {
  const next = (Math.floor((await time.latest()) / DAY) + 1) * DAY + secondsOfDay;
  await time.setNextBlockTimestamp(next);
  return next;
}

function settledArgs(ins: Instruction, debtor: string) {
  return [
    ins.uetr,
    debtor,
    ins.creditor,
    ins.amount,
    ins.purpose,
    ins.travelRuleHash,
    ins.businessRef,
    ins.endToEndId,
  ] as const;
}

describe("SettlementEngine", function () {
  describe("constructor", function () {
    it("grants the admin role and starts open, unpaused, with the travel-rule threshold", async function () {
      const { engine, dollar, admin } = await loadFixture(settlementFixture);
      expect(await engine.hasRole(await engine.DEFAULT_ADMIN_ROLE(), admin.address)).to.be.true;
      expect(await engine.dollar()).to.equal(await dollar.getAddress());
      const config = await engine.config();
      expect(config.travelRuleThreshold).to.equal(THRESHOLD);
      expect(config.windowOpen).to.equal(0n);
      expect(config.windowClose).to.equal(BigInt(DAY));
      expect(config.windowEnabled).to.be.false;
      expect(config.paused).to.be.false;
      expect(await engine.cycleCount()).to.equal(0n);
      expect(await engine.queueLength()).to.equal(0n);
      expect(await engine.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
      expect(await engine.MAX_CYCLE_PAYMENTS()).to.equal(400n);
      expect(await engine.MAX_CYCLE_PARTIES()).to.equal(400n);
      expect(await engine.LOWEST_PRIORITY()).to.equal(2n);
    });

    describe("when the admin or the dollar is the zero address", function () {
      it("reverts", async function () {
        const { dollar, admin } = await loadFixture(settlementFixture);
        const factory = new SettlementEngine__factory(admin);
        const dollarAddress = await dollar.getAddress();
        await expect(factory.deploy(ethers.ZeroAddress, dollarAddress, THRESHOLD)).to.be.revertedWithCustomError(
          factory,
          "SettlementZeroAddress",
        );
        await expect(factory.deploy(admin.address, ethers.ZeroAddress, THRESHOLD)).to.be.revertedWithCustomError(
          factory,
          "SettlementZeroAddress",
        );
      });
    });
  });

  describe(".openAccount()", function () {
    it("opens an empty account with the holder's compliance state", async function () {
      const { engine, banks } = await loadFixture(settlementFixture);
      await expect(engine.connect(banks[0]).openAccount()).to.emit(engine, "AccountOpened").withArgs(banks[0].address);
      const account = await engine.account(banks[0].address);
      expect(account.open).to.be.true;
      expect(account.balance).to.equal(0n);
      expect(account.capped).to.be.false;
      expect(account.restriction).to.equal(Restriction.None);
    });

    describe("when the account is already open", function () {
      it("does nothing", async function () {
        const { engine, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).openAccount()).not.to.emit(engine, "AccountOpened");
        expect((await engine.account(bankA.address)).balance).to.equal(FUNDS);
      });
    });

    describe("when the caller is a customer", function () {
      it("opens its account", async function () {
        const { engine, customer } = await loadFixture(settlementFixture);
        await expect(engine.connect(customer).openAccount())
          .to.emit(engine, "AccountOpened")
          .withArgs(customer.address);
      });
    });

    describe("when the caller is not a participant", function () {
      it("reverts", async function () {
        const { engine, outsider } = await loadFixture(settlementFixture);
        await expect(engine.connect(outsider).openAccount())
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(outsider.address, Restriction.NotParticipant);
      });
    });

    describe("when the caller is suspended", function () {
      it("reverts", async function () {
        const { engine, registry, usRegulator, banks } = await loadFixture(settlementFixture);
        await registry.connect(usRegulator).suspend(banks[0].address);
        await expect(engine.connect(banks[0]).openAccount())
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(banks[0].address, Restriction.NotActive);
      });
    });

    describe("when the caller is frozen", function () {
      it("reverts", async function () {
        const { engine, dollar, freezer, banks } = await loadFixture(settlementFixture);
        await dollar.connect(freezer).freeze(banks[0].address);
        await expect(engine.connect(banks[0]).openAccount())
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(banks[0].address, Restriction.Frozen);
      });
    });
  });

  describe(".deposit()", function () {
    it("moves DUSD into the engine, credits the account and opens it on first use", async function () {
      const { engine, dollar, banks } = await loadFixture(settlementFixture);
      const tx = engine.connect(banks[0]).deposit(usd(250));
      await expect(tx).to.emit(engine, "AccountOpened").withArgs(banks[0].address);
      await expect(tx).to.emit(engine, "Deposited").withArgs(banks[0].address, usd(250), usd(250));
      await expect(tx).to.changeTokenBalances(dollar, [banks[0], engine], [-usd(250), usd(250)]);
      await expect(engine.connect(banks[0]).deposit(usd(50)))
        .to.emit(engine, "Deposited")
        .withArgs(banks[0].address, usd(50), usd(300));
      expect((await engine.account(banks[0].address)).balance).to.equal(usd(300));
    });

    describe("when the amount is zero", function () {
      it("reverts", async function () {
        const { engine, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).deposit(0)).to.be.revertedWithCustomError(engine, "SettlementZeroAmount");
      });
    });

    describe("when the depositor is frozen at the dollar", function () {
      it("reverts in the dollar", async function () {
        const { engine, dollar, freezer, bankA } = await loadFixture(fundedFixture);
        await dollar.connect(freezer).freeze(bankA.address);
        await expect(engine.connect(bankA).deposit(usd(1)))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(bankA.address, Restriction.Frozen);
      });
    });

    describe("when the depositor's DUSD balance is short", function () {
      it("reverts in the dollar", async function () {
        const { engine, dollar, bankA } = await loadFixture(fundedFixture);
        const held = await dollar.balanceOf(bankA.address);
        await expect(engine.connect(bankA).deposit(held + 1n))
          .to.be.revertedWithCustomError(dollar, "ERC20InsufficientBalance")
          .withArgs(bankA.address, held, held + 1n);
      });
    });

    describe("when the account is capped", function () {
      it("moves the day's opening balance with the deposit", async function () {
        const { engine, operator, bankA } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(5_000));
        await engine.connect(bankA).deposit(usd(7_000));
        const account = await engine.account(bankA.address);
        expect(account.balance).to.equal(FUNDS + usd(7_000));
        expect(account.openingBalance).to.equal(FUNDS + usd(7_000));
      });
    });
  });

  describe(".withdraw()", function () {
    it("returns DUSD to the holder and debits the account", async function () {
      const { engine, dollar, bankA } = await loadFixture(fundedFixture);
      const tx = engine.connect(bankA).withdraw(usd(30_000));
      await expect(tx)
        .to.emit(engine, "Withdrawn")
        .withArgs(bankA.address, usd(30_000), FUNDS - usd(30_000));
      await expect(tx).to.changeTokenBalances(dollar, [bankA, engine], [usd(30_000), -usd(30_000)]);
    });

    it("may empty the account", async function () {
      const { engine, bankA } = await loadFixture(fundedFixture);
      await expect(engine.connect(bankA).withdraw(FUNDS))
        .to.emit(engine, "Withdrawn")
        .withArgs(bankA.address, FUNDS, 0);
    });

    describe("when the amount is zero", function () {
      it("reverts", async function () {
        const { engine, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).withdraw(0)).to.be.revertedWithCustomError(engine, "SettlementZeroAmount");
      });
    });

    describe("when the amount is above the balance", function () {
      it("reverts", async function () {
        const { engine, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).withdraw(FUNDS + 1n))
          .to.be.revertedWithCustomError(engine, "SettlementInsufficientLiquidity")
          .withArgs(bankA.address, FUNDS, FUNDS + 1n);
      });
    });

    describe("when the caller has no account", function () {
      it("reverts", async function () {
        const { engine, banks } = await loadFixture(fundedFixture);
        await expect(engine.connect(banks[5]).withdraw(1))
          .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
          .withArgs(banks[5].address);
      });
    });

    describe("when the holder is frozen", function () {
      it("reverts", async function () {
        const { engine, dollar, freezer, bankA } = await loadFixture(fundedFixture);
        await dollar.connect(freezer).freeze(bankA.address);
        await expect(engine.connect(bankA).withdraw(1))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankA.address, Restriction.Frozen);
      });
    });

    describe("when the holder is suspended", function () {
      it("reverts", async function () {
        const { engine, registry, usRegulator, bankA } = await loadFixture(fundedFixture);
        await registry.connect(usRegulator).suspend(bankA.address);
        await expect(engine.connect(bankA).withdraw(1))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankA.address, Restriction.NotActive);
      });
    });

    describe("when the account is capped", function () {
      it("lowers the day's opening balance, so a withdrawal is not a net debit", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(10_000));
        await engine.connect(bankA).withdraw(usd(60_000));
        let account = await engine.account(bankA.address);
        expect(account.balance).to.equal(usd(40_000));
        expect(account.openingBalance).to.equal(usd(40_000));
        // The whole cap is still there after the withdrawal.
        await engine.connect(bankA).submit(instruction(bankB.address, usd(10_000)));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(10_000), usd(10_000) + 1n);
        account = await engine.account(bankA.address);
        expect(account.balance).to.equal(usd(30_000));
      });

      it("never takes the opening balance below zero", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(10_000));
        await engine.connect(bankB).submit(instruction(bankA.address, usd(50_000)));
        // Opening 100,000, balance 150,000: withdrawing 120,000 would take the opening to -20,000.
        await engine.connect(bankA).withdraw(usd(120_000));
        const account = await engine.account(bankA.address);
        expect(account.balance).to.equal(usd(30_000));
        expect(account.openingBalance).to.equal(0n);
      });
    });
  });

  describe(".submit()", function () {
    describe("when the debtor has the funds", function () {
      it("settles gross and logs the whole instruction", async function () {
        const { engine, dollar, bankA, bankB } = await loadFixture(fundedFixture);
        const ins = instruction(bankB.address, usd(25_000), {
          purpose: purpose("TRAD"),
          priority: URGENT,
          endToEndId: packEndToEndId("INV-2026-11-28/0042"),
        });
        expect(await engine.connect(bankA).submit.staticCall(ins)).to.equal(PaymentStatus.Settled);
        const tx = engine.connect(bankA).submit(ins);
        await expect(tx)
          .to.emit(engine, "PaymentSettled")
          .withArgs(...settledArgs(ins, bankA.address));
        await expect(tx).not.to.emit(engine, "PaymentQueued");
        await expect(tx).to.changeTokenBalances(dollar, [engine, bankA, bankB], [0, 0, 0]);
        expect((await engine.account(bankA.address)).balance).to.equal(FUNDS - usd(25_000));
        expect((await engine.account(bankB.address)).balance).to.equal(FUNDS + usd(25_000));
        expect((await engine.payment(ins.uetr)).status).to.equal(PaymentStatus.Settled);
        expect(await engine.queueLength()).to.equal(0n);
      });

      it("settles the whole balance, leaving zero", async function () {
        const { engine, bankA, bankD } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankD.address, FUNDS))).to.emit(engine, "PaymentSettled");
        expect((await engine.account(bankA.address)).balance).to.equal(0n);
        expect((await engine.account(bankD.address)).balance).to.equal(FUNDS);
      });

      it("settles gross even while the debtor has payments queued", async function () {
        const { engine, bankA, bankB, bankD, fromA } = await loadFixture(queuedFixture);
        const ins = instruction(bankB.address, usd(1_000));
        await expect(engine.connect(bankA).submit(ins)).to.emit(engine, "PaymentSettled");
        expect((await engine.payment(fromA.uetr)).status).to.equal(PaymentStatus.Queued);
        expect((await engine.account(bankD.address)).balance).to.equal(0n);
      });
    });

    describe("when the debtor is short", function () {
      it("queues the payment with the next sequence number and moves nothing", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const first = instruction(bankB.address, FUNDS + 1n, { priority: HIGH });
        const second = instruction(bankB.address, usd(200_000));
        expect(await engine.connect(bankA).submit.staticCall(first)).to.equal(PaymentStatus.Queued);
        await expect(engine.connect(bankA).submit(first))
          .to.emit(engine, "PaymentQueued")
          .withArgs(...settledArgs(first, bankA.address), HIGH, 1n);
        await expect(engine.connect(bankA).submit(second))
          .to.emit(engine, "PaymentQueued")
          .withArgs(...settledArgs(second, bankA.address), NORMAL, 2n);
        expect((await engine.account(bankA.address)).balance).to.equal(FUNDS);
        expect((await engine.account(bankB.address)).balance).to.equal(FUNDS);
        expect(await engine.queueLength()).to.equal(2n);
        expect(await engine.queue(0, 10)).to.deep.equal([first.uetr, second.uetr]);
        const view = await engine.payment(first.uetr);
        expect(view.status).to.equal(PaymentStatus.Queued);
        expect(view.debtor).to.equal(bankA.address);
        expect(view.creditor).to.equal(bankB.address);
        expect(view.amount).to.equal(FUNDS + 1n);
        expect(view.purpose).to.equal(first.purpose);
        expect(view.priority).to.equal(BigInt(HIGH));
        expect(view.travelRuleHash).to.equal(first.travelRuleHash);
        expect(view.sequence).to.equal(1n);
      });

      it("lets the debtor cancel the very first payment ever queued", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const first = instruction(bankB.address, FUNDS + 1n);
        await engine.connect(bankA).submit(first);
        expect((await engine.payment(first.uetr)).status).to.equal(PaymentStatus.Queued);
        await expect(engine.connect(bankA).cancel(first.uetr))
          .to.emit(engine, "PaymentCancelled")
          .withArgs(first.uetr, bankA.address, FUNDS + 1n);
      });

      it("queues the largest amount allowed", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const ins = instruction(bankB.address, MAX_AMOUNT);
        await expect(engine.connect(bankA).submit(ins))
          .to.emit(engine, "PaymentQueued")
          .withArgs(...settledArgs(ins, bankA.address), NORMAL, 1n);
        expect((await engine.payment(ins.uetr)).amount).to.equal(MAX_AMOUNT);
      });
    });

    describe("when the UETR was used before", function () {
      it("reverts after it settled gross, even for another debtor", async function () {
        const { engine, bankA, bankB, bankC } = await loadFixture(fundedFixture);
        const ins = instruction(bankB.address, usd(10));
        await engine.connect(bankA).submit(ins);
        await expect(engine.connect(bankA).submit({ ...ins, amount: usd(11) }))
          .to.be.revertedWithCustomError(engine, "SettlementDuplicateUetr")
          .withArgs(ins.uetr);
        await expect(engine.connect(bankC).submit({ ...ins, creditor: bankA.address }))
          .to.be.revertedWithCustomError(engine, "SettlementDuplicateUetr")
          .withArgs(ins.uetr);
      });

      it("reverts while it is queued", async function () {
        const { engine, bankD, first } = await loadFixture(queuedFixture);
        await expect(engine.connect(bankD).submit(first))
          .to.be.revertedWithCustomError(engine, "SettlementDuplicateUetr")
          .withArgs(first.uetr);
      });

      it("reverts after it was cancelled", async function () {
        const { engine, bankD, first } = await loadFixture(queuedFixture);
        await engine.connect(bankD).cancel(first.uetr);
        await expect(engine.connect(bankD).submit({ ...first, amount: 1n }))
          .to.be.revertedWithCustomError(engine, "SettlementDuplicateUetr")
          .withArgs(first.uetr);
      });

      it("reverts after it settled in a netting cycle", async function () {
        const { engine, operator, bankD, first } = await loadFixture(queuedFixture);
        await engine.connect(bankD).deposit(usd(30_000));
        await engine.connect(operator).runNettingCycle(10);
        expect((await engine.payment(first.uetr)).status).to.equal(PaymentStatus.Settled);
        await expect(engine.connect(bankD).submit(first))
          .to.be.revertedWithCustomError(engine, "SettlementDuplicateUetr")
          .withArgs(first.uetr);
      });
    });

    describe("when the amount is zero", function () {
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 0n))).to.be.revertedWithCustomError(
          engine,
          "SettlementZeroAmount",
        );
      });
    });

    describe("when the amount is above MAX_AMOUNT", function () {
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, MAX_AMOUNT + 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementAmountTooLarge")
          .withArgs(MAX_AMOUNT + 1n, MAX_AMOUNT);
      });
    });

    describe("when the UETR is not a version 4 UUID", function () {
      it("reverts for another version", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        for (const version of [0, 1, 3, 5, 0xf]) {
          const uetr = withVersion(randomUetr(), version);
          await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { uetr })))
            .to.be.revertedWithCustomError(engine, "SettlementInvalidUetr")
            .withArgs(uetr);
        }
      });

      it("reverts for another variant", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        for (const variant of [0, 1, 3]) {
          const uetr = withVariant(randomUetr(), variant);
          await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { uetr })))
            .to.be.revertedWithCustomError(engine, "SettlementInvalidUetr")
            .withArgs(uetr);
        }
      });

      it("reverts for the nil UUID", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const uetr = ethers.zeroPadValue("0x", 16);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { uetr })))
          .to.be.revertedWithCustomError(engine, "SettlementInvalidUetr")
          .withArgs(uetr);
      });
    });

    describe("when the end-to-end id declares 0 or 36 characters", function () {
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { endToEndId: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(engine, "SettlementInvalidEndToEndId")
          .withArgs(0);
        const tooLong = packEndToEndId("X".repeat(35), 36);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { endToEndId: tooLong })))
          .to.be.revertedWithCustomError(engine, "SettlementInvalidEndToEndId")
          .withArgs(36);
        const maxByte = packEndToEndId("X", 0xff);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { endToEndId: maxByte })))
          .to.be.revertedWithCustomError(engine, "SettlementInvalidEndToEndId")
          .withArgs(0xff);
      });
    });

    describe("when the end-to-end id has 1 or 35 characters", function () {
      it("settles and logs the packed id", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        for (const text of ["A", "E2E/2026-11-28/" + "9".repeat(20)]) {
          const ins = instruction(bankB.address, usd(1), { endToEndId: packEndToEndId(text) });
          await expect(engine.connect(bankA).submit(ins))
            .to.emit(engine, "PaymentSettled")
            .withArgs(...settledArgs(ins, bankA.address));
          expect(unpackEndToEndId(ins.endToEndId)).to.equal(text);
        }
      });
    });

    describe("when the purpose code is not four upper-case letters", function () {
      const bad = ["supp", "Supp", "SUP1", "1234", "SUP\0", "\0\0\0\0", "SU P", "@AAA", "[AAA", "AAA@", "AAA["];
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const codes = [...bad.map(purpose), "0xc1414141", "0x414141da"];
        for (const code of codes) {
          await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { purpose: code })))
            .to.be.revertedWithCustomError(engine, "SettlementInvalidPurpose")
            .withArgs(code);
        }
      });

      it("accepts the edges A and Z", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        for (const code of ["AAAA", "ZZZZ", "AZZA"]) {
          await expect(
            engine.connect(bankA).submit(instruction(bankB.address, usd(1), { purpose: purpose(code) })),
          ).to.emit(engine, "PaymentSettled");
        }
      });
    });

    describe("when the priority is 3", function () {
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1), { priority: 3 })))
          .to.be.revertedWithCustomError(engine, "SettlementInvalidPriority")
          .withArgs(3);
      });
    });

    describe("when the creditor is the debtor", function () {
      it("reverts", async function () {
        const { engine, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(bankA).submit(instruction(bankA.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementSelfPayment")
          .withArgs(bankA.address);
      });
    });

    describe("when the creditor has no account", function () {
      it("reverts", async function () {
        const { engine, bankA, banks, customer } = await loadFixture(fundedFixture);
        for (const creditor of [banks[7].address, customer.address, ethers.ZeroAddress]) {
          await expect(engine.connect(bankA).submit(instruction(creditor, usd(1))))
            .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
            .withArgs(creditor);
        }
      });
    });

    describe("when the debtor has no account", function () {
      it("reverts", async function () {
        const { engine, bankA, banks, outsider } = await loadFixture(fundedFixture);
        for (const debtor of [banks[7], outsider]) {
          await expect(engine.connect(debtor).submit(instruction(bankA.address, usd(1))))
            .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
            .withArgs(debtor.address);
        }
      });
    });

    describe("when a party is suspended in the registry", function () {
      it("reverts through the mirrored status, and settles again once reinstated", async function () {
        const { engine, registry, usRegulator, bankA, bankB } = await loadFixture(fundedFixture);
        await registry.connect(usRegulator).suspend(bankB.address);
        expect((await engine.account(bankB.address)).restriction).to.equal(Restriction.NotActive);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.NotActive);
        await expect(engine.connect(bankB).submit(instruction(bankA.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.NotActive);
        // A short payment is refused too: suspension is checked before queueing.
        await expect(engine.connect(bankA).submit(instruction(bankB.address, FUNDS * 2n)))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.NotActive);
        await registry.connect(usRegulator).reinstate(bankB.address);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
          engine,
          "PaymentSettled",
        );
      });

      it("reverts for a revoked party", async function () {
        const { engine, registry, usRegulator, bankA, bankB } = await loadFixture(fundedFixture);
        await registry.connect(usRegulator).revoke(bankB.address);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.NotActive);
      });
    });

    describe("when a party is frozen at the dollar", function () {
      it("reverts through the mirrored flag, and settles again once unfrozen", async function () {
        const { engine, dollar, freezer, bankA, bankB } = await loadFixture(fundedFixture);
        await dollar.connect(freezer).freeze(bankA.address);
        expect((await engine.account(bankA.address)).restriction).to.equal(Restriction.Frozen);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankA.address, Restriction.Frozen);
        await expect(engine.connect(bankB).submit(instruction(bankA.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankA.address, Restriction.Frozen);
        await dollar.connect(freezer).unfreeze(bankA.address);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
          engine,
          "PaymentSettled",
        );
      });
    });

    describe("when a party's KYC has expired", function () {
      it("reverts for the debtor and for the creditor", async function () {
        const { engine, registry, usRegulator, bankA, bankB } = await loadFixture(fundedFixture);
        const expiry = Number((await registry.participant(bankB.address)).kycExpiry);
        await registry.connect(usRegulator).renewKyc(bankA.address, expiry + 10 * DAY);
        await time.increaseTo(expiry);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.KycExpired);
        await expect(engine.connect(bankB).submit(instruction(bankA.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(bankB.address, Restriction.KycExpired);
      });

      it("settles until the last second before the expiry", async function () {
        const { engine, registry, bankA, bankB } = await loadFixture(fundedFixture);
        const expiry = Number((await registry.participant(bankB.address)).kycExpiry);
        await time.setNextBlockTimestamp(expiry - 1);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
          engine,
          "PaymentSettled",
        );
      });
    });

    describe("when the amount is at or above the travel-rule threshold without a hash", function () {
      it("reverts at exactly the threshold and above", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        for (const amount of [THRESHOLD, THRESHOLD + 1n, usd(50_000), FUNDS * 3n]) {
          const ins = instruction(bankB.address, amount, { travelRuleHash: ethers.ZeroHash });
          await expect(engine.connect(bankA).submit(ins))
            .to.be.revertedWithCustomError(engine, "SettlementTravelRuleRequired")
            .withArgs(amount, THRESHOLD);
        }
      });

      it("accepts an amount just below the threshold", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const ins = instruction(bankB.address, THRESHOLD - 1n, { travelRuleHash: ethers.ZeroHash });
        await expect(engine.connect(bankA).submit(ins))
          .to.emit(engine, "PaymentSettled")
          .withArgs(...settledArgs(ins, bankA.address));
      });

      it("follows a changed threshold", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setTravelRuleThreshold(usd(10));
        await expect(
          engine.connect(bankA).submit(instruction(bankB.address, usd(10), { travelRuleHash: ethers.ZeroHash })),
        )
          .to.be.revertedWithCustomError(engine, "SettlementTravelRuleRequired")
          .withArgs(usd(10), usd(10));
        await expect(
          engine.connect(bankA).submit(instruction(bankB.address, usd(500), { travelRuleHash: ethers.ZeroHash })),
        ).to.be.revertedWithCustomError(engine, "SettlementTravelRuleRequired");
      });
    });

    describe("when the payment would take the debtor beyond its net debit cap", function () {
      it("reverts with the net debit it would reach, and settles up to the cap exactly", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(30_000));
        await engine.connect(bankA).submit(instruction(bankB.address, usd(20_000)));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(15_000))))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), usd(35_000));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(10_000)))).to.emit(
          engine,
          "PaymentSettled",
        );
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), usd(30_000) + 1n);
      });

      it("counts incoming payments against the net debit", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(30_000));
        await engine.connect(bankA).submit(instruction(bankB.address, usd(30_000)));
        await engine.connect(bankB).submit(instruction(bankA.address, usd(12_000)));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(12_000)))).to.emit(
          engine,
          "PaymentSettled",
        );
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), usd(30_000) + 1n);
      });

      it("refuses a payment that would have to queue beyond the cap", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(30_000));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, FUNDS + 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), FUNDS + 1n);
      });

      it("resets the cap at the next UTC day", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await nextDayAt(10 * HOUR);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(30_000));
        await engine.connect(bankA).submit(instruction(bankB.address, usd(30_000)));
        await time.setNextBlockTimestamp((await time.latest()) + 13 * HOUR);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), usd(30_000) + 1n);
        await nextDayAt(0);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(30_000)))).to.emit(
          engine,
          "PaymentSettled",
        );
        const account = await engine.account(bankA.address);
        expect(account.openingBalance).to.equal(FUNDS - usd(30_000));
        expect(account.balance).to.equal(FUNDS - usd(60_000));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bankA.address, usd(30_000), usd(30_000) + 1n);
      });

      it("does not apply to an uncapped debtor", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(1));
        await engine.connect(operator).clearNetDebitCap(bankA.address);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, FUNDS))).to.emit(engine, "PaymentSettled");
      });
    });

    describe("when the operating window is enabled", function () {
      const OPEN = 9 * HOUR;
      const CLOSE = 17 * HOUR;

      it("accepts from the opening second until just before the cut-off", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setOperatingWindow(OPEN, CLOSE, true);
        await nextDayAt(OPEN);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
          engine,
          "PaymentSettled",
        );
        await time.setNextBlockTimestamp((await time.latest()) + (CLOSE - OPEN - 1));
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
          engine,
          "PaymentSettled",
        );
      });

      it("reverts at the cut-off and before the opening", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setOperatingWindow(OPEN, CLOSE, true);
        await nextDayAt(CLOSE);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementOutsideOperatingWindow")
          .withArgs(CLOSE, OPEN, CLOSE);
        await nextDayAt(OPEN - 1);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
          .to.be.revertedWithCustomError(engine, "SettlementOutsideOperatingWindow")
          .withArgs(OPEN - 1, OPEN, CLOSE);
      });

      it("still lets debtors cancel and operators run cycles after the cut-off", async function () {
        const { engine, operator, bankD, first, second } = await loadFixture(queuedFixture);
        await engine.connect(operator).setOperatingWindow(OPEN, CLOSE, true);
        await nextDayAt(20 * HOUR);
        await expect(engine.connect(bankD).cancel(first.uetr)).to.emit(engine, "PaymentCancelled");
        await expect(engine.connect(operator).runNettingCycle(10)).to.emit(engine, "CycleSettled");
        expect((await engine.payment(second.uetr)).status).to.equal(PaymentStatus.Queued);
      });

      describe("when the window wraps midnight", function () {
        const NIGHT_OPEN = 22 * HOUR;
        const NIGHT_CLOSE = 6 * HOUR;

        it("accepts late in the evening and early in the morning", async function () {
          const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
          await engine.connect(operator).setOperatingWindow(NIGHT_OPEN, NIGHT_CLOSE, true);
          for (const at of [NIGHT_OPEN, DAY - 1, 0, NIGHT_CLOSE - 1]) {
            await nextDayAt(at);
            await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
              engine,
              "PaymentSettled",
            );
          }
        });

        it("reverts during the day", async function () {
          const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
          await engine.connect(operator).setOperatingWindow(NIGHT_OPEN, NIGHT_CLOSE, true);
          for (const at of [NIGHT_CLOSE, 12 * HOUR, NIGHT_OPEN - 1]) {
            await nextDayAt(at);
            await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
              .to.be.revertedWithCustomError(engine, "SettlementOutsideOperatingWindow")
              .withArgs(at, NIGHT_OPEN, NIGHT_CLOSE);
          }
        });
      });

      describe("when the window is configured but disabled", function () {
        it("accepts at any time", async function () {
          const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
          await engine.connect(operator).setOperatingWindow(OPEN, CLOSE, false);
          await nextDayAt(3 * HOUR);
          await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(
            engine,
            "PaymentSettled",
          );
        });
      });
    });

    describe("when the engine is paused", function () {
      it("reverts", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).pause();
        await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.be.revertedWithCustomError(
          engine,
          "SettlementPaused",
        );
      });
    });
  });

  describe(".cancel()", function () {
    it("takes the debtor's payment out of the queue, keeping the others in order", async function () {
      const { engine, bankD, first, second, fromA } = await loadFixture(queuedFixture);
      expect(await engine.queue(0, 10)).to.deep.equal([fromA.uetr, first.uetr, second.uetr]);
      await expect(engine.connect(bankD).cancel(first.uetr))
        .to.emit(engine, "PaymentCancelled")
        .withArgs(first.uetr, bankD.address, usd(10_000));
      expect(await engine.queue(0, 10)).to.deep.equal([fromA.uetr, second.uetr]);
      expect(await engine.queueLength()).to.equal(2n);
      const view = await engine.payment(first.uetr);
      expect(view.status).to.equal(PaymentStatus.Cancelled);
      expect(view.debtor).to.equal(bankD.address);
      expect(view.amount).to.equal(usd(10_000));
    });

    it("cancels the head, the tail and the only payment of a priority", async function () {
      const { engine, bankA, bankD, first, second, fromA } = await loadFixture(queuedFixture);
      await engine.connect(bankD).cancel(second.uetr);
      await engine.connect(bankA).cancel(fromA.uetr);
      expect(await engine.queue(0, 10)).to.deep.equal([first.uetr]);
      await engine.connect(bankD).cancel(first.uetr);
      expect(await engine.queue(0, 10)).to.deep.equal([]);
      expect(await engine.queueLength()).to.equal(0n);
      // The emptied lists take new payments again.
      const again = instruction(bankA.address, usd(1));
      await engine.connect(bankD).submit(again);
      expect(await engine.queue(0, 10)).to.deep.equal([again.uetr]);
    });

    it("lets a frozen debtor cancel", async function () {
      const { engine, dollar, freezer, bankD, first } = await loadFixture(queuedFixture);
      await dollar.connect(freezer).freeze(bankD.address);
      await expect(engine.connect(bankD).cancel(first.uetr)).to.emit(engine, "PaymentCancelled");
    });

    describe("when the payment is unknown", function () {
      it("reverts", async function () {
        const { engine, bankD } = await loadFixture(queuedFixture);
        const uetr = randomUetr();
        await expect(engine.connect(bankD).cancel(uetr))
          .to.be.revertedWithCustomError(engine, "SettlementUnknownPayment")
          .withArgs(uetr);
      });
    });

    describe("when the caller is not the debtor", function () {
      it("reverts, even for the creditor", async function () {
        const { engine, bankA, bankB, bankD, first } = await loadFixture(queuedFixture);
        for (const caller of [bankA, bankB]) {
          await expect(engine.connect(caller).cancel(first.uetr))
            .to.be.revertedWithCustomError(engine, "SettlementNotDebtor")
            .withArgs(caller.address, bankD.address);
        }
      });
    });

    describe("when an operator clears a queued payment", function () {
      it("cancels it in the debtor's name and says who did", async function () {
        const { engine, operator, bankD, first } = await loadFixture(queuedFixture);
        const amount = (await engine.payment(first.uetr)).amount;
        await expect(engine.connect(operator).cancel(first.uetr))
          .to.emit(engine, "PaymentCancelled")
          .withArgs(first.uetr, bankD.address, amount)
          .and.to.emit(engine, "PaymentCancelledByOperator")
          .withArgs(first.uetr, operator.address);
        expect((await engine.payment(first.uetr)).status).to.equal(PaymentStatus.Cancelled);
      });
    });

    describe("when the payment settled gross", function () {
      it("reverts", async function () {
        const { engine, bankA, bankB } = await loadFixture(queuedFixture);
        const ins = instruction(bankB.address, usd(1));
        await engine.connect(bankA).submit(ins);
        await expect(engine.connect(bankA).cancel(ins.uetr))
          .to.be.revertedWithCustomError(engine, "SettlementNotQueued")
          .withArgs(ins.uetr, PaymentStatus.Settled);
      });
    });

    describe("when the payment settled in a netting cycle", function () {
      it("reverts", async function () {
        const { engine, operator, bankD, first } = await loadFixture(queuedFixture);
        await engine.connect(bankD).deposit(usd(30_000));
        await engine.connect(operator).runNettingCycle(10);
        await expect(engine.connect(bankD).cancel(first.uetr))
          .to.be.revertedWithCustomError(engine, "SettlementNotQueued")
          .withArgs(first.uetr, PaymentStatus.Settled);
      });
    });

    describe("when the payment was already cancelled", function () {
      it("reverts", async function () {
        const { engine, bankD, first } = await loadFixture(queuedFixture);
        await engine.connect(bankD).cancel(first.uetr);
        await expect(engine.connect(bankD).cancel(first.uetr))
          .to.be.revertedWithCustomError(engine, "SettlementNotQueued")
          .withArgs(first.uetr, PaymentStatus.Cancelled);
      });
    });
  });

  describe(".runNettingCycle()", function () {
    it("settles what is covered, logs each payment and position, and counts the cycle", async function () {
      const { engine, operator, bankA, bankD, first, second, fromA } = await loadFixture(queuedFixture);
      // D owes A 30,000 and A owes D 500,000: A needs 470,000 net and has 100,000, so A's payment stays out.
      await engine.connect(bankD).deposit(usd(30_000));
      expect(await engine.connect(operator).runNettingCycle.staticCall(10)).to.deep.equal([1n, 2n]);
      const tx = engine.connect(operator).runNettingCycle(10);
      await expect(tx).to.emit(engine, "CycleSettled").withArgs(1n, 2n, 3n, usd(30_000), usd(30_000), 1n);
      await expect(tx)
        .to.emit(engine, "QueuedPaymentSettled")
        .withArgs(first.uetr, bankD.address, bankA.address, usd(10_000), first.purpose, first.travelRuleHash, 1n);
      await expect(tx)
        .to.emit(engine, "QueuedPaymentSettled")
        .withArgs(second.uetr, bankD.address, bankA.address, usd(20_000), second.purpose, second.travelRuleHash, 1n);
      await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, bankD.address, -usd(30_000));
      await expect(tx).to.emit(engine, "NetPositionSettled").withArgs(1n, bankA.address, usd(30_000));
      expect(await engine.cycleCount()).to.equal(1n);
      expect(await engine.queue(0, 10)).to.deep.equal([fromA.uetr]);
      expect((await engine.account(bankA.address)).balance).to.equal(FUNDS + usd(30_000));
      expect((await engine.account(bankD.address)).balance).to.equal(0n);
      const view = await engine.payment(first.uetr);
      expect(view.status).to.equal(PaymentStatus.Settled);
      expect(view.sequence).to.equal(1n);
    });

    it("may be run by any account holder in good standing", async function () {
      const { engine, bankC } = await loadFixture(queuedFixture);
      await expect(engine.connect(bankC).runNettingCycle(10))
        .to.emit(engine, "CycleSettled")
        .withArgs(1n, 0n, 3n, 0n, 0n, 3n);
    });

    it("accepts MAX_CYCLE_PAYMENTS", async function () {
      const { engine, operator } = await loadFixture(queuedFixture);
      await expect(engine.connect(operator).runNettingCycle(400)).to.emit(engine, "CycleSettled");
    });

    describe("when the caller is neither an operator nor an account holder", function () {
      it("reverts", async function () {
        const { engine, outsider, admin, banks } = await loadFixture(queuedFixture);
        for (const caller of [outsider, admin, banks[9]]) {
          await expect(engine.connect(caller).runNettingCycle(10))
            .to.be.revertedWithCustomError(engine, "SettlementUnauthorized")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the calling account holder is restricted", function () {
      it("reverts", async function () {
        const { engine, dollar, freezer, bankC } = await loadFixture(queuedFixture);
        await dollar.connect(freezer).freeze(bankC.address);
        await expect(engine.connect(bankC).runNettingCycle(10))
          .to.be.revertedWithCustomError(engine, "SettlementUnauthorized")
          .withArgs(bankC.address);
      });
    });

    describe("when the cycle size is 0 or above MAX_CYCLE_PAYMENTS", function () {
      it("reverts", async function () {
        const { engine, operator } = await loadFixture(queuedFixture);
        for (const size of [0n, 401n, ethers.MaxUint256]) {
          await expect(engine.connect(operator).runNettingCycle(size))
            .to.be.revertedWithCustomError(engine, "SettlementInvalidCycleSize")
            .withArgs(size);
        }
      });
    });

    describe("when the engine is paused", function () {
      it("reverts", async function () {
        const { engine, operator } = await loadFixture(queuedFixture);
        await engine.connect(operator).pause();
        await expect(engine.connect(operator).runNettingCycle(10)).to.be.revertedWithCustomError(
          engine,
          "SettlementPaused",
        );
      });
    });
  });

  describe(".setNetDebitCap()", function () {
    it("caps the account from its current balance", async function () {
      const { engine, operator, bankA } = await loadFixture(fundedFixture);
      await expect(engine.connect(operator).setNetDebitCap(bankA.address, usd(25_000)))
        .to.emit(engine, "NetDebitCapSet")
        .withArgs(bankA.address, usd(25_000), true);
      const account = await engine.account(bankA.address);
      expect(account.capped).to.be.true;
      expect(account.netDebitCap).to.equal(usd(25_000));
      expect(account.openingBalance).to.equal(FUNDS);
    });

    it("restarts the count from the balance when set again", async function () {
      const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
      await engine.connect(operator).setNetDebitCap(bankA.address, usd(25_000));
      await engine.connect(bankA).submit(instruction(bankB.address, usd(25_000)));
      await engine.connect(operator).setNetDebitCap(bankA.address, usd(5_000));
      expect((await engine.account(bankA.address)).openingBalance).to.equal(FUNDS - usd(25_000));
      await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(5_000)))).to.emit(
        engine,
        "PaymentSettled",
      );
    });

    it("accepts a zero cap, which allows no net debit", async function () {
      const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
      await engine.connect(operator).setNetDebitCap(bankA.address, 0);
      await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n)))
        .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
        .withArgs(bankA.address, 0n, 1n);
    });

    describe("when the account is not open", function () {
      it("reverts", async function () {
        const { engine, operator, banks } = await loadFixture(fundedFixture);
        await expect(engine.connect(operator).setNetDebitCap(banks[8].address, 1))
          .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
          .withArgs(banks[8].address);
      });
    });

    describe("when the cap does not fit a balance", function () {
      it("reverts", async function () {
        const { engine, operator, bankA } = await loadFixture(fundedFixture);
        await expect(engine.connect(operator).setNetDebitCap(bankA.address, MAX_BALANCE + 1n))
          .to.be.revertedWithCustomError(engine, "SettlementAmountTooLarge")
          .withArgs(MAX_BALANCE + 1n, MAX_BALANCE);
      });
    });
  });

  describe(".clearNetDebitCap()", function () {
    it("removes the cap", async function () {
      const { engine, operator, bankA } = await loadFixture(fundedFixture);
      await engine.connect(operator).setNetDebitCap(bankA.address, usd(25_000));
      await expect(engine.connect(operator).clearNetDebitCap(bankA.address))
        .to.emit(engine, "NetDebitCapSet")
        .withArgs(bankA.address, 0n, false);
      const account = await engine.account(bankA.address);
      expect(account.capped).to.be.false;
      expect(account.netDebitCap).to.equal(0n);
      expect(account.openingBalance).to.equal(0n);
    });

    describe("when the account is not open", function () {
      it("reverts", async function () {
        const { engine, operator, banks } = await loadFixture(fundedFixture);
        await expect(engine.connect(operator).clearNetDebitCap(banks[8].address))
          .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
          .withArgs(banks[8].address);
      });
    });
  });

  describe(".setTravelRuleThreshold()", function () {
    it("changes the threshold and logs the configuration", async function () {
      const { engine, operator } = await loadFixture(fundedFixture);
      await expect(engine.connect(operator).setTravelRuleThreshold(usd(3_000)))
        .to.emit(engine, "ConfigChanged")
        .withArgs([usd(3_000), 0n, BigInt(DAY), false, false]);
      expect((await engine.config()).travelRuleThreshold).to.equal(usd(3_000));
    });

    describe("when the threshold is zero", function () {
      it("requires a hash on every payment", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setTravelRuleThreshold(0);
        await expect(engine.connect(bankA).submit(instruction(bankB.address, 1n, { travelRuleHash: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(engine, "SettlementTravelRuleRequired")
          .withArgs(1n, 0n);
      });
    });
  });

  describe(".setOperatingWindow()", function () {
    it("stores the window and logs the configuration", async function () {
      const { engine, operator } = await loadFixture(fundedFixture);
      await expect(engine.connect(operator).setOperatingWindow(22 * HOUR, 6 * HOUR, true))
        .to.emit(engine, "ConfigChanged")
        .withArgs([THRESHOLD, 22 * HOUR, 6 * HOUR, true, false]);
      const config = await engine.config();
      expect([config.windowOpen, config.windowClose, config.windowEnabled]).to.deep.equal([
        BigInt(22 * HOUR),
        BigInt(6 * HOUR),
        true,
      ]);
    });

    it("accepts a window closing at the end of the day", async function () {
      const { engine, operator } = await loadFixture(fundedFixture);
      await expect(engine.connect(operator).setOperatingWindow(DAY - 1, DAY, true)).to.emit(engine, "ConfigChanged");
    });

    describe("when the window is empty or out of the day", function () {
      it("reverts", async function () {
        const { engine, operator } = await loadFixture(fundedFixture);
        for (const [open, close] of [
          [HOUR, HOUR],
          [DAY, 0],
          [0, DAY + 1],
          [DAY, DAY],
        ]) {
          await expect(engine.connect(operator).setOperatingWindow(open, close, true))
            .to.be.revertedWithCustomError(engine, "SettlementInvalidWindow")
            .withArgs(open, close);
        }
      });
    });
  });

  describe(".pause() and .unpause()", function () {
    it("stops and restarts payments and cycles", async function () {
      const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
      await expect(engine.connect(operator).pause())
        .to.emit(engine, "ConfigChanged")
        .withArgs([THRESHOLD, 0n, BigInt(DAY), false, true]);
      expect((await engine.config()).paused).to.be.true;
      await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.be.revertedWithCustomError(
        engine,
        "SettlementPaused",
      );
      await expect(engine.connect(operator).unpause())
        .to.emit(engine, "ConfigChanged")
        .withArgs([THRESHOLD, 0n, BigInt(DAY), false, false]);
      await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1)))).to.emit(engine, "PaymentSettled");
    });

    it("leaves deposits, withdrawals and cancellations open", async function () {
      const { engine, operator, bankD, first } = await loadFixture(queuedFixture);
      await engine.connect(operator).pause();
      await expect(engine.connect(bankD).deposit(usd(5))).to.emit(engine, "Deposited");
      await expect(engine.connect(bankD).withdraw(usd(5))).to.emit(engine, "Withdrawn");
      await expect(engine.connect(bankD).cancel(first.uetr)).to.emit(engine, "PaymentCancelled");
    });
  });

  describe("operator functions", function () {
    describe("when the caller lacks OPERATOR_ROLE", function () {
      it("reverts for every one of them, even for the admin", async function () {
        const { engine, admin, outsider, bankA, operatorRole } = await loadFixture(fundedFixture);
        for (const caller of [admin, outsider, bankA]) {
          const calls = [
            () => engine.connect(caller).setNetDebitCap(bankA.address, 1),
            () => engine.connect(caller).clearNetDebitCap(bankA.address),
            () => engine.connect(caller).setTravelRuleThreshold(1),
            () => engine.connect(caller).setOperatingWindow(0, HOUR, true),
            () => engine.connect(caller).pause(),
            () => engine.connect(caller).unpause(),
          ];
          for (const call of calls) {
            await expect(call())
              .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
              .withArgs(caller.address, operatorRole);
          }
        }
      });
    });

    describe("when the admin grants OPERATOR_ROLE", function () {
      it("lets the new operator configure", async function () {
        const { engine, admin, outsider, operatorRole } = await loadFixture(fundedFixture);
        await engine.connect(admin).grantRole(operatorRole, outsider.address);
        await expect(engine.connect(outsider).pause()).to.emit(engine, "ConfigChanged");
      });
    });
  });

  describe(".syncAccount() and .syncAccounts()", function () {
    /** The dollar stops pushing to the engine, so its mirror goes stale until someone syncs. */
    async function unobservedFixture() {
      const f = await fundedFixture();
      await f.dollar.connect(f.admin).setObserver(ethers.ZeroAddress);
      return f;
    }

    it("repairs a missed freeze, and anyone may call it", async function () {
      const { engine, dollar, freezer, outsider, bankA, bankB } = await loadFixture(unobservedFixture);
      await dollar.connect(freezer).freeze(bankA.address);
      expect((await engine.account(bankA.address)).restriction).to.equal(Restriction.None);
      await engine.connect(outsider).syncAccount(bankA.address);
      expect((await engine.account(bankA.address)).restriction).to.equal(Restriction.Frozen);
      await expect(engine.connect(bankA).submit(instruction(bankB.address, usd(1))))
        .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
        .withArgs(bankA.address, Restriction.Frozen);
    });

    it("repairs several accounts at once, keeping balances and caps", async function () {
      const { engine, registry, usRegulator, operator, outsider, bankA, bankB } = await loadFixture(unobservedFixture);
      await engine.connect(operator).setNetDebitCap(bankA.address, usd(7));
      await registry.connect(usRegulator).suspend(bankA.address);
      await registry.connect(usRegulator).suspend(bankB.address);
      await engine.connect(outsider).syncAccounts([bankA.address, bankB.address]);
      for (const bank of [bankA, bankB]) {
        const account = await engine.account(bank.address);
        expect(account.restriction).to.equal(Restriction.NotActive);
        expect(account.balance).to.equal(FUNDS);
      }
      expect((await engine.account(bankA.address)).capped).to.be.true;
      await registry.connect(usRegulator).reinstate(bankA.address);
      await engine.syncAccounts([bankA.address]);
      expect((await engine.account(bankA.address)).restriction).to.equal(Restriction.None);
    });

    it("ignores holders without an account", async function () {
      const { engine, banks } = await loadFixture(unobservedFixture);
      await engine.syncAccount(banks[9].address);
      await engine.syncAccounts([banks[10].address, ethers.ZeroAddress]);
      expect((await engine.account(banks[9].address)).open).to.be.false;
      expect((await engine.account(banks[10].address)).open).to.be.false;
    });

    it("receives pushes from the registry through the dollar", async function () {
      const { engine, registry, gbRegulator, banks } = await loadFixture(settlementFixture);
      const gbBank = banks[7];
      await engine.connect(gbBank).openAccount();
      await registry.connect(gbRegulator).suspend(gbBank.address);
      expect((await engine.account(gbBank.address)).restriction).to.equal(Restriction.NotActive);
    });
  });

  describe("views", function () {
    describe(".queue()", function () {
      it("pages through the queue in settlement order", async function () {
        const { engine, bankD, bankA } = await loadFixture(fundedFixture);
        const priorities = [NORMAL, URGENT, HIGH, NORMAL, URGENT, HIGH];
        const queued: Instruction[] = [];
        for (const priority of priorities) {
          const ins = instruction(bankA.address, usd(1), { priority });
          await engine.connect(bankD).submit(ins);
          queued.push(ins);
        }
        const order = [1, 4, 2, 5, 0, 3].map((i) => queued[i].uetr);
        expect(await engine.queueLength()).to.equal(6n);
        expect(await engine.queue(0, 100)).to.deep.equal(order);
        expect(await engine.queue(0, 2)).to.deep.equal(order.slice(0, 2));
        expect(await engine.queue(2, 3)).to.deep.equal(order.slice(2, 5));
        expect(await engine.queue(5, 3)).to.deep.equal(order.slice(5));
        expect(await engine.queue(6, 3)).to.deep.equal([]);
        expect(await engine.queue(100, 3)).to.deep.equal([]);
        expect(await engine.queue(0, 0)).to.deep.equal([]);
      });
    });

    describe(".payment()", function () {
      it("is empty for an unknown UETR", async function () {
        const { engine } = await loadFixture(fundedFixture);
        const view = await engine.payment(randomUetr());
        expect(view.status).to.equal(PaymentStatus.None);
        expect(view.debtor).to.equal(ethers.ZeroAddress);
        expect(view.amount).to.equal(0n);
        expect(view.sequence).to.equal(0n);
      });

      it("keeps only the status of a gross payment", async function () {
        const { engine, bankA, bankB } = await loadFixture(fundedFixture);
        const ins = instruction(bankB.address, usd(1));
        await engine.connect(bankA).submit(ins);
        const view = await engine.payment(ins.uetr);
        expect(view.status).to.equal(PaymentStatus.Settled);
        expect(view.amount).to.equal(0n);
      });
    });

    describe(".account()", function () {
      it("is closed and empty for a stranger", async function () {
        const { engine, outsider } = await loadFixture(fundedFixture);
        const account = await engine.account(outsider.address);
        expect(account.open).to.be.false;
        expect(account.balance).to.equal(0n);
        expect(account.capped).to.be.false;
        expect(account.restriction).to.equal(Restriction.NotParticipant);
      });

      it("shows the next day's opening balance before any movement", async function () {
        const { engine, operator, bankA, bankB } = await loadFixture(fundedFixture);
        await engine.connect(operator).setNetDebitCap(bankA.address, usd(50_000));
        await engine.connect(bankA).submit(instruction(bankB.address, usd(40_000)));
        expect((await engine.account(bankA.address)).openingBalance).to.equal(FUNDS);
        await time.increaseTo((Math.floor((await time.latest()) / DAY) + 1) * DAY);
        expect((await engine.account(bankA.address)).openingBalance).to.equal(FUNDS - usd(40_000));
      });
    });
  });
});
