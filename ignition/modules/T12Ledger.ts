import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import {
  DEFAULT_MAX_ATTESTATION_AGE,
  DEFAULT_TRAVEL_RULE_THRESHOLD,
  DEFAULT_VOTING_PERIOD,
  FOUNDING_JURISDICTIONS,
} from "../../src/sdk/constants";
import { toBytes2 } from "../../src/sdk/deploy";

/**
 * The whole ledger: participant registry, digital dollar, settlement engine and provenance registry, wired
 * together. The deploying account becomes the admin of each (it hands roles on afterwards). Parameters, all optional: `founders`
 * (`bytes2` hex codes of the jurisdictions admitted at deployment), `votingPeriod` and `maxAttestationAge`
 * (seconds), `travelRuleThreshold` (DUSD units, 6 decimals).
 */
export default buildModule("T12Ledger", (m) => {
  const admin = m.getAccount(0);
  const founders = m.getParameter<string[]>("founders", FOUNDING_JURISDICTIONS.map(toBytes2));
  const votingPeriod = m.getParameter("votingPeriod", DEFAULT_VOTING_PERIOD);
  const maxAttestationAge = m.getParameter("maxAttestationAge", DEFAULT_MAX_ATTESTATION_AGE);
  const travelRuleThreshold = m.getParameter("travelRuleThreshold", DEFAULT_TRAVEL_RULE_THRESHOLD);

  const registry = m.contract("ParticipantRegistry", [admin, founders, votingPeriod], { from: admin });
  const dollar = m.contract("DigitalDollar", [admin, registry, maxAttestationAge], { from: admin });
  const engine = m.contract("SettlementEngine", [admin, dollar, travelRuleThreshold], { from: admin });

  const provenance = m.contract("ProvenanceRegistry", [admin, registry], { from: admin });

  m.call(registry, "addObserver", [dollar], { from: admin });
  m.call(dollar, "setSystemAccount", [engine, true], { from: admin });
  m.call(dollar, "setObserver", [engine], { from: admin });
  m.call(provenance, "setSettlementEngine", [engine], { from: admin });
  m.call(engine, "setProvenance", [provenance], { from: admin });

  return { registry, dollar, engine, provenance };
});
