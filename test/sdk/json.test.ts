import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { InputError } from "../../src/sdk/errors";
import { parseJsonStrict, readJsonFile } from "../../src/sdk/json";
import "../fixtures/properties";

function refusal(text: string): InputError {
  try {
    parseJsonStrict(text);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  expect.fail(`accepted ${text}`);
}

describe("sdk/json", function () {
  describe(".parseJsonStrict()", function () {
    describe("when the JSON is plain", function () {
      it("returns what JSON.parse returns", function () {
        const text = '{"a":[1,-2.5,3e2,{"a":"}]\\"{,"}],"b":{"c":null,"d":true},"e":"","f":[[],{}]}';
        expect(parseJsonStrict(text)).to.deep.equal(JSON.parse(text));
      });

      it("accepts the same key in different objects", function () {
        expect(parseJsonStrict('[{"id":1},{"id":2}]')).to.deep.equal([{ id: 1 }, { id: 2 }]);
        expect(parseJsonStrict('{"id":{"id":{"id":0}}}')).to.deep.equal({ id: { id: { id: 0 } } });
      });

      it("agrees with JSON.parse on any JSON value without repeated keys", function () {
        fc.assert(
          fc.property(fc.jsonValue(), (value) => {
            const text = JSON.stringify(value, null, 1);
            expect(parseJsonStrict(text)).to.deep.equal(JSON.parse(text));
          }),
        );
      });
    });

    describe("when an object names a key twice", function () {
      it("names the object's path and the key", function () {
        const error = refusal('{"parties":{"urn:a":"0x1","b":2,"urn:a":"0x2"}}');
        expect(error.message).to.equal('$.parties: names the key "urn:a" twice; expected each key once in an object');
      });

      it("compares keys after unescaping", function () {
        expect(refusal('{"a":1,"\\u0061":2}').field).to.equal("$");
      });

      it("finds the repeat inside arrays", function () {
        expect(refusal('{"list":[{"x":1},{"x":1,"y":[0,{"z":1,"z":2}]}]}').field).to.equal("$.list[1].y[1]");
      });
    });

    describe("when a number would not be kept as written", function () {
      it("refuses a number beyond the range of a double", function () {
        expect(refusal('{"t":[0,1e400]}').message).to.equal(
          "$.t[1]: number 1e400 is beyond the range of a double; expected a finite number",
        );
        expect(refusal("-1E+309").field).to.equal("$");
      });

      it("refuses a whole number written out that a double would round", function () {
        expect(refusal('{"quantity":12345678901234567890}').message).to.equal(
          "$.quantity: whole number 12345678901234567890 would be read as 12345678901234567000; expected a whole " +
            "number a double holds exactly, e.g. within ±(2^53 - 1)",
        );
        expect(refusal("-9007199254740993").field).to.equal("$");
      });

      it("accepts the largest safe whole numbers, exponents and fractions", function () {
        expect(parseJsonStrict("[9007199254740991,-9007199254740992,1e20,0.1,-0]")).to.deep.equal([
          9007199254740991, -9007199254740992, 1e20, 0.1, -0,
        ]);
        // Whole numbers a double holds exactly, though JavaScript writes them with an exponent: 10^21 and 2^70.
        expect(parseJsonStrict("[1000000000000000000000,1180591620717411303424]")).to.deep.equal([1e21, 2 ** 70]);
      });
    });

    describe("when the text is not JSON", function () {
      it("throws JSON.parse's SyntaxError", function () {
        expect(() => parseJsonStrict('{"a":1,}')).to.throw(SyntaxError);
      });
    });
  });

  describe(".readJsonFile()", function () {
    const dir = mkdtempSync(join(tmpdir(), "t12-json-"));
    const file = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it("reads a JSON file", function () {
      expect(readJsonFile("--mapping", file("ok.json", '{"a":[1]}'), "a mapping")).to.deep.equal({ a: [1] });
    });

    it("names the parameter for a missing file, a folder and a file that is not JSON", function () {
      const missing = join(dir, "missing.json");
      expect(() => readJsonFile("--mapping", missing, "a mapping")).to.throw(
        InputError,
        `--mapping: ${JSON.stringify(missing)} does not exist; expected a mapping`,
      );
      expect(() => readJsonFile("--mapping", dir, "a mapping")).to.throw(
        InputError,
        `--mapping: ${JSON.stringify(dir)} is not a file; expected a mapping`,
      );
      expect(() => readJsonFile("--mapping", file("bad.json", "{oops"), "a mapping")).to.throw(
        InputError,
        /^--mapping: ".*bad\.json" is not JSON \(.+\); expected a mapping$/,
      );
    });

    it("names the parameter, the file and the path of a repeated key", function () {
      const path = file("twice.json", '{"parties":{"p":"0x1","p":"0x2"}}');
      expect(() => readJsonFile("--mapping", path, "a mapping")).to.throw(
        InputError,
        `--mapping ${path}: $.parties: names the key "p" twice; expected each key once in an object`,
      );
    });
  });
});
