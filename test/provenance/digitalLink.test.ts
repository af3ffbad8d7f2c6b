import { expect } from "chai";
import fc from "fast-check";

import {
  canonicalDigitalLink,
  epcUriToDigitalLink,
  requireCheckDigits,
  toCanonicalIdentifier,
} from "../../src/provenance/digitalLink";
import { InputError } from "../../src/sdk/errors";
import "../fixtures/properties";

/** GS1 mod-10 check digit, written independently of the code under test: weights 3,1,3,... over 17 digits. */
function checkDigit(digits: string): string {
  const padded = digits.padStart(17, "0");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(padded[i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/** `action` must throw an InputError with exactly `message`. */
function expectInputError(action: () => unknown, message: string): void {
  expect(action).to.throw(InputError).with.property("message", message);
}

/** A key with a check digit: a link with the right digit, the same link with a wrong one, and what the refusal names. */
interface CheckedKey {
  good: string;
  bad: string;
  /** The key's name and application identifier. */
  key: string;
  /** The wrong value, a GTIN in its 14-digit form. */
  value: string;
  digit: string;
  corrected: string;
}

const CHECKED_KEYS: CheckedKey[] = [
  {
    good: "https://id.gs1.org/00/040123450000000016",
    bad: "https://id.gs1.org/00/040123450000000017",
    key: "SSCC (00)",
    value: "040123450000000017",
    digit: "6",
    corrected: "040123450000000016",
  },
  {
    good: "https://id.gs1.org/01/04012345111118/21/1001",
    bad: "https://id.gs1.org/01/04012345111119/21/1001",
    key: "GTIN (01)",
    value: "04012345111119",
    digit: "8",
    corrected: "04012345111118",
  },
  {
    good: "https://example.com/gtin/96385074",
    bad: "https://example.com/gtin/96385075",
    key: "GTIN (01)",
    value: "00000096385075",
    digit: "4",
    corrected: "00000096385074",
  },
  {
    good: "https://id.gs1.org/414/4012345000016/254/7",
    bad: "https://id.gs1.org/414/4012345000013/254/7",
    key: "GLN (414)",
    value: "4012345000013",
    digit: "6",
    corrected: "4012345000016",
  },
  {
    good: "https://id.gs1.org/417/9520999999990",
    bad: "https://id.gs1.org/417/9520999999991",
    key: "party GLN (417)",
    value: "9520999999991",
    digit: "0",
    corrected: "9520999999990",
  },
  {
    good: "https://id.gs1.org/402/40123450000000009",
    bad: "https://id.gs1.org/402/40123450000000001",
    key: "GSIN (402)",
    value: "40123450000000001",
    digit: "9",
    corrected: "40123450000000009",
  },
  {
    good: "https://id.gs1.org/8003/04012345000221334455",
    bad: "https://id.gs1.org/8003/04012345000225334455",
    key: "GRAI (8003)",
    value: "04012345000225334455",
    digit: "1",
    corrected: "04012345000221334455",
  },
  {
    good: "https://id.gs1.org/8006/040123451111180102/21/9",
    bad: "https://id.gs1.org/8006/040123451111110102/21/9",
    key: "ITIP (8006)",
    value: "040123451111110102",
    digit: "8",
    corrected: "040123451111180102",
  },
  {
    good: "https://id.gs1.org/8017/401234511111111115",
    bad: "https://id.gs1.org/8017/401234511111111113",
    key: "GSRN of a provider (8017)",
    value: "401234511111111113",
    digit: "5",
    corrected: "401234511111111115",
  },
  {
    good: "https://id.gs1.org/8018/401234511111111115",
    bad: "https://id.gs1.org/8018/401234511111111113",
    key: "GSRN of a recipient (8018)",
    value: "401234511111111113",
    digit: "5",
    corrected: "401234511111111115",
  },
  {
    good: "https://id.gs1.org/253/4012345000009ABC",
    bad: "https://id.gs1.org/253/4012345000002ABC",
    key: "GDTI (253)",
    value: "4012345000002ABC",
    digit: "9",
    corrected: "4012345000009ABC",
  },
  {
    good: "https://id.gs1.org/255/401234567890104711",
    bad: "https://id.gs1.org/255/401234567890504711",
    key: "GCN (255)",
    value: "401234567890504711",
    digit: "1",
    corrected: "401234567890104711",
  },
];

describe("digitalLink", function () {
  describe(".requireCheckDigits()", function () {
    describe("when the primary key has the right check digit", function () {
      for (const { good } of CHECKED_KEYS) {
        it(`accepts ${good}`, function () {
          expect(() => requireCheckDigits(good)).not.to.throw();
        });
      }
    });

    describe("when the primary key has a wrong check digit", function () {
      for (const { bad, key, value, digit, corrected } of CHECKED_KEYS) {
        it(`refuses ${bad}, naming the ${key} and the right digit`, function () {
          expectInputError(
            () => requireCheckDigits(bad),
            `GS1 Digital Link: the ${key} ${value} in "${bad}" has a wrong check digit; ` +
              `expected check digit ${digit} (${corrected})`,
          );
        });
      }

      it("refuses every digit but the right one, for any GTIN", function () {
        fc.assert(
          fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 }), (digits) => {
            const body = digits.join("");
            const right = checkDigit(body);
            for (let digit = 0; digit <= 9; digit++) {
              const link = `https://id.gs1.org/01/${body}${digit}`;
              if (String(digit) === right) expect(() => requireCheckDigits(link)).not.to.throw();
              else expect(() => requireCheckDigits(link)).to.throw(InputError, `expected check digit ${right}`);
            }
          }),
        );
      });
    });

    describe("when the value is no Digital Link, or its key carries no check digit", function () {
      it("lets it pass", function () {
        for (const value of [
          "urn:epc:id:sgtin:4012345.011111.1001",
          "https://example.com/about",
          "https://id.gs1.org/401/4012345ABC1",
          "plain text",
        ]) {
          expect(() => requireCheckDigits(value)).not.to.throw();
        }
      });
    });
  });

  describe(".canonicalDigitalLink()", function () {
    it("gives the form an EPC URI of the same item gives", function () {
      expect(canonicalDigitalLink("https://id.gs1.org/01/04012345111118/21/1001")).to.equal(
        epcUriToDigitalLink("urn:epc:id:sgtin:4012345.011111.1001"),
      );
      expect(canonicalDigitalLink("https://id.gs1.org/00/040123450000000016")).to.equal(
        epcUriToDigitalLink("urn:epc:id:sscc:4012345.0000000001"),
      );
    });

    it("canonicalises a link with a wrong check digit too, so its event can still be hashed", function () {
      expect(canonicalDigitalLink("https://example.com/00/040123450000000017?x=1")).to.equal(
        "https://id.gs1.org/00/040123450000000017",
      );
      expect(toCanonicalIdentifier("https://id.gs1.org/00/040123450000000017")).to.equal(
        "https://id.gs1.org/00/040123450000000017",
      );
    });

    describe("when the primary key carries no check digit", function () {
      it("takes the value as it is", function () {
        expect(canonicalDigitalLink("https://id.gs1.org/401/4012345ABC1")).to.equal(
          "https://id.gs1.org/401/4012345ABC1",
        );
        expect(canonicalDigitalLink("https://id.gs1.org/8004/40123451")).to.equal("https://id.gs1.org/8004/40123451");
        expect(canonicalDigitalLink("https://id.gs1.org/8010/40123451/8011/2")).to.equal(
          "https://id.gs1.org/8010/40123451/8011/2",
        );
      });
    });
  });
});
