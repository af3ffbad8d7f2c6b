import type { ContractTransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { itemIdOf } from "../src/provenance/items";
import { ParticipantKind } from "../src/sdk/constants";
import { toBytes2 } from "../src/sdk/deploy";
import { packEndToEndId } from "../src/sdk/endToEndId";
import { setupBench, uetrFrom, prng, usd } from "./setup";

/** A certificate's fixed validity (2027 to 2100): times read from the clock would make its calldata, so its gas, vary. */
const VALID_FROM = 1_798_761_600;
const VALID_UNTIL = 4_102_444_800;

const CHILDREN = 10;
const exportClass = (code: string): string => "0x" + Buffer.from(code.padEnd(8, "\0"), "ascii").toString("hex");

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

export interface ProvenanceGas {
  provCommission: number;
  provShip: number;
  provAggregatePerChild: number;
  provCertify: number;
  dvpSettle: number;
}

/**
 * Receipt gas of the provenance registry's events: commissioning a controlled chip, shipping it across a
 * border under licence, packing 10 items into a case (per child), an auditor's certificate, and a delivery
 * versus payment (payment and custody in one transaction).
 */
export async function benchProvenanceGas(hre: HardhatRuntimeEnvironment): Promise<ProvenanceGas> {
  const s = await setupBench(hre, 0);
  const signers = await hre.ethers.getSigners();
  const [maker, buyer, auditor] = signers.slice(30, 33);
  const [usBank, deBank] = [s.banks[0], s.banks[3]];
  const latest = (await hre.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  const kycExpiry = latest + 365 * 24 * 3600;
  const lei = (tag: string): string => hre.ethers.hexlify(hre.ethers.toUtf8Bytes(tag.padEnd(20, "0").slice(0, 20)));
  await s.registry
    .connect(usBank)
    .onboardParticipant(maker.address, ParticipantKind.Supplier, toBytes2("US"), lei("MAKER"), kycExpiry);
  await s.registry
    .connect(deBank)
    .onboardParticipant(buyer.address, ParticipantKind.Customer, toBytes2("DE"), lei("BUYER"), kycExpiry);
  await s.registry.onboardAuditor(auditor.address, toBytes2("US"), lei("AUDITOR"), kycExpiry);
  const event = (label: string): string => hre.ethers.id(`event:${label}`);
  const US = toBytes2("US");

  const chip = itemIdOf("urn:epc:id:sgtin:0614141.107346.1");
  const provCommission = await gasOf(
    s.provenance.connect(maker).commission(chip, US, 2, exportClass("3A001"), event("c"), hre.ethers.id("datasheet")),
  );
  const provShip = await gasOf(
    s.provenance.connect(maker).ship(chip, buyer.address, hre.ethers.id("licence-2026-7"), event("ship")),
  );
  const provCertify = await gasOf(
    s.provenance.connect(auditor).certify(chip, hre.ethers.id("certificate"), VALID_FROM, VALID_UNTIL, event("cert")),
  );

  const box = itemIdOf("urn:epc:id:sscc:0614141.0000000001");
  await s.provenance.connect(maker).commission(box, US, 0, exportClass("EAR99"), event("box"), hre.ethers.ZeroHash);
  const children: string[] = [];
  for (let i = 0; i < CHILDREN; i++) {
    const child = itemIdOf(`urn:epc:id:sgtin:0614141.107346.${100 + i}`);
    await s.provenance
      .connect(maker)
      .commission(child, US, 3, exportClass("EAR99"), event(`k${i}`), hre.ethers.ZeroHash);
    children.push(child);
  }
  const aggregate = await gasOf(s.provenance.connect(maker).aggregate(box, children, event("pack")));

  const device = itemIdOf("urn:epc:id:sgtin:0614141.112345.1");
  await s.provenance.connect(maker).commission(device, US, 3, exportClass("EAR99"), event("d"), hre.ethers.ZeroHash);
  const price = usd(48_000);
  await s.provenance
    .connect(maker)
    .shipAgainstPayment(device, buyer.address, price, hre.ethers.ZeroHash, event("ship-dvp"));
  await s.engine.connect(maker).openAccount();
  await s.dollar.connect(s.issuer).mint(buyer.address, usd(100_000));
  await s.dollar.connect(buyer).approve(await s.engine.getAddress(), hre.ethers.MaxUint256);
  await s.engine.connect(buyer).deposit(usd(100_000));
  const random = prng(7);
  const dvpSettle = await gasOf(
    s.engine.connect(buyer).settleDeliveryVersusPayment(
      {
        uetr: uetrFrom(random),
        creditor: maker.address,
        amount: price,
        purpose: "0x" + Buffer.from("GDDS").toString("hex"),
        priority: 1,
        endToEndId: packEndToEndId("endToEndId", "PO-2026-DEFIB-0001"),
        travelRuleHash: hre.ethers.id("travel-rule:PO-2026-DEFIB-0001"),
        businessRef: hre.ethers.id("PO-2026-DEFIB-0001"),
      },
      device,
      event("deliver"),
    ),
  );
  return {
    provCommission,
    provShip,
    provAggregatePerChild: Math.round(aggregate / CHILDREN),
    provCertify,
    dvpSettle,
  };
}
