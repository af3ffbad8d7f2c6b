import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Restriction } from "../../src/sdk/constants";
import { usd } from "../fixtures/core.fixture";
import { instruction } from "../fixtures/payments";
import { commissionedFixture, Disposition, eventHash, ITEMS } from "../fixtures/provenance.fixture";
import { SettlementEngine__factory } from "../../typechain-types";

const PRICE = usd(120_000);
const LICENCE = ethers.id("export-licence:US-DE-2026-0042");

/**
 * A US maker sells a controlled chip to a US hospital: the maker ships it against payment, the hospital pays
 * and takes custody in one transaction. The hospital holds 500,000 DUSD in its settlement account.
 */
async function dvpFixture() {
  const f = await commissionedFixture();
  const { admin, dollar, engine, usRegulator, hospital, usMaker, provenance } = f;
  await dollar.grantRole(await dollar.MASTER_MINTER_ROLE(), admin.address);
  await dollar.grantRole(await dollar.ATTESTOR_ROLE(), admin.address);
  await dollar.configureIssuer(usRegulator.address, usd(10_000_000));
  await dollar.attestReserves(usd(10_000_000), ethers.id("reserve-report"), await time.latest());
  await dollar.connect(usRegulator).mint(hospital.address, usd(500_000));
  await dollar.connect(hospital).approve(await engine.getAddress(), ethers.MaxUint256);
  await engine.connect(hospital).deposit(usd(500_000));
  await engine.connect(usMaker).openAccount();
  await provenance
    .connect(usMaker)
    .shipAgainstPayment(ITEMS.chip, hospital.address, PRICE, ethers.ZeroHash, eventHash("ship:chip"));
  return f;
}

describe("SettlementEngine", () => {
  describe(".settleDeliveryVersusPayment()", () => {
    describe("when the buyer pays the seller's price", () => {
      it("moves the money and the custody in one transaction", async () => {
        const { engine, provenance, hospital, usMaker } = await loadFixture(dvpFixture);
        const payment = instruction(usMaker.address, PRICE);
        const tx = engine.connect(hospital).settleDeliveryVersusPayment(payment, ITEMS.chip, eventHash("deliver:chip"));
        await expect(tx)
          .to.emit(engine, "DeliveryVersusPaymentSettled")
          .withArgs(payment.uetr, ITEMS.chip, hospital.address, usMaker.address, PRICE);
        await expect(tx).to.emit(engine, "PaymentSettled");
        await expect(tx).to.emit(provenance, "ItemDelivered");

        expect((await engine.account(hospital.address)).balance).to.equal(usd(500_000) - PRICE);
        expect((await engine.account(usMaker.address)).balance).to.equal(PRICE);
        const item = await provenance.item(ITEMS.chip);
        expect(item.custodian).to.equal(hospital.address);
        expect(item.disposition).to.equal(Disposition.Active);
        expect(await provenance.deliveryTerms(ITEMS.chip)).to.deep.equal([ethers.ZeroAddress, 0n]);
      });
    });

    describe("when the payment leg fails", () => {
      it("reverts for want of liquidity and leaves the shipment waiting, custody unchanged", async () => {
        const { engine, provenance, hospital, usMaker } = await loadFixture(dvpFixture);
        await engine.connect(hospital).withdraw(usd(400_000));
        const payment = instruction(usMaker.address, PRICE);
        await expect(
          engine.connect(hospital).settleDeliveryVersusPayment(payment, ITEMS.chip, eventHash("deliver:chip")),
        )
          .to.be.revertedWithCustomError(engine, "SettlementInsufficientLiquidity")
          .withArgs(hospital.address, usd(100_000), PRICE);
        const item = await provenance.item(ITEMS.chip);
        expect(item.disposition).to.equal(Disposition.InTransit);
        expect(await provenance.deliveryTerms(ITEMS.chip)).to.deep.equal([usMaker.address, PRICE]);
        expect((await engine.payment(payment.uetr)).status).to.equal(0n);
      });

      it("reverts when the buyer is frozen, and no custody moves", async () => {
        const { engine, dollar, provenance, admin, hospital, usMaker } = await loadFixture(dvpFixture);
        await dollar.grantRole(await dollar.FREEZER_ROLE(), admin.address);
        await dollar.freeze(hospital.address);
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        ).to.be.revertedWithCustomError(engine, "SettlementAccountRestricted");
        expect((await provenance.item(ITEMS.chip)).disposition).to.equal(Disposition.InTransit);
      });
    });

    describe("when the seller may not be paid", () => {
      it("reverts naming the frozen seller, and no custody moves", async () => {
        const { engine, dollar, provenance, admin, hospital, usMaker } = await loadFixture(dvpFixture);
        await dollar.grantRole(await dollar.FREEZER_ROLE(), admin.address);
        await dollar.freeze(usMaker.address);
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        )
          .to.be.revertedWithCustomError(engine, "SettlementAccountRestricted")
          .withArgs(usMaker.address, Restriction.Frozen);
        expect((await provenance.item(ITEMS.chip)).disposition).to.equal(Disposition.InTransit);
      });
    });

    describe("when the price is beyond the buyer's net debit cap", () => {
      it("reverts with SettlementNetDebitCapExceeded, and no custody moves", async () => {
        const { engine, provenance, admin, hospital, usMaker } = await loadFixture(dvpFixture);
        await engine.grantRole(await engine.OPERATOR_ROLE(), admin.address);
        await engine.setNetDebitCap(hospital.address, usd(100_000));
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        )
          .to.be.revertedWithCustomError(engine, "SettlementNetDebitCapExceeded")
          .withArgs(hospital.address, usd(100_000), PRICE);
        expect((await provenance.item(ITEMS.chip)).disposition).to.equal(Disposition.InTransit);
        expect((await engine.account(hospital.address)).balance).to.equal(usd(500_000));
      });
    });

    describe("when the delivery leg fails", () => {
      it("reverts on a price that differs from the seller's, and no funds move", async () => {
        const { engine, provenance, hospital, usMaker } = await loadFixture(dvpFixture);
        const payment = instruction(usMaker.address, PRICE - 1n);
        await expect(
          engine.connect(hospital).settleDeliveryVersusPayment(payment, ITEMS.chip, eventHash("deliver:chip")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenancePaymentMismatch")
          .withArgs(ITEMS.chip, usMaker.address, PRICE, usMaker.address, PRICE - 1n);
        expect((await engine.account(hospital.address)).balance).to.equal(usd(500_000));
        expect((await engine.account(usMaker.address)).balance).to.equal(0n);
        // The UETR was not used up: the corrected payment goes through.
        await engine
          .connect(hospital)
          .settleDeliveryVersusPayment({ ...payment, amount: PRICE }, ITEMS.chip, eventHash("deliver:chip"));
        expect((await provenance.item(ITEMS.chip)).custodian).to.equal(hospital.address);
      });

      it("reverts when paying someone other than the seller", async () => {
        const { engine, provenance, hospital, usMaker2 } = await loadFixture(dvpFixture);
        await engine.connect(usMaker2).openAccount();
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker2.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        ).to.be.revertedWithCustomError(provenance, "ProvenancePaymentMismatch");
        expect((await engine.account(usMaker2.address)).balance).to.equal(0n);
      });

      it("reverts when the item was not shipped against payment to the buyer", async () => {
        const { engine, provenance, hospital, usMaker } = await loadFixture(dvpFixture);
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip2, eventHash("deliver:chip2")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(ITEMS.chip2);
        expect((await engine.account(hospital.address)).balance).to.equal(usd(500_000));
      });

      it("reverts when the item was recalled in transit, and no funds move", async () => {
        const { engine, provenance, usRegulator, hospital, usMaker } = await loadFixture(dvpFixture);
        await provenance.connect(usRegulator).recall(ITEMS.chip, eventHash("recall:chip"));
        await expect(
          engine
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition");
        expect((await engine.account(usMaker.address)).balance).to.equal(0n);
      });
    });

    describe("when no provenance registry is set", () => {
      it("reverts with SettlementNoProvenance", async () => {
        const { admin, dollar, hospital, usMaker } = await loadFixture(dvpFixture);
        const bare = await new SettlementEngine__factory(admin).deploy(admin.address, await dollar.getAddress(), 0);
        await expect(
          bare
            .connect(hospital)
            .settleDeliveryVersusPayment(instruction(usMaker.address, PRICE), ITEMS.chip, eventHash("deliver:chip")),
        ).to.be.revertedWithCustomError(bare, "SettlementNoProvenance");
      });
    });

    describe("when the licence is missing for a cross-border controlled item", () => {
      it("cannot even be offered: the shipment against payment needs the licence", async () => {
        const { provenance, usMaker, gbCustomer } = await loadFixture(dvpFixture);
        await expect(
          provenance
            .connect(usMaker)
            .shipAgainstPayment(ITEMS.chip2, gbCustomer.address, PRICE, ethers.ZeroHash, eventHash("ship:chip2")),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceLicenceRequired");
        await provenance
          .connect(usMaker)
          .shipAgainstPayment(ITEMS.chip2, gbCustomer.address, PRICE, LICENCE, eventHash("ship:chip2"));
        expect(await provenance.deliveryTerms(ITEMS.chip2)).to.deep.equal([usMaker.address, PRICE]);
      });
    });
  });

  describe(".setProvenance()", () => {
    it("is for the admin only and refuses the zero address", async () => {
      const { engine, provenance, outsider, admin } = await loadFixture(dvpFixture);
      await expect(engine.connect(outsider).setProvenance(await provenance.getAddress()))
        .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.ZeroHash);
      await expect(engine.connect(admin).setProvenance(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        engine,
        "SettlementZeroAddress",
      );
      await expect(engine.connect(admin).setProvenance(await provenance.getAddress()))
        .to.emit(engine, "ProvenanceSet")
        .withArgs(await provenance.getAddress());
      expect(await engine.provenance()).to.equal(await provenance.getAddress());
    });
  });
});
