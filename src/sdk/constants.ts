/** The founding members of the T-12 consortium, as ISO 3166-1 alpha-2 codes. */
export const FOUNDING_JURISDICTIONS = ["US", "GB", "FR", "DE", "JP", "AU", "CA", "KR", "FI", "SE", "IN", "IL"] as const;

/** The digital dollar has 6 decimals, like the cent-and-beyond precision of wholesale payments. */
export const DOLLAR_DECIMALS = 6;

/** Default time a jurisdiction admission proposal stays open: 7 days. */
export const DEFAULT_VOTING_PERIOD = 7 * 24 * 3600;

/** Default maximum age of a reserve attestation before minting stops: 1 day. */
export const DEFAULT_MAX_ATTESTATION_AGE = 24 * 3600;

/** Default travel-rule threshold of the settlement engine: 1,000 dollars, in DUSD units. */
export const DEFAULT_TRAVEL_RULE_THRESHOLD = 1_000_000_000n;

/** Participant kinds, in the order of the on-chain enum. */
export enum ParticipantKind {
  None = 0,
  CentralBank = 1,
  CommercialBank = 2,
  Customer = 3,
  Supplier = 4,
  Auditor = 5,
}

/** Participant status, in the order of the on-chain enum. */
export enum ParticipantStatus {
  None = 0,
  Active = 1,
  Suspended = 2,
  Revoked = 3,
}

/** Why an account may not move dollars, in the order of the on-chain enum. */
export enum Restriction {
  None = 0,
  NotParticipant = 1,
  NotActive = 2,
  KycExpired = 3,
  Frozen = 4,
}
