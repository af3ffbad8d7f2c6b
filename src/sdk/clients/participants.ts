/** Participant records and registry events in SDK terms (names for enums, text for codes). */
import { ParticipantKind, ParticipantStatus } from "../constants";
import { bytes20ToLei, bytes2ToJurisdiction } from "../inputs";

export type KindName = "CentralBank" | "CommercialBank" | "Customer" | "Supplier" | "Auditor";
export type StatusName = "Active" | "Suspended" | "Revoked";

export function kindName(kind: bigint | number): KindName | "None" {
  return (ParticipantKind[Number(kind)] ?? "None") as KindName | "None";
}

export function statusName(status: bigint | number): StatusName | "None" {
  return (ParticipantStatus[Number(status)] ?? "None") as StatusName | "None";
}

export interface Onboarded {
  account: string;
  kind: KindName | "None";
  jurisdiction: string;
  sponsor: string;
  lei: string;
  kycExpiry: bigint;
}

/** The fields of a ParticipantOnboarded event. */
export function onboardedOf(event: {
  account: string;
  kind: bigint;
  jurisdiction: string;
  sponsor: string;
  lei: string;
  kycExpiry: bigint;
}): Onboarded {
  return {
    account: event.account,
    kind: kindName(event.kind),
    jurisdiction: bytes2ToJurisdiction(event.jurisdiction),
    sponsor: event.sponsor,
    lei: bytes20ToLei(event.lei),
    kycExpiry: event.kycExpiry,
  };
}
