import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

import type { JsonObject, JsonValue } from "../../src/provenance/epcisTypes";
import { isDateTimeWithZone, isTimeZoneOffset, validateEpcisDocument } from "../../src/provenance/validate";
import type { EpcisValidationError } from "../../src/provenance/validate";

const FIXTURES = path.join(__dirname, "..", "fixtures", "epcis");
const read = (folder: string, file: string): JsonObject =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, folder, file), "utf8")) as JsonObject;

const errorsOf = (document: JsonObject): EpcisValidationError[] => {
  const result = validateEpcisDocument(document);
  return result.valid ? [] : result.errors;
};

// Each invalid document, with the event and field its first error must name.
const INVALID: Array<[string, number | undefined, string]> = [
  ["Combination_of_events_with_missing_mandatory_fields.json", 0, "/epcisBody/eventList/0/action"],
  ["EPCISDocument_without_context.json", undefined, "/@context"],
  ["ObjectEvent_with_invalid_action.json", 0, "/epcisBody/eventList/0/action"],
  ["ObjectEvent_with_invalid_eventTime_format.json", 0, "/epcisBody/eventList/0/eventTime"],
  ["ObjectEvent_with_non_standard_bizStep.json", 0, "/epcisBody/eventList/0/bizStep"],
  ["ObjectEvent_with_quantity_as_text.json", 0, "/epcisBody/eventList/0/quantityList/0/quantity"],
  ["ObjectEvent_without_action_and_eventTime.json", 0, "/epcisBody/eventList/0/eventTime"],
  ["ObjectEvent_without_identifier_list.json", 0, "/epcisBody/eventList/0/epcList"],
];

const minimalDocument = (event: JsonObject): JsonObject => ({
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2026-07-22T10:30:00Z",
  epcisBody: {
    eventList: [
      {
        type: "ObjectEvent",
        eventTime: "2026-07-22T06:45:00+02:00",
        eventTimeZoneOffset: "+02:00",
        action: "ADD",
        epcList: ["https://id.gs1.org/01/09521141012345/21/2017"],
        ...event,
      },
    ],
  },
});

describe("validate", function () {
  describe(".validateEpcisDocument()", function () {
    describe("when the document-level shape is wrong", function () {
      it("reports only document-level errors, each with a path and a readable message", function () {
        expect(errorsOf({})).to.deep.equal([
          {
            path: "/type",
            message: 'document: /type is required: an EPCIS document has type "EPCISDocument" or "EPCISQueryDocument"',
          },
          { path: "/@context", message: "document: /@context is required" },
          { path: "/epcisBody", message: "document: /epcisBody is required" },
        ]);
      });

      it("names a type that is no document type", function () {
        const document = { ...minimalDocument({}), type: "ObjectEvent" };
        expect(errorsOf(document)).to.deep.equal([
          {
            path: "/type",
            message:
              'document: /type is "ObjectEvent": an EPCIS document has type "EPCISDocument" or "EPCISQueryDocument"',
          },
        ]);
      });

      it("reports the missing parts of a document that has its type", function () {
        expect(errorsOf({ type: "EPCISDocument" }).map((error) => error.path)).to.deep.equal([
          "/@context",
          "/schemaVersion",
          "/creationDate",
          "/epcisBody",
        ]);
        for (const error of errorsOf({ type: "EPCISDocument" })) expect(error.message).to.match(/^document: \/\S+ /);
      });
    });

    describe("when given the valid capture documents", function () {
      const files = fs.readdirSync(path.join(FIXTURES, "documents")).filter((file) => file.endsWith(".json"));

      it("finds all 22 of them", function () {
        expect(files).to.have.lengthOf(22);
      });

      for (const file of files) {
        it(`accepts ${file}`, function () {
          expect(validateEpcisDocument(read("documents", file))).to.deep.equal({ valid: true });
        });
      }
    });

    describe("when given the invalid capture documents", function () {
      it("covers all 8 of them", function () {
        expect(fs.readdirSync(path.join(FIXTURES, "invalid")).sort()).to.deep.equal(
          INVALID.map(([file]) => file).sort(),
        );
      });

      for (const [file, eventIndex, field] of INVALID) {
        it(`rejects ${file}, naming ${field}`, function () {
          const [first] = errorsOf(read("invalid", file));
          expect(first.eventIndex).to.equal(eventIndex);
          expect(first.path).to.equal(field);
          expect(first.message).to.contain(field);
          expect(first.message).to.match(
            eventIndex === undefined ? /^document: / : new RegExp(`^event ${eventIndex}: `),
          );
        });
      }
    });

    describe("when an event has an eventID", function () {
      it("names the event by index and eventID", function () {
        const errors = errorsOf(
          minimalDocument({ eventID: "urn:uuid:0d5ff1a2-6d84-4a9e-8f4c-8c2b5c3d4e5f", action: "CREATE" }),
        );
        expect(errors).to.deep.equal([
          {
            eventIndex: 0,
            eventId: "urn:uuid:0d5ff1a2-6d84-4a9e-8f4c-8c2b5c3d4e5f",
            path: "/epcisBody/eventList/0/action",
            message:
              "event 0 (urn:uuid:0d5ff1a2-6d84-4a9e-8f4c-8c2b5c3d4e5f): /epcisBody/eventList/0/action must be ADD, OBSERVE or DELETE",
          },
        ]);
      });
    });

    describe("when a date passes the pattern but is not a real date", function () {
      it("rejects 30 February", function () {
        const [first] = errorsOf(minimalDocument({ eventTime: "2026-02-30T06:45:00+02:00" }));
        expect(first.path).to.equal("/epcisBody/eventList/0/eventTime");
      });
    });

    describe("when the year is below 100", function () {
      it("reads it as written, not as 19xx", function () {
        const document = minimalDocument({ eventTime: "0050-01-01T00:00:00Z", eventTimeZoneOffset: "+00:00" });
        expect(validateEpcisDocument(document)).to.deep.equal({ valid: true });
        expect(isDateTimeWithZone("0000-02-29T00:00:00Z")).to.equal(true);
        expect(isDateTimeWithZone("0099-02-29T00:00:00Z")).to.equal(false);
      });
    });

    describe("when an identifier is a Digital Link with a wrong check digit", function () {
      it("names the value and the right digit", function () {
        const link = "https://id.gs1.org/01/04012345111119/21/1001";
        const document = minimalDocument({ epcList: ["https://id.gs1.org/01/04012345111118/21/1000", link] });
        expect(errorsOf(document)).to.deep.equal([
          {
            eventIndex: 0,
            path: "/epcisBody/eventList/0/epcList/1",
            message:
              `event 0: /epcisBody/eventList/0/epcList/1: the GTIN (01) 04012345111119 in "${link}" has a wrong ` +
              "check digit; expected check digit 8 (04012345111118)",
          },
        ]);
      });

      it("finds it in any field, such as a location or a source", function () {
        const document = minimalDocument({
          bizLocation: { id: "https://id.gs1.org/414/4012345000013" },
          sourceList: [{ type: "owning_party", source: "https://id.gs1.org/417/9520999999991" }],
        });
        expect(errorsOf(document).map((error) => error.path)).to.deep.equal([
          "/epcisBody/eventList/0/bizLocation/id",
          "/epcisBody/eventList/0/sourceList/0/source",
        ]);
      });
    });

    describe("when a wrong check digit hides in a compact IRI", function () {
      it("expands it with the prefixes of the document and the event first, as the event hash does", function () {
        const document = minimalDocument({
          "@context": [{ loc: "https://id.gs1.org/414/" }],
          readPoint: { id: "dl:414/4012345000055" },
          bizLocation: { id: "loc:4012345000013" },
        });
        (document["@context"] as JsonValue[]).push({ dl: "https://id.gs1.org/" });
        expect(errorsOf(document).map((error) => error.path)).to.deep.equal([
          "/epcisBody/eventList/0/readPoint/id",
          "/epcisBody/eventList/0/bizLocation/id",
        ]);
        const right = minimalDocument({
          "@context": [{ loc: "https://id.gs1.org/414/" }],
          readPoint: { id: "dl:414/4012345000054" },
          bizLocation: { id: "loc:4012345000016" },
        });
        (right["@context"] as JsonValue[]).push({ dl: "https://id.gs1.org/" });
        expect(errorsOf(right)).to.deep.equal([]);
      });
    });

    describe("when an in-memory document holds a number JSON cannot", function () {
      it("reports each Infinity or NaN at its path", function () {
        const document = minimalDocument({
          quantityList: [{ epcClass: "https://id.gs1.org/01/04012345111118", quantity: JSON.parse("1e400") as number }],
          "example:reading": [1, Number.NaN],
        });
        expect(errorsOf(document)).to.deep.equal([
          {
            eventIndex: 0,
            path: "/epcisBody/eventList/0/quantityList/0/quantity",
            message: "event 0: /epcisBody/eventList/0/quantityList/0/quantity is Infinity, not a finite number",
          },
          {
            eventIndex: 0,
            path: "/epcisBody/eventList/0/example:reading/1",
            message: "event 0: /epcisBody/eventList/0/example:reading/1 is NaN, not a finite number",
          },
        ]);
      });
    });

    describe("when a disposition or source type is not CBV vocabulary", function () {
      it("names each field", function () {
        const errors = errorsOf(
          minimalDocument({
            disposition: "lost",
            sourceList: [{ type: "owner", source: "urn:epc:id:pgln:4012345.00000" }],
          }),
        );
        expect(errors.map((error) => error.path)).to.deep.equal([
          "/epcisBody/eventList/0/disposition",
          "/epcisBody/eventList/0/sourceList/0/type",
        ]);
      });
    });

    describe("when the vocabulary is a full URI", function () {
      it("accepts it", function () {
        expect(
          validateEpcisDocument(minimalDocument({ bizStep: "https://example.com/bizstep/roasting" })),
        ).to.deep.equal({
          valid: true,
        });
      });
    });
  });

  describe(".isDateTimeWithZone()", function () {
    describe("when the timezone is missing", function () {
      it("returns false", function () {
        expect(isDateTimeWithZone("2026-07-22T06:45:00")).to.equal(false);
        expect(isDateTimeWithZone("2026-07-22T06:45:00.123Z")).to.equal(true);
      });
    });
  });

  describe(".isTimeZoneOffset()", function () {
    describe("when the offset is out of range or malformed", function () {
      it("returns false", function () {
        expect(isTimeZoneOffset("+14:00")).to.equal(true);
        expect(isTimeZoneOffset("+14:30")).to.equal(false);
        expect(isTimeZoneOffset("+0100")).to.equal(false);
      });
    });
  });

  describe(".isDateTimeWithZone() and .isTimeZoneOffset()", function () {
    describe("when the offset is near or past 14 hours", function () {
      it("agree on every offset", function () {
        for (const offset of ["+14:00", "-14:00", "+13:59", "+14:01", "-14:30", "+14:59", "+15:00", "+12:60"]) {
          expect(isDateTimeWithZone(`2026-07-22T06:45:00${offset}`), offset).to.equal(isTimeZoneOffset(offset));
        }
        expect(isDateTimeWithZone("2026-07-22T06:45:00+14:00")).to.equal(true);
        expect(isDateTimeWithZone("2026-07-22T06:45:00-14:59")).to.equal(false);
      });
    });
  });
});
