import type { Signer } from "ethers";

import type { IParticipantRegistry, ParticipantRegistry } from "../../../typechain-types";
import { ParticipantKind } from "../constants";
import { describeValue, InputError } from "../errors";
import { bytes2ToJurisdiction, jurisdictionToBytes2, leiToBytes20, parseAddress, parseJurisdiction } from "../inputs";
import { confirm, eventIn, eventsIn, parseKycExpiry, providerOf, type Sent, sentOf } from "./common";
import { type Onboarded, onboardedOf } from "./participants";

/** One participant a bank sponsors. */
export interface SponsoredParticipant {
  account: string;
  kind: "customer" | "supplier";
  /** ISO 3166-1 alpha-2 code of an admitted jurisdiction. */
  jurisdiction: string;
  lei: string;
  /** ISO 8601 or unix seconds; one year after the latest block by default. */
  kycExpiry?: string | number;
}

export interface BankOnboarding extends Sent, Onboarded {}

export interface BatchOnboarding extends Sent {
  participants: Onboarded[];
}

const KINDS = { customer: ParticipantKind.Customer, supplier: ParticipantKind.Supplier } as const;

const ROW_FIELDS: readonly string[] = ["account", "kind", "jurisdiction", "lei", "kycExpiry"];

/** A commercial bank's onboarding desk: it sponsors customers and suppliers onto the ledger. */
export class BankClient {
  private readonly registry: ParticipantRegistry;

  constructor(
    registry: ParticipantRegistry,
    private readonly signer: Signer,
  ) {
    this.registry = registry.connect(signer);
  }

  async onboardCustomer(
    account: string,
    jurisdiction: string,
    lei: string,
    kycExpiry?: string | number,
  ): Promise<BankOnboarding> {
    return this.onboardOne({ account, kind: "customer", jurisdiction, lei, kycExpiry });
  }

  async onboardSupplier(
    account: string,
    jurisdiction: string,
    lei: string,
    kycExpiry?: string | number,
  ): Promise<BankOnboarding> {
    return this.onboardOne({ account, kind: "supplier", jurisdiction, lei, kycExpiry });
  }

  /** Onboards every row in one transaction, all or none; a bad row is named as `rows[i].field`. */
  async onboardMany(rows: readonly SponsoredParticipant[]): Promise<BatchOnboarding> {
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new InputError("rows", Array.isArray(rows) ? "is empty" : "is not an array", "at least one participant");
    }
    const admitted = await this.admitted();
    const seen = new Map<string, number>();
    const onboarding: IParticipantRegistry.OnboardingStruct[] = [];
    for (const [index, row] of rows.entries()) {
      const parsed = await this.parseRow(`rows[${index}].`, row, admitted);
      const first = seen.get(parsed.account);
      if (first !== undefined) {
        throw new InputError(`rows[${index}].account`, `repeats rows[${first}].account`, "each account once");
      }
      seen.set(parsed.account, index);
      onboarding.push(parsed);
    }
    const receipt = await confirm(this.registry.onboardParticipants(onboarding));
    const events = await eventsIn(receipt, this.registry, this.registry.getEvent("ParticipantOnboarded"));
    return { ...sentOf(receipt), participants: events.map(onboardedOf) };
  }

  private async onboardOne(row: SponsoredParticipant): Promise<BankOnboarding> {
    const parsed = await this.parseRow("", row, await this.admitted());
    const receipt = await confirm(
      this.registry.onboardParticipant(parsed.account, parsed.kind, parsed.jurisdiction, parsed.lei, parsed.kycExpiry),
    );
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("ParticipantOnboarded"));
    return { ...sentOf(receipt), ...onboardedOf(event) };
  }

  private async admitted(): Promise<string[]> {
    return (await this.registry.members()).map((code) => bytes2ToJurisdiction(code));
  }

  private async parseRow(
    prefix: string,
    row: SponsoredParticipant,
    admitted: readonly string[],
  ): Promise<IParticipantRegistry.OnboardingStruct & { account: string; kycExpiry: bigint }> {
    if (typeof row !== "object" || row === null) {
      throw new InputError(prefix.slice(0, -1) || "row", `${describeValue(row)} is not an object`, "a participant");
    }
    // A misspelt optional field (`kycExpires`) would otherwise fall back to its default unnoticed.
    for (const key of Object.keys(row)) {
      if (!ROW_FIELDS.includes(key)) {
        throw new InputError(`${prefix}${key}`, "is not a field of a participant", `only ${ROW_FIELDS.join(", ")}`);
      }
    }
    const account = parseAddress(`${prefix}account`, row.account);
    const kind = row.kind === "customer" || row.kind === "supplier" ? KINDS[row.kind] : undefined;
    if (kind === undefined) {
      throw new InputError(`${prefix}kind`, `${describeValue(row.kind)} is not a kind`, '"customer" or "supplier"');
    }
    const jurisdiction = parseJurisdiction(`${prefix}jurisdiction`, row.jurisdiction, admitted);
    return {
      account,
      kind,
      jurisdiction: jurisdictionToBytes2(jurisdiction),
      lei: leiToBytes20(row.lei, `${prefix}lei`),
      kycExpiry: await parseKycExpiry(`${prefix}kycExpiry`, row.kycExpiry, providerOf(this.signer)),
    };
  }
}
