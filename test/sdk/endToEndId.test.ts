import { expect } from "chai";
import fc from "fast-check";

import { InputError } from "../../src/sdk/errors";
import { MAX_END_TO_END_ID_LENGTH, packEndToEndId, unpackEndToEndId } from "../../src/sdk/endToEndId";
import "../fixtures/properties";

/** Valid end-to-end ids: 1..35 printable ASCII characters that neither start nor end with a space. */
const endToEndIds = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    minLength: 1,
    maxLength: MAX_END_TO_END_ID_LENGTH,
  })
  .filter((text) => !text.startsWith(" ") && !text.endsWith(" "));

function inputError(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return error as InputError;
  }
  expect.fail("no InputError was thrown");
}

describe("endToEndId", function () {
  describe("packEndToEndId()", function () {
    it("puts the length in the first byte and each character in 7 bits below it", function () {
      // "AB": 0x02 | 1000001 | 1000010 | zeros
      const word = (2n << 248n) | (0x41n << 241n) | (0x42n << 234n);
      expect(packEndToEndId("e2e", "AB")).to.equal(`0x${word.toString(16).padStart(64, "0")}`);
    });

    it("fits 35 characters in the word", function () {
      const id = "~".repeat(35);
      const packed = BigInt(packEndToEndId("e2e", id));
      expect(packed >> 248n).to.equal(35n);
      expect(packed & 0b111n).to.equal(0n);
      expect(unpackEndToEndId(packEndToEndId("e2e", id))).to.equal(id);
    });

    it("refuses 36 characters, naming the field", function () {
      expect(inputError(() => packEndToEndId("e2e", "X".repeat(36))).message).to.equal(
        `e2e: "${"X".repeat(36)}" is 36 characters, over 35; ` +
          "expected 1 to 35 printable ASCII characters without leading or trailing spaces",
      );
    });

    it("refuses characters beyond 7-bit ASCII and an empty id", function () {
      expect(inputError(() => packEndToEndId("e2e", "caf\u00e9")).problem).to.equal(
        '"caf\u00e9" has characters outside printable ASCII',
      );
      expect(inputError(() => packEndToEndId("e2e", "")).problem).to.equal("is empty");
    });
  });

  describe("unpackEndToEndId()", function () {
    it("round-trips every valid id", function () {
      fc.assert(
        fc.property(endToEndIds, (id) => unpackEndToEndId(packEndToEndId("e2e", id)) === id),
        { numRuns: 500 },
      );
    });

    it("gives every id exactly one packed form", function () {
      fc.assert(
        fc.property(
          endToEndIds,
          endToEndIds,
          (a, b) => (a === b) === (packEndToEndId("x", a) === packEndToEndId("x", b)),
        ),
      );
    });

    it("refuses a length byte of 0 or above 35", function () {
      const zero = `0x${"00".repeat(32)}`;
      expect(inputError(() => unpackEndToEndId(zero)).message).to.equal(
        `endToEndId: ${zero} declares 0 characters; ` +
          "expected a bytes32 packed end-to-end id: length byte 1..35, then 7-bit ASCII characters",
      );
      const long = `0x24${"00".repeat(31)}`;
      expect(inputError(() => unpackEndToEndId(long)).problem).to.equal(`${long} declares 36 characters`);
    });

    it("refuses bits set after the last character", function () {
      const packed = BigInt(packEndToEndId("e2e", "A")) | 1n;
      const hex = `0x${packed.toString(16).padStart(64, "0")}`;
      expect(inputError(() => unpackEndToEndId(hex, "id")).problem).to.equal(
        `${hex} has bits set after its last character`,
      );
    });

    it("refuses control characters in the packed text", function () {
      const packed = (1n << 248n) | (0x07n << 241n);
      const hex = `0x${packed.toString(16).padStart(64, "0")}`;
      expect(inputError(() => unpackEndToEndId(hex)).problem).to.equal(
        '"\\u0007" has characters outside printable ASCII',
      );
    });
  });
});
