/**
 * The people and institutions of a simulated business day: fictional banks in several T-12 jurisdictions,
 * their customers and suppliers, and an auditor. LEIs are made up but carry correct ISO 17442 check digits.
 */
import { leiCheckDigits } from "../sdk/inputs";
import type { Ivms101Payload, Person } from "../sdk/ivms101";

/** A fictional but well-formed LEI: "9845" (a made-up LOU prefix), 14 characters from `tag`, check digits. */
export function simulatedLei(tag: string): string {
  const body = `9845${tag.toUpperCase().replace(/[^A-Z0-9]/g, "")}`.padEnd(18, "0").slice(0, 18);
  return `${body}${leiCheckDigits(body)}`;
}

export interface CastMember {
  name: string;
  jurisdiction: string;
  lei: string;
}

function member(name: string, jurisdiction: string, tag: string): CastMember {
  return { name, jurisdiction, lei: simulatedLei(tag) };
}

/** Eight commercial banks; the first four are well funded, the last four run thin on settlement liquidity. */
export const BANKS: readonly CastMember[] = [
  member("First Atlantic Bank", "US", "FABUS"),
  member("Hudson Trust Company", "US", "HUDSONUS"),
  member("Thames Clearing Bank", "GB", "THAMESGB"),
  member("Banque de la Seine", "FR", "SEINEFR"),
  member("Rhein Handelsbank", "DE", "RHEINDE"),
  member("Sakura Settlement Bank", "JP", "SAKURAJP"),
  member("Maple Commercial Bank", "CA", "MAPLECA"),
  member("Southern Cross Merchant Bank", "AU", "SCROSSAU"),
];

/** One corporate customer per bank, in the bank's jurisdiction. */
export const CUSTOMERS: readonly CastMember[] = BANKS.map((bank, index) =>
  member(`${bank.name.split(" ")[0]} Industries ${index + 1}`, bank.jurisdiction, `CUST${index}${bank.jurisdiction}`),
);

/** Suppliers sponsored by the first four banks. */
export const SUPPLIERS: readonly CastMember[] = [
  member("Nordsee Semiconductors", "DE", "NORDSEEDE"),
  member("Kyoto Precision Optics", "JP", "KYOTOJP"),
  member("Ottawa Medical Components", "CA", "OTTAWACA"),
  member("Negev Photonics", "IL", "NEGEVIL"),
];

export const AUDITOR: CastMember = member("T-12 Reserve Auditors", "US", "AUDITUS");

function legalPerson(party: CastMember): Person {
  return {
    legalPerson: {
      name: { nameIdentifier: [{ legalPersonName: party.name, legalPersonNameIdentifierType: "LEGL" }] },
      nationalIdentification: { nationalIdentifier: party.lei, nationalIdentifierType: "LEIX" },
      countryOfRegistration: party.jurisdiction,
    },
  };
}

/** The travel-rule payload of an inter-bank payment from `debtor` to `creditor`. */
export function interbankIvms101(
  debtor: CastMember,
  debtorAccount: string,
  creditor: CastMember,
  creditorAccount: string,
): Ivms101Payload {
  return {
    originator: { originatorPersons: [legalPerson(debtor)], accountNumber: [debtorAccount] },
    beneficiary: { beneficiaryPersons: [legalPerson(creditor)], accountNumber: [creditorAccount] },
  };
}
