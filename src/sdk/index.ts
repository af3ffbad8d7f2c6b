/** The SDK: validators, deployment, typed clients over the TypeChain bindings. */
export * from "./constants";
// Both modules define it (the same value); the explicit export settles which one the index re-exports.
export { DOLLAR_DECIMALS } from "./constants";
export * from "./deploy";
export * from "./deployments";
export * from "./endToEndId";
export * from "./errors";
export * from "./inputs";
export * from "./ivms101";
export * from "./clients/common";
export * from "./clients/participants";
export { IssuerClient } from "./clients/IssuerClient";
export type { Attestation, Burning, Minting, ReserveState } from "./clients/IssuerClient";
export { ComplianceClient } from "./clients/ComplianceClient";
export type { AccountAction, PauseAction, Seizure } from "./clients/ComplianceClient";
export { HolderClient } from "./clients/HolderClient";
export type { Approval, Movement } from "./clients/HolderClient";
export { RegulatorClient } from "./clients/RegulatorClient";
export type {
  KycRenewal,
  OnboardingResult,
  Proposal,
  SponsorChange,
  StatusChange,
  Vote,
} from "./clients/RegulatorClient";
export { BankClient } from "./clients/BankClient";
export type { BankOnboarding, BatchOnboarding, SponsoredParticipant } from "./clients/BankClient";
export * from "./clients/SettlementClient";
