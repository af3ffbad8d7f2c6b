import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { epcUriToDigitalLink, canonicalDigitalLink } from "../../src/provenance/digitalLink";
import {
  eventHashBytes32,
  eventHashId,
  eventHashIds,
  eventPreHash,
  eventPreHashes,
  formatNumber,
  hashIdToBytes32,
  normaliseTimestamp,
} from "../../src/provenance/eventHash";
import type { EpcisDocument, EpcisEvent } from "../../src/provenance/epcisTypes";

const VECTORS = path.join(__dirname, "..", "fixtures", "epcis-hash-vectors");

const lines = (file: string): string[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];

const hashOf = (preHash: string): string =>
  `ni:///sha-256;${createHash("sha256").update(preHash, "utf8").digest("hex")}?ver=CBV2.0`;

const vectorNames = fs
  .readdirSync(VECTORS)
  .filter((file) => /\.jsonld?$/.test(file))
  .map((file) => file.replace(/\.jsonld?$/, ""));

const readVector = (name: string) => {
  const file = fs.existsSync(path.join(VECTORS, `${name}.jsonld`)) ? `${name}.jsonld` : `${name}.json`;
  return {
    document: JSON.parse(fs.readFileSync(path.join(VECTORS, file), "utf8")) as EpcisDocument,
    hashes: lines(path.join(VECTORS, `${name}.hashes`)),
    preHashes: lines(path.join(VECTORS, `${name}.prehashes`)),
  };
};

const baseEvent = (fields: EpcisEvent): EpcisEvent => ({
  type: "ObjectEvent",
  eventTime: "2020-03-04T11:00:30.000+01:00",
  eventTimeZoneOffset: "+01:00",
  action: "OBSERVE",
  ...fields,
});

describe("eventHash", function () {
  describe(".eventHashIds()", function () {
    it("finds all 13 reference vector documents", function () {
      expect(vectorNames).to.have.lengthOf(13);
    });

    for (const name of vectorNames) {
      describe(`when hashing the reference vector ${name}`, function () {
        const { document, hashes } = readVector(name);

        it("returns one hash id per event, in document order", function () {
          expect(eventHashIds(document)).to.have.lengthOf(hashes.length);
        });

        hashes.forEach((expected, index) => {
          it(`gives event ${index} the hash id ${expected}`, function () {
            expect(eventHashIds(document)[index]).to.equal(expected);
          });
        });
      });
    }
  });

  describe(".eventPreHashes()", function () {
    for (const name of vectorNames) {
      const { document, hashes, preHashes } = readVector(name);
      if (preHashes.length === 0) continue;

      describe(`when building the pre-hash strings of ${name}`, function () {
        preHashes.forEach((expected, index) => {
          // One published pre-hash line (epcisDocWithDefaultSchemaInContext, event 1) is cut short:
          // its own hash is not the published hash id. There the published text must be a prefix.
          if (hashOf(expected) === hashes[index]) {
            it(`gives event ${index} the published pre-hash string`, function () {
              expect(eventPreHashes(document)[index]).to.equal(expected);
            });
          } else {
            it(`gives event ${index} a pre-hash string starting with the (truncated) published one`, function () {
              const actual = eventPreHashes(document)[index];
              expect(actual.startsWith(expected)).to.equal(true, actual);
              expect(hashOf(actual)).to.equal(hashes[index]);
            });
          }
        });
      });
    }
  });

  describe(".eventPreHash()", function () {
    describe("when the event time has more than three decimals", function () {
      it("rounds .1415 up to .142", function () {
        const preHash = eventPreHash(baseEvent({ eventTime: "2023-02-02T11:04:03.1415Z" }));
        expect(preHash).to.contain("eventTime=2023-02-02T11:04:03.142Z");
      });

      it("rounds .1414 down to .141", function () {
        const preHash = eventPreHash(baseEvent({ eventTime: "2023-02-02T11:04:03.1414Z" }));
        expect(preHash).to.contain("eventTime=2023-02-02T11:04:03.141Z");
      });

      it("carries a rounded-up .9995 into the next day", function () {
        expect(normaliseTimestamp("2023-12-31T23:59:59.9995Z")).to.equal("2024-01-01T00:00:00.000Z");
      });
    });

    describe("when the event time carries a timezone offset", function () {
      it("converts +01:00 to UTC and pads the milliseconds", function () {
        expect(eventPreHash(baseEvent({ eventTime: "2020-04-01T15:00:00+01:00" }))).to.match(
          /^eventType=ObjectEventeventTime=2020-04-01T14:00:00\.000ZeventTimeZoneOffset=\+01:00/,
        );
      });

      it("converts -06:00 across midnight", function () {
        expect(normaliseTimestamp("2005-04-03T20:33:31.116000-06:00")).to.equal("2005-04-04T02:33:31.116Z");
      });

      it("keeps the eventTimeZoneOffset as written", function () {
        expect(eventPreHash(baseEvent({ eventTimeZoneOffset: "-06:00" }))).to.contain("eventTimeZoneOffset=-06:00");
      });
    });

    describe("when a quantity has trailing zeros", function () {
      it("writes 10.50 as 10.5 and 600.0 as 600", function () {
        const preHash = eventPreHash(
          baseEvent({
            quantityList: [
              { epcClass: "urn:epc:class:lgtin:4012345.012345.998877", quantity: 10.5, uom: "KGM" },
              { epcClass: "urn:epc:idpat:sgtin:4012345.066666.*", quantity: "600.0" },
            ],
          }),
        );
        expect(preHash).to.contain(
          "quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=10.5uom=KGM" +
            "quantityElementepcClass=https://id.gs1.org/01/04012345666663quantity=600action",
        );
      });

      it("writes numbers without exponent", function () {
        expect(formatNumber(1e-7)).to.equal("0.0000001");
        expect(formatNumber(1.5e21)).to.equal("1500000000000000000000");
        expect(formatNumber(26.0)).to.equal("26");
      });
    });

    describe("when vocabulary is given as urn:epcglobal:cbv URNs", function () {
      it("hashes the same as the bare JSON values", function () {
        const urnForm = baseEvent({
          bizStep: "urn:epcglobal:cbv:bizstep:shipping",
          disposition: "urn:epcglobal:cbv:disp:in_transit",
          bizTransactionList: [
            { type: "urn:epcglobal:cbv:btt:po", bizTransaction: "urn:epcglobal:cbv:bt:4012345000009:1" },
          ],
          sourceList: [{ type: "urn:epcglobal:cbv:sdt:owning_party", source: "urn:epc:id:pgln:4012345.00000" }],
        });
        const bareForm = baseEvent({
          bizStep: "shipping",
          disposition: "in_transit",
          bizTransactionList: [{ type: "po", bizTransaction: "urn:epcglobal:cbv:bt:4012345000009:1" }],
          sourceList: [{ type: "owning_party", source: "urn:epc:id:pgln:4012345.00000" }],
        });
        expect(eventPreHash(urnForm)).to.contain(
          "bizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit",
        );
        expect(eventHashId(urnForm)).to.equal(eventHashId(bareForm));
      });

      it("expands cbv: CURIEs to the same web URIs", function () {
        expect(eventHashId(baseEvent({ bizStep: "cbv:BizStep-receiving" }))).to.equal(
          eventHashId(baseEvent({ bizStep: "receiving" })),
        );
      });
    });

    describe("when EPC URNs and Digital Link URIs name the same objects", function () {
      it("hashes both forms alike, whatever the list order and domain", function () {
        const urns = baseEvent({
          epcList: ["urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sgtin:4012345.011111.9876"],
          readPoint: { id: "urn:epc:id:sgln:4012345.00011.987" },
        });
        const links = baseEvent({
          epcList: ["https://id.gs1.org/01/04012345111118/21/9876", "https://example.com/sscc/040123450000003338?x=1"],
          readPoint: { id: "https://id.gs1.de/414/4012345000115/254/987" },
        });
        expect(eventHashId(urns)).to.equal(eventHashId(links));
      });
    });

    describe("when the event has an error declaration, an eventID, a recordTime and a comment", function () {
      it("leaves them out of the pre-hash string", function () {
        const plain = baseEvent({ epcList: ["urn:epc:id:sgtin:4012345.011111.1"] });
        const declared = {
          ...plain,
          eventID: "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
          recordTime: "2021-01-01T00:00:00Z",
          "rdfs:comment": "corrected",
          errorDeclaration: { declarationTime: "2021-01-02T00:00:00Z", reason: "incorrect_data" },
        };
        expect(eventPreHash(declared)).to.equal(eventPreHash(plain));
      });
    });

    describe("when the event has nested user extensions", function () {
      it("writes {namespace}localName entries, sorted at every level", function () {
        const context = [{ ex: "https://ns.example.com/epcis/" }];
        const preHash = eventPreHash(
          baseEvent({ "ex:b": { "ex:y": ["3", "1"], "ex:x": 2 }, "ex:a": "0", undefinedTerm: "dropped" }),
          context,
        );
        expect(preHash).to.match(
          /action=OBSERVE\{https:\/\/ns\.example\.com\/epcis\/\}a=0\{https:\/\/ns\.example\.com\/epcis\/\}b\{https:\/\/ns\.example\.com\/epcis\/\}x=2\{https:\/\/ns\.example\.com\/epcis\/\}y=1\{https:\/\/ns\.example\.com\/epcis\/\}y=3$/,
        );
      });
    });
  });

  describe(".eventHashBytes32()", function () {
    describe("when anchoring the first reference event", function () {
      it("returns the digest of the hash id as 0x-prefixed bytes32", function () {
        const { document, hashes } = readVector("ReferenceEventHashAlgorithm");
        const event = (document.epcisBody as { eventList: EpcisEvent[] }).eventList[0];
        expect(eventHashBytes32(event, document["@context"])).to.equal(
          "0x6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7",
        );
        expect(hashIdToBytes32(hashes[0])).to.equal(
          "0x6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7",
        );
      });
    });

    describe("when the hash id is malformed", function () {
      it("throws naming the expected form", function () {
        expect(() => hashIdToBytes32("ni:///sha-256;ABC?ver=CBV2.0")).to.throw(
          /expected ni:\/\/\/sha-256;<64 lowercase hex>/,
        );
      });
    });
  });

  describe(".epcUriToDigitalLink()", function () {
    describe("when converting instance-level EPC URIs", function () {
      const cases: Array<[string, string]> = [
        ["urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"],
        ["urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"],
        ["urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"],
        ["urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"],
        [
          "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
          "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
        ],
        ["urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711"],
        ["urn:epc:id:gid:95100000.12345.400", "urn:epc:id:gid:95100000.12345.400"],
      ];
      for (const [urn, link] of cases) {
        it(`maps ${urn} to ${link}`, function () {
          expect(epcUriToDigitalLink(urn) ?? urn).to.equal(link);
        });
      }
    });
  });

  describe(".canonicalDigitalLink()", function () {
    describe("when a Digital Link names more than the finest key", function () {
      it("keeps only the serial, drops the query and moves to id.gs1.org", function () {
        expect(canonicalDigitalLink("https://brand.example/p/gtin/9780345418913/lot/A1/ser/765?17=201231")).to.equal(
          "https://id.gs1.org/01/09780345418913/21/765",
        );
      });
    });

    describe("when a URL is not a Digital Link", function () {
      it("returns undefined", function () {
        expect(canonicalDigitalLink("http://transaction.acme.com/po/12345678")).to.equal(undefined);
      });
    });
  });
});
