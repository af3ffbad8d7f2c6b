import { expect } from "chai";

import { parseMapping } from "../../src/provenance/mapping";
import { InputError } from "../../src/sdk/errors";

const ADDRESS = "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D";

/** `action` must throw an InputError with exactly `message`. */
function expectInputError(action: () => unknown, message: string): void {
  expect(action).to.throw(InputError).with.property("message", message);
}

describe("mapping", function () {
  describe(".parseMapping()", function () {
    describe("when each account has one signer", function () {
      it("keys the signers by checksummed address", function () {
        const mapping = parseMapping({
          parties: {},
          signers: {
            [ADDRESS.toLowerCase()]: { account: 3 },
            "0x61097BA76cD906d2ba4FD106E757f7Eb455fc295": { privateKeyEnv: "T12_KEY" },
          },
        });
        expect([...mapping.signers]).to.deep.equal([
          [ADDRESS, { account: 3 }],
          ["0x61097BA76cD906d2ba4FD106E757f7Eb455fc295", { privateKeyEnv: "T12_KEY" }],
        ]);
      });
    });

    describe("when a party id is a Digital Link with a wrong check digit", function () {
      it("refuses it, naming the entry, the key and the right digit", function () {
        const id = "https://id.gs1.org/417/9520999999991";
        expectInputError(
          () => parseMapping({ parties: { [id]: ADDRESS } }),
          `mapping: parties["${id}"]: the party GLN (417) 9520999999991 in "${id}" has a wrong check digit; ` +
            "expected check digit 0 (9520999999990)",
        );
        expectInputError(
          () => parseMapping({ parties: { "urn:epc:id:pgln:952099.999999": ADDRESS }, defaults: { party: id } }),
          `mapping: defaults.party: the party GLN (417) 9520999999991 in "${id}" has a wrong check digit; ` +
            "expected check digit 0 (9520999999990)",
        );
      });
    });

    describe("when one account is written twice among the signers", function () {
      it("refuses the second entry, naming the account and the first spelling", function () {
        const lower = ADDRESS.toLowerCase();
        expectInputError(
          () => parseMapping({ parties: {}, signers: { [ADDRESS]: { account: 1 }, [lower]: { account: 2 } } }),
          `mapping: signers["${lower}"]: names the account ${ADDRESS} again, after signers["${ADDRESS}"]; ` +
            "expected one signer per account",
        );
      });

      it("refuses it even when both entries say the same", function () {
        const upper = `0x${ADDRESS.slice(2).toUpperCase()}`;
        expectInputError(
          () => parseMapping({ parties: {}, signers: { [upper]: { account: 1 }, [ADDRESS]: { account: 1 } } }),
          `mapping: signers["${ADDRESS}"]: names the account ${ADDRESS} again, after signers["${upper}"]; ` +
            "expected one signer per account",
        );
      });
    });
  });
});
