import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { recordOf, writeDeployment } from "../../src/sdk/deployments";
import { travelRuleHash } from "../../src/sdk/ivms101";
import { useTaskHarness } from "../fixtures/taskHarness";
import { usd } from "../fixtures/core.fixture";
import { settlementFixture } from "../fixtures/settlement.fixture";

const IVMS_FILE = join(__dirname, "..", "fixtures", "ivms101", "legal-person.json");
const UETR = "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5";

/**
 * The settlement system recorded in a temp deployments dir: banks 0..3 (signers 8..11) have 500,000 in their
 * settlement accounts, banks 4..7 (signers 12..15) only 500.
 */
async function deployedFixture() {
  const fixture = await settlementFixture();
  for (const bank of fixture.banks.slice(0, 4)) await fixture.engine.connect(bank).deposit(usd(500_000));
  for (const bank of fixture.banks.slice(4, 8)) await fixture.engine.connect(bank).deposit(usd(500));
  const block = await ethers.provider.getBlockNumber();
  return { ...fixture, record: await recordOf(fixture, "hardhat", 31337, block) };
}

describe("settlement tasks", function () {
  const harness = useTaskHarness("t12-deployments-");
  let dir: string;
  let out: string[];
  let err: string[];

  beforeEach(function () {
    ({ dir, out, err } = harness);
  });

  async function setUp() {
    const fixture = await loadFixture(deployedFixture);
    writeDeployment(fixture.record, dir);
    return fixture;
  }

  /** Runs `pay` with bad parameters: exactly `message` on stderr, exit code 1, and no transaction from bank 0. */
  async function expectRefused(args: Record<string, string>, message: string): Promise<void> {
    const { banks } = await setUp();
    const nonce = await ethers.provider.getTransactionCount(banks[0].address);
    const block = await ethers.provider.getBlockNumber();
    await hre.run("pay", { from: banks[0].address, to: banks[1].address, amount: "100", purpose: "SUPP", ...args });
    expect(err).to.deep.equal([message]);
    expect(out).to.deep.equal([]);
    expect(process.exitCode).to.equal(1);
    expect(await ethers.provider.getTransactionCount(banks[0].address)).to.equal(nonce);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  }

  describe("pay", function () {
    describe("when the debtor has the funds", function () {
      it("settles gross and says so in one line", async function () {
        const { banks, engine } = await setUp();
        await hre.run("pay", {
          from: "8",
          to: banks[1].address,
          amount: "250.5",
          purpose: "SUPP",
          uetr: UETR,
          e2e: "INV-2026-0001",
        });
        expect(err).to.deep.equal([]);
        expect(out).to.have.length(1);
        expect(out[0]).to.match(
          new RegExp(
            `^settled 250\\.5 DUSD SUPP from ${banks[0].address} to ${banks[1].address}: ` +
              `uetr ${UETR}, end-to-end id INV-2026-0001, tx 0x[0-9a-f]{64}$`,
          ),
        );
        expect(process.exitCode).to.equal(undefined);
        expect((await engine.account(banks[1].address)).balance).to.equal(usd(500_250.5));
      });

      it("takes the travel-rule hash from --ivms at or above the threshold", async function () {
        const { banks, engine } = await setUp();
        const payload: unknown = JSON.parse((await import("node:fs")).readFileSync(IVMS_FILE, "utf8"));
        const settled = engine.filters.PaymentSettled();
        await hre.run("pay", {
          from: banks[0].address,
          to: banks[2].address,
          amount: "25000",
          purpose: "TRAD",
          ivms: IVMS_FILE,
        });
        expect(err).to.deep.equal([]);
        const [event] = await engine.queryFilter(settled, -1);
        expect(event.args.travelRuleHash).to.equal(travelRuleHash(payload));
        expect(event.args.amount).to.equal(usd(25_000));
      });
    });

    describe("when the debtor lacks the funds", function () {
      it("queues the payment", async function () {
        const { banks, engine } = await setUp();
        await hre.run("pay", {
          from: banks[4].address,
          to: banks[5].address,
          amount: "900",
          purpose: "SUPP",
          priority: "high",
        });
        expect(err).to.deep.equal([]);
        expect(out[0]).to.match(/^queued 900 DUSD SUPP from .* at sequence 1: uetr [0-9a-f-]{36}, end-to-end id/);
        expect(await engine.queueLength()).to.equal(1n);
      });
    });

    describe("when a parameter is bad", function () {
      it("refuses an amount with too many decimals", async function () {
        await expectRefused(
          { amount: "12.3456789" },
          '--amount: "12.3456789" has more than 6 decimals; expected a dollar amount like "1250.75"',
        );
      });

      it("refuses a negative amount", async function () {
        await expectRefused({ amount: "-5" }, '--amount: "-5" is negative; expected a dollar amount like "1250.75"');
      });

      it("refuses a lower-case purpose code", async function () {
        await expectRefused(
          { purpose: "supp" },
          '--purpose: "supp" is not four upper-case letters; ' +
            'expected an ISO 20022 purpose code of four upper-case letters like "SUPP"',
        );
      });

      it("refuses a UETR that is not UUID v4", async function () {
        await expectRefused(
          { uetr: "6f1c2d3e-4b5a-1c6d-8e7f-8091a2b3c4d5" },
          '--uetr: "6f1c2d3e-4b5a-1c6d-8e7f-8091a2b3c4d5" is UUID version 1, not 4; ' +
            'expected a UUID v4 UETR like "eb6305c9-1f7f-49de-aed0-16487c27b42d"',
        );
      });

      it("refuses an end-to-end id of 36 characters", async function () {
        const e2e = "E".repeat(36);
        await expectRefused(
          { e2e },
          `--e2e: "${e2e}" is 36 characters, over 35; ` +
            "expected 1 to 35 printable ASCII characters without leading or trailing spaces",
        );
      });

      it("refuses an unknown priority", async function () {
        await expectRefused(
          { priority: "asap" },
          '--priority: "asap" is not a priority; expected "urgent", "high", "normal" or 0..2',
        );
      });

      it("refuses a signer index the network does not have", async function () {
        await expectRefused(
          { from: "64" },
          '--from: "64" is not a signer index of network hardhat; ' +
            "expected an address of one of its 64 accounts or an index 0..63",
        );
      });

      it("refuses a creditor address with a bad checksum", async function () {
        const { banks } = await setUp();
        const bad = banks[1].address.replace(/[a-f]/, (c) => c.toUpperCase());
        await expectRefused(
          { to: bad },
          `--to: "${bad}" has a wrong EIP-55 checksum; ` +
            'expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"',
        );
      });

      it("refuses paying oneself", async function () {
        const { banks } = await setUp();
        await expectRefused({ to: banks[0].address }, "--to: is the paying account itself; expected another account");
      });

      it("refuses a payment at the threshold without --ivms", async function () {
        await expectRefused(
          { amount: "1000" },
          "--ivms: is missing for a payment of 1000 dollars, at or above the travel-rule threshold of 1000 dollars; " +
            "expected an IVMS101 payload (or the travelRuleHash of one)",
        );
      });

      it("refuses a missing --ivms file", async function () {
        await expectRefused(
          { amount: "5000", ivms: "no-such-file.json" },
          '--ivms: "no-such-file.json" does not exist; expected a JSON file holding an IVMS101 payload',
        );
      });

      it("refuses an --ivms file whose payload is not IVMS101, naming the JSON path", async function () {
        const file = join(dir, "bad-ivms.json");
        const empty = { originator: { originatorPersons: [], accountNumber: ["1"] } };
        writeFileSync(
          file,
          JSON.stringify({ ...empty, beneficiary: { beneficiaryPersons: [], accountNumber: ["2"] } }),
        );
        await expectRefused(
          { amount: "5000", ivms: file },
          `--ivms ${file}: $.originator.originatorPersons: is empty; expected an array of at least 1`,
        );
      });

      it("refuses a UETR already used", async function () {
        const { banks } = await setUp();
        await hre.run("pay", { from: "8", to: banks[1].address, amount: "1", purpose: "SUPP", uetr: UETR });
        out.length = 0;
        const nonce = await ethers.provider.getTransactionCount(banks[0].address);
        await hre.run("pay", { from: "8", to: banks[1].address, amount: "1", purpose: "SUPP", uetr: UETR });
        expect(err).to.deep.equal([
          `--uetr: "${UETR}" was already submitted (settled); expected a UETR not used before`,
        ]);
        expect(await ethers.provider.getTransactionCount(banks[0].address)).to.equal(nonce);
      });

      it("refuses to run without a deployment record for the network", async function () {
        const { banks } = await setUp();
        rmSync(join(dir, "hardhat.json"));
        const nonce = await ethers.provider.getTransactionCount(banks[0].address);
        await hre.run("pay", { from: "8", to: "9", amount: "1", purpose: "SUPP" });
        expect(err).to.deep.equal([
          `${join(dir, "hardhat.json")}: there is no deployment record for network "hardhat"; ` +
            "expected the file written by `npm run deploy` on that network",
        ]);
        expect(process.exitCode).to.equal(1);
        expect(await ethers.provider.getTransactionCount(banks[0].address)).to.equal(nonce);
      });

      it("refuses a deployment record with a bad address", async function () {
        const { banks, record } = await setUp();
        const file = join(dir, "hardhat.json");
        writeFileSync(
          file,
          JSON.stringify({ ...record, contracts: { ...record.contracts, SettlementEngine: "0x12" } }),
        );
        const nonce = await ethers.provider.getTransactionCount(banks[0].address);
        await hre.run("pay", { from: "8", to: "9", amount: "1", purpose: "SUPP" });
        expect(err).to.deep.equal([
          `${file}: contracts.SettlementEngine: "0x12" is not 0x followed by 40 hex digits; ` +
            'expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"',
        ]);
        expect(await ethers.provider.getTransactionCount(banks[0].address)).to.equal(nonce);
      });
    });
  });

  describe("queue list", function () {
    it("says when the queue is empty", async function () {
      await setUp();
      await hre.run({ scope: "queue", task: "list" }, {});
      expect(out).to.deep.equal(["the queue is empty"]);
    });

    it("lists queued payments in settlement order, urgent first", async function () {
      const { banks } = await setUp();
      await hre.run("pay", { from: "12", to: "13", amount: "600", purpose: "SUPP" });
      await hre.run("pay", { from: "13", to: "14", amount: "700", purpose: "TRAD", priority: "urgent" });
      out.length = 0;
      await hre.run({ scope: "queue", task: "list" }, {});
      expect(out).to.have.length(3);
      expect(out[0]).to.equal("2 queued payments, in settlement order:");
      expect(out[1]).to.match(
        new RegExp(
          `^#0 [0-9a-f-]{36} urgent 700 DUSD TRAD ${banks[5].address} -> ${banks[6].address} \\(sequence 2\\)$`,
        ),
      );
      expect(out[2]).to.match(/^#1 [0-9a-f-]{36} normal 600 DUSD SUPP .* \(sequence 1\)$/);
    });
  });

  describe("queue net", function () {
    it("resolves a gridlock that gross settlement cannot", async function () {
      const { banks, engine, operator } = await setUp();
      // Each of banks 4..6 holds 500 and owes the next more than that: nothing settles gross.
      await hre.run("pay", { from: "12", to: "13", amount: "900", purpose: "SUPP" });
      const big = { purpose: "TRAD", ivms: IVMS_FILE };
      await hre.run("pay", { from: "12", to: "13", amount: "50000", ...big });
      await hre.run("pay", { from: "13", to: "14", amount: "51000", ...big });
      await hre.run("pay", { from: "14", to: "12", amount: "51500", ...big });
      expect(out.every((line) => line.startsWith("queued"))).to.equal(true);
      out.length = 0;
      await hre.run({ scope: "queue", task: "net" }, { from: operator.address, max: "10" });
      expect(err).to.deep.equal([]);
      expect(out[0]).to.match(
        /^cycle 1: settled 4 of 4 queued payments, gross 153400 DUSD with net liquidity 600 \(liquidity saved 99\.6%\), 0 still queued; tx 0x[0-9a-f]{64}$/,
      );
      expect(out.slice(1)).to.have.members([
        `  ${banks[4].address} +600`,
        `  ${banks[5].address} -100`,
        `  ${banks[6].address} -500`,
      ]);
      expect(await engine.queueLength()).to.equal(0n);
    });

    it("refuses --max 0 without a transaction", async function () {
      const { operator } = await setUp();
      const nonce = await ethers.provider.getTransactionCount(operator.address);
      await hre.run({ scope: "queue", task: "net" }, { from: operator.address, max: "0" });
      expect(err).to.deep.equal(['--max: "0" is out of range; expected a whole number from 1 to 400']);
      expect(process.exitCode).to.equal(1);
      expect(await ethers.provider.getTransactionCount(operator.address)).to.equal(nonce);
    });

    it("refuses an account that may not run a cycle", async function () {
      const { outsider } = await setUp();
      await hre.run({ scope: "queue", task: "net" }, { from: outsider.address });
      expect(err).to.deep.equal([
        `--from: ${outsider.address} is neither an operator nor the holder of a settlement account; ` +
          "expected an operator or a bank with an open settlement account",
      ]);
    });
  });
});
