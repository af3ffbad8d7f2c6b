import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  chainHash,
  commissionedFixture,
  Disposition,
  eventHash,
  EventKind,
  ITEMS,
} from "../fixtures/provenance.fixture";

const LICENCE = ethers.id("licence:US-DE-2026-0001");
const ZERO = ethers.ZeroHash;

describe("ProvenanceRegistry", () => {
  describe(".recall()", () => {
    describe("when the item is in transit", () => {
      it("refuses the recipient, who has not accepted it, and lets a regulator recall it", async () => {
        const { provenance, usMaker, deMaker, usRegulator } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(ITEMS.chip, deMaker.address, LICENCE, eventHash("ship"));
        await expect(provenance.connect(deMaker).recall(ITEMS.chip, eventHash("recall-by-recipient")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(deMaker.address, ITEMS.chip);
        const expected = chainHash(
          (await provenance.item(ITEMS.chip)).lastEventHash,
          EventKind.Recall,
          eventHash("recall"),
        );
        await expect(provenance.connect(usRegulator).recall(ITEMS.chip, eventHash("recall")))
          .to.emit(provenance, "ItemDispositionChanged")
          .withArgs(
            ITEMS.chip,
            Disposition.InTransit,
            Disposition.Recalled,
            usRegulator.address,
            eventHash("recall"),
            expected,
          );
      });

      it("refuses a buyer who has not paid for a shipment against payment", async () => {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance
          .connect(usMaker)
          .shipAgainstPayment(ITEMS.chip, hospital.address, 1_000_000n, ZERO, eventHash("offer"));
        await expect(provenance.connect(hospital).recall(ITEMS.chip, eventHash("recall")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(hospital.address, ITEMS.chip);
        await provenance.connect(usMaker).withdrawShipmentAgainstPayment(ITEMS.chip, eventHash("withdraw"));
        expect((await provenance.item(ITEMS.chip)).disposition).to.equal(Disposition.Active);
      });
    });

    describe("when the holder is no longer Active", () => {
      it("refuses its own recall with ProvenanceParticipantNotActive", async () => {
        const { provenance, registry, usBank, usMaker } = await loadFixture(commissionedFixture);
        await registry.connect(usBank).suspend(usMaker.address);
        await expect(provenance.connect(usMaker).recall(ITEMS.chip, eventHash("recall")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker.address);
      });
    });

    describe("when a packed item is recalled", () => {
      it("can still be unpacked, by the container's holder, and stays recalled", async () => {
        const { provenance, usMaker, usRegulator } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).aggregate(ITEMS.pallet, [ITEMS.chip], eventHash("pack"));
        await provenance.connect(usRegulator).recall(ITEMS.chip, eventHash("recall"));
        const expected = chainHash(
          (await provenance.item(ITEMS.chip)).lastEventHash,
          EventKind.Disaggregate,
          eventHash("unpack"),
        );
        await expect(provenance.connect(usMaker).disaggregate(ITEMS.pallet, [ITEMS.chip], eventHash("unpack")))
          .to.emit(provenance, "ItemDisaggregated")
          .withArgs(ITEMS.pallet, ITEMS.chip, eventHash("unpack"), expected);
        const chip = await provenance.item(ITEMS.chip);
        expect([chip.disposition, chip.parent, chip.custodian]).to.deep.equal([
          Disposition.Recalled,
          ZERO,
          usMaker.address,
        ]);
        await expect(provenance.connect(usMaker).aggregate(ITEMS.pallet, [ITEMS.chip], eventHash("repack")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(ITEMS.chip, Disposition.Recalled);
      });
    });
  });

  describe(".withdrawShipmentAgainstPayment()", () => {
    describe("when the seller was suspended meanwhile", () => {
      it("reverts with ProvenanceParticipantNotActive and leaves the offer in place", async () => {
        const { provenance, registry, usBank, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance
          .connect(usMaker)
          .shipAgainstPayment(ITEMS.chip, hospital.address, 1_000_000n, ZERO, eventHash("offer"));
        await registry.connect(usBank).suspend(usMaker.address);
        await expect(provenance.connect(usMaker).withdrawShipmentAgainstPayment(ITEMS.chip, eventHash("withdraw")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker.address);
        expect(await provenance.deliveryTerms(ITEMS.chip)).to.deep.equal([usMaker.address, 1_000_000n]);
      });
    });
  });
});
