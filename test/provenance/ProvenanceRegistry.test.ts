import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/signers";

import { toBytes2 as b2 } from "../../src/sdk/deploy";
import { ProvenanceRegistry__factory, type ProvenanceRegistry } from "../../typechain-types";
import { randomUetr } from "../fixtures/settlement.fixture";
import {
  chainHash,
  commissionedFixture,
  Disposition,
  documentHash,
  EventKind,
  eventHash,
  exportClass,
  ITEMS,
  itemId,
  ProductClass,
  provenanceFixture,
  uetrWord,
} from "../fixtures/provenance.fixture";

const ZERO = ethers.ZeroHash;
const LICENCE = documentHash("licence:BIS-D1234567");
const PRICE = 250_000_000_000n; // 250,000 dollars in DUSD units
const { chip, chip2, sensor, encryptor, pallet, pallet2, device, device2 } = ITEMS;

/** The item's record as a plain object, enums as numbers. */
async function record(registry: ProvenanceRegistry, id: string) {
  const it = await registry.item(id);
  return {
    custodian: it.custodian,
    origin: it.origin,
    productClass: Number(it.productClass),
    disposition: Number(it.disposition),
    exportClass: it.exportClass,
    manufacturer: it.manufacturer,
    contents: Number(it.contents),
    parent: it.parent,
    lastEventHash: it.lastEventHash,
  };
}

const head = async (registry: ProvenanceRegistry, id: string) => (await registry.item(id)).lastEventHash;
const disposition = async (registry: ProvenanceRegistry, id: string) => Number((await registry.item(id)).disposition);

/** The system with the chip shipped from the US manufacturer to the hospital against payment, on both registries. */
async function offeredFixture() {
  const f = await commissionedFixture();
  for (const registry of [f.provenance, f.dvp]) {
    await registry
      .connect(f.usMaker)
      .shipAgainstPayment(chip, f.hospital.address, PRICE, ZERO, eventHash("ship-dvp-chip"));
  }
  return f;
}

/** The system with the chip and the second chip packed into the US manufacturer's pallet. */
async function packedFixture() {
  const f = await commissionedFixture();
  await f.provenance.connect(f.usMaker).aggregate(pallet, [chip, chip2], eventHash("pack"));
  return f;
}

/** An EAR99 box of the US manufacturer, not in the shared fixture. */
const ear99Box = itemId("urn:epc:id:sscc:0614141.1234567892");
/** An EAR99 crate of the German manufacturer. */
const ear99Crate = itemId("urn:epc:id:sscc:4012345.0000000002");

/**
 * The commissioned system plus uncontrolled (EAR99) containers and contents: the US manufacturer's `ear99Box`
 * and `device`, and the German manufacturer's `ear99Crate`.
 */
async function uncontrolledContainersFixture() {
  const f = await commissionedFixture();
  const ear99 = exportClass("EAR99");
  await f.provenance
    .connect(f.usMaker)
    .commission(ear99Box, b2("US"), ProductClass.Other, ear99, eventHash("c-box"), ZERO);
  await f.provenance
    .connect(f.usMaker)
    .commission(device, b2("US"), ProductClass.Other, ear99, eventHash("c-device"), ZERO);
  await f.provenance
    .connect(f.deMaker)
    .commission(ear99Crate, b2("DE"), ProductClass.Other, ear99, eventHash("c-crate"), ZERO);
  return f;
}

describe("ProvenanceRegistry", function () {
  describe("constructor", function () {
    it("records the participant registry and the admin", async function () {
      const { provenance, registry, admin } = await loadFixture(provenanceFixture);
      expect(await provenance.registry()).to.equal(await registry.getAddress());
      expect(await provenance.hasRole(await provenance.DEFAULT_ADMIN_ROLE(), admin.address)).to.be.true;
    });

    describe("when the admin is the zero address", function () {
      it("reverts with ProvenanceZeroAddress", async function () {
        const { provenance, registry, admin } = await loadFixture(provenanceFixture);
        const factory = new ProvenanceRegistry__factory(admin);
        await expect(factory.deploy(ethers.ZeroAddress, await registry.getAddress())).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceZeroAddress",
        );
      });
    });

    describe("when the registry is the zero address", function () {
      it("reverts with ProvenanceZeroAddress", async function () {
        const { provenance, admin } = await loadFixture(provenanceFixture);
        const factory = new ProvenanceRegistry__factory(admin);
        await expect(factory.deploy(admin.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceZeroAddress",
        );
      });
    });
  });

  describe(".setSettlementEngine()", function () {
    it("is wired to the settlement engine by deploySystem", async function () {
      const { provenance, engine, dvp, engineSigner } = await loadFixture(provenanceFixture);
      expect(await provenance.settlementEngine()).to.equal(await engine.getAddress());
      expect(await dvp.settlementEngine()).to.equal(engineSigner.address);
    });

    describe("when the admin names a new engine", function () {
      it("stores it and emits SettlementEngineSet", async function () {
        const { provenance, admin, outsider } = await loadFixture(provenanceFixture);
        await expect(provenance.connect(admin).setSettlementEngine(outsider.address))
          .to.emit(provenance, "SettlementEngineSet")
          .withArgs(outsider.address);
        expect(await provenance.settlementEngine()).to.equal(outsider.address);
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts with AccessControlUnauthorizedAccount", async function () {
        const { provenance, outsider, usRegulator } = await loadFixture(provenanceFixture);
        for (const caller of [outsider, usRegulator]) {
          await expect(provenance.connect(caller).setSettlementEngine(caller.address))
            .to.be.revertedWithCustomError(provenance, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ZERO);
        }
      });
    });

    describe("when the engine is the zero address", function () {
      it("reverts with ProvenanceZeroAddress", async function () {
        const { provenance, admin } = await loadFixture(provenanceFixture);
        await expect(provenance.connect(admin).setSettlementEngine(ethers.ZeroAddress)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceZeroAddress",
        );
      });
    });
  });

  describe(".commission()", function () {
    describe("when an Active supplier commissions a new item", function () {
      it("records it with the caller as manufacturer and custodian and emits ItemCommissioned", async function () {
        const { provenance, jpMaker } = await loadFixture(provenanceFixture);
        const id = itemId("urn:epc:id:sgtin:4912345.000001.1");
        const eh = eventHash("commission-jp");
        const doc = documentHash("declaration-of-conformity");
        const expected = chainHash(ZERO, EventKind.Commission, eh, doc);
        await expect(
          provenance
            .connect(jpMaker)
            .commission(id, b2("JP"), ProductClass.Semiconductor, exportClass("3A001"), eh, doc),
        )
          .to.emit(provenance, "ItemCommissioned")
          .withArgs(id, jpMaker.address, b2("JP"), ProductClass.Semiconductor, exportClass("3A001"), eh, doc, expected);
        expect(await record(provenance, id)).to.deep.equal({
          custodian: jpMaker.address,
          origin: b2("JP"),
          productClass: ProductClass.Semiconductor,
          disposition: Disposition.Active,
          exportClass: exportClass("3A001"),
          manufacturer: jpMaker.address,
          contents: 0,
          parent: ZERO,
          lastEventHash: expected,
        });
      });

      it("accepts an origin other than the manufacturer's jurisdiction", async function () {
        const { provenance, deMaker } = await loadFixture(provenanceFixture);
        const id = itemId("urn:epc:id:sgtin:4012345.000001.9");
        await provenance
          .connect(deMaker)
          .commission(id, b2("KR"), ProductClass.Other, exportClass("EAR99"), eventHash("c"), ZERO);
        expect((await provenance.item(id)).origin).to.equal(b2("KR"));
      });

      for (const code of ["3A001", "5A002.a", "EAR99", "0E521", "9D999"]) {
        it(`accepts the export class ${code}`, async function () {
          const { provenance, usMaker } = await loadFixture(provenanceFixture);
          const id = itemId(`urn:epc:id:sgtin:0614141.000001.${code}`);
          await provenance
            .connect(usMaker)
            .commission(id, b2("US"), ProductClass.Defense, exportClass(code), eventHash(code), ZERO);
          expect((await provenance.item(id)).exportClass).to.equal(exportClass(code));
        });
      }
    });

    describe("when the item already exists", function () {
      it("reverts with ProvenanceItemExists", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        for (const maker of [usMaker, deMaker]) {
          await expect(
            provenance
              .connect(maker)
              .commission(chip, b2("US"), ProductClass.Semiconductor, exportClass("3A001"), eventHash("again"), ZERO),
          )
            .to.be.revertedWithCustomError(provenance, "ProvenanceItemExists")
            .withArgs(chip);
        }
      });
    });

    describe("when the id is zero", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, usMaker } = await loadFixture(provenanceFixture);
        await expect(
          provenance
            .connect(usMaker)
            .commission(ZERO, b2("US"), ProductClass.Other, exportClass("EAR99"), eventHash("zero"), ZERO),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(ZERO);
      });
    });

    describe("when the origin is not two upper-case letters", function () {
      for (const code of ["0x0000", b2("us"), b2("U1"), b2("@Z"), b2("Z[")]) {
        it(`reverts with ProvenanceInvalidJurisdiction for ${code}`, async function () {
          const { provenance, usMaker } = await loadFixture(provenanceFixture);
          await expect(
            provenance
              .connect(usMaker)
              .commission(chip, code, ProductClass.Other, exportClass("EAR99"), eventHash("origin"), ZERO),
          )
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidJurisdiction")
            .withArgs(code);
        });
      }
    });

    describe("when the export class is malformed", function () {
      for (const code of ["3Z001", "ABCDE", "3A0X1", "3F001", "3a001", "EAR98", ""]) {
        it(`reverts with ProvenanceInvalidExportClass for "${code}"`, async function () {
          const { provenance, usMaker } = await loadFixture(provenanceFixture);
          await expect(
            provenance
              .connect(usMaker)
              .commission(chip, b2("US"), ProductClass.Other, exportClass(code), eventHash("class"), ZERO),
          )
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidExportClass")
            .withArgs(exportClass(code));
        });
      }
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(provenanceFixture);
        await expect(
          provenance.connect(usMaker).commission(chip, b2("US"), ProductClass.Other, exportClass("EAR99"), ZERO, ZERO),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceMissingEventHash");
      });
    });

    describe("when the caller is not a supplier", function () {
      it("reverts with ProvenanceNotManufacturer for a bank, a customer, an auditor, a regulator and an outsider", async function () {
        const { provenance, usBank, hospital, auditor, usRegulator, outsider } = await loadFixture(provenanceFixture);
        for (const caller of [usBank, hospital, auditor, usRegulator, outsider]) {
          await expect(
            provenance
              .connect(caller)
              .commission(chip, b2("US"), ProductClass.Other, exportClass("EAR99"), eventHash("not-maker"), ZERO),
          )
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotManufacturer")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the supplier is suspended", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, registry, usBank, usMaker } = await loadFixture(provenanceFixture);
        await registry.connect(usBank).suspend(usMaker.address);
        await expect(
          provenance
            .connect(usMaker)
            .commission(chip, b2("US"), ProductClass.Other, exportClass("EAR99"), eventHash("suspended"), ZERO),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker.address);
      });
    });

    describe("when the supplier's KYC has expired", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, lapsingMaker, lapsingKycExpiry } = await loadFixture(provenanceFixture);
        const commission = (id: string) =>
          provenance
            .connect(lapsingMaker)
            .commission(id, b2("DE"), ProductClass.Other, exportClass("EAR99"), eventHash("lapsing"), ZERO);
        await time.increaseTo(lapsingKycExpiry - 10);
        await commission(chip); // still valid just before expiry
        await time.increaseTo(lapsingKycExpiry);
        await expect(commission(chip2))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(lapsingMaker.address);
      });
    });
  });

  describe(".ship()", function () {
    describe("when the custodian ships within its country", function () {
      it("hands custody to the recipient in transit and emits ItemShipped", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        const eh = eventHash("ship-chip-hospital");
        const expected = chainHash(await head(provenance, chip), EventKind.Ship, eh, ZERO);
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eh))
          .to.emit(provenance, "ItemShipped")
          .withArgs(chip, usMaker.address, hospital.address, ZERO, eh, expected);
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition, it.lastEventHash]).to.deep.equal([
          hospital.address,
          Disposition.InTransit,
          expected,
        ]);
        expect(it.manufacturer).to.equal(usMaker.address);
      });
    });

    describe("when a controlled item crosses a border with a licence", function () {
      it("ships it and chains the licence reference", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        const eh = eventHash("export-chip");
        const expected = chainHash(await head(provenance, chip), EventKind.Ship, eh, LICENCE);
        await expect(provenance.connect(usMaker).ship(chip, deMaker.address, LICENCE, eh))
          .to.emit(provenance, "ItemShipped")
          .withArgs(chip, usMaker.address, deMaker.address, LICENCE, eh, expected);
        expect(await head(provenance, chip)).to.equal(expected);
      });
    });

    describe("when a controlled item crosses a border without a licence", function () {
      it("reverts with ProvenanceLicenceRequired naming both jurisdictions", async function () {
        const { provenance, usMaker, deMaker, gbCustomer, jpMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).ship(chip, deMaker.address, ZERO, eventHash("x")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceLicenceRequired")
          .withArgs(chip, exportClass("3A001"), b2("US"), b2("DE"));
        await expect(provenance.connect(deMaker).ship(encryptor, gbCustomer.address, ZERO, eventHash("y")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceLicenceRequired")
          .withArgs(encryptor, exportClass("5A002.a"), b2("DE"), b2("GB"));
        // The origin does not matter, only where the item is and where it goes: the JP-origin encryptor going to JP.
        await expect(provenance.connect(deMaker).ship(encryptor, jpMaker.address, ZERO, eventHash("z")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceLicenceRequired")
          .withArgs(encryptor, exportClass("5A002.a"), b2("DE"), b2("JP"));
      });
    });

    describe("when an EAR99 item crosses a border without a licence", function () {
      it("ships it", async function () {
        const { provenance, deMaker, hospital } = await loadFixture(commissionedFixture);
        const eh = eventHash("ship-sensor");
        const expected = chainHash(await head(provenance, sensor), EventKind.Ship, eh, ZERO);
        await expect(provenance.connect(deMaker).ship(sensor, hospital.address, ZERO, eh))
          .to.emit(provenance, "ItemShipped")
          .withArgs(sensor, deMaker.address, hospital.address, ZERO, eh, expected);
        expect(await disposition(provenance, sensor)).to.equal(Disposition.InTransit);
      });
    });

    describe("when a controlled item stays in its country without a licence", function () {
      it("ships it", async function () {
        const { provenance, usMaker, usMaker2 } = await loadFixture(commissionedFixture);
        const eh = eventHash("domestic");
        const expected = chainHash(await head(provenance, chip), EventKind.Ship, eh, ZERO);
        await expect(provenance.connect(usMaker).ship(chip, usMaker2.address, ZERO, eh))
          .to.emit(provenance, "ItemShipped")
          .withArgs(chip, usMaker.address, usMaker2.address, ZERO, eh, expected);
      });
    });

    describe("when the item is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        const unknown = itemId("urn:epc:id:sgtin:0614141.999999.1");
        await expect(provenance.connect(usMaker).ship(unknown, hospital.address, ZERO, eventHash("u")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(unknown);
      });
    });

    describe("when the caller is not the custodian", function () {
      it("reverts with ProvenanceNotCustodian", async function () {
        const { provenance, usMaker, usMaker2, hospital } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker2).ship(chip, hospital.address, ZERO, eventHash("steal")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(chip, usMaker2.address, usMaker.address);
      });
    });

    describe("when the custodian ships to itself", function () {
      it("reverts with ProvenanceSelfShipment", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).ship(chip, usMaker.address, ZERO, eventHash("self")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceSelfShipment")
          .withArgs(chip);
      });
    });

    describe("when the recipient may not take custody", function () {
      it("reverts with ProvenanceParticipantNotActive for a non-participant", async function () {
        const { provenance, usMaker, outsider } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).ship(pallet, outsider.address, ZERO, eventHash("o")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(outsider.address);
        await expect(provenance.connect(usMaker).ship(pallet, ethers.ZeroAddress, ZERO, eventHash("o")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(ethers.ZeroAddress);
      });

      it("reverts with ProvenanceParticipantNotActive for a suspended recipient", async function () {
        const { provenance, registry, usBank, usMaker, usMaker2 } = await loadFixture(commissionedFixture);
        await registry.connect(usBank).suspend(usMaker2.address);
        await expect(provenance.connect(usMaker).ship(pallet, usMaker2.address, ZERO, eventHash("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker2.address);
      });

      it("reverts with ProvenanceParticipantNotActive for a recipient whose KYC expired", async function () {
        const { provenance, usMaker, lapsingMaker, lapsingKycExpiry } = await loadFixture(commissionedFixture);
        await time.increaseTo(lapsingKycExpiry);
        await expect(provenance.connect(usMaker).ship(pallet, lapsingMaker.address, ZERO, eventHash("k")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(lapsingMaker.address);
      });

      it("reverts with ProvenanceParticipantNotActive for an auditor", async function () {
        const { provenance, usMaker, auditor } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).ship(pallet, auditor.address, LICENCE, eventHash("a")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(auditor.address);
      });
    });

    describe("when the custodian is suspended", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, registry, usBank, usMaker, hospital } = await loadFixture(commissionedFixture);
        await registry.connect(usBank).suspend(usMaker.address);
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker.address);
      });
    });

    describe("when the item is not Active", function () {
      it("reverts with ProvenanceInvalidDisposition for a Contained item", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(packedFixture);
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Contained);
      });

      it("reverts with ProvenanceInvalidDisposition for a Consumed item", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance
          .connect(usMaker)
          .transform(
            [chip],
            [{ id: device, origin: b2("US"), productClass: 3, exportClass: exportClass("EAR99") }],
            eventHash("t"),
          );
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Consumed);
      });

      it("reverts with ProvenanceInvalidDisposition for a Quarantined item", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q"));
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Quarantined);
      });

      it("reverts with ProvenanceInvalidDisposition for a Recalled item", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).recall(chip, eventHash("r"));
        await expect(provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Recalled);
      });

      it("reverts with ProvenanceInvalidDisposition for an item in transit, for shipper and recipient", async function () {
        const { provenance, usMaker, usMaker2, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, usMaker2.address, ZERO, eventHash("s"));
        for (const caller of [usMaker, usMaker2]) {
          await expect(provenance.connect(caller).ship(chip, hospital.address, ZERO, eventHash("c")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
            .withArgs(chip, Disposition.InTransit);
        }
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(usMaker).ship(chip, hospital.address, ZERO, ZERO),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceMissingEventHash");
      });
    });
  });

  describe(".receiveItem()", function () {
    describe("when the recipient receives a shipment", function () {
      it("makes the item Active with the recipient and emits ItemReceived", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, deMaker.address, LICENCE, eventHash("ship"));
        const eh = eventHash("receive");
        const expected = chainHash(await head(provenance, chip), EventKind.Receive, eh, ZERO);
        await expect(provenance.connect(deMaker).receiveItem(chip, eh))
          .to.emit(provenance, "ItemReceived")
          .withArgs(chip, deMaker.address, eh, expected);
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition, it.lastEventHash]).to.deep.equal([
          deMaker.address,
          Disposition.Active,
          expected,
        ]);
        // The new custodian may now act on it.
        await provenance.connect(deMaker).quarantine(chip, eventHash("inspect"));
        expect(await disposition(provenance, chip)).to.equal(Disposition.Quarantined);
      });
    });

    describe("when someone other than the recipient receives", function () {
      it("reverts with ProvenanceNotRecipient", async function () {
        const { provenance, usMaker, usMaker2, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, usMaker2.address, ZERO, eventHash("ship"));
        for (const caller of [usMaker, hospital]) {
          await expect(provenance.connect(caller).receiveItem(chip, eventHash("r")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotRecipient")
            .withArgs(chip, caller.address);
        }
      });
    });

    describe("when the item is not in transit", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).receiveItem(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Active);
      });
    });

    describe("when the item is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).receiveItem(device, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
      });
    });

    describe("when the shipment is against payment", function () {
      it("reverts with ProvenancePaymentPending", async function () {
        const { provenance, hospital } = await loadFixture(offeredFixture);
        await expect(provenance.connect(hospital).receiveItem(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenancePaymentPending")
          .withArgs(chip, PRICE);
      });
    });

    describe("when the recipient was suspended after the shipment", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, registry, usBank, usMaker, usMaker2 } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, usMaker2.address, ZERO, eventHash("ship"));
        await registry.connect(usBank).suspend(usMaker2.address);
        await expect(provenance.connect(usMaker2).receiveItem(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker2.address);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker, usMaker2 } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, usMaker2.address, ZERO, eventHash("ship"));
        await expect(provenance.connect(usMaker2).receiveItem(chip, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".shipAgainstPayment()", function () {
    describe("when the custodian offers a delivery against payment", function () {
      it("ships the item, records the terms and emits ItemShipped and DeliveryAgainstPaymentOffered", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        const eh = eventHash("ship-dvp");
        const expected = chainHash(await head(provenance, chip), EventKind.Ship, eh, ZERO);
        await expect(provenance.connect(usMaker).shipAgainstPayment(chip, hospital.address, PRICE, ZERO, eh))
          .to.emit(provenance, "ItemShipped")
          .withArgs(chip, usMaker.address, hospital.address, ZERO, eh, expected)
          .and.to.emit(provenance, "DeliveryAgainstPaymentOffered")
          .withArgs(chip, usMaker.address, hospital.address, PRICE);
        expect(await provenance.deliveryTerms(chip)).to.deep.equal([usMaker.address, PRICE]);
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition, it.lastEventHash]).to.deep.equal([
          hospital.address,
          Disposition.InTransit,
          expected,
        ]);
      });

      it("accepts the largest price the engine can pay in one payment (88 bits)", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        const max = 2n ** 88n - 1n;
        await provenance.connect(usMaker).shipAgainstPayment(chip, hospital.address, max, ZERO, eventHash("max"));
        expect(await provenance.deliveryTerms(chip)).to.deep.equal([usMaker.address, max]);
      });
    });

    describe("when the price is zero or above 88 bits", function () {
      it("reverts with ProvenanceInvalidPrice", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        for (const price of [0n, 2n ** 88n]) {
          await expect(
            provenance.connect(usMaker).shipAgainstPayment(chip, hospital.address, price, ZERO, eventHash("p")),
          )
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidPrice")
            .withArgs(price);
        }
      });
    });

    describe("when a controlled item crosses a border without a licence", function () {
      it("reverts with ProvenanceLicenceRequired", async function () {
        const { provenance, usMaker, gbCustomer } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(usMaker).shipAgainstPayment(chip, gbCustomer.address, PRICE, ZERO, eventHash("p")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceLicenceRequired")
          .withArgs(chip, exportClass("3A001"), b2("US"), b2("GB"));
      });
    });

    describe("when the caller is not the custodian", function () {
      it("reverts with ProvenanceNotCustodian", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(hospital).shipAgainstPayment(chip, usMaker.address, PRICE, ZERO, eventHash("p")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(chip, hospital.address, usMaker.address);
      });
    });
  });

  describe(".withdrawShipmentAgainstPayment()", function () {
    describe("when the seller withdraws an unpaid shipment", function () {
      it("takes the item back, clears the terms and emits DeliveryAgainstPaymentWithdrawn and ItemReceived", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(offeredFixture);
        const eh = eventHash("withdraw");
        const expected = chainHash(await head(provenance, chip), EventKind.Receive, eh, ZERO);
        await expect(provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eh))
          .to.emit(provenance, "DeliveryAgainstPaymentWithdrawn")
          .withArgs(chip, usMaker.address, hospital.address)
          .and.to.emit(provenance, "ItemReceived")
          .withArgs(chip, usMaker.address, eh, expected);
        expect(await provenance.deliveryTerms(chip)).to.deep.equal([ethers.ZeroAddress, 0n]);
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition, it.lastEventHash]).to.deep.equal([
          usMaker.address,
          Disposition.Active,
          expected,
        ]);
        await expect(provenance.connect(hospital).receiveItem(chip, eventHash("late")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Active);
      });
    });

    describe("when the caller is not the seller", function () {
      it("reverts with ProvenanceNotCustodian naming the seller", async function () {
        const { provenance, usMaker, hospital, outsider } = await loadFixture(offeredFixture);
        for (const caller of [hospital, outsider]) {
          await expect(provenance.connect(caller).withdrawShipmentAgainstPayment(chip, eventHash("w")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
            .withArgs(chip, caller.address, usMaker.address);
        }
      });
    });

    describe("when there is no shipment against payment", function () {
      it("reverts with ProvenanceNoDeliveryAgainstPayment", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip);
        await provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("plain-ship"));
        await expect(provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip);
      });
    });

    describe("when the shipment was withdrawn already", function () {
      it("reverts with ProvenanceNoDeliveryAgainstPayment", async function () {
        const { provenance, usMaker } = await loadFixture(offeredFixture);
        await provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w1"));
        await expect(provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w2")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip);
      });
    });

    describe("when the shipment was recalled in transit", function () {
      it("returns it to the seller still Recalled", async function () {
        const { provenance, usMaker, usRegulator } = await loadFixture(offeredFixture);
        await provenance.connect(usRegulator).recall(chip, eventHash("recall"));
        await provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w"));
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition]).to.deep.equal([usMaker.address, Disposition.Recalled]);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(offeredFixture);
        await expect(
          provenance.connect(usMaker).withdrawShipmentAgainstPayment(chip, ZERO),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceMissingEventHash");
      });
    });
  });

  describe(".deliver()", function () {
    describe("when the settlement engine delivers a matching payment", function () {
      it("gives the buyer custody, clears the terms and emits ItemDelivered with the UETR chained", async function () {
        const { dvp, engineSigner, usMaker, hospital } = await loadFixture(offeredFixture);
        const uetr = randomUetr();
        const eh = eventHash("deliver");
        const expected = chainHash(await head(dvp, chip), EventKind.Deliver, eh, uetrWord(uetr));
        expect(uetrWord(uetr).slice(0, 34)).to.equal(uetr);
        await expect(dvp.connect(engineSigner).deliver(chip, usMaker.address, hospital.address, PRICE, uetr, eh))
          .to.emit(dvp, "ItemDelivered")
          .withArgs(chip, usMaker.address, hospital.address, uetr, PRICE, eh, expected);
        expect(await dvp.deliveryTerms(chip)).to.deep.equal([ethers.ZeroAddress, 0n]);
        const it = await record(dvp, chip);
        expect([it.custodian, it.disposition, it.lastEventHash]).to.deep.equal([
          hospital.address,
          Disposition.Active,
          expected,
        ]);
        // The buyer holds it: it can quarantine it, the seller cannot withdraw it.
        await dvp.connect(hospital).quarantine(chip, eventHash("q"));
        await expect(dvp.connect(usMaker).withdrawShipmentAgainstPayment(chip, eventHash("w")))
          .to.be.revertedWithCustomError(dvp, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip);
      });
    });

    describe("when the caller is not the settlement engine", function () {
      it("reverts with ProvenanceNotSettlementEngine", async function () {
        const { provenance, dvp, usMaker, hospital, admin, engineSigner } = await loadFixture(offeredFixture);
        for (const caller of [usMaker, hospital, admin]) {
          await expect(
            dvp.connect(caller).deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d")),
          )
            .to.be.revertedWithCustomError(dvp, "ProvenanceNotSettlementEngine")
            .withArgs(caller.address);
        }
        // The main registry answers only to the real engine.
        await expect(
          provenance
            .connect(engineSigner)
            .deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotSettlementEngine")
          .withArgs(engineSigner.address);
      });
    });

    describe("when the seller does not match", function () {
      it("reverts with ProvenancePaymentMismatch", async function () {
        const { dvp, engineSigner, usMaker, usMaker2, hospital } = await loadFixture(offeredFixture);
        await expect(
          dvp
            .connect(engineSigner)
            .deliver(chip, usMaker2.address, hospital.address, PRICE, randomUetr(), eventHash("d")),
        )
          .to.be.revertedWithCustomError(dvp, "ProvenancePaymentMismatch")
          .withArgs(chip, usMaker.address, PRICE, usMaker2.address, PRICE);
      });
    });

    describe("when the amount does not match the price", function () {
      it("reverts with ProvenancePaymentMismatch", async function () {
        const { dvp, engineSigner, usMaker, hospital } = await loadFixture(offeredFixture);
        for (const amount of [PRICE - 1n, PRICE + 1n, 0n]) {
          await expect(
            dvp
              .connect(engineSigner)
              .deliver(chip, usMaker.address, hospital.address, amount, randomUetr(), eventHash("d")),
          )
            .to.be.revertedWithCustomError(dvp, "ProvenancePaymentMismatch")
            .withArgs(chip, usMaker.address, PRICE, usMaker.address, amount);
        }
      });
    });

    describe("when the buyer is not the recipient", function () {
      it("reverts with ProvenanceNotRecipient", async function () {
        const { dvp, engineSigner, usMaker, usMaker2 } = await loadFixture(offeredFixture);
        await expect(
          dvp
            .connect(engineSigner)
            .deliver(chip, usMaker.address, usMaker2.address, PRICE, randomUetr(), eventHash("d")),
        )
          .to.be.revertedWithCustomError(dvp, "ProvenanceNotRecipient")
          .withArgs(chip, usMaker2.address);
      });
    });

    describe("when there is no shipment against payment", function () {
      it("reverts with ProvenanceNoDeliveryAgainstPayment, also after a delivery", async function () {
        const { dvp, engineSigner, usMaker, hospital } = await loadFixture(offeredFixture);
        await expect(
          dvp
            .connect(engineSigner)
            .deliver(chip2, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d")),
        )
          .to.be.revertedWithCustomError(dvp, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip2);
        await dvp
          .connect(engineSigner)
          .deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d"));
        await expect(
          dvp
            .connect(engineSigner)
            .deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d2")),
        )
          .to.be.revertedWithCustomError(dvp, "ProvenanceNoDeliveryAgainstPayment")
          .withArgs(chip);
      });
    });

    describe("when the shipment was recalled in transit", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { dvp, engineSigner, usMaker, hospital, usRegulator } = await loadFixture(offeredFixture);
        await dvp.connect(usRegulator).recall(chip, eventHash("recall"));
        await expect(
          dvp
            .connect(engineSigner)
            .deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), eventHash("d")),
        )
          .to.be.revertedWithCustomError(dvp, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Recalled);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { dvp, engineSigner, usMaker, hospital } = await loadFixture(offeredFixture);
        await expect(
          dvp.connect(engineSigner).deliver(chip, usMaker.address, hospital.address, PRICE, randomUetr(), ZERO),
        ).to.be.revertedWithCustomError(dvp, "ProvenanceMissingEventHash");
      });
    });
  });

  describe(".aggregate()", function () {
    describe("when the custodian packs items into a container it holds", function () {
      it("marks the children Contained under the parent and chains every item", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        const eh = eventHash("pack");
        const [chipHead, chip2Head, palletHead] = await Promise.all([
          head(provenance, chip),
          head(provenance, chip2),
          head(provenance, pallet),
        ]);
        const chipNext = chainHash(chipHead, EventKind.Aggregate, eh, ZERO);
        const chip2Next = chainHash(chip2Head, EventKind.Aggregate, eh, ZERO);
        await expect(provenance.connect(usMaker).aggregate(pallet, [chip, chip2], eh))
          .to.emit(provenance, "ItemAggregated")
          .withArgs(pallet, chip, eh, chipNext)
          .and.to.emit(provenance, "ItemAggregated")
          .withArgs(pallet, chip2, eh, chip2Next);
        for (const [id, next] of [
          [chip, chipNext],
          [chip2, chip2Next],
        ]) {
          const it = await record(provenance, id);
          expect([it.parent, it.disposition, it.custodian, it.lastEventHash]).to.deep.equal([
            pallet,
            Disposition.Contained,
            usMaker.address,
            next,
          ]);
        }
        // The parent's chain gets one Aggregate link for the whole event.
        expect(await head(provenance, pallet)).to.equal(chainHash(palletHead, EventKind.Aggregate, eh, ZERO));
        expect(await disposition(provenance, pallet)).to.equal(Disposition.Active);
      });
    });

    describe("when a controlled child goes into an EAR99 container", function () {
      it("reverts with ProvenanceControlledContents naming the container, the child and its class", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(uncontrolledContainersFixture);
        for (const child of [chip, pallet]) {
          await expect(provenance.connect(usMaker).aggregate(ear99Box, [child], eventHash("p")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceControlledContents")
            .withArgs(ear99Box, child, exportClass("3A001"));
        }
        await expect(provenance.connect(deMaker).aggregate(ear99Crate, [sensor, encryptor], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceControlledContents")
          .withArgs(ear99Crate, encryptor, exportClass("5A002.a"));
      });

      it("packs nothing, not even the uncontrolled children listed before it", async function () {
        const { provenance, usMaker } = await loadFixture(uncontrolledContainersFixture);
        const before = await Promise.all([ear99Box, device, chip].map((id) => record(provenance, id)));
        await expect(provenance.connect(usMaker).aggregate(ear99Box, [device, chip], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceControlledContents")
          .withArgs(ear99Box, chip, exportClass("3A001"));
        expect(await Promise.all([ear99Box, device, chip].map((id) => record(provenance, id)))).to.deep.equal(before);
        for (const id of [device, chip]) {
          const it = await record(provenance, id);
          expect([it.disposition, it.parent]).to.deep.equal([Disposition.Active, ZERO]);
        }
      });
    });

    describe("when an EAR99 child goes into a controlled container", function () {
      it("packs it", async function () {
        const { provenance, usMaker } = await loadFixture(uncontrolledContainersFixture);
        const eh = eventHash("pack-device");
        const next = chainHash(await head(provenance, device), EventKind.Aggregate, eh, ZERO);
        await expect(provenance.connect(usMaker).aggregate(pallet, [device], eh))
          .to.emit(provenance, "ItemAggregated")
          .withArgs(pallet, device, eh, next);
        const it = await record(provenance, device);
        expect([it.parent, it.disposition]).to.deep.equal([pallet, Disposition.Contained]);
      });
    });

    describe("when controlled children go into a controlled container", function () {
      it("packs them, a controlled container included", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).aggregate(pallet, [chip], eventHash("pack-chip"));
        const eh = eventHash("pack-pallet");
        const chip2Next = chainHash(await head(provenance, chip2), EventKind.Aggregate, eh, ZERO);
        const palletNext = chainHash(await head(provenance, pallet), EventKind.Aggregate, eh, ZERO);
        await expect(provenance.connect(usMaker).aggregate(pallet2, [chip2, pallet], eh))
          .to.emit(provenance, "ItemAggregated")
          .withArgs(pallet2, chip2, eh, chip2Next)
          .and.to.emit(provenance, "ItemAggregated")
          .withArgs(pallet2, pallet, eh, palletNext);
        for (const [id, parent] of [
          [chip, pallet],
          [chip2, pallet2],
          [pallet, pallet2],
        ]) {
          const it = await record(provenance, id);
          expect([it.parent, it.disposition]).to.deep.equal([parent, Disposition.Contained]);
        }
      });
    });

    describe("when the list is empty", function () {
      it("reverts with ProvenanceEmptyList", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).aggregate(pallet, [], eventHash("p"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceEmptyList",
        );
      });
    });

    describe("when the caller does not hold the parent", function () {
      it("reverts with ProvenanceNotCustodian", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).aggregate(pallet, [sensor], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(pallet, deMaker.address, usMaker.address);
      });
    });

    describe("when the caller does not hold a child", function () {
      it("reverts with ProvenanceNotCustodian and packs nothing", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).aggregate(pallet, [chip, sensor], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(sensor, usMaker.address, deMaker.address);
        expect(await disposition(provenance, chip)).to.equal(Disposition.Active);
      });
    });

    describe("when a child is already packed", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        await expect(provenance.connect(usMaker).aggregate(pallet2, [chip], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Contained);
      });
    });

    describe("when the parent or a child is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).aggregate(device, [chip], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
        await expect(provenance.connect(usMaker).aggregate(pallet, [device], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
      });
    });

    describe("when the parent is listed as its own child", function () {
      it("reverts with ProvenanceNotChild", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).aggregate(pallet, [chip, pallet], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotChild")
          .withArgs(pallet, pallet);
      });
    });

    describe("when the parent is not Active", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(pallet, eventHash("q"));
        await expect(provenance.connect(usMaker).aggregate(pallet, [chip], eventHash("p")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(pallet, Disposition.Quarantined);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).aggregate(pallet, [chip], ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe("a container's count of contents", function () {
    it("rises with every child packed and falls with every child unpacked", async function () {
      const { provenance, usMaker } = await loadFixture(commissionedFixture);
      expect((await record(provenance, pallet)).contents).to.equal(0);
      await provenance.connect(usMaker).aggregate(pallet, [chip], eventHash("pack one"));
      await provenance.connect(usMaker).aggregate(pallet, [chip2], eventHash("pack two"));
      expect((await record(provenance, pallet)).contents).to.equal(2);
      await provenance.connect(usMaker).disaggregate(pallet, [chip2, chip], eventHash("unpack"));
      expect((await record(provenance, pallet)).contents).to.equal(0);
    });

    it("is unchanged by a list that names a child twice, which reverts", async function () {
      const { provenance, usMaker } = await loadFixture(commissionedFixture);
      await expect(provenance.connect(usMaker).aggregate(pallet, [chip, chip], eventHash("pack")))
        .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
        .withArgs(chip, Disposition.Contained);
      await provenance.connect(usMaker).aggregate(pallet, [chip, chip2], eventHash("pack"));
      await expect(provenance.connect(usMaker).disaggregate(pallet, [chip, chip], eventHash("unpack")))
        .to.be.revertedWithCustomError(provenance, "ProvenanceNotChild")
        .withArgs(pallet, chip);
      expect((await record(provenance, pallet)).contents).to.equal(2);
    });

    it("counts a child recalled while packed until it is unpacked", async function () {
      const { provenance, usMaker } = await loadFixture(packedFixture);
      await provenance.connect(usMaker).recall(chip, eventHash("recall"));
      expect((await record(provenance, pallet)).contents).to.equal(2);
      await provenance.connect(usMaker).disaggregate(pallet, [chip], eventHash("unpack"));
      expect((await record(provenance, pallet)).contents).to.equal(1);
      expect(await disposition(provenance, chip)).to.equal(Disposition.Recalled);
    });
  });

  describe(".disaggregate()", function () {
    describe("when the custodian unpacks children", function () {
      it("makes them Active again with no parent and chains every item", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        const eh = eventHash("unpack");
        const chipNext = chainHash(await head(provenance, chip), EventKind.Disaggregate, eh, ZERO);
        const palletNext = chainHash(await head(provenance, pallet), EventKind.Disaggregate, eh, ZERO);
        await expect(provenance.connect(usMaker).disaggregate(pallet, [chip], eh))
          .to.emit(provenance, "ItemDisaggregated")
          .withArgs(pallet, chip, eh, chipNext);
        const it = await record(provenance, chip);
        expect([it.parent, it.disposition, it.custodian, it.lastEventHash]).to.deep.equal([
          ZERO,
          Disposition.Active,
          usMaker.address,
          chipNext,
        ]);
        expect(await head(provenance, pallet)).to.equal(palletNext);
        expect(await disposition(provenance, chip2)).to.equal(Disposition.Contained);
      });
    });

    describe("when the container was shipped and received", function () {
      it("gives the children to the receiver", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(packedFixture);
        // The pallet of controlled chips leaves the US under licence.
        await provenance.connect(usMaker).ship(pallet, deMaker.address, LICENCE, eventHash("ship-pallet"));
        await provenance.connect(deMaker).receiveItem(pallet, eventHash("receive-pallet"));
        const eh = eventHash("unpack");
        const [chipNext, chip2Next] = [
          chainHash(await head(provenance, chip), EventKind.Disaggregate, eh, ZERO),
          chainHash(await head(provenance, chip2), EventKind.Disaggregate, eh, ZERO),
        ];
        await expect(provenance.connect(deMaker).disaggregate(pallet, [chip, chip2], eh))
          .to.emit(provenance, "ItemDisaggregated")
          .withArgs(pallet, chip, eh, chipNext)
          .and.to.emit(provenance, "ItemDisaggregated")
          .withArgs(pallet, chip2, eh, chip2Next);
        for (const id of [chip, chip2]) {
          const it = await record(provenance, id);
          expect([it.custodian, it.disposition, it.parent]).to.deep.equal([deMaker.address, Disposition.Active, ZERO]);
        }
        // The former custodian no longer holds them.
        await expect(provenance.connect(usMaker).quarantine(chip, eventHash("q")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(chip, usMaker.address, deMaker.address);
        await provenance.connect(deMaker).quarantine(chip, eventHash("q"));
      });
    });

    describe("when an item is not a child of the parent", function () {
      it("reverts with ProvenanceNotChild", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        await provenance
          .connect(usMaker)
          .commission(device, b2("US"), ProductClass.Other, exportClass("EAR99"), eventHash("c-device"), ZERO);
        await provenance.connect(usMaker).aggregate(pallet2, [device], eventHash("pack2"));
        // Loose, in another container, or the container itself.
        for (const [parent, child] of [
          [pallet, pallet2],
          [pallet, device],
          [pallet2, chip],
          [pallet, pallet],
        ]) {
          await expect(provenance.connect(usMaker).disaggregate(parent, [child], eventHash("u")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotChild")
            .withArgs(parent, child);
        }
      });

      it("reverts with ProvenanceNotChild for a child unpacked already", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        await provenance.connect(usMaker).disaggregate(pallet, [chip], eventHash("u1"));
        await expect(provenance.connect(usMaker).disaggregate(pallet, [chip], eventHash("u2")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotChild")
          .withArgs(pallet, chip);
      });
    });

    describe("when the caller does not hold the parent", function () {
      it("reverts with ProvenanceNotCustodian", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(packedFixture);
        await expect(provenance.connect(deMaker).disaggregate(pallet, [chip], eventHash("u")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(pallet, deMaker.address, usMaker.address);
      });
    });

    describe("when the parent is in transit", function () {
      it("reverts with ProvenanceInvalidDisposition for shipper and recipient", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(packedFixture);
        await provenance.connect(usMaker).ship(pallet, deMaker.address, LICENCE, eventHash("ship"));
        for (const caller of [usMaker, deMaker]) {
          await expect(provenance.connect(caller).disaggregate(pallet, [chip], eventHash("u")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
            .withArgs(pallet, Disposition.InTransit);
        }
      });
    });

    describe("when the list is empty", function () {
      it("reverts with ProvenanceEmptyList", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        await expect(
          provenance.connect(usMaker).disaggregate(pallet, [], eventHash("u")),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceEmptyList");
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        await expect(provenance.connect(usMaker).disaggregate(pallet, [chip], ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".transform()", function () {
    const outputs = [
      { id: device, origin: b2("DE"), productClass: ProductClass.MedicalDevice, exportClass: exportClass("EAR99") },
      { id: device2, origin: b2("DE"), productClass: ProductClass.Defense, exportClass: exportClass("3A001") },
    ];

    describe("when a manufacturer transforms the items it holds", function () {
      it("consumes the inputs, creates the outputs and emits one ItemTransformed per input and output", async function () {
        const { provenance, usMaker, deMaker } = await loadFixture(commissionedFixture);
        // The chip travels to Germany, where it goes into the devices with the sensor.
        await provenance.connect(usMaker).ship(chip, deMaker.address, LICENCE, eventHash("export"));
        await provenance.connect(deMaker).receiveItem(chip, eventHash("import"));
        const eh = eventHash("assemble");
        const inputHeads = [await head(provenance, chip), await head(provenance, sensor)];
        const outputHead = chainHash(ZERO, EventKind.TransformOutput, eh, ZERO);
        const tx = provenance.connect(deMaker).transform([chip, sensor], outputs, eh);
        await expect(tx)
          .to.emit(provenance, "ItemCommissioned")
          .withArgs(
            device,
            deMaker.address,
            b2("DE"),
            ProductClass.MedicalDevice,
            exportClass("EAR99"),
            eh,
            ZERO,
            outputHead,
          )
          .and.to.emit(provenance, "ItemCommissioned")
          .withArgs(
            device2,
            deMaker.address,
            b2("DE"),
            ProductClass.Defense,
            exportClass("3A001"),
            eh,
            ZERO,
            outputHead,
          );
        const receipt = await (await tx).wait();
        const lines = receipt!.logs
          .map((log) => provenance.interface.parseLog(log))
          .filter((parsed) => parsed?.name === "ItemTransformed")
          .map((parsed) => [parsed!.args.input, parsed!.args.output, parsed!.args.eventHash]);
        expect(lines).to.deep.equal([
          [chip, device, eh],
          [sensor, device, eh],
          [chip, device2, eh],
          [sensor, device2, eh],
        ]);
        for (const [i, id] of [chip, sensor].entries()) {
          const it = await record(provenance, id);
          expect([it.disposition, it.custodian, it.lastEventHash]).to.deep.equal([
            Disposition.Consumed,
            deMaker.address,
            chainHash(inputHeads[i], EventKind.TransformInput, eh, ZERO),
          ]);
        }
        // The chip keeps its original manufacturer; the outputs are the German manufacturer's.
        expect((await provenance.item(chip)).manufacturer).to.equal(usMaker.address);
        for (const out of outputs) {
          expect(await record(provenance, out.id)).to.deep.equal({
            custodian: deMaker.address,
            origin: out.origin,
            productClass: out.productClass,
            disposition: Disposition.Active,
            exportClass: out.exportClass,
            manufacturer: deMaker.address,
            contents: 0,
            parent: ZERO,
            lastEventHash: outputHead,
          });
        }
      });
    });

    describe("when either list is empty", function () {
      it("reverts with ProvenanceEmptyList", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([], outputs, eventHash("t"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceEmptyList",
        );
        await expect(provenance.connect(deMaker).transform([sensor], [], eventHash("t"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceEmptyList",
        );
      });
    });

    describe("when an input is a container that still holds items", function () {
      it("reverts with ProvenanceContainerNotEmpty until every item is unpacked", async function () {
        const { provenance, usMaker } = await loadFixture(packedFixture);
        const output = { ...outputs[1], origin: b2("US") };
        await expect(provenance.connect(usMaker).transform([pallet], [output], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceContainerNotEmpty")
          .withArgs(pallet, 2);
        await provenance.connect(usMaker).disaggregate(pallet, [chip], eventHash("unpack one"));
        await expect(provenance.connect(usMaker).transform([pallet, chip], [output], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceContainerNotEmpty")
          .withArgs(pallet, 1);
        expect(await disposition(provenance, chip)).to.equal(Disposition.Active);
        await provenance.connect(usMaker).disaggregate(pallet, [chip2], eventHash("unpack two"));
        await provenance.connect(usMaker).transform([pallet], [output], eventHash("t"));
        expect(await disposition(provenance, pallet)).to.equal(Disposition.Consumed);
        expect(await disposition(provenance, chip2)).to.equal(Disposition.Active);
      });
    });

    describe("when the caller is not a manufacturer", function () {
      it("reverts with ProvenanceNotManufacturer, even for a custodian", async function () {
        const { provenance, deMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(deMaker).ship(sensor, hospital.address, ZERO, eventHash("ship"));
        await provenance.connect(hospital).receiveItem(sensor, eventHash("receive"));
        await expect(provenance.connect(hospital).transform([sensor], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotManufacturer")
          .withArgs(hospital.address);
      });
    });

    describe("when the manufacturer is suspended", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, registry, deBank, deMaker } = await loadFixture(commissionedFixture);
        await registry.connect(deBank).suspend(deMaker.address);
        await expect(provenance.connect(deMaker).transform([sensor], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(deMaker.address);
      });
    });

    describe("when an output id exists", function () {
      it("reverts with ProvenanceItemExists for an existing item", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor], [{ ...outputs[0], id: pallet }], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceItemExists")
          .withArgs(pallet);
      });

      it("reverts with ProvenanceItemExists for an output that reuses an input's id", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor], [{ ...outputs[0], id: sensor }], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceItemExists")
          .withArgs(sensor);
      });

      it("reverts with ProvenanceItemExists for an output listed twice", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor], [outputs[0], outputs[0]], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceItemExists")
          .withArgs(device);
      });
    });

    describe("when an output is malformed", function () {
      it("reverts with ProvenanceUnknownItem for a zero id", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor], [{ ...outputs[0], id: ZERO }], eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(ZERO);
      });

      it("reverts with ProvenanceInvalidJurisdiction for a bad origin", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(deMaker).transform([sensor], [{ ...outputs[0], origin: b2("de") }], eventHash("t")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidJurisdiction")
          .withArgs(b2("de"));
      });

      it("reverts with ProvenanceInvalidExportClass for a bad export class", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(
          provenance
            .connect(deMaker)
            .transform([sensor], [{ ...outputs[0], exportClass: exportClass("3Z001") }], eventHash("t")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidExportClass")
          .withArgs(exportClass("3Z001"));
      });
    });

    describe("when an input is not held or not Active", function () {
      it("reverts with ProvenanceNotCustodian for another's item", async function () {
        const { provenance, deMaker, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor, chip], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(chip, deMaker.address, usMaker.address);
      });

      it("reverts with ProvenanceInvalidDisposition for a quarantined input", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(deMaker).quarantine(sensor, eventHash("q"));
        await expect(provenance.connect(deMaker).transform([sensor], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(sensor, Disposition.Quarantined);
      });

      it("reverts with ProvenanceInvalidDisposition for an input listed twice", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor, sensor], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(sensor, Disposition.Consumed);
      });

      it("reverts with ProvenanceUnknownItem for an unknown input", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        const unknown = itemId("urn:epc:id:sgtin:4012345.999999.1");
        await expect(provenance.connect(deMaker).transform([unknown], outputs, eventHash("t")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(unknown);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).transform([sensor], outputs, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".certify()", function () {
    describe("when an Active auditor certifies an item", function () {
      it("chains the document hash and emits ItemCertified", async function () {
        const { provenance, auditor } = await loadFixture(commissionedFixture);
        const now = await time.latest();
        const [from, until] = [now, now + 365 * 24 * 3600];
        const eh = eventHash("certify");
        const doc = documentHash("ISO-13485-certificate");
        const expected = chainHash(await head(provenance, sensor), EventKind.Certify, eh, doc);
        await expect(provenance.connect(auditor).certify(sensor, doc, from, until, eh))
          .to.emit(provenance, "ItemCertified")
          .withArgs(sensor, auditor.address, doc, from, until, eh, expected);
        expect(await head(provenance, sensor)).to.equal(expected);
        expect(await disposition(provenance, sensor)).to.equal(Disposition.Active);
      });

      it("certifies an item in any disposition, without becoming its custodian", async function () {
        const { provenance, auditor, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("s"));
        await provenance.connect(auditor).certify(chip, documentHash("d"), 1, 2, eventHash("c"));
        const it = await record(provenance, chip);
        expect([it.custodian, it.disposition]).to.deep.equal([hospital.address, Disposition.InTransit]);
      });
    });

    describe("when the caller is not an auditor", function () {
      it("reverts with ProvenanceNotAuditor", async function () {
        const { provenance, deMaker, gbRegulator, hospital, outsider } = await loadFixture(commissionedFixture);
        for (const caller of [deMaker, gbRegulator, hospital, outsider]) {
          await expect(provenance.connect(caller).certify(sensor, documentHash("d"), 1, 2, eventHash("c")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotAuditor")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the auditor is suspended or its KYC expired", function () {
      it("reverts with ProvenanceNotAuditor", async function () {
        const { provenance, registry, admin, auditor, kycExpiry } = await loadFixture(commissionedFixture);
        await registry.connect(admin).suspend(auditor.address);
        await expect(provenance.connect(auditor).certify(sensor, documentHash("d"), 1, 2, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotAuditor")
          .withArgs(auditor.address);
        await registry.connect(admin).reinstate(auditor.address);
        await provenance.connect(auditor).certify(sensor, documentHash("d"), 1, 2, eventHash("c"));
        await time.increaseTo(kycExpiry);
        await expect(provenance.connect(auditor).certify(sensor, documentHash("d"), 1, 2, eventHash("c2")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotAuditor")
          .withArgs(auditor.address);
      });
    });

    describe("when the document hash is zero", function () {
      it("reverts with ProvenanceInvalidDocument", async function () {
        const { provenance, auditor } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(auditor).certify(sensor, ZERO, 1, 2, eventHash("c")),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDocument");
      });
    });

    describe("when the validity window is empty or reversed", function () {
      it("reverts with ProvenanceInvalidValidity", async function () {
        const { provenance, auditor } = await loadFixture(commissionedFixture);
        for (const [from, until] of [
          [100, 100],
          [100, 99],
          [0, 0],
        ]) {
          await expect(provenance.connect(auditor).certify(sensor, documentHash("d"), from, until, eventHash("c")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidValidity")
            .withArgs(from, until);
        }
      });
    });

    describe("when the item is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, auditor } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(auditor).certify(device, documentHash("d"), 1, 2, eventHash("c")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, auditor } = await loadFixture(commissionedFixture);
        await expect(
          provenance.connect(auditor).certify(sensor, documentHash("d"), 1, 2, ZERO),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceMissingEventHash");
      });
    });
  });

  describe(".recall()", function () {
    /** Expects `caller` to recall `id` from `previous`, with the chained event. */
    async function expectRecall(registry: ProvenanceRegistry, id: string, caller: Signer, previous: number) {
      const eh = eventHash(`recall-by-${caller.address}`);
      const expected = chainHash(await head(registry, id), EventKind.Recall, eh, ZERO);
      await expect(registry.connect(caller).recall(id, eh))
        .to.emit(registry, "ItemDispositionChanged")
        .withArgs(id, previous, Disposition.Recalled, caller.address, eh, expected);
      expect(await record(registry, id)).to.include({ disposition: Disposition.Recalled, lastEventHash: expected });
    }

    describe("when the custodian recalls", function () {
      it("marks the item Recalled and emits ItemDispositionChanged", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expectRecall(provenance, encryptor, deMaker, Disposition.Active);
      });

      it("recalls a quarantined item", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(deMaker).quarantine(encryptor, eventHash("q"));
        await expectRecall(provenance, encryptor, deMaker, Disposition.Quarantined);
      });
    });

    describe("when a regulator of the item's origin recalls", function () {
      it("marks the item Recalled", async function () {
        // The encryptor is of Japanese origin, held by the German manufacturer.
        const { provenance, jpRegulator } = await loadFixture(commissionedFixture);
        await expectRecall(provenance, encryptor, jpRegulator, Disposition.Active);
      });
    });

    describe("when a regulator of the custodian's jurisdiction recalls", function () {
      it("marks the item Recalled", async function () {
        const { provenance, deRegulator } = await loadFixture(commissionedFixture);
        await expectRecall(provenance, encryptor, deRegulator, Disposition.Active);
      });

      it("goes by the recipient's jurisdiction while the item is in transit", async function () {
        const { provenance, deMaker, deRegulator, gbRegulator, gbMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(deMaker).ship(encryptor, gbMaker.address, LICENCE, eventHash("s"));
        await expect(provenance.connect(deRegulator).recall(encryptor, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(deRegulator.address, encryptor);
        await expectRecall(provenance, encryptor, gbRegulator, Disposition.InTransit);
      });
    });

    describe("when the item is packed in a container that changed hands", function () {
      /**
       * The US manufacturer's pallet with both chips, shipped under licence to and received by the German
       * manufacturer.
       */
      async function handedOverFixture() {
        const f = await packedFixture();
        await f.provenance.connect(f.usMaker).ship(pallet, f.deMaker.address, LICENCE, eventHash("ship-pallet"));
        await f.provenance.connect(f.deMaker).receiveItem(pallet, eventHash("receive-pallet"));
        return f;
      }

      it("lets the container's custodian recall a child", async function () {
        const { provenance, deMaker } = await loadFixture(handedOverFixture);
        await expectRecall(provenance, chip, deMaker, Disposition.Contained);
      });

      it("lets the regulator of the container custodian's jurisdiction recall a child", async function () {
        const { provenance, deRegulator } = await loadFixture(handedOverFixture);
        await expectRecall(provenance, chip, deRegulator, Disposition.Contained);
      });

      it("reverts with ProvenanceNotRegulator for the former custodian", async function () {
        const { provenance, usMaker } = await loadFixture(handedOverFixture);
        await expect(provenance.connect(usMaker).recall(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(usMaker.address, chip);
      });

      it("follows nested containers to the outermost one", async function () {
        const { provenance, usMaker, deMaker, deRegulator } = await loadFixture(packedFixture);
        await provenance.connect(usMaker).aggregate(pallet2, [pallet], eventHash("pack-pallets"));
        await provenance.connect(usMaker).ship(pallet2, deMaker.address, LICENCE, eventHash("ship-pallets"));
        await provenance.connect(deMaker).receiveItem(pallet2, eventHash("receive-pallets"));
        await expect(provenance.connect(usMaker).recall(chip2, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(usMaker.address, chip2);
        await expectRecall(provenance, chip2, deRegulator, Disposition.Contained);
      });
    });

    describe("when an unrelated regulator recalls", function () {
      it("reverts with ProvenanceNotRegulator", async function () {
        const { provenance, krRegulator, usRegulator, gbRegulator } = await loadFixture(commissionedFixture);
        for (const regulator of [krRegulator, usRegulator, gbRegulator]) {
          await expect(provenance.connect(regulator).recall(encryptor, eventHash("r")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
            .withArgs(regulator.address, encryptor);
        }
      });
    });

    describe("when the caller is neither custodian nor regulator", function () {
      it("reverts with ProvenanceNotRegulator", async function () {
        const { provenance, usMaker, auditor, deBank, outsider } = await loadFixture(commissionedFixture);
        for (const caller of [usMaker, auditor, deBank, outsider]) {
          await expect(provenance.connect(caller).recall(encryptor, eventHash("r")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
            .withArgs(caller.address, encryptor);
        }
      });
    });

    describe("when the regulator is suspended", function () {
      it("reverts with ProvenanceNotRegulator", async function () {
        const { provenance, registry, admin, jpRegulator } = await loadFixture(commissionedFixture);
        await registry.connect(admin).suspend(jpRegulator.address);
        await expect(provenance.connect(jpRegulator).recall(encryptor, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotRegulator")
          .withArgs(jpRegulator.address, encryptor);
      });
    });

    describe("when the item is recalled already", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, deMaker, jpRegulator } = await loadFixture(commissionedFixture);
        await provenance.connect(deMaker).recall(encryptor, eventHash("r1"));
        for (const caller of [deMaker, jpRegulator]) {
          await expect(provenance.connect(caller).recall(encryptor, eventHash("r2")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
            .withArgs(encryptor, Disposition.Recalled);
        }
      });
    });

    describe("when the item was consumed", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, deMaker, jpRegulator } = await loadFixture(commissionedFixture);
        await provenance
          .connect(deMaker)
          .transform(
            [encryptor],
            [{ id: device, origin: b2("DE"), productClass: 1, exportClass: exportClass("5A002") }],
            eventHash("t"),
          );
        for (const caller of [deMaker, jpRegulator]) {
          await expect(provenance.connect(caller).recall(encryptor, eventHash("r")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
            .withArgs(encryptor, Disposition.Consumed);
        }
      });
    });

    describe("when the item is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, jpRegulator } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(jpRegulator).recall(device, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, deMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(deMaker).recall(encryptor, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".quarantine()", function () {
    describe("when the custodian quarantines an Active item", function () {
      it("marks it Quarantined and emits ItemDispositionChanged", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        const eh = eventHash("quarantine");
        const expected = chainHash(await head(provenance, chip), EventKind.Quarantine, eh, ZERO);
        await expect(provenance.connect(usMaker).quarantine(chip, eh))
          .to.emit(provenance, "ItemDispositionChanged")
          .withArgs(chip, Disposition.Active, Disposition.Quarantined, usMaker.address, eh, expected);
        expect(await record(provenance, chip)).to.include({
          disposition: Disposition.Quarantined,
          custodian: usMaker.address,
          lastEventHash: expected,
        });
      });
    });

    describe("when the caller is not the custodian", function () {
      it("reverts with ProvenanceNotCustodian, also for a regulator", async function () {
        const { provenance, usMaker, usRegulator, hospital } = await loadFixture(commissionedFixture);
        for (const caller of [usRegulator, hospital]) {
          await expect(provenance.connect(caller).quarantine(chip, eventHash("q")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
            .withArgs(chip, caller.address, usMaker.address);
        }
      });
    });

    describe("when the item is not Active", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q1"));
        await expect(provenance.connect(usMaker).quarantine(chip, eventHash("q2")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Quarantined);
        await provenance.connect(usMaker).ship(chip2, hospital.address, ZERO, eventHash("s"));
        await expect(provenance.connect(hospital).quarantine(chip2, eventHash("q3")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip2, Disposition.InTransit);
        await provenance.connect(usMaker).recall(pallet, eventHash("r"));
        await expect(provenance.connect(usMaker).quarantine(pallet, eventHash("q4")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(pallet, Disposition.Recalled);
      });
    });

    describe("when the item is unknown", function () {
      it("reverts with ProvenanceUnknownItem", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).quarantine(device, eventHash("q")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnknownItem")
          .withArgs(device);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).quarantine(chip, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".release()", function () {
    describe("when the custodian releases a quarantined item", function () {
      it("marks it Active and emits ItemDispositionChanged", async function () {
        const { provenance, usMaker, hospital } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q"));
        const eh = eventHash("release");
        const expected = chainHash(await head(provenance, chip), EventKind.Release, eh, ZERO);
        await expect(provenance.connect(usMaker).release(chip, eh))
          .to.emit(provenance, "ItemDispositionChanged")
          .withArgs(chip, Disposition.Quarantined, Disposition.Active, usMaker.address, eh, expected);
        expect(await record(provenance, chip)).to.include({ disposition: Disposition.Active, lastEventHash: expected });
        await provenance.connect(usMaker).ship(chip, hospital.address, ZERO, eventHash("s"));
      });
    });

    describe("when the item is not quarantined", function () {
      it("reverts with ProvenanceInvalidDisposition", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await expect(provenance.connect(usMaker).release(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Active);
        await provenance.connect(usMaker).recall(chip, eventHash("recall"));
        await expect(provenance.connect(usMaker).release(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceInvalidDisposition")
          .withArgs(chip, Disposition.Recalled);
      });
    });

    describe("when the caller is not the custodian", function () {
      it("reverts with ProvenanceNotCustodian", async function () {
        const { provenance, usMaker, usRegulator } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q"));
        await expect(provenance.connect(usRegulator).release(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceNotCustodian")
          .withArgs(chip, usRegulator.address, usMaker.address);
      });
    });

    describe("when the custodian was suspended", function () {
      it("reverts with ProvenanceParticipantNotActive", async function () {
        const { provenance, registry, usBank, usMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q"));
        await registry.connect(usBank).suspend(usMaker.address);
        await expect(provenance.connect(usMaker).release(chip, eventHash("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceParticipantNotActive")
          .withArgs(usMaker.address);
      });
    });

    describe("when the event hash is missing", function () {
      it("reverts with ProvenanceMissingEventHash", async function () {
        const { provenance, usMaker } = await loadFixture(commissionedFixture);
        await provenance.connect(usMaker).quarantine(chip, eventHash("q"));
        await expect(provenance.connect(usMaker).release(chip, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceMissingEventHash",
        );
      });
    });
  });

  describe(".item() and .deliveryTerms()", function () {
    it("return zero records for an unknown item", async function () {
      const { provenance } = await loadFixture(commissionedFixture);
      expect(await record(provenance, device)).to.deep.equal({
        custodian: ethers.ZeroAddress,
        origin: "0x0000",
        productClass: 0,
        disposition: Disposition.None,
        exportClass: exportClass(""),
        manufacturer: ethers.ZeroAddress,
        contents: 0,
        parent: ZERO,
        lastEventHash: ZERO,
      });
      expect(await provenance.deliveryTerms(chip)).to.deep.equal([ethers.ZeroAddress, 0n]);
    });
  });

  describe("tamper evidence", function () {
    interface Link {
      kind: number;
      event: string;
      document: string;
    }

    const fold = (links: readonly Link[]) =>
      links.reduce((previous, link) => chainHash(previous, link.kind, link.event, link.document), ZERO);

    /**
     * Replays an item's chain from the logs alone: every event that names the item, in block order. A
     * container's aggregation or disaggregation and an input's transformation are one link per transaction,
     * whatever the number of children or outputs.
     */
    async function replay(registry: ProvenanceRegistry, id: string): Promise<Link[]> {
      const f = registry.filters;
      const logs = (
        await Promise.all([
          registry.queryFilter(f.ItemCommissioned(id)),
          registry.queryFilter(f.ItemAggregated(id)),
          registry.queryFilter(f.ItemAggregated(undefined, id)),
          registry.queryFilter(f.ItemDisaggregated(id)),
          registry.queryFilter(f.ItemDisaggregated(undefined, id)),
          registry.queryFilter(f.ItemTransformed(id)),
          registry.queryFilter(f.ItemTransformed(undefined, id)),
          registry.queryFilter(f.ItemShipped(id)),
          registry.queryFilter(f.ItemReceived(id)),
          registry.queryFilter(f.ItemCertified(id)),
          registry.queryFilter(f.ItemDispositionChanged(id)),
          registry.queryFilter(f.ItemDelivered(id)),
        ])
      )
        .flat()
        .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);

      const outputOf = new Set(
        logs.filter((log) => log.eventName === "ItemTransformed" && log.args[1] === id).map((l) => l.transactionHash),
      );
      const once = new Set<string>();
      const links: Link[] = [];
      for (const log of logs) {
        const a = log.args as unknown as Record<string, string>;
        const perTransaction = (kind: number) => {
          const key = `${log.transactionHash}:${kind}`;
          if (!once.has(key)) links.push({ kind, event: a.eventHash, document: ZERO });
          once.add(key);
        };
        switch (log.eventName) {
          case "ItemCommissioned":
            links.push(
              outputOf.has(log.transactionHash)
                ? { kind: EventKind.TransformOutput, event: a.eventHash, document: ZERO }
                : { kind: EventKind.Commission, event: a.eventHash, document: a.documentHash },
            );
            break;
          case "ItemAggregated":
          case "ItemDisaggregated": {
            const kind = log.eventName === "ItemAggregated" ? EventKind.Aggregate : EventKind.Disaggregate;
            if (a.child === id) links.push({ kind, event: a.eventHash, document: ZERO });
            else perTransaction(kind);
            break;
          }
          case "ItemTransformed":
            if (a.input === id) perTransaction(EventKind.TransformInput);
            break;
          case "ItemShipped":
            links.push({ kind: EventKind.Ship, event: a.eventHash, document: a.licenceRef });
            break;
          case "ItemReceived":
            links.push({ kind: EventKind.Receive, event: a.eventHash, document: ZERO });
            break;
          case "ItemCertified":
            links.push({ kind: EventKind.Certify, event: a.eventHash, document: a.documentHash });
            break;
          case "ItemDispositionChanged": {
            const current = Number(a.current);
            const kind =
              current === Disposition.Recalled
                ? EventKind.Recall
                : current === Disposition.Quarantined
                  ? EventKind.Quarantine
                  : EventKind.Release;
            links.push({ kind, event: a.eventHash, document: ZERO });
            break;
          }
          case "ItemDelivered":
            links.push({ kind: EventKind.Deliver, event: a.eventHash, document: uetrWord(a.uetr) });
            break;
          default:
            throw new Error(`unexpected event ${log.eventName}`);
        }
      }
      return links;
    }

    /**
     * A long life on the registry with a plain settlement engine: the chip is made in the US, certified,
     * exported to Germany under licence, inspected, packed into a crate (controlled, as its contents are) and
     * unpacked, sold to Japan against payment (once withdrawn, once delivered), and built into a device there,
     * which is then recalled by Japan's regulator.
     */
    async function historyFixture() {
      const f = await commissionedFixture();
      const { dvp, usMaker, deMaker, jpMaker, auditor, engineSigner, jpRegulator } = f;
      const crate = itemId("urn:epc:id:sscc:4012345.0000000001");
      const now = await time.latest();
      await dvp.connect(auditor).certify(chip, documentHash("cert"), now, now + 1000, eventHash("h-certify"));
      await dvp.connect(usMaker).ship(chip, deMaker.address, LICENCE, eventHash("h-export"));
      await dvp.connect(deMaker).receiveItem(chip, eventHash("h-import"));
      await dvp.connect(deMaker).quarantine(chip, eventHash("h-inspect"));
      await dvp.connect(deMaker).release(chip, eventHash("h-cleared"));
      await dvp
        .connect(deMaker)
        .commission(crate, b2("DE"), ProductClass.Other, exportClass("3A001"), eventHash("h-c-crate"), ZERO);
      await dvp.connect(deMaker).aggregate(crate, [chip, sensor], eventHash("h-pack"));
      await dvp.connect(deMaker).disaggregate(crate, [chip, sensor], eventHash("h-unpack"));
      const licence2 = documentHash("licence:DE-AG-2026-77");
      await dvp.connect(deMaker).shipAgainstPayment(chip, jpMaker.address, PRICE, licence2, eventHash("h-offer-1"));
      await dvp.connect(deMaker).withdrawShipmentAgainstPayment(chip, eventHash("h-withdraw"));
      await dvp.connect(deMaker).shipAgainstPayment(chip, jpMaker.address, PRICE, licence2, eventHash("h-offer-2"));
      await dvp
        .connect(engineSigner)
        .deliver(chip, deMaker.address, jpMaker.address, PRICE, randomUetr(), eventHash("h-deliver"));
      await dvp
        .connect(jpMaker)
        .commission(
          device2,
          b2("JP"),
          ProductClass.Other,
          exportClass("EAR99"),
          eventHash("h-c-housing"),
          documentHash("housing"),
        );
      await dvp.connect(jpMaker).transform(
        [chip, device2],
        [
          {
            id: device,
            origin: b2("JP"),
            productClass: ProductClass.MedicalDevice,
            exportClass: exportClass("3A001"),
          },
        ],
        eventHash("h-assemble"),
      );
      await dvp.connect(jpRegulator).recall(device, eventHash("h-recall"));
      return { ...f, crate };
    }

    it("replays every item's chain from the logs to its recorded head", async function () {
      const { dvp, crate } = await loadFixture(historyFixture);
      const links = await replay(dvp, chip);
      expect(links.map((l) => l.kind)).to.deep.equal([
        EventKind.Commission,
        EventKind.Certify,
        EventKind.Ship,
        EventKind.Receive,
        EventKind.Quarantine,
        EventKind.Release,
        EventKind.Aggregate,
        EventKind.Disaggregate,
        EventKind.Ship,
        EventKind.Receive,
        EventKind.Ship,
        EventKind.Deliver,
        EventKind.TransformInput,
      ]);
      expect(fold(links)).to.equal(await head(dvp, chip));
      for (const id of [crate, sensor, device, device2, chip2]) {
        const replayed = await replay(dvp, id);
        expect(replayed.length).to.be.greaterThan(0);
        expect(fold(replayed)).to.equal(await head(dvp, id));
      }
      expect((await replay(dvp, crate)).map((l) => l.kind)).to.deep.equal([
        EventKind.Commission,
        EventKind.Aggregate,
        EventKind.Disaggregate,
      ]);
      expect((await replay(dvp, device)).map((l) => l.kind)).to.deep.equal([
        EventKind.TransformOutput,
        EventKind.Recall,
      ]);
    });

    it("gives a different head when any one link is altered, dropped or inserted", async function () {
      const { dvp } = await loadFixture(historyFixture);
      const links = await replay(dvp, chip);
      const real = await head(dvp, chip);
      expect(fold(links)).to.equal(real);
      const forged: Link = { kind: EventKind.Certify, event: eventHash("forged"), document: documentHash("forged") };
      const heads = new Set<string>([real]);
      let variants = 0;
      const check = (variant: Link[]) => {
        const h = fold(variant);
        expect(h).to.not.equal(real);
        heads.add(h);
        variants += 1;
      };
      for (let i = 0; i < links.length; ++i) {
        const link = links[i];
        const alter = (changed: Partial<Link>) => check(links.map((l, j) => (j === i ? { ...l, ...changed } : l)));
        alter({ event: eventHash(`forged-${i}`) });
        alter({ kind: (link.kind + 1) % 12 });
        alter({ document: link.document === ZERO ? documentHash("forged") : ZERO });
        check(links.filter((_, j) => j !== i));
        check([...links.slice(0, i), forged, ...links.slice(i)]);
        if (i + 1 < links.length) check([...links.slice(0, i), links[i + 1], link, ...links.slice(i + 2)]);
      }
      check([...links, forged]);
      // Every tampered history leads to its own head.
      expect(heads.size).to.equal(variants + 1);
      expect(variants).to.equal(6 * links.length);
    });

    it("detects a rewrite of the logs of the main registry as well", async function () {
      const { provenance, usMaker, deMaker } = await loadFixture(packedFixture);
      await provenance.connect(usMaker).ship(pallet, deMaker.address, LICENCE, eventHash("s"));
      await provenance.connect(deMaker).receiveItem(pallet, eventHash("r"));
      await provenance.connect(deMaker).disaggregate(pallet, [chip], eventHash("u"));
      for (const id of [chip, chip2, pallet]) {
        const links = await replay(provenance, id);
        expect(fold(links)).to.equal(await head(provenance, id));
        expect(fold(links.slice(0, -1))).to.not.equal(await head(provenance, id));
      }
    });
  });
});
