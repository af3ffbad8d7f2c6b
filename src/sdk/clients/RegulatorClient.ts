import type { Signer, TransactionReceipt } from "ethers";

import type { ParticipantRegistry } from "../../../typechain-types";
import { describeValue, InputError } from "../errors";
import { jurisdictionToBytes2, leiToBytes20, parseAddress, parseJurisdiction, parseLei } from "../inputs";
import { confirm, eventIn, eventsIn, parseCount, parseKycExpiry, providerOf, type Sent, sentOf } from "./common";
import { type Onboarded, onboardedOf, statusName, type StatusName } from "./participants";

export interface OnboardingResult extends Sent, Onboarded {}

export interface StatusChange extends Sent {
  account: string;
  previous: StatusName | "None";
  current: StatusName | "None";
  by: string;
}

export interface KycRenewal extends Sent {
  account: string;
  previousExpiry: bigint;
  newExpiry: bigint;
}

export interface SponsorChange extends Sent {
  account: string;
  previousSponsor: string;
  newSponsor: string;
}

export interface Proposal extends Sent {
  proposalId: bigint;
  jurisdiction: string;
  regulator: string;
  expiresAt: bigint;
  electorate: number;
}

export interface Vote extends Sent {
  proposalId: bigint;
  support: boolean;
  yes: number;
  no: number;
  /** What the vote left the proposal as. */
  outcome: "open" | "admitted" | "rejected";
}

const MAX_PROPOSAL_ID = (1n << 256n) - 1n;

/**
 * A jurisdiction's regulator: licenses and supervises the commercial banks of its jurisdiction (and their
 * sponsored participants), and votes on admitting new jurisdictions.
 */
export class RegulatorClient {
  private readonly registry: ParticipantRegistry;

  constructor(
    registry: ParticipantRegistry,
    private readonly signer: Signer,
  ) {
    this.registry = registry.connect(signer);
  }

  /** Licenses `account` as a commercial bank of the regulator's jurisdiction. KYC: one year by default. */
  async onboardBank(account: string, lei: string, kycExpiry?: string | number): Promise<OnboardingResult> {
    const bank = parseAddress("account", account);
    const code = leiToBytes20(parseLei("lei", lei), "lei");
    const expiry = await parseKycExpiry("kycExpiry", kycExpiry, providerOf(this.signer));
    const receipt = await confirm(this.registry.onboardBank(bank, code, expiry));
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("ParticipantOnboarded"));
    return { ...sentOf(receipt), ...onboardedOf(event) };
  }

  async suspend(account: string): Promise<StatusChange> {
    const target = parseAddress("account", account);
    return this.statusChange(await confirm(this.registry.suspend(target)));
  }

  async reinstate(account: string): Promise<StatusChange> {
    const target = parseAddress("account", account);
    return this.statusChange(await confirm(this.registry.reinstate(target)));
  }

  /** Revokes `account` for good. */
  async revoke(account: string): Promise<StatusChange> {
    const target = parseAddress("account", account);
    return this.statusChange(await confirm(this.registry.revoke(target)));
  }

  async renewKyc(account: string, kycExpiry: string | number): Promise<KycRenewal> {
    const target = parseAddress("account", account);
    const expiry = await parseKycExpiry("kycExpiry", kycExpiry, providerOf(this.signer));
    const receipt = await confirm(this.registry.renewKyc(target, expiry));
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("ParticipantKycRenewed"));
    return {
      ...sentOf(receipt),
      account: event.account,
      previousExpiry: event.previousExpiry,
      newExpiry: event.newExpiry,
    };
  }

  /** Moves a customer or supplier of one of the regulator's banks to `newSponsor`. */
  async reassignSponsor(account: string, newSponsor: string): Promise<SponsorChange> {
    const target = parseAddress("account", account);
    const sponsor = parseAddress("newSponsor", newSponsor);
    const receipt = await confirm(this.registry.reassignSponsor(target, sponsor));
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("ParticipantSponsorChanged"));
    return {
      ...sentOf(receipt),
      account: event.account,
      previousSponsor: event.previousSponsor,
      newSponsor: event.newSponsor,
    };
  }

  /** Proposes to admit `code` (not yet a member), whose regulator will be `regulator` with `lei`. */
  async proposeJurisdiction(code: string, regulator: string, lei: string): Promise<Proposal> {
    const jurisdiction = parseJurisdiction("code", code);
    const account = parseAddress("regulator", regulator);
    const leiBytes = leiToBytes20(parseLei("lei", lei), "lei");
    const bytes2 = jurisdictionToBytes2(jurisdiction, "code");
    if (await this.registry.isAdmitted(bytes2)) {
      throw new InputError("code", `${describeValue(code)} is already admitted`, "a jurisdiction not yet admitted");
    }
    const receipt = await confirm(this.registry.proposeJurisdiction(bytes2, account, leiBytes));
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("JurisdictionProposed"));
    return {
      ...sentOf(receipt),
      proposalId: event.proposalId,
      jurisdiction,
      regulator: event.regulator,
      expiresAt: event.expiresAt,
      electorate: Number(event.electorate),
    };
  }

  /** Votes on proposal `proposalId`; the result says whether this vote admitted or rejected it. */
  async vote(proposalId: string | number | bigint, support: boolean): Promise<Vote> {
    const id = parseCount("proposalId", proposalId, 1n, MAX_PROPOSAL_ID);
    if (typeof support !== "boolean") {
      throw new InputError("support", `${describeValue(support)} is not a boolean`, "true or false");
    }
    const receipt = await confirm(this.registry.voteOnJurisdiction(id, support));
    const cast = await eventIn(receipt, this.registry, this.registry.getEvent("JurisdictionVoteCast"));
    const admitted = await eventsIn(receipt, this.registry, this.registry.getEvent("JurisdictionAdmitted"));
    const rejected = await eventsIn(receipt, this.registry, this.registry.getEvent("JurisdictionProposalRejected"));
    return {
      ...sentOf(receipt),
      proposalId: cast.proposalId,
      support: cast.support,
      yes: Number(cast.yes),
      no: Number(cast.no),
      outcome: admitted.length > 0 ? "admitted" : rejected.length > 0 ? "rejected" : "open",
    };
  }

  private async statusChange(receipt: TransactionReceipt): Promise<StatusChange> {
    const event = await eventIn(receipt, this.registry, this.registry.getEvent("ParticipantStatusChanged"));
    return {
      ...sentOf(receipt),
      account: event.account,
      previous: statusName(event.previous),
      current: statusName(event.current),
      by: event.by,
    };
  }
}
