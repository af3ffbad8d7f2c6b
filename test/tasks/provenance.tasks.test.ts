import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";

import { shortId } from "../../src/report/provenanceTree";
import { useTaskHarness } from "../fixtures/taskHarness";
import { defibrillatorOnChain, EPC, ID, MEDICAL_POLICY, POLICY_DIR } from "../fixtures/policy/defibrillator";
import { itemIdOf } from "../../src/provenance/items";

const TRACE = { scope: "provenance", task: "trace" };
const RECALL = { scope: "provenance", task: "recall" };
const EPC_EXPECTED = 'expected an EPC URI like "urn:epc:id:sgtin:0614141.107346.2017" or a GS1 Digital Link URI';

describe("provenance tasks", function () {
  const harness = useTaskHarness("t12-provenance-");
  let dir: string;
  let out: string[];
  let err: string[];

  beforeEach(function () {
    ({ dir, out, err } = harness);
  });

  /** The defibrillator on chain, recorded in the temp deployments dir (without the provenance registry if told). */
  async function setUp(withProvenance = true) {
    const fixture = await loadFixture(defibrillatorOnChain);
    const contracts: Record<string, string> = {
      ParticipantRegistry: await fixture.registry.getAddress(),
      DigitalDollar: await fixture.dollar.getAddress(),
      SettlementEngine: await fixture.engine.getAddress(),
    };
    if (withProvenance) contracts.ProvenanceRegistry = await fixture.provenance.getAddress();
    const record = { network: "hardhat", chainId: 31337, block: fixture.deployedAt, contracts };
    writeFileSync(join(dir, "hardhat.json"), JSON.stringify(record));
    return fixture;
  }

  async function expectRefused(task: typeof TRACE, args: Record<string, unknown>, message: string): Promise<void> {
    await hre.run(task, { json: false, ...args });
    expect(err).to.deep.equal([message]);
    expect(out).to.deep.equal([]);
    expect(process.exitCode).to.equal(1);
  }

  describe("provenance trace", function () {
    describe("when given a finished item", function () {
      it("prints its lineage as a tree", async function () {
        await setUp();
        await hre.run(TRACE, { epc: EPC.defibrillator, json: false });
        expect(err).to.deep.equal([]);
        const lines = out.join("\n").split("\n");
        const root = `${EPC.defibrillator} (${shortId(ID.defibrillator)})`;
        expect(lines[0]).to.equal(`Lineage of ${root}: 9 items, 2 levels; 0 custody gaps`);
        expect(lines[1]).to.equal(`${root}  MedicalDevice, origin US, EAR99, Active`);
        expect(lines.filter((line) => /[├└]─ /.test(line))).to.have.length(8);
        expect(lines.some((line) => line.includes("!"))).to.equal(false);
        expect(process.exitCode).to.equal(undefined);
      });
    });

    describe("when given a policy", function () {
      it("flags the offending components and prints the tainting paths", async function () {
        await setUp();
        await hre.run(TRACE, { epc: EPC.defibrillator, json: false, policy: MEDICAL_POLICY });
        expect(err).to.deep.equal([]);
        const lines = out.join("\n").split("\n");
        const root = `${EPC.defibrillator} (${shortId(ID.defibrillator)})`;
        expect(lines[0]).to.equal(
          `Lineage of ${root}: 9 items, 2 levels; 3 findings on 3 items under policy "T-12 medical devices"; 0 custody gaps`,
        );
        expect(lines.slice(lines.indexOf("Tainted by:"))).to.deep.equal([
          "Tainted by:",
          `  untrusted-origin: ${root} → ${shortId(ID.board)} → ${shortId(ID.cnChip)}`,
          `  barred-manufacturer: ${root} → ${shortId(ID.board)} → ${shortId(ID.capacitor)}`,
          `  certificate-invalid: ${root} → ${shortId(ID.pack)} → ${shortId(ID.cellA)}`,
        ]);
      });

      it("prints JSON with --json", async function () {
        await setUp();
        await hre.run(TRACE, { epc: EPC.defibrillator, json: true, policy: MEDICAL_POLICY });
        expect(out).to.have.length(1);
        const json = JSON.parse(out[0]) as { root: string; label: string; policy: { tainted: string[] } };
        expect(json.root).to.equal(ID.defibrillator);
        expect(json.label).to.equal(EPC.defibrillator);
        expect(json.policy.tainted).to.deep.equal([ID.cnChip, ID.capacitor, ID.cellA]);
      });
    });

    describe("when a parameter is bad", function () {
      it("refuses an EPC with surrounding whitespace", async function () {
        await setUp();
        await expectRefused(
          TRACE,
          { epc: ` ${EPC.defibrillator}` },
          `epc: " ${EPC.defibrillator}" has surrounding whitespace; ${EPC_EXPECTED}`,
        );
      });

      it("refuses an EPC URI that names no item", async function () {
        await setUp();
        await expectRefused(
          TRACE,
          { epc: "urn:epc:id:sgtin:bad" },
          `epc: "urn:epc:id:sgtin:bad" names no item: it has no GS1 Digital Link form; ${EPC_EXPECTED}`,
        );
      });

      it("refuses a Digital Link with a wrong check digit, naming the parameter", async function () {
        await setUp();
        await expectRefused(
          TRACE,
          { epc: "https://id.gs1.org/01/04012345111119/21/1001" },
          'epc: the GTIN (01) 04012345111119 in "https://id.gs1.org/01/04012345111119/21/1001" has a wrong check ' +
            "digit; expected check digit 8 (04012345111118)",
        );
      });

      it("refuses something that is not an EPC URI", async function () {
        await setUp();
        await expectRefused(
          TRACE,
          { epc: "defibrillator-9001" },
          `epc: "defibrillator-9001" is not an EPC URI; ${EPC_EXPECTED}`,
        );
      });

      it("refuses an item that is not in the records", async function () {
        await setUp();
        const epc = "urn:epc:id:sgtin:0614141.112345.9999";
        await expectRefused(
          TRACE,
          { epc },
          `epc: "${epc}" (item ${itemIdOf(epc)}) is not in the provenance records of network hardhat; ` +
            "expected the EPC URI of a commissioned item",
        );
      });

      it("refuses a policy file that does not exist", async function () {
        await setUp();
        const path = join(POLICY_DIR, "absent.json");
        await expectRefused(
          TRACE,
          { epc: EPC.defibrillator, policy: path },
          `--policy: "${path}" does not exist; expected a JSON origin-policy file`,
        );
      });

      it("refuses a policy with a bad field, naming it", async function () {
        await setUp();
        const path = join(POLICY_DIR, "untrusted-code.json");
        await expectRefused(
          TRACE,
          { epc: EPC.defibrillator, policy: path },
          `--policy ${path}: trustedJurisdictions[2]: "XX" is not an assigned ISO 3166-1 code; ` +
            'expected an ISO 3166-1 alpha-2 country code like "US"',
        );
      });
    });

    describe("when the deployment record lacks the provenance registry", function () {
      it("names the missing field", async function () {
        await setUp(false);
        await expectRefused(
          TRACE,
          { epc: EPC.defibrillator },
          `${join(dir, "hardhat.json")}: contracts.ProvenanceRegistry: is missing; expected the contract's address`,
        );
      });
    });

    describe("when there is no deployment record", function () {
      it("says so in one line", async function () {
        await setUp();
        rmSync(join(dir, "hardhat.json"));
        await expectRefused(
          TRACE,
          { epc: EPC.defibrillator },
          `${join(dir, "hardhat.json")}: there is no deployment record for network "hardhat"; ` +
            "expected the file written by `npm run deploy` on that network",
        );
      });
    });
  });

  describe("provenance recall", function () {
    describe("when given a component", function () {
      it("prints everything built from it and who holds it now", async function () {
        await setUp();
        await hre.run(RECALL, { epc: EPC.krChip, json: false });
        expect(err).to.deep.equal([]);
        const lines = out.join("\n").split("\n");
        expect(lines[0]).to.equal(`Recall of ${EPC.krChip} (${shortId(ID.krChip)}): 3 affected items, 1 holders`);
        expect(lines.slice(-2)[0]).to.equal("Holders:");
        expect(lines.at(-1)).to.match(new RegExp(`^  0x[0-9a-fA-F]{40} \\(US, Customer, LEI HOSPITAL-US0+\\): `));
      });

      it("prints JSON with --json", async function () {
        await setUp();
        await hre.run(RECALL, { epc: EPC.cellA, json: true });
        const json = JSON.parse(out[0]) as { source: string; affected: { id: string; container?: string }[] };
        expect(json.source).to.equal(ID.cellA);
        expect(json.affected.map((entry) => [entry.id, entry.container ?? null])).to.deep.equal([
          [ID.cellA, ID.defibrillator],
          [ID.pack, ID.defibrillator],
          [ID.defibrillator, null],
        ]);
      });
    });

    describe("when the EPC is bad", function () {
      it("refuses it in one line", async function () {
        await setUp();
        await expectRefused(RECALL, { epc: "" }, `epc: "" is not an EPC URI; ${EPC_EXPECTED}`);
      });
    });
  });
});
