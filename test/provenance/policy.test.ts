import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";

import { buildProvenanceGraph, readProvenanceGraph, type ProvenanceGraph } from "../../src/provenance/graph";
import { traceLineage } from "../../src/provenance/lineage";
import { parsePolicy, readPolicyFile, screenLineage, type PolicyFinding } from "../../src/provenance/policy";
import { lineageToJson, renderLineageTree, shortId } from "../../src/report/provenanceTree";
import { InputError } from "../../src/sdk/errors";
import {
  ADDRESS,
  DAY,
  defibrillatorHistory,
  defibrillatorOnChain,
  documentHash,
  eventHash,
  ID,
  MEDICAL_POLICY,
  PARTICIPANTS,
  START,
} from "../fixtures/policy/defibrillator";

const T12 = ["US", "GB", "FR", "DE", "JP", "AU", "CA", "KR", "FI", "SE", "IN", "IL"];
/** A valid ISO 17442 LEI. */
const VALID_LEI = "5493001KJTIIGC8Y1R12";

function syntheticGraph(participants = PARTICIPANTS): ProvenanceGraph {
  return buildProvenanceGraph(defibrillatorHistory().events, participants);
}

function expectPolicyError(value: unknown, message: string): void {
  expect(() => parsePolicy(value, "policy.json"))
    .to.throw(InputError)
    .with.property("message", message);
}

/** What identifies a finding regardless of the chain's clock. */
const shape = (findings: PolicyFinding[]) => findings.map((f) => [f.rule, f.item, f.path]);

describe("origin policy", function () {
  describe("parsePolicy()", function () {
    describe("when the policy is well formed", function () {
      it("reads every field", function () {
        const policy = readPolicyFile(MEDICAL_POLICY);
        expect(policy.name).to.equal("T-12 medical devices");
        expect([...policy.trustedJurisdictions]).to.deep.equal(T12);
        expect([...policy.barredManufacturers.addresses]).to.deep.equal([ADDRESS.deMaker]);
        expect([...(policy.requiredManufacturerKinds ?? [])]).to.deep.equal(["Supplier"]);
        expect(policy.requireValidCertificate).to.deep.equal({
          productClasses: new Set(["MedicalDevice", "Defense"]),
          at: new Set(["incorporation", "shipment"]),
        });
      });

      it("takes LEIs and lower-case addresses among the barred manufacturers", function () {
        const policy = parsePolicy({
          trustedJurisdictions: ["US"],
          barredManufacturers: [VALID_LEI, ADDRESS.deMaker.toLowerCase()],
          requireValidCertificate: { productClasses: ["Defense"], at: ["shipment"], auditors: [ADDRESS.auditor] },
          maxTransitHours: 72,
        });
        expect([...policy.barredManufacturers.leis]).to.deep.equal([VALID_LEI]);
        expect([...policy.barredManufacturers.addresses]).to.deep.equal([ADDRESS.deMaker]);
        expect([...(policy.requireValidCertificate?.at ?? [])]).to.deep.equal(["shipment"]);
        expect([...(policy.requireValidCertificate?.auditors ?? [])]).to.deep.equal([ADDRESS.auditor]);
        expect(policy.maxTransitHours).to.equal(72);
      });
    });

    describe("when a field is wrong", function () {
      it("rejects a policy that is not an object", function () {
        expectPolicyError(
          ["US"],
          'policy.json: an array is not an object; expected { "trustedJurisdictions": ["US", ...], "barredManufacturers": [...], ... }',
        );
      });

      it("rejects a missing trustedJurisdictions", function () {
        expectPolicyError(
          {},
          'policy.json: trustedJurisdictions: is missing; expected a list of ISO 3166-1 alpha-2 codes like ["US"]',
        );
      });

      it("rejects an empty trustedJurisdictions", function () {
        expectPolicyError(
          { trustedJurisdictions: [] },
          'policy.json: trustedJurisdictions: is empty; expected a list of ISO 3166-1 alpha-2 codes like ["US"]',
        );
      });

      it("names the unassigned country code", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US", "XX"] },
          'policy.json: trustedJurisdictions[1]: "XX" is not an assigned ISO 3166-1 code; expected an ISO 3166-1 alpha-2 country code like "US"',
        );
      });

      it("names an unknown field", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US"], trustedOrigins: ["US"] },
          "policy.json.trustedOrigins: is not a known field; expected only name, trustedJurisdictions, barredManufacturers, requiredManufacturerKinds, requireValidCertificate, maxTransitHours",
        );
      });

      it("names a barred manufacturer that is neither an address nor an LEI", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US"], barredManufacturers: ["0x1234"] },
          'policy.json: barredManufacturers[0]: "0x1234" is not 0x followed by 40 hex digits; expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"',
        );
        expectPolicyError(
          { trustedJurisdictions: ["US"], barredManufacturers: ["ACME"] },
          'policy.json: barredManufacturers[0]: "ACME" is 4 characters, not 20; expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"',
        );
      });

      it("names an unknown participant kind", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US"], requiredManufacturerKinds: ["Vendor"] },
          'policy.json: requiredManufacturerKinds[0]: "Vendor" is not allowed; expected one of CentralBank, CommercialBank, Customer, Supplier, Auditor',
        );
      });

      it("names an unknown product class or occasion of the certificate rule", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US"], requireValidCertificate: { productClasses: ["Medical"] } },
          'policy.json: requireValidCertificate.productClasses[0]: "Medical" is not allowed; expected one of Other, Defense, Semiconductor, MedicalDevice',
        );
        expectPolicyError(
          { trustedJurisdictions: ["US"], requireValidCertificate: { productClasses: ["Defense"], at: ["sale"] } },
          'policy.json: requireValidCertificate.at[0]: "sale" is not allowed; expected one of incorporation, shipment',
        );
        expectPolicyError(
          { trustedJurisdictions: ["US"], requireValidCertificate: {} },
          "policy.json: requireValidCertificate.productClasses: is missing; expected a list of Other, Defense, Semiconductor, MedicalDevice",
        );
      });

      it("rejects a transit limit that is not a positive number", function () {
        expectPolicyError(
          { trustedJurisdictions: ["US"], maxTransitHours: "72" },
          'policy.json: maxTransitHours: "72" is not a positive number; expected hours, e.g. 72',
        );
      });
    });

    describe("when the file cannot be read", function () {
      let dir: string;
      before(function () {
        dir = mkdtempSync(join(tmpdir(), "t12-policy-"));
      });
      after(function () {
        rmSync(dir, { recursive: true, force: true });
      });

      it("names a missing file", function () {
        const path = join(dir, "absent.json");
        expect(() => readPolicyFile(path, "--policy"))
          .to.throw(InputError)
          .with.property("message", `--policy: "${path}" does not exist; expected a JSON origin-policy file`);
      });

      it("names a file that is not JSON", function () {
        const path = join(dir, "broken.json");
        writeFileSync(path, '{ "trustedJurisdictions": [');
        expect(() => readPolicyFile(path, "--policy"))
          .to.throw(InputError)
          .with.property("message")
          .that.matches(/^--policy: ".*broken\.json" is not JSON \(.+\); expected a JSON origin-policy file$/);
      });

      it("names the file and the field of a bad value", function () {
        const path = join(__dirname, "..", "fixtures", "policy", "untrusted-code.json");
        expect(() => readPolicyFile(path, "--policy"))
          .to.throw(InputError)
          .with.property(
            "message",
            `--policy ${path}: trustedJurisdictions[2]: "XX" is not an assigned ISO 3166-1 code; expected an ISO 3166-1 alpha-2 country code like "US"`,
          );
      });
    });
  });

  describe("screenLineage()", function () {
    describe("when screening the defibrillator (known answer)", function () {
      const graph = syntheticGraph();
      const report = screenLineage(traceLineage(graph, ID.defibrillator), readPolicyFile(MEDICAL_POLICY));

      it("flags exactly the CN chip, the barred capacitor and the cell whose certificate had expired", function () {
        expect(report.screened).to.equal(9);
        expect(report.clean).to.equal(false);
        expect(report.policy).to.equal("T-12 medical devices");
        expect(report.tainted).to.deep.equal([ID.cnChip, ID.capacitor, ID.cellA]);
        expect(report.findings.map((f) => [f.rule, f.item, f.path, f.message])).to.deep.equal([
          [
            "untrusted-origin",
            ID.cnChip,
            [ID.defibrillator, ID.board, ID.cnChip],
            "origin CN is not a trusted jurisdiction",
          ],
          [
            "barred-manufacturer",
            ID.capacitor,
            [ID.defibrillator, ID.board, ID.capacitor],
            `manufacturer ${ADDRESS.deMaker} (LEI MAKER-DE000000000000) is barred`,
          ],
          [
            "certificate-invalid",
            ID.cellA,
            [ID.defibrillator, ID.pack, ID.cellA],
            "MedicalDevice whose certificate was not valid at incorporation 2026-03-02T00:00:00Z (expired 2026-01-31T00:00:00Z)",
          ],
        ]);
      });

      it("names the occasion and the certificate that was not valid then", function () {
        expect(report.findings[2].checks).to.deep.equal([
          {
            occasion: "incorporation",
            time: START + 60 * DAY,
            eventHash: eventHash("aggregate-pack"),
            certificate: {
              auditor: ADDRESS.auditor,
              documentHash: documentHash("cellA"),
              validFrom: START,
              validUntil: START + 30 * DAY,
              time: START + 3600,
              eventHash: eventHash("certify-cellA-0"),
              block: 2,
            },
          },
        ]);
      });

      it("renders the tree with the flags on the offending components and the tainting paths", function () {
        const lineage = traceLineage(graph, ID.defibrillator);
        const labels = new Map([[ID.defibrillator, "urn:epc:id:sgtin:0614141.112345.9001"]]);
        const text = renderLineageTree({ lineage, report, gaps: [], labels });
        const lines = text.split("\n");
        const root = `urn:epc:id:sgtin:0614141.112345.9001 (${shortId(ID.defibrillator)})`;
        expect(lines[0]).to.equal(
          `Lineage of ${root}: 9 items, 2 levels; 3 findings on 3 items under policy "T-12 medical devices"; 0 custody gaps`,
        );
        expect(lines[1]).to.equal(`${root}  MedicalDevice, origin US, EAR99, Active`);
        const chip = lines.findIndex((line) => line.includes(`${shortId(ID.cnChip)}  Semiconductor, origin CN`));
        expect(lines[chip]).to.equal(
          `│  ├─ made into it 2026-03-07T00:00:00Z: ${shortId(ID.cnChip)}  Semiconductor, origin CN, 3A001, Consumed`,
        );
        expect(lines.slice(chip + 1).find((line) => line.includes("!"))).to.equal(
          "│  │     ! untrusted-origin: origin CN is not a trusted jurisdiction",
        );
        expect(lines.filter((line) => line.includes("! "))).to.have.length(3);
        expect(lines.slice(lines.indexOf("Tainted by:"))).to.deep.equal([
          "Tainted by:",
          `  untrusted-origin: ${root} → ${shortId(ID.board)} → ${shortId(ID.cnChip)}`,
          `  barred-manufacturer: ${root} → ${shortId(ID.board)} → ${shortId(ID.capacitor)}`,
          `  certificate-invalid: ${root} → ${shortId(ID.pack)} → ${shortId(ID.cellA)}`,
        ]);
      });

      it("renders the same as JSON for machines", function () {
        const lineage = traceLineage(graph, ID.defibrillator);
        const json = JSON.parse(lineageToJson({ lineage, report, gaps: [] })) as {
          root: string;
          size: number;
          lineage: { components: { id: string }[] };
          policy: { findings: { rule: string; path: string[] }[] };
          custodyGaps: unknown[];
        };
        expect(json.root).to.equal(ID.defibrillator);
        expect(json.size).to.equal(9);
        expect(json.lineage.components.map((c) => c.id)).to.deep.equal([ID.housing, ID.board, ID.pack]);
        expect(json.policy.findings.map((f) => [f.rule, f.path.at(-1)])).to.deep.equal([
          ["untrusted-origin", ID.cnChip],
          ["barred-manufacturer", ID.capacitor],
          ["certificate-invalid", ID.cellA],
        ]);
        expect(json.custodyGaps).to.deep.equal([]);
      });
    });

    describe("when screening the same history read from a real deployment", function () {
      it("gives the same known answer", async function () {
        const { provenance, registry, deployedAt } = await loadFixture(defibrillatorOnChain);
        const graph = await readProvenanceGraph({ provenance, registry, fromBlock: deployedAt });
        const report = screenLineage(traceLineage(graph, ID.defibrillator), readPolicyFile(MEDICAL_POLICY));
        expect(shape(report.findings)).to.deep.equal([
          ["untrusted-origin", ID.cnChip, [ID.defibrillator, ID.board, ID.cnChip]],
          ["barred-manufacturer", ID.capacitor, [ID.defibrillator, ID.board, ID.capacitor]],
          ["certificate-invalid", ID.cellA, [ID.defibrillator, ID.pack, ID.cellA]],
        ]);
        expect(report.findings[2].checks?.map((c) => c.occasion)).to.deep.equal(["incorporation"]);
      });
    });

    describe("when the item is clean", function () {
      it("gives no findings", function () {
        const policy = readPolicyFile(MEDICAL_POLICY);
        for (const part of [ID.housing, ID.krChip, ID.cellB, ID.pack]) {
          const lineage = traceLineage(syntheticGraph(), part);
          const report = screenLineage(lineage, policy);
          if (part === ID.pack) {
            // The pack itself is clean; only the expired cell inside it is flagged.
            expect(shape(report.findings)).to.deep.equal([["certificate-invalid", ID.cellA, [ID.pack, ID.cellA]]]);
            continue;
          }
          expect(report).to.deep.include({ clean: true, findings: [], tainted: [] });
        }
      });
    });

    describe("when a certificate is required but none is on record", function () {
      it("flags each item of the class, on each occasion", function () {
        const policy = parsePolicy({
          trustedJurisdictions: T12.concat("CN"),
          requireValidCertificate: { productClasses: ["Semiconductor"] },
        });
        const report = screenLineage(traceLineage(syntheticGraph(), ID.defibrillator), policy);
        expect(report.findings.map((f) => [f.rule, f.item, f.checks?.map((c) => [c.occasion, c.time])])).to.deep.equal([
          ["certificate-missing", ID.board, [["incorporation", START + 66 * DAY]]],
          [
            "certificate-missing",
            ID.krChip,
            [
              ["shipment", START + DAY],
              ["incorporation", START + 65 * DAY],
            ],
          ],
          [
            "certificate-missing",
            ID.cnChip,
            [
              ["shipment", START + DAY],
              ["incorporation", START + 65 * DAY],
            ],
          ],
        ]);
      });

      it("counts only certificates of the named auditors", function () {
        const policy = parsePolicy({
          trustedJurisdictions: T12.concat("CN"),
          requireValidCertificate: {
            productClasses: ["MedicalDevice"],
            at: ["incorporation"],
            auditors: [ADDRESS.hospital],
          },
        });
        const report = screenLineage(traceLineage(syntheticGraph(), ID.defibrillator), policy);
        expect(shape(report.findings)).to.deep.equal([
          ["certificate-missing", ID.pack, [ID.defibrillator, ID.pack]],
          ["certificate-missing", ID.cellA, [ID.defibrillator, ID.pack, ID.cellA]],
          ["certificate-missing", ID.cellB, [ID.defibrillator, ID.pack, ID.cellB]],
        ]);
      });
    });

    describe("when a manufacturer has the wrong kind or is barred by LEI", function () {
      it("flags the manufacturer's components", function () {
        const participants = PARTICIPANTS.map((p) =>
          p.address === ADDRESS.jpMaker
            ? { ...p, lei: VALID_LEI }
            : p.address === ADDRESS.krMaker
              ? { ...p, kind: "Customer" as const }
              : p,
        );
        const policy = parsePolicy({
          trustedJurisdictions: T12.concat("CN"),
          barredManufacturers: [VALID_LEI],
          requiredManufacturerKinds: ["Supplier"],
        });
        const report = screenLineage(traceLineage(syntheticGraph(participants), ID.defibrillator), policy);
        expect(report.findings.map((f) => [f.rule, f.item, f.message])).to.deep.equal([
          ["manufacturer-kind", ID.krChip, `manufacturer ${ADDRESS.krMaker} is a Customer, not Supplier`],
          ["manufacturer-kind", ID.cnChip, `manufacturer ${ADDRESS.krMaker} is a Customer, not Supplier`],
          ["barred-manufacturer", ID.pack, `manufacturer ${ADDRESS.jpMaker} (LEI ${VALID_LEI}) is barred`],
          ["barred-manufacturer", ID.cellA, `manufacturer ${ADDRESS.jpMaker} (LEI ${VALID_LEI}) is barred`],
          ["barred-manufacturer", ID.cellB, `manufacturer ${ADDRESS.jpMaker} (LEI ${VALID_LEI}) is barred`],
        ]);
      });

      it("flags a manufacturer the participant registry does not know", function () {
        const policy = parsePolicy({ trustedJurisdictions: T12, requiredManufacturerKinds: ["Supplier"] });
        const report = screenLineage(traceLineage(syntheticGraph([]), ID.housing), policy);
        expect(report.findings.map((f) => f.message)).to.deep.equal([
          `manufacturer ${ADDRESS.usMaker} is not a registered participant, not Supplier`,
        ]);
      });
    });
  });
});
