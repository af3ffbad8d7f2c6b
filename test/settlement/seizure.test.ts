import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { usd } from "../fixtures/core.fixture";
import { instruction, PaymentStatus, URGENT } from "../fixtures/payments";
import { settlementFixture } from "../fixtures/settlement.fixture";

const ORDER = ethers.id("court-order:2026-0815");

/** Banks 0..2 hold 100,000 each in the engine; `seizer` holds the engine's SEIZER_ROLE. */
async function seizureFixture() {
  const f = await settlementFixture();
  const [bank0, bank1, bank2] = f.banks;
  for (const bank of [bank0, bank1, bank2]) await f.engine.connect(bank).deposit(usd(100_000));
  const seizer = f.outsider;
  await f.engine.grantRole(await f.engine.SEIZER_ROLE(), seizer.address);
  return { ...f, bank0, bank1, bank2, seizer };
}

describe("SettlementEngine", () => {
  describe(".seizeSettlementBalance()", () => {
    describe("when the holder is frozen and there is a legal order", () => {
      it("moves the balance to the custody account and keeps the engine's DUSD equal to all balances", async () => {
        const { engine, dollar, freezer, seizer, bank0, bank1 } = await loadFixture(seizureFixture);
        await dollar.connect(freezer).freeze(bank0.address);
        await expect(engine.connect(seizer).seizeSettlementBalance(bank0.address, bank1.address, usd(60_000), ORDER))
          .to.emit(engine, "SettlementBalanceSeized")
          .withArgs(bank0.address, bank1.address, usd(60_000), ORDER, seizer.address);
        expect((await engine.account(bank0.address)).balance).to.equal(usd(40_000));
        expect((await engine.account(bank1.address)).balance).to.equal(usd(160_000));
        expect(await dollar.balanceOf(await engine.getAddress())).to.equal(usd(300_000));
      });

      it("counts neither for nor against either party's net debit cap", async () => {
        const { engine, dollar, operator, freezer, seizer, bank0, bank1, bank2 } = await loadFixture(seizureFixture);
        await engine.connect(operator).setNetDebitCap(bank0.address, usd(10_000));
        await engine.connect(operator).setNetDebitCap(bank1.address, usd(10_000));
        await dollar.connect(freezer).freeze(bank0.address);
        await engine.connect(seizer).seizeSettlementBalance(bank0.address, bank1.address, usd(60_000), ORDER);
        expect((await engine.account(bank0.address)).openingBalance).to.equal(usd(40_000));
        expect((await engine.account(bank1.address)).openingBalance).to.equal(usd(160_000));
        // bank1 may still pay out exactly its cap.
        await engine.connect(bank1).submit(instruction(bank2.address, usd(10_000)));
        await expect(engine.connect(bank1).submit(instruction(bank2.address, 1n)))
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(bank1.address, usd(10_000), usd(10_000) + 1n);
      });
    });

    describe("when the holder is not frozen", () => {
      it("reverts with SettlementAccountNotFrozen", async () => {
        const { engine, seizer, bank0, bank1 } = await loadFixture(seizureFixture);
        await expect(engine.connect(seizer).seizeSettlementBalance(bank0.address, bank1.address, 1n, ORDER))
          .to.be.revertedWithCustomError(engine, "SettlementAccountNotFrozen")
          .withArgs(bank0.address);
      });
    });

    describe("when an input is wrong", () => {
      it("reverts on a missing order, a zero amount, a seizure to itself, more than the balance", async () => {
        const { engine, dollar, freezer, seizer, bank0, bank1 } = await loadFixture(seizureFixture);
        await dollar.connect(freezer).freeze(bank0.address);
        const seize = (custody: string, amount: bigint, order: string) =>
          engine.connect(seizer).seizeSettlementBalance(bank0.address, custody, amount, order);
        await expect(seize(bank1.address, 1n, ethers.ZeroHash)).to.be.revertedWithCustomError(
          engine,
          "SettlementMissingLegalOrder",
        );
        await expect(seize(bank1.address, 0n, ORDER)).to.be.revertedWithCustomError(engine, "SettlementZeroAmount");
        await expect(seize(bank0.address, 1n, ORDER))
          .to.be.revertedWithCustomError(engine, "SettlementSelfPayment")
          .withArgs(bank0.address);
        await expect(seize(bank1.address, usd(100_000) + 1n, ORDER))
          .to.be.revertedWithCustomError(engine, "SettlementInsufficientLiquidity")
          .withArgs(bank0.address, usd(100_000), usd(100_000) + 1n);
      });

      it("reverts when the custody account is not open or may not hold", async () => {
        const { engine, dollar, freezer, seizer, bank0, bank1, banks } = await loadFixture(seizureFixture);
        await dollar.connect(freezer).freeze(bank0.address);
        await expect(engine.connect(seizer).seizeSettlementBalance(bank0.address, banks[5].address, 1n, ORDER))
          .to.be.revertedWithCustomError(engine, "SettlementAccountNotOpen")
          .withArgs(banks[5].address);
        await dollar.connect(freezer).freeze(bank1.address);
        await expect(
          engine.connect(seizer).seizeSettlementBalance(bank0.address, bank1.address, 1n, ORDER),
        ).to.be.revertedWithCustomError(engine, "SettlementAccountRestricted");
      });
    });

    describe("when the caller is not a seizer", () => {
      it("reverts with AccessControlUnauthorizedAccount, also for an operator and the admin", async () => {
        const { engine, dollar, freezer, operator, admin, bank0, bank1 } = await loadFixture(seizureFixture);
        await dollar.connect(freezer).freeze(bank0.address);
        for (const caller of [operator, admin, bank1]) {
          await expect(engine.connect(caller).seizeSettlementBalance(bank0.address, bank1.address, 1n, ORDER))
            .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, await engine.SEIZER_ROLE());
        }
      });
    });
  });

  describe("a queue filled with payments nobody will fund", () => {
    it("blocks netting until an operator clears them, then the cycle settles what can be settled", async () => {
      const { engine, operator, banks, bank1, bank2 } = await loadFixture(seizureFixture);
      const attacker = banks[6];
      await engine.connect(attacker).openAccount();
      const max = Number(await engine.MAX_CYCLE_PAYMENTS());
      const junk: string[] = [];
      for (let i = 0; i < max; i++) {
        const payment = instruction(bank1.address, 1n, { priority: URGENT });
        await engine.connect(attacker).submit(payment);
        junk.push(payment.uetr);
      }
      // bank2 owes bank1 more than it holds: queued behind the junk.
      const real = instruction(bank1.address, usd(150_000));
      await engine.connect(bank2).submit(real);
      await engine.connect(bank2).deposit(usd(60_000));
      await engine.connect(operator).runNettingCycle(max);
      expect((await engine.payment(real.uetr)).status).to.equal(PaymentStatus.Queued);

      for (const uetr of junk) await engine.connect(operator).cancel(uetr);
      await engine.connect(operator).runNettingCycle(max);
      expect((await engine.payment(real.uetr)).status).to.equal(PaymentStatus.Settled);
      expect(await engine.queueLength()).to.equal(0n);
    });
  });
});
