import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { InputError } from "../../src/sdk/errors";
import { canonicalJson, travelRuleHash, validateIvms101 } from "../../src/sdk/ivms101";
import "../fixtures/properties";
import { expectInputError } from "../fixtures/inputErrors";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function loadSample(name: string): { [key: string]: Json } {
  return JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "ivms101", name), "utf8")) as {
    [key: string]: Json;
  };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Rebuilds every object of `value` with its keys inserted in a pseudo-random order from `seed`. */
function reorderKeys(value: Json, seed: number): Json {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const keys = Object.keys(node);
    for (let i = keys.length - 1; i > 0; i -= 1) {
      const j = next() % (i + 1);
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    // fromEntries defines own properties: assignment would turn a "__proto__" key into a prototype.
    return Object.fromEntries(keys.map((key) => [key, walk(node[key])]));
  };
  return walk(value);
}

/** A small valid payload: a legal-person originator paying a natural-person beneficiary. */
function minimalPayload(): { [key: string]: Json } {
  return {
    originator: {
      originatorPersons: [
        {
          legalPerson: {
            name: {
              nameIdentifier: [{ legalPersonName: "Acme Medical Devices Inc.", legalPersonNameIdentifierType: "LEGL" }],
            },
            nationalIdentification: { nationalIdentifier: "984500ACMEMEDDEV0145", nationalIdentifierType: "LEIX" },
          },
        },
      ],
      accountNumber: ["0x0A66Fa67873188ade6578cF0BE15Eb88d9754180"],
    },
    beneficiary: {
      beneficiaryPersons: [
        {
          naturalPerson: {
            name: {
              nameIdentifier: [
                { primaryIdentifier: "Lindqvist", secondaryIdentifier: "Åsa", nameIdentifierType: "LEGL" },
              ],
            },
          },
        },
      ],
      accountNumber: ["0xC5147472b9C8B2bD7D87B236dbafEb890E84B44B"],
    },
  };
}

/**
 * The canonical JSON of `minimalPayload()`, written out by hand, and its sha-256 computed outside
 * this code base: `node -e 'console.log(require("crypto").createHash("sha256").update(s, "utf8").digest("hex"))'`.
 */
const MINIMAL_CANONICAL =
  '{"beneficiary":{"accountNumber":["0xC5147472b9C8B2bD7D87B236dbafEb890E84B44B"],"beneficiaryPersons":' +
  '[{"naturalPerson":{"name":{"nameIdentifier":[{"nameIdentifierType":"LEGL","primaryIdentifier":"Lindqvist",' +
  '"secondaryIdentifier":"Åsa"}]}}}]},"originator":{"accountNumber":["0x0A66Fa67873188ade6578cF0BE15Eb88d9754180"],' +
  '"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Acme Medical Devices Inc.",' +
  '"legalPersonNameIdentifierType":"LEGL"}]},"nationalIdentification":{"nationalIdentifier":"984500ACMEMEDDEV0145",' +
  '"nationalIdentifierType":"LEIX"}}}]}}';
const MINIMAL_HASH = "0xb1eaad87f15fa6975daab46373702276100ef1d87e27673847d31016e21fb269";

const JSON_EXPECTED = "expected JSON data: null, booleans, finite numbers, strings, arrays and plain objects";

// Shorthands for the paths the failure cases edit.
type Payload = ReturnType<typeof minimalPayload>;
/* eslint-disable @typescript-eslint/no-explicit-any -- test-only reach into nested sample data */
const originatorPerson = (p: Payload): any => (p as any).originator.originatorPersons[0];
const originatorLegal = (p: Payload): any => originatorPerson(p).legalPerson;
const beneficiaryNatural = (p: Payload): any => (p as any).beneficiary.beneficiaryPersons[0].naturalPerson;
/* eslint-enable @typescript-eslint/no-explicit-any */
const LEGAL = "$.originator.originatorPersons[0].legalPerson";
/** The clock of the date-of-birth checks: 2026-07-22 10:30 UTC. */
const NOW = Date.UTC(2026, 6, 22, 10, 30);
const NATURAL = "$.beneficiary.beneficiaryPersons[0].naturalPerson";

describe("sdk/ivms101", function () {
  describe(".validateIvms101()", function () {
    describe("when the payload is a valid IVMS101 message", function () {
      for (const sample of ["legal-person.json", "natural-person.json"]) {
        it(`returns ${sample} whole, as a separate copy`, function () {
          const payload = loadSample(sample);
          const validated = validateIvms101(payload);
          expect(validated).to.deep.equal(payload);
          expect(validated).not.to.equal(payload);
          expect(validated.originator.originatorPersons).not.to.equal(
            (payload.originator as { [key: string]: Json }).originatorPersons,
          );
        });
      }

      it("returns the minimal payload (no VASPs, no addresses)", function () {
        expect(validateIvms101(minimalPayload())).to.deep.equal(minimalPayload());
      });

      it("treats a property holding undefined as absent", function () {
        const payload: { [key: string]: unknown } = { ...minimalPayload(), originatingVASP: undefined };
        expect(validateIvms101(payload)).to.deep.equal(minimalPayload());
      });
    });

    describe("when the payload or a party is not an object", function () {
      it("names the root or the party", function () {
        expectInputError(
          () => validateIvms101(null),
          "$",
          "$: null is not an object; expected an object with originator, beneficiary, originatingVASP, beneficiaryVASP",
        );
        expectInputError(
          () => validateIvms101([], "ivms"),
          "ivms",
          "ivms: an array is not an object; expected an object with originator, beneficiary, originatingVASP, beneficiaryVASP",
        );
        const payload = minimalPayload();
        delete payload.originator;
        expectInputError(
          () => validateIvms101(payload),
          "$.originator",
          "$.originator: undefined is not an object; expected an object with originatorPersons, accountNumber",
        );
      });
    });

    describe("when a field is bad", function () {
      const cases: { title: string; edit: (p: Payload) => void; field: string; message: string }[] = [
        {
          title: "an unknown field",
          edit: (p) => (beneficiaryNatural(p).nickname = "Asa"),
          field: `${NATURAL}.nickname`,
          message:
            "is not an IVMS101 field here; expected only name, geographicAddress, nationalIdentification, " +
            "customerIdentification, dateAndPlaceOfBirth, countryOfResidence",
        },
        {
          title: "a person with neither kind",
          edit: (p) => ((p.originator as { originatorPersons: Json[] }).originatorPersons[0] = {}),
          field: "$.originator.originatorPersons[0]",
          message: "has neither naturalPerson nor legalPerson; expected exactly one of naturalPerson or legalPerson",
        },
        {
          title: "a person with both kinds",
          edit: (p) => (originatorPerson(p).naturalPerson = {}),
          field: "$.originator.originatorPersons[0]",
          message: "has both naturalPerson and legalPerson; expected exactly one of naturalPerson or legalPerson",
        },
        {
          title: "no persons",
          edit: (p) => ((p.beneficiary as { beneficiaryPersons: Json[] }).beneficiaryPersons = []),
          field: "$.beneficiary.beneficiaryPersons",
          message: "is empty; expected an array of at least 1",
        },
        {
          title: "an empty primary identifier",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = ""),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message: "is empty; expected text of 1 to 100 characters",
        },
        {
          title: "a whitespace-only legal name",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "   "),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "is only whitespace; expected text of 1 to 100 characters",
        },
        {
          title: "a name with surrounding whitespace",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = "Lindqvist "),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message: '"Lindqvist " has surrounding whitespace; expected text of 1 to 100 characters',
        },
        {
          title: "a name not in Unicode NFC form",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].secondaryIdentifier = "A\u030asa"),
          field: `${NATURAL}.name.nameIdentifier[0].secondaryIdentifier`,
          message: '"A\u030asa" is not in Unicode NFC form; expected text of 1 to 100 characters',
        },
        {
          title: "an account number with a lone surrogate",
          edit: (p) => ((p.originator as { accountNumber: Json[] }).accountNumber[0] = "ACC\ud800X"),
          field: "$.originator.accountNumber[0]",
          message:
            "contains U+D800 (a lone surrogate, which UTF-8 cannot encode) at character 4; " +
            "expected text of 1 to 100 characters",
        },
        {
          title: "a name ending in a lone low surrogate",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = "Lindqvist\udc00"),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message:
            "contains U+DC00 (a lone surrogate, which UTF-8 cannot encode) at character 10; " +
            "expected text of 1 to 100 characters",
        },
        {
          title: "a name with a tab",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\tInc."),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "contains U+0009 (a control character) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a C1 control character",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\u0085Inc."),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "contains U+0085 (a control character) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a right-to-left override",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = "Lind\u202eqvist"),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message:
            "contains U+202E (a bidirectional formatting character) at character 5; " +
            "expected text of 1 to 100 characters",
        },
        {
          title: "a name with a first-strong isolate",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = "\u2068Lindqvist\u2069"),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message:
            "contains U+2068 (a bidirectional formatting character) at character 1; " +
            "expected text of 1 to 100 characters",
        },
        {
          title: "a name with a right-to-left mark",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].primaryIdentifier = "Lind\u200fqvist"),
          field: `${NATURAL}.name.nameIdentifier[0].primaryIdentifier`,
          message:
            "contains U+200F (a bidirectional formatting character) at character 5; " +
            "expected text of 1 to 100 characters",
        },
        {
          title: "a name with a soft hyphen",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\u00adMedical"),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message:
            "contains U+00AD (a soft hyphen, which does not show) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a word joiner",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\u2060Medical"),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "contains U+2060 (an invisible character) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a zero-width space",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\u200bMedical"),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "contains U+200B (a zero-width character) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a byte order mark inside",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\ufeffMedical"),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: "contains U+FEFF (a zero-width character) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "an account number with a line separator",
          edit: (p) => ((p.beneficiary as { accountNumber: Json[] }).accountNumber[0] = "ACC\u2028"),
          field: "$.beneficiary.accountNumber[0]",
          message:
            "contains U+2028 (a line or paragraph separator) at character 4; expected text of 1 to 100 characters",
        },
        {
          title: "a name with a paragraph separator",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "Acme\u2029Medical"),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message:
            "contains U+2029 (a line or paragraph separator) at character 5; expected text of 1 to 100 characters",
        },
        {
          title: "a name over 100 characters",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonName = "N".repeat(101)),
          field: `${LEGAL}.name.nameIdentifier[0].legalPersonName`,
          message: `"${"N".repeat(80)}..." is 101 characters, over 100; expected text of 1 to 100 characters`,
        },
        {
          title: "no names",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier = []),
          field: `${NATURAL}.name.nameIdentifier`,
          message: "is empty; expected an array of at least 1",
        },
        {
          title: "no legal name",
          edit: (p) => (originatorLegal(p).name.nameIdentifier[0].legalPersonNameIdentifierType = "TRAD"),
          field: `${LEGAL}.name.nameIdentifier`,
          message: 'has no legal name; expected at least one name of type "LEGL"',
        },
        {
          title: "an unknown name type",
          edit: (p) => (beneficiaryNatural(p).name.nameIdentifier[0].nameIdentifierType = "NICK"),
          field: `${NATURAL}.name.nameIdentifier[0].nameIdentifierType`,
          message: '"NICK" is not a known code; expected one of ALIA, BIRT, MAID, LEGL, MISC',
        },
        {
          title: "missing account numbers",
          edit: (p) => delete (p.originator as { accountNumber?: Json }).accountNumber,
          field: "$.originator.accountNumber",
          message: "undefined is not an array; expected an array of at least 1",
        },
        {
          title: "no account numbers",
          edit: (p) => ((p.beneficiary as { accountNumber: Json[] }).accountNumber = []),
          field: "$.beneficiary.accountNumber",
          message: "is empty; expected an array of at least 1",
        },
        {
          title: "an empty account number",
          edit: (p) => ((p.beneficiary as { accountNumber: Json[] }).accountNumber = [""]),
          field: "$.beneficiary.accountNumber[0]",
          message: "is empty; expected text of 1 to 100 characters",
        },
        {
          title: "a legal person without an identification",
          edit: (p) => delete originatorLegal(p).nationalIdentification,
          field: `${LEGAL}.nationalIdentification`,
          message: 'is missing; expected an LEI: { "nationalIdentifier": "<LEI>", "nationalIdentifierType": "LEIX" }',
        },
        {
          title: "a legal person identified other than by LEI",
          edit: (p) => (originatorLegal(p).nationalIdentification.nationalIdentifierType = "TXID"),
          field: `${LEGAL}.nationalIdentification.nationalIdentifierType`,
          message: '"TXID" is not an LEI; expected "LEIX" (legal persons are identified by LEI)',
        },
        {
          title: "an LEI with a wrong check digit",
          edit: (p) => (originatorLegal(p).nationalIdentification.nationalIdentifier = "984500ACMEMEDDEV0146"),
          field: `${LEGAL}.nationalIdentification.nationalIdentifier`,
          message:
            '"984500ACMEMEDDEV0146" fails the ISO 7064 MOD 97-10 check; expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"',
        },
        {
          title: "an LEI of the wrong length",
          edit: (p) => (originatorLegal(p).nationalIdentification.nationalIdentifier = "984500ACMEMEDDEV01455"),
          field: `${LEGAL}.nationalIdentification.nationalIdentifier`,
          message:
            '"984500ACMEMEDDEV01455" is 21 characters, not 20; expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"',
        },
        {
          title: "a country of issue on a legal person",
          edit: (p) => (originatorLegal(p).nationalIdentification.countryOfIssue = "US"),
          field: `${LEGAL}.nationalIdentification.countryOfIssue`,
          message: "is set for a legal person; expected no countryOfIssue (use countryOfRegistration)",
        },
        {
          title: "a malformed registration authority",
          edit: (p) => (originatorLegal(p).nationalIdentification.registrationAuthority = "RA12"),
          field: `${LEGAL}.nationalIdentification.registrationAuthority`,
          message: '"RA12" is not a GLEIF RA code; expected "RA" and six digits like "RA000665"',
        },
        {
          title: "a country of three letters",
          edit: (p) => (beneficiaryNatural(p).countryOfResidence = "SWE"),
          field: `${NATURAL}.countryOfResidence`,
          message: '"SWE" is not two upper-case letters; expected an ISO 3166-1 alpha-2 country code like "US"',
        },
        {
          title: "an unassigned country",
          edit: (p) => (originatorLegal(p).countryOfRegistration = "XX"),
          field: `${LEGAL}.countryOfRegistration`,
          message: '"XX" is not an assigned ISO 3166-1 code; expected an ISO 3166-1 alpha-2 country code like "US"',
        },
        {
          title: "an address that cannot be located",
          edit: (p) =>
            (originatorLegal(p).geographicAddress = [{ addressType: "BIZZ", townName: "Boston", country: "US" }]),
          field: `${LEGAL}.geographicAddress[0]`,
          message:
            "has neither addressLine nor streetName with buildingName or buildingNumber; expected a locatable address",
        },
        {
          title: "an impossible date of birth",
          edit: (p) =>
            (beneficiaryNatural(p).dateAndPlaceOfBirth = { dateOfBirth: "1984-02-30", placeOfBirth: "Umeå" }),
          field: `${NATURAL}.dateAndPlaceOfBirth.dateOfBirth`,
          message: '"1984-02-30" is not a calendar date; expected a date like "1984-07-21"',
        },
        {
          title: "a VASP without a person",
          edit: (p) => (p.beneficiaryVASP = { beneficiaryVASP: { legalPerson: null } }),
          field: "$.beneficiaryVASP.beneficiaryVASP.legalPerson",
          message:
            "null is not an object; expected an object with name, geographicAddress, customerNumber, nationalIdentification, countryOfRegistration",
        },
      ];
      const naturalOriginator = (p: Payload): void => {
        (p.originator as { originatorPersons: Json[] }).originatorPersons = [
          {
            naturalPerson: {
              name: { nameIdentifier: [{ primaryIdentifier: "Okafor", nameIdentifierType: "LEGL" }] },
            },
          },
        ];
      };
      cases.push(
        {
          title: "a registration authority given with an LEI (C10)",
          edit: (p) => (originatorLegal(p).nationalIdentification.registrationAuthority = "RA000665"),
          field: `${LEGAL}.nationalIdentification.registrationAuthority`,
          message: "is set for an LEI (nationalIdentifierType LEIX); expected no registrationAuthority with an LEI",
        },
        {
          title: "a date of birth that is not in the past (C2)",
          edit: (p) =>
            (beneficiaryNatural(p).dateAndPlaceOfBirth = { dateOfBirth: "2026-07-22", placeOfBirth: "Umeå" }),
          field: `${NATURAL}.dateAndPlaceOfBirth.dateOfBirth`,
          message: '"2026-07-22" is not before the current date 2026-07-22; expected a date of birth in the past',
        },
        {
          title: "a natural-person originator with nothing to identify it (C1)",
          edit: naturalOriginator,
          field: "$.originator.originatorPersons[0].naturalPerson",
          message:
            "is an originator with no geographicAddress, customerIdentification, nationalIdentification or " +
            "dateAndPlaceOfBirth; expected at least one of them for a natural-person originator",
        },
      );
      for (const { title, edit, field, message } of cases) {
        it(`names the path of ${title}`, function () {
          const payload = minimalPayload();
          edit(payload);
          expectInputError(() => validateIvms101(payload, "$", { now: NOW }), field, `${field}: ${message}`);
        });
      }

      it("accepts a date of birth the day before, and a natural-person originator with one identification", function () {
        const payload = minimalPayload();
        beneficiaryNatural(payload).dateAndPlaceOfBirth = { dateOfBirth: "2026-07-21", placeOfBirth: "Umeå" };
        (payload.originator as { originatorPersons: Json[] }).originatorPersons = [
          {
            naturalPerson: {
              name: { nameIdentifier: [{ primaryIdentifier: "Okafor", nameIdentifierType: "LEGL" }] },
              customerIdentification: "C-1044",
            },
          },
        ];
        expect(validateIvms101(payload, "$", { now: NOW })).to.deep.equal(payload);
      });

      it("accepts letters of any script with their joiners, and characters beyond U+FFFF", function () {
        const payload = minimalPayload();
        const names = [
          ["Müller-Lüdenscheidt", "Zoë"],
          ["山田", "太郎"],
          ["כהן", "שרה"],
          ["العلي", "فاطمة"],
          ["Ørsted", "𠮷野"],
          // Persian and Devanagari spellings that need the zero-width non-joiner and joiner.
          ["می\u200cخواهم", "क्\u200dष"],
        ];
        beneficiaryNatural(payload).name.nameIdentifier = names.map(([primaryIdentifier, secondaryIdentifier]) => ({
          primaryIdentifier,
          secondaryIdentifier,
          nameIdentifierType: "LEGL",
        }));
        expect(validateIvms101(payload, "$", { now: NOW })).to.deep.equal(payload);
      });

      it("reports the first bad field in document order", function () {
        const payload = minimalPayload();
        beneficiaryNatural(payload).countryOfResidence = "se";
        (payload.originator as { accountNumber: Json[] }).accountNumber = [];
        expectInputError(
          () => validateIvms101(payload),
          "$.originator.accountNumber",
          "$.originator.accountNumber: is empty; expected an array of at least 1",
        );
      });
    });
  });

  describe(".canonicalJson()", function () {
    describe("when the value is JSON data", function () {
      it("sorts keys, drops whitespace and keeps array order", function () {
        expect(canonicalJson({ b: [3, 1, 2], a: { d: true, c: null } })).to.equal(
          '{"a":{"c":null,"d":true},"b":[3,1,2]}',
        );
        expect(canonicalJson([])).to.equal("[]");
        expect(canonicalJson({})).to.equal("{}");
        expect(canonicalJson(Object.assign(Object.create(null) as object, { z: 1, y: 2 }))).to.equal('{"y":2,"z":1}');
      });

      it("sorts keys by code point, not by UTF-16 unit", function () {
        // U+FF61 < U+1F600 by code point, but the surrogate 0xD83D sorts before 0xFF61.
        expect(canonicalJson({ "\u{1f600}": 1, "\uff61": 2, a: 3 })).to.equal('{"a":3,"\uff61":2,"\u{1f600}":1}');
      });

      it("writes numbers in their shortest form", function () {
        expect(canonicalJson([1.0, 100, 0.1, -0, 1e21, 1e-7, -2.5, 123456789012345680000])).to.equal(
          "[1,100,0.1,0,1e+21,1e-7,-2.5,123456789012345680000]",
        );
      });

      it("escapes strings as JSON", function () {
        expect(canonicalJson(['q"b\\', "line\nend", "\u0001", "\ud800", "Åsa"])).to.equal(
          '["q\\"b\\\\","line\\nend","\\u0001","\\ud800","Åsa"]',
        );
      });

      it("allows a value shared by two branches", function () {
        const shared = { x: 1 };
        expect(canonicalJson({ a: shared, b: shared })).to.equal('{"a":{"x":1},"b":{"x":1}}');
      });
    });

    describe("when the value has no JSON form", function () {
      const cyclic: { [key: string]: unknown } = {};
      cyclic.self = cyclic;
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      const holed = [1, , 3];
      const cases: [string, unknown, string, string][] = [
        ["undefined", undefined, "$", "undefined has no JSON form"],
        ["an undefined property", { a: undefined }, "$.a", "undefined has no JSON form"],
        ["an array hole", { list: holed }, "$.list[1]", "undefined has no JSON form"],
        ["NaN", { n: NaN }, "$.n", "number NaN is not finite"],
        ["Infinity", [Infinity], "$[0]", "number Infinity is not finite"],
        ["a bigint", { b: 1n }, "$.b", "bigint 1 has no JSON form"],
        ["a function", { f: () => 1 }, "$.f", "function has no JSON form"],
        ["a symbol", { s: Symbol("s") }, "$.s", "symbol has no JSON form"],
        ["a Date", { d: new Date(0) }, "$.d", "is not a plain object"],
        ["a Map", new Map(), "$", "is not a plain object"],
        ["a cycle", cyclic, "$.self", "refers back to itself"],
      ];
      for (const [title, value, field, problem] of cases) {
        it(`rejects ${title}`, function () {
          expectInputError(() => canonicalJson(value), field, `${field}: ${problem}; ${JSON_EXPECTED}`);
        });
      }
    });

    describe("when run on random JSON values", function () {
      it("is a fixed point: canonicalJson(JSON.parse(canonicalJson(x))) === canonicalJson(x)", function () {
        fc.assert(
          fc.property(fc.jsonValue(), (value) => {
            const canonical = canonicalJson(value);
            expect(canonicalJson(JSON.parse(canonical))).to.equal(canonical);
          }),
        );
      });

      it("keeps the value: JSON.parse of it equals JSON.parse of JSON.stringify", function () {
        fc.assert(
          fc.property(fc.jsonValue(), (value) => {
            expect(JSON.parse(canonicalJson(value))).to.deep.equal(JSON.parse(JSON.stringify(value)));
          }),
        );
      });

      it("does not depend on key order", function () {
        fc.assert(
          fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
            expect(canonicalJson(reorderKeys(value as Json, seed))).to.equal(canonicalJson(value));
          }),
        );
      });
    });
  });

  describe(".travelRuleHash()", function () {
    describe("when the payload is valid", function () {
      it("is the sha-256 of the canonical JSON", function () {
        expect(canonicalJson(validateIvms101(minimalPayload()))).to.equal(MINIMAL_CANONICAL);
        expect(travelRuleHash(minimalPayload())).to.equal(MINIMAL_HASH);
      });

      it("does not change with key order or whitespace of the file", function () {
        for (const sample of ["legal-person.json", "natural-person.json"]) {
          const payload = loadSample(sample);
          const expected = travelRuleHash(payload);
          const reformatted = JSON.parse(JSON.stringify(reorderKeys(payload, 7), null, "\t")) as unknown;
          expect(travelRuleHash(reformatted)).to.equal(expected);
          fc.assert(
            fc.property(fc.integer(), (seed) => {
              expect(travelRuleHash(reorderKeys(copy(payload), seed))).to.equal(expected);
            }),
            { numRuns: 50 },
          );
        }
      });

      it("changes when any name changes", function () {
        const payload = minimalPayload();
        beneficiaryNatural(payload).name.nameIdentifier[0].secondaryIdentifier = "Asa";
        expect(travelRuleHash(payload)).not.to.equal(MINIMAL_HASH);
      });

      it("differs between the two samples", function () {
        expect(travelRuleHash(loadSample("legal-person.json"))).not.to.equal(
          travelRuleHash(loadSample("natural-person.json")),
        );
      });
    });

    describe("when the payload is invalid", function () {
      it("throws the validation error instead of hashing", function () {
        const payload = minimalPayload();
        originatorLegal(payload).nationalIdentification.nationalIdentifier = "984500ACMEMEDDEV0146";
        expect(() => travelRuleHash(payload)).to.throw(
          InputError,
          `${LEGAL}.nationalIdentification.nationalIdentifier`,
        );
      });
    });
  });
});
