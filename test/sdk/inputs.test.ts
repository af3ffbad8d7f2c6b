import { expect } from "chai";
import fc from "fast-check";

import { InputError } from "../../src/sdk/errors";
import {
  bytes16ToUetr,
  bytes20ToLei,
  bytes2ToJurisdiction,
  bytes32ToText,
  bytes4ToPurpose,
  formatDollars,
  jurisdictionToBytes2,
  leiToBytes20,
  newUetr,
  parseAddress,
  parseBytes32,
  parseDollars,
  parseEndToEndId,
  parseJurisdiction,
  parseLei,
  parsePriority,
  parsePurposeCode,
  parseTimestamp,
  parseUetr,
  purposeToBytes4,
  textToBytes32,
  uetrToBytes16,
} from "../../src/sdk/inputs";
import "../fixtures/properties";
import { expectInputError } from "../fixtures/inputErrors";

/** MOD 97-10 check digits computed with BigInt, independently of the code under test. */
function leiCheckDigits(base: string): string {
  const digits = [...base].map((char) => (/[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55))).join("");
  return String(98n - (BigInt(`${digits}00`) % 97n)).padStart(2, "0");
}

const DOLLARS = 'expected a dollar amount like "1250.75"';
const ADDRESS = 'expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"';
const COUNTRY = 'expected an ISO 3166-1 alpha-2 country code like "US"';
const LEI = 'expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"';
const UETR = 'expected a UUID v4 UETR like "eb6305c9-1f7f-49de-aed0-16487c27b42d"';
const E2E = "expected 1 to 35 printable ASCII characters without leading or trailing spaces";
const TEXT32 = "expected 1 to 32 printable ASCII characters";
const PURPOSE = 'expected an ISO 20022 purpose code of four upper-case letters like "SUPP"';
const PRIORITY = 'expected "urgent", "high", "normal" or 0..2';
const TIME = 'expected an ISO 8601 time with a zone like "2025-03-31T17:00:00Z", or unix seconds';
const BYTES32 = "expected 0x followed by 64 hex digits";

describe("sdk/inputs", function () {
  describe(".parseDollars()", function () {
    describe("when the amount is a plain decimal with at most 6 decimals", function () {
      it("returns 6-decimal units", function () {
        expect(parseDollars("amount", "1250.75")).to.equal(1_250_750_000n);
        expect(parseDollars("amount", "10")).to.equal(10_000_000n);
        expect(parseDollars("amount", "0.000001")).to.equal(1n);
        expect(parseDollars("amount", "999999999999.999999")).to.equal(999_999_999_999_999_999n);
      });

      it("reads any number of leading zeros", function () {
        expect(parseDollars("amount", `${"0".repeat(200)}1.5`)).to.equal(1_500_000n);
      });

      it("accepts the largest amount uint256 holds", function () {
        const max = (1n << 256n) - 1n;
        const text = `${max / 1_000_000n}.${String(max % 1_000_000n).padStart(6, "0")}`;
        expect(parseDollars("amount", text)).to.equal(max);
      });
    });

    describe("when the amount is zero", function () {
      it("rejects it by default", function () {
        expectInputError(() => parseDollars("amount", "0"), "amount", `amount: "0" is zero; ${DOLLARS}`);
        expectInputError(() => parseDollars("amount", "0.000000"), "amount", `amount: "0.000000" is zero; ${DOLLARS}`);
      });

      it("accepts it with allowZero", function () {
        expect(parseDollars("cap", "0", { allowZero: true })).to.equal(0n);
      });
    });

    describe("when the amount is malformed", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        [" 12", '" 12" has surrounding whitespace'],
        ["12\n", '"12\\n" has surrounding whitespace'],
        ["-5", '"-5" is negative'],
        ["+5", "\"+5\" has a leading '+'"],
        ["1e6", '"1e6" uses exponent notation'],
        ["1.5E3", '"1.5E3" uses exponent notation'],
        ["12.3456789", '"12.3456789" has more than 6 decimals'],
        ["abc", '"abc" is not a decimal number'],
        ["1,250.75", '"1,250.75" is not a decimal number'],
        ["0x10", '"0x10" is not a decimal number'],
        [".5", '".5" is not a decimal number'],
        ["5.", '"5." is not a decimal number'],
        ["1" + "0".repeat(72), `"1${"0".repeat(72)}" is above the uint256 range`],
        ["9".repeat(73), `"${"9".repeat(73)}" is above the uint256 range`],
        ["9".repeat(160), `"${"9".repeat(80)}..." is above the uint256 range`],
        ["9".repeat(160) + ".5", `"${"9".repeat(80)}..." is above the uint256 range`],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseDollars("amount", value), "amount", `amount: ${problem}; ${DOLLARS}`);
        });
      }

      it("rejects a value that is not a string", function () {
        const value = 5 as unknown as string;
        expectInputError(() => parseDollars("amount", value), "amount", `amount: number 5 is not a string; ${DOLLARS}`);
      });
    });
  });

  describe(".formatDollars()", function () {
    describe("when given units", function () {
      it("writes dollars without a trailing .0", function () {
        expect(formatDollars(1_250_750_000n)).to.equal("1250.75");
        expect(formatDollars(10_000_000n)).to.equal("10");
        expect(formatDollars(1_250_500_000n)).to.equal("1250.5");
        expect(formatDollars(1n)).to.equal("0.000001");
        expect(formatDollars(0n)).to.equal("0");
      });

      it("round-trips through parseDollars for any positive amount", function () {
        fc.assert(
          fc.property(fc.bigInt({ min: 1n, max: (1n << 200n) - 1n }), (units) => {
            expect(parseDollars("amount", formatDollars(units))).to.equal(units);
          }),
        );
      });
    });
  });

  describe(".parseAddress()", function () {
    const checksummed = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";

    describe("when the address is well formed", function () {
      it("returns it checksummed", function () {
        expect(parseAddress("to", checksummed.toLowerCase())).to.equal(checksummed);
        expect(parseAddress("to", `0x${checksummed.slice(2).toUpperCase()}`)).to.equal(checksummed);
        expect(parseAddress("to", checksummed)).to.equal(checksummed);
      });
    });

    describe("when the address is malformed", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        [
          "0x5b38Da6a701c568545dCfcB03FcB875f56beddC4",
          '"0x5b38Da6a701c568545dCfcB03FcB875f56beddC4" has a wrong EIP-55 checksum',
        ],
        [
          "5B38Da6a701c568545dCfcB03FcB875f56beddC4",
          '"5B38Da6a701c568545dCfcB03FcB875f56beddC4" is not 0x followed by 40 hex digits',
        ],
        [
          "XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS",
          '"XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS" is not 0x followed by 40 hex digits',
        ],
        ["0x5B38Da6a", '"0x5B38Da6a" is not 0x followed by 40 hex digits'],
        [
          "0x0000000000000000000000000000000000000000",
          '"0x0000000000000000000000000000000000000000" is the zero address',
        ],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseAddress("to", value), "to", `to: ${problem}; ${ADDRESS}`);
        });
      }
    });
  });

  describe(".parseJurisdiction()", function () {
    describe("when the code is an assigned ISO 3166-1 alpha-2 code", function () {
      it("returns it", function () {
        expect(parseJurisdiction("jurisdiction", "US")).to.equal("US");
        expect(parseJurisdiction("jurisdiction", "IL")).to.equal("IL");
      });

      it("returns it when it is admitted", function () {
        expect(parseJurisdiction("jurisdiction", "GB", ["US", "GB"])).to.equal("GB");
      });
    });

    describe("when the code is malformed or unassigned", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        ["us", '"us" is not two upper-case letters'],
        ["USA", '"USA" is not two upper-case letters'],
        ["U1", '"U1" is not two upper-case letters'],
        ["XX", '"XX" is not an assigned ISO 3166-1 code'],
        ["UK", '"UK" is not an assigned ISO 3166-1 code'],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(
            () => parseJurisdiction("jurisdiction", value),
            "jurisdiction",
            `jurisdiction: ${problem}; ${COUNTRY}`,
          );
        });
      }
    });

    describe("when the code is not admitted", function () {
      it("names the admitted codes", function () {
        expectInputError(
          () => parseJurisdiction("jurisdiction", "CN", ["US", "GB"]),
          "jurisdiction",
          'jurisdiction: "CN" is not an admitted jurisdiction; expected one of US, GB',
        );
      });
    });
  });

  describe(".jurisdictionToBytes2() and .bytes2ToJurisdiction()", function () {
    describe("when the value is valid", function () {
      it("converts both ways", function () {
        expect(jurisdictionToBytes2("US")).to.equal("0x5553");
        expect(bytes2ToJurisdiction("0x5553")).to.equal("US");
        expect(bytes2ToJurisdiction("0x4a50")).to.equal("JP");
      });
    });

    describe("when the value is invalid", function () {
      it("rejects it", function () {
        expectInputError(
          () => jurisdictionToBytes2("us"),
          "jurisdiction",
          `jurisdiction: "us" is not two upper-case letters; ${COUNTRY}`,
        );
        expectInputError(
          () => bytes2ToJurisdiction("0x555"),
          "jurisdiction",
          'jurisdiction: "0x555" is not 2 bytes of 0x-hex; expected 0x followed by 4 hex digits (bytes2)',
        );
        expectInputError(
          () => bytes2ToJurisdiction("0x0000"),
          "jurisdiction",
          "jurisdiction: 0x0000 is not printable ASCII; expected printable ASCII bytes",
        );
        expectInputError(
          () => bytes2ToJurisdiction("0x7878"),
          "jurisdiction",
          `jurisdiction: "xx" is not two upper-case letters; ${COUNTRY}`,
        );
      });
    });
  });

  describe(".parseLei()", function () {
    describe("when the LEI is a published one with correct check digits", function () {
      // Published LEIs (GLEIF), e.g. Apple Inc. and Deutsche Bank AG.
      for (const lei of [
        "5493001KJTIIGC8Y1R12",
        "HWUPKR0MPOU8FGXBT394",
        "7LTWFZYICNSX8D621K86",
        "8I5DZWZKVSZI1NUHU748",
      ]) {
        it(`accepts ${lei}`, function () {
          expect(parseLei("lei", lei)).to.equal(lei);
        });
      }
    });

    describe("when one character or the check digits are wrong", function () {
      const cases = ["5493001KJTIIGC8Y1R13", "5493001KJTIIGC8Y2R12", "5493001KJTIIGC8Y1R21", "4493001KJTIIGC8Y1R12"];
      for (const lei of cases) {
        it(`rejects ${lei}`, function () {
          expectInputError(
            () => parseLei("lei", lei),
            "lei",
            `lei: "${lei}" fails the ISO 7064 MOD 97-10 check; ${LEI}`,
          );
        });
      }

      // A digit for a digit or a letter for a letter changes the number by (a - b) * 10^k with
      // 0 < |a - b| < 97, which a prime modulus always detects; a digit for a letter shifts the
      // digits after it and is caught only with high probability, so it is not asserted.
      it("detects every digit-for-digit and letter-for-letter substitution", function () {
        const digits = "0123456789";
        const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const base = fc.string({ unit: fc.constantFrom(...digits, ...letters), minLength: 18, maxLength: 18 });
        fc.assert(
          fc.property(base, fc.nat(19), fc.nat(25), (body, position, replacement) => {
            const lei = body + leiCheckDigits(body);
            expect(parseLei("lei", lei)).to.equal(lei);
            const pool = digits.includes(lei[position]) ? digits : letters;
            const char = pool[replacement % pool.length];
            fc.pre(char !== lei[position]);
            const changed = lei.slice(0, position) + char + lei.slice(position + 1);
            expect(() => parseLei("lei", changed)).to.throw(InputError, "fails the ISO 7064 MOD 97-10 check");
          }),
        );
      });
    });

    describe("when the LEI is malformed", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        ["5493001KJTIIGC8Y1R1", '"5493001KJTIIGC8Y1R1" is 19 characters, not 20'],
        ["5493001kjtiigc8y1r12", '"5493001kjtiigc8y1r12" has characters other than A-Z and 0-9 in its first 18'],
        ["5493001KJTIIGC8Y1R1A", '"5493001KJTIIGC8Y1R1A" does not end in two check digits'],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseLei("lei", value), "lei", `lei: ${problem}; ${LEI}`);
        });
      }
    });
  });

  describe(".leiToBytes20() and .bytes20ToLei()", function () {
    describe("when the LEI is valid", function () {
      it("converts to its ASCII bytes and back", function () {
        const hex = "0x353439333030314b4a5449494743385931523132";
        expect(leiToBytes20("5493001KJTIIGC8Y1R12")).to.equal(hex);
        expect(bytes20ToLei(hex)).to.equal("5493001KJTIIGC8Y1R12");
      });
    });

    describe("when the bytes hold no valid LEI", function () {
      it("rejects them", function () {
        expectInputError(
          () => bytes20ToLei(leiToBytes20("5493001KJTIIGC8Y1R12").replace(/32$/, "33")),
          "lei",
          `lei: "5493001KJTIIGC8Y1R13" fails the ISO 7064 MOD 97-10 check; ${LEI}`,
        );
      });
    });
  });

  describe(".parseUetr()", function () {
    const uetr = "eb6305c9-1f7f-49de-aed0-16487c27b42d";

    describe("when the UETR is a UUID v4", function () {
      it("returns it in lower case", function () {
        expect(parseUetr("uetr", uetr)).to.equal(uetr);
        expect(parseUetr("uetr", uetr.toUpperCase())).to.equal(uetr);
      });
    });

    describe("when the UETR is not a UUID v4", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        [
          "eb6305c91f7f49deaed016487c27b42d",
          '"eb6305c91f7f49deaed016487c27b42d" is not a UUID (8-4-4-4-12 hex digits)',
        ],
        [
          "eb6305c9-1f7f-49de-aed0-16487c27b42g",
          '"eb6305c9-1f7f-49de-aed0-16487c27b42g" is not a UUID (8-4-4-4-12 hex digits)',
        ],
        ["eb6305c9-1f7f-19de-aed0-16487c27b42d", '"eb6305c9-1f7f-19de-aed0-16487c27b42d" is UUID version 1, not 4'],
        [
          "eb6305c9-1f7f-49de-ced0-16487c27b42d",
          '"eb6305c9-1f7f-49de-ced0-16487c27b42d" does not have the RFC 4122 variant (8, 9, a or b)',
        ],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseUetr("uetr", value), "uetr", `uetr: ${problem}; ${UETR}`);
        });
      }
    });
  });

  describe(".uetrToBytes16() and .bytes16ToUetr()", function () {
    describe("when the UETR is valid", function () {
      it("converts both ways", function () {
        expect(uetrToBytes16("EB6305C9-1F7F-49DE-AED0-16487C27B42D")).to.equal("0xeb6305c91f7f49deaed016487c27b42d");
        expect(bytes16ToUetr("0xEB6305C91F7F49DEAED016487C27B42D")).to.equal("eb6305c9-1f7f-49de-aed0-16487c27b42d");
      });
    });

    describe("when the bytes are not a UUID v4", function () {
      it("rejects them", function () {
        expectInputError(
          () => bytes16ToUetr("0xeb6305c91f7f19deaed016487c27b42d"),
          "uetr",
          `uetr: "eb6305c9-1f7f-19de-aed0-16487c27b42d" is UUID version 1, not 4; ${UETR}`,
        );
      });
    });
  });

  describe(".newUetr()", function () {
    describe("when called repeatedly", function () {
      it("returns distinct valid UETRs that survive the bytes16 round trip", function () {
        const seen = new Set<string>();
        for (let i = 0; i < 100; i += 1) {
          const uetr = newUetr();
          expect(parseUetr("uetr", uetr)).to.equal(uetr);
          expect(bytes16ToUetr(uetrToBytes16(uetr))).to.equal(uetr);
          seen.add(uetr);
        }
        expect(seen.size).to.equal(100);
      });
    });
  });

  describe(".parseEndToEndId()", function () {
    describe("when the id is 1..35 printable ASCII characters", function () {
      it("returns it unchanged", function () {
        expect(parseEndToEndId("endToEndId", "E2E-2025-000123")).to.equal("E2E-2025-000123");
        expect(parseEndToEndId("endToEndId", "x")).to.equal("x");
        expect(parseEndToEndId("endToEndId", "A".repeat(35))).to.equal("A".repeat(35));
        expect(parseEndToEndId("endToEndId", "INV 42/2025 (part 1)")).to.equal("INV 42/2025 (part 1)");
      });
    });

    describe("when the id is malformed", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        ["A".repeat(36), `"${"A".repeat(36)}" is 36 characters, over 35`],
        [" E2E-1", '" E2E-1" starts or ends with a space'],
        ["E2E-1 ", '"E2E-1 " starts or ends with a space'],
        ["Zahlung-Ä", '"Zahlung-Ä" has characters outside printable ASCII'],
        ["E2E\t1", '"E2E\\t1" has characters outside printable ASCII'],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseEndToEndId("endToEndId", value), "endToEndId", `endToEndId: ${problem}; ${E2E}`);
        });
      }
    });
  });

  describe(".textToBytes32() and .bytes32ToText()", function () {
    describe("when the text fits", function () {
      it("right-pads its ASCII bytes and reads them back", function () {
        const hex = `0x494e562d31${"0".repeat(54)}`;
        expect(textToBytes32("INV-1")).to.equal(hex);
        expect(bytes32ToText(hex)).to.equal("INV-1");
        expect(bytes32ToText(textToBytes32("B".repeat(32)))).to.equal("B".repeat(32));
      });
    });

    describe("when the text does not fit or the bytes are not text", function () {
      it("rejects them", function () {
        expectInputError(
          () => textToBytes32("C".repeat(33), "endToEndId"),
          "endToEndId",
          `endToEndId: "${"C".repeat(33)}" is 33 characters, too long for bytes32; ${TEXT32}`,
        );
        expectInputError(
          () => textToBytes32("é"),
          "text",
          `text: "é" has characters outside printable ASCII; ${TEXT32}`,
        );
        expectInputError(() => bytes32ToText(`0x${"0".repeat(64)}`), "text", `text: is all zero bytes; ${TEXT32}`);
        expectInputError(
          () => bytes32ToText(`0x410042${"0".repeat(58)}`),
          "text",
          "text: 0x410042 is not printable ASCII; expected printable ASCII bytes",
        );
      });
    });
  });

  describe(".parsePurposeCode()", function () {
    describe("when the code is four upper-case letters", function () {
      it("returns it and converts it to bytes4 and back", function () {
        for (const code of ["SUPP", "TRAD", "INTC", "CASH", "SALA", "GDDS"]) {
          expect(parsePurposeCode("purpose", code)).to.equal(code);
          expect(bytes4ToPurpose(purposeToBytes4(code))).to.equal(code);
        }
        expect(purposeToBytes4("SUPP")).to.equal("0x53555050");
      });
    });

    describe("when the code is malformed", function () {
      const cases: [string, string][] = [
        ["", "is empty"],
        ["supp", '"supp" is not four upper-case letters'],
        ["SUP", '"SUP" is not four upper-case letters'],
        ["SUPPL", '"SUPPL" is not four upper-case letters'],
        ["SUP1", '"SUP1" is not four upper-case letters'],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parsePurposeCode("purpose", value), "purpose", `purpose: ${problem}; ${PURPOSE}`);
        });
      }
    });
  });

  describe(".parsePriority()", function () {
    describe("when the priority is a name or 0..2", function () {
      it("maps it to 0 (urgent), 1 (high) or 2 (normal)", function () {
        expect(parsePriority("priority", "urgent")).to.equal(0);
        expect(parsePriority("priority", "HIGH")).to.equal(1);
        expect(parsePriority("priority", "normal")).to.equal(2);
        expect(parsePriority("priority", 2)).to.equal(2);
        expect(parsePriority("priority", "1")).to.equal(1);
      });
    });

    describe("when the priority is anything else", function () {
      it("rejects it", function () {
        expectInputError(() => parsePriority("priority", ""), "priority", `priority: is empty; ${PRIORITY}`);
        expectInputError(
          () => parsePriority("priority", "low"),
          "priority",
          `priority: "low" is not a priority; ${PRIORITY}`,
        );
        expectInputError(
          () => parsePriority("priority", "3"),
          "priority",
          `priority: "3" is not a priority; ${PRIORITY}`,
        );
        expectInputError(
          () => parsePriority("priority", 3),
          "priority",
          `priority: number 3 is not 0, 1 or 2; ${PRIORITY}`,
        );
        expectInputError(
          () => parsePriority("priority", 1.5),
          "priority",
          `priority: number 1.5 is not 0, 1 or 2; ${PRIORITY}`,
        );
      });
    });
  });

  describe(".parseTimestamp()", function () {
    const seconds = 1_743_440_400n; // 2025-03-31T17:00:00Z

    describe("when the time is ISO 8601 with a zone or unix seconds", function () {
      it("returns unix seconds", function () {
        expect(parseTimestamp("at", "2025-03-31T17:00:00Z")).to.equal(seconds);
        expect(parseTimestamp("at", "2025-03-31T19:00:00+02:00")).to.equal(seconds);
        expect(parseTimestamp("at", "2025-03-31T12:30:00-04:30")).to.equal(seconds);
        expect(parseTimestamp("at", "2025-03-31T17:00:00.999Z")).to.equal(seconds);
        expect(parseTimestamp("at", "2025-03-31T17:00Z")).to.equal(seconds);
        expect(parseTimestamp("at", "1743440400")).to.equal(seconds);
        expect(parseTimestamp("at", 1_743_440_400)).to.equal(seconds);
        expect(parseTimestamp("at", "2024-02-29T00:00:00Z")).to.equal(1_709_164_800n);
        expect(parseTimestamp("at", "1970-01-01T00:00:00Z")).to.equal(0n);
      });

      it("accepts the last second of year 9999 in either form", function () {
        expect(parseTimestamp("at", "9999-12-31T23:59:59Z")).to.equal(253_402_300_799n);
        expect(parseTimestamp("at", "9999-12-31T23:59:59+05:00")).to.equal(253_402_282_799n);
        expect(parseTimestamp("at", "253402300799")).to.equal(253_402_300_799n);
      });
    });

    describe("when the time is malformed", function () {
      const cases: [string | number, string][] = [
        ["", "is empty"],
        ["2025-03-31T17:00:00", '"2025-03-31T17:00:00" has no time zone'],
        ["2025-03-31", '"2025-03-31" has no time zone'],
        ["31/03/2025", '"31/03/2025" is not an ISO 8601 time'],
        ["2025-02-29T00:00:00Z", '"2025-02-29T00:00:00Z" is not a real date and time'],
        ["2025-03-31T24:00:00Z", '"2025-03-31T24:00:00Z" is not a real date and time'],
        ["1969-12-31T23:59:59Z", '"1969-12-31T23:59:59Z" is before 1970-01-01T00:00:00Z'],
        ["0070-01-01T00:00:00Z", '"0070-01-01T00:00:00Z" is before 1970-01-01T00:00:00Z'],
        ["1743440400000", '"1743440400000" is after year 9999 (milliseconds given as seconds?)'],
        ["9999-12-31T23:59:59-23:59", '"9999-12-31T23:59:59-23:59" is after 9999-12-31T23:59:59Z'],
        ["9999-12-31T23:59:59.5-00:01", '"9999-12-31T23:59:59.5-00:01" is after 9999-12-31T23:59:59Z'],
        [-1, "number -1 is not a whole non-negative number"],
        [1.5, "number 1.5 is not a whole non-negative number"],
      ];
      for (const [value, problem] of cases) {
        it(`rejects ${JSON.stringify(value)}`, function () {
          expectInputError(() => parseTimestamp("at", value), "at", `at: ${problem}; ${TIME}`);
        });
      }
    });
  });

  describe(".parseBytes32()", function () {
    describe("when the value is 0x and 64 hex digits", function () {
      it("returns it in lower case", function () {
        expect(parseBytes32("hash", `0x${"AB".repeat(32)}`)).to.equal(`0x${"ab".repeat(32)}`);
      });
    });

    describe("when the value is malformed", function () {
      it("rejects it", function () {
        const short = `0x${"a".repeat(63)}`;
        expectInputError(
          () => parseBytes32("hash", short),
          "hash",
          `hash: "${short}" is not 0x followed by 64 hex digits; ${BYTES32}`,
        );
        const bare = "a".repeat(64);
        expectInputError(
          () => parseBytes32("hash", bare),
          "hash",
          `hash: "${bare}" is not 0x followed by 64 hex digits; ${BYTES32}`,
        );
        expectInputError(() => parseBytes32("hash", ""), "hash", `hash: is empty; ${BYTES32}`);
      });
    });
  });
});
