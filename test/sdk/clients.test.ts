import { readFileSync } from "node:fs";
import { join } from "node:path";

import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";

import { BankClient } from "../../src/sdk/clients/BankClient";
import { ComplianceClient } from "../../src/sdk/clients/ComplianceClient";
import { HolderClient } from "../../src/sdk/clients/HolderClient";
import { IssuerClient } from "../../src/sdk/clients/IssuerClient";
import { RegulatorClient } from "../../src/sdk/clients/RegulatorClient";
import { SettlementClient } from "../../src/sdk/clients/SettlementClient";
import { FOUNDING_JURISDICTIONS } from "../../src/sdk/constants";
import { packEndToEndId } from "../../src/sdk/endToEndId";
import { InputError } from "../../src/sdk/errors";
import { travelRuleHash } from "../../src/sdk/ivms101";
import { simulatedLei } from "../../src/simulation/cast";
import { coreFixture, usd } from "../fixtures/core.fixture";
import { consortiumFixture } from "../fixtures/registry.fixture";
import { settlementFixture } from "../fixtures/settlement.fixture";

const DOLLARS = 'expected a dollar amount like "1250.75"';
const ADDRESS = 'expected a 0x-prefixed 20-byte hex address like "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"';
const LEI = simulatedLei("CLIENTTEST");
const REPORT = ethers.id("reserve-report-2026-12");
const ORDER = ethers.id("court-order-17");
const UETR = "0b6c9c36-3c5a-4f1e-9d2b-6a7e8f9a0b1c";
const IVMS101: unknown = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "ivms101", "legal-person.json"), "utf8"),
);

/** `action` must throw an InputError with exactly `message`, and `sender` must have sent nothing. */
async function expectRefused(action: () => Promise<unknown>, message: string, sender: string): Promise<void> {
  const nonce = await ethers.provider.getTransactionCount(sender);
  const block = await ethers.provider.getBlockNumber();
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, "an InputError was thrown").to.be.instanceOf(InputError);
  expect((caught as InputError).message).to.equal(message);
  expect(await ethers.provider.getTransactionCount(sender), "nonce").to.equal(nonce);
  expect(await ethers.provider.getBlockNumber(), "block").to.equal(block);
}

describe("SDK clients", function () {
  describe("IssuerClient", function () {
    describe(".attestReserves()", function () {
      it("records the reserves and reads them back", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        const issuer = new IssuerClient(dollar, attestor);
        const result = await issuer.attestReserves("12000000.5", REPORT);
        expect(result).to.deep.include({ amount: usd("12000000.5"), reportHash: REPORT, attestor: attestor.address });
        expect(await issuer.reserves()).to.deep.equal({
          amount: usd("12000000.5"),
          asOf: result.asOf,
          attestor: attestor.address,
          reportHash: REPORT,
        });
      });

      it("refuses a bad amount, a zero report hash and a future as-of time", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        const issuer = new IssuerClient(dollar, attestor);
        await expectRefused(
          () => issuer.attestReserves("1,000", REPORT),
          `amount: "1,000" is not a decimal number; ${DOLLARS}`,
          attestor.address,
        );
        await expectRefused(
          () => issuer.attestReserves("1000", ethers.ZeroHash),
          "reportHash: is zero; expected the sha-256 or keccak-256 of the report",
          attestor.address,
        );
        const future = (await time.latest()) + 3600;
        await expectRefused(
          () => issuer.attestReserves("1000", REPORT, future),
          `asOf: number ${future} is after the chain's time ${future - 3600}; expected a time not in the future`,
          attestor.address,
        );
      });
    });

    describe(".mint() and .burn()", function () {
      it("mints to a participant and burns from the issuer, tracking what is outstanding", async function () {
        const { dollar, usRegulator, alice } = await loadFixture(coreFixture);
        const issuer = new IssuerClient(dollar, usRegulator);
        const before = await issuer.outstanding();
        const minted = await issuer.mint(alice.address, "250.25");
        expect(minted).to.deep.include({ issuer: usRegulator.address, to: alice.address, amount: usd("250.25") });
        await issuer.mint(usRegulator.address, "100");
        expect((await issuer.burn("40")).amount).to.equal(usd(40));
        expect(await issuer.outstanding(usRegulator.address)).to.equal(before + usd("310.25"));
        expect(await dollar.balanceOf(alice.address)).to.equal(usd("250.25"));
      });

      it("refuses a bad recipient and a zero amount", async function () {
        const { dollar, usRegulator } = await loadFixture(coreFixture);
        const issuer = new IssuerClient(dollar, usRegulator);
        await expectRefused(
          () => issuer.mint("0x123", "10"),
          `to: "0x123" is not 0x followed by 40 hex digits; ${ADDRESS}`,
          usRegulator.address,
        );
        await expectRefused(() => issuer.burn("0"), `amount: "0" is zero; ${DOLLARS}`, usRegulator.address);
      });
    });
  });

  describe("ComplianceClient", function () {
    it("freezes, seizes to custody under a legal order, unfreezes, pauses and unpauses", async function () {
      const { dollar, freezer, seizer, pauser, bankA, custody } = await loadFixture(coreFixture);
      const frozen = await new ComplianceClient(dollar, freezer).freeze(bankA.address);
      expect(frozen).to.deep.include({ account: bankA.address, by: freezer.address });
      const seized = await new ComplianceClient(dollar, seizer).seize(bankA.address, custody.address, "1000", ORDER);
      expect(seized).to.deep.include({ custody: custody.address, amount: usd(1000), legalOrderHash: ORDER });
      expect(await dollar.balanceOf(custody.address)).to.equal(usd(1000));
      await new ComplianceClient(dollar, freezer).unfreeze(bankA.address);
      expect(await dollar.isFrozen(bankA.address)).to.be.false;
      const compliance = new ComplianceClient(dollar, pauser);
      expect((await compliance.pause()).by).to.equal(pauser.address);
      expect(await dollar.paused()).to.be.true;
      await compliance.unpause();
      expect(await dollar.paused()).to.be.false;
    });

    it("refuses a seizure to the seized account, without a legal order, or of a bad amount", async function () {
      const { dollar, seizer, bankA, custody } = await loadFixture(coreFixture);
      const compliance = new ComplianceClient(dollar, seizer);
      await expectRefused(
        () => compliance.seize(bankA.address, bankA.address, "1", ORDER),
        "custody: is the seized account itself; expected another account",
        seizer.address,
      );
      await expectRefused(
        () => compliance.seize(bankA.address, custody.address, "1", ethers.ZeroHash),
        "legalOrderHash: is zero; expected the hash of the legal order",
        seizer.address,
      );
      await expectRefused(
        () => compliance.seize(bankA.address, custody.address, "1.0000001", ORDER),
        `amount: "1.0000001" has more than 6 decimals; ${DOLLARS}`,
        seizer.address,
      );
      await expectRefused(() => compliance.freeze(""), `account: is empty; ${ADDRESS}`, seizer.address);
    });
  });

  describe("HolderClient", function () {
    it("transfers, approves and reads balances", async function () {
      const { dollar, bankA, alice } = await loadFixture(coreFixture);
      const holder = new HolderClient(dollar, bankA);
      const moved = await holder.transfer(alice.address, "99.99");
      expect(moved).to.deep.include({ from: bankA.address, to: alice.address, amount: usd("99.99") });
      expect(await holder.balance(alice.address)).to.equal(usd("99.99"));
      expect(await holder.balance()).to.equal(usd(1_000_000) - usd("99.99"));
      expect((await holder.approve(alice.address, "0")).amount).to.equal(0n);
      expect((await holder.approve(alice.address, "5")).amount).to.equal(usd(5));
      expect(await dollar.allowance(bankA.address, alice.address)).to.equal(usd(5));
    });

    it("refuses exponent amounts and lower-case-mixed addresses with a bad checksum", async function () {
      const { dollar, bankA, alice } = await loadFixture(coreFixture);
      const holder = new HolderClient(dollar, bankA);
      await expectRefused(
        () => holder.transfer(alice.address, "1e3"),
        `amount: "1e3" uses exponent notation; ${DOLLARS}`,
        bankA.address,
      );
      const bad = alice.address.replace(/[a-f]/, (c) => c.toUpperCase());
      await expectRefused(
        () => holder.approve(bad, "1"),
        `spender: "${bad}" has a wrong EIP-55 checksum; ${ADDRESS}`,
        bankA.address,
      );
    });
  });

  describe("RegulatorClient", function () {
    it("licenses a bank and takes it through suspension, reinstatement, KYC renewal and revocation", async function () {
      const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
      const regulator = new RegulatorClient(registry, usRegulator);
      const chainTimeAtCheck = await time.latest();
      const onboarded = await regulator.onboardBank(outsider.address, LEI);
      expect(onboarded).to.deep.include({
        account: outsider.address,
        kind: "CommercialBank",
        jurisdiction: "US",
        sponsor: usRegulator.address,
        lei: LEI,
      });
      // A year after the chain's time when the client checked its inputs (the latest block before onboarding).
      expect(onboarded.kycExpiry).to.equal(BigInt(chainTimeAtCheck) + 365n * 24n * 3600n);
      expect(await regulator.suspend(outsider.address)).to.deep.include({ previous: "Active", current: "Suspended" });
      expect(await regulator.reinstate(outsider.address)).to.deep.include({ current: "Active" });
      const expiry = (await time.latest()) + 1000;
      expect((await regulator.renewKyc(outsider.address, expiry)).newExpiry).to.equal(BigInt(expiry));
      expect(await regulator.revoke(outsider.address)).to.deep.include({ previous: "Active", current: "Revoked" });
    });

    it("moves a customer to another sponsoring bank", async function () {
      const { registry, usRegulator, alice, bankA, bankC } = await loadFixture(coreFixture);
      const change = await new RegulatorClient(registry, usRegulator).reassignSponsor(alice.address, bankC.address);
      expect(change).to.deep.include({ previousSponsor: bankA.address, newSponsor: bankC.address });
    });

    it("proposes a jurisdiction and admits it once a majority voted yes", async function () {
      const { registry, voters, brRegulator } = await loadFixture(consortiumFixture);
      const proposal = await new RegulatorClient(registry, voters[0]).proposeJurisdiction(
        "BR",
        brRegulator.address,
        LEI,
      );
      expect(proposal).to.deep.include({ jurisdiction: "BR", regulator: brRegulator.address, electorate: 12 });
      const outcomes: string[] = [];
      for (const voter of voters.slice(0, 7)) {
        outcomes.push((await new RegulatorClient(registry, voter).vote(proposal.proposalId, true)).outcome);
      }
      expect(outcomes).to.deep.equal(["open", "open", "open", "open", "open", "open", "admitted"]);
      expect(await registry.isAdmitted(ethers.hexlify(ethers.toUtf8Bytes("BR")))).to.be.true;
    });

    it("refuses bad LEIs, past KYC expiries, admitted or unassigned codes and bad proposal ids", async function () {
      const { registry, usRegulator, outsider, bankC } = await loadFixture(coreFixture);
      const regulator = new RegulatorClient(registry, usRegulator);
      const from = usRegulator.address;
      await expectRefused(
        () => regulator.onboardBank(outsider.address, "5493001KJTIIGC8Y1R13"),
        'lei: "5493001KJTIIGC8Y1R13" fails the ISO 7064 MOD 97-10 check; ' +
          'expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"',
        from,
      );
      const now = await time.latest();
      await expectRefused(
        () => regulator.renewKyc(bankC.address, now),
        `kycExpiry: number ${now} is not after the chain's time ${now}; expected a time in the future`,
        from,
      );
      await expectRefused(
        () => regulator.proposeJurisdiction("US", outsider.address, LEI),
        'code: "US" is already admitted; expected a jurisdiction not yet admitted',
        from,
      );
      await expectRefused(
        () => regulator.proposeJurisdiction("XX", outsider.address, LEI),
        'code: "XX" is not an assigned ISO 3166-1 code; expected an ISO 3166-1 alpha-2 country code like "US"',
        from,
      );
      await expectRefused(
        () => regulator.vote("0", true),
        'proposalId: "0" is out of range; expected a whole number from 1 to ' + ((1n << 256n) - 1n).toString(),
        from,
      );
      await expectRefused(
        () => regulator.suspend("nobody"),
        `account: "nobody" is not 0x followed by 40 hex digits; ${ADDRESS}`,
        from,
      );
    });
  });

  describe("BankClient", function () {
    it("onboards a customer, a supplier, and a batch in one transaction", async function () {
      const { registry, bankA, outsider, carol } = await loadFixture(coreFixture);
      const [, , , , , , , , , , , , , , , , , , extraA, extraB, extraC] = await ethers.getSigners();
      const bank = new BankClient(registry, bankA);
      expect(await bank.onboardCustomer(outsider.address, "GB", LEI)).to.deep.include({
        kind: "Customer",
        jurisdiction: "GB",
        sponsor: bankA.address,
      });
      expect((await bank.onboardSupplier(extraA.address, "DE", LEI, "2099-01-01T00:00:00Z")).kycExpiry).to.equal(
        4070908800n,
      );
      const batch = await bank.onboardMany([
        { account: extraB.address, kind: "customer", jurisdiction: "JP", lei: LEI },
        { account: extraC.address, kind: "supplier", jurisdiction: "IL", lei: LEI },
      ]);
      expect(batch.participants.map((p) => [p.account, p.kind, p.jurisdiction])).to.deep.equal([
        [extraB.address, "Customer", "JP"],
        [extraC.address, "Supplier", "IL"],
      ]);
      expect((await registry.participant(carol.address)).sponsor).to.equal(bankA.address);
    });

    it("refuses jurisdictions not admitted, repeated accounts, bad kinds and empty batches", async function () {
      const { registry, bankA, outsider } = await loadFixture(coreFixture);
      const bank = new BankClient(registry, bankA);
      await expectRefused(
        () => bank.onboardCustomer(outsider.address, "BR", LEI),
        `jurisdiction: "BR" is not an admitted jurisdiction; expected one of ${FOUNDING_JURISDICTIONS.join(", ")}`,
        bankA.address,
      );
      const row = { account: outsider.address, kind: "customer" as const, jurisdiction: "US", lei: LEI };
      await expectRefused(
        () => bank.onboardMany([row, row]),
        "rows[1].account: repeats rows[0].account; expected each account once",
        bankA.address,
      );
      await expectRefused(
        () => bank.onboardMany([{ ...row, kind: "bank" as unknown as "customer" }]),
        'rows[0].kind: "bank" is not a kind; expected "customer" or "supplier"',
        bankA.address,
      );
      await expectRefused(
        () => bank.onboardMany([{ ...row, lei: "ABC" }]),
        'rows[0].lei: "ABC" is 3 characters, not 20; expected a 20-character ISO 17442 LEI like "5493001KJTIIGC8Y1R12"',
        bankA.address,
      );
      await expectRefused(
        () => bank.onboardMany([]),
        "rows: is empty; expected at least one participant",
        bankA.address,
      );
    });

    it("refuses a row with a field it does not know, such as a misspelt kycExpiry", async function () {
      const { registry, bankA, outsider } = await loadFixture(coreFixture);
      const bank = new BankClient(registry, bankA);
      const row = { account: outsider.address, kind: "customer" as const, jurisdiction: "US", lei: LEI };
      await expectRefused(
        () => bank.onboardMany([{ ...row, kycExpires: "2099-01-01T00:00:00Z" } as typeof row]),
        "rows[0].kycExpires: is not a field of a participant; expected only account, kind, jurisdiction, lei, " +
          "kycExpiry",
        bankA.address,
      );
    });
  });

  describe("SettlementClient", function () {
    async function fundedFixture() {
      const fixture = await settlementFixture();
      const [rich, other, poor] = fixture.banks;
      await new SettlementClient(fixture.engine, fixture.dollar, rich).deposit("500000");
      await new SettlementClient(fixture.engine, fixture.dollar, other).deposit("500000");
      await new SettlementClient(fixture.engine, fixture.dollar, poor).deposit("100");
      return { ...fixture, rich, other, poor };
    }

    describe(".deposit(), .withdraw() and .account()", function () {
      it("approves when needed, deposits, withdraws and reads the account", async function () {
        const { engine, dollar, banks } = await loadFixture(fundedFixture);
        const bank = banks[5];
        await dollar.connect(bank).approve(await engine.getAddress(), 0);
        const client = new SettlementClient(engine, dollar, bank);
        expect(await client.deposit("1500.5")).to.deep.include({ amount: usd("1500.5"), balance: usd("1500.5") });
        expect((await client.withdraw("500")).balance).to.equal(usd("1000.5"));
        expect(await client.account()).to.deep.equal({
          open: true,
          balance: usd("1000.5"),
          openingBalance: 0n,
          netDebitCap: 0n,
          capped: false,
          restriction: "None",
        });
      });

      it("refuses to deposit more than the DUSD balance or withdraw more than the settlement balance", async function () {
        const { engine, dollar, poor } = await loadFixture(fundedFixture);
        const client = new SettlementClient(engine, dollar, poor);
        await expectRefused(
          () => client.deposit("2000000"),
          'amount: "2000000" is above the DUSD balance of 999900; expected at most the DUSD balance',
          poor.address,
        );
        await expectRefused(
          () => client.withdraw("100.01"),
          'amount: "100.01" is above the settlement balance of 100; expected at most the settlement balance',
          poor.address,
        );
      });
    });

    describe(".pay()", function () {
      it("settles gross with a fresh UETR and the default end-to-end id", async function () {
        const { engine, dollar, rich, other } = await loadFixture(fundedFixture);
        const result = await new SettlementClient(engine, dollar, rich).pay({
          creditor: other.address,
          amount: "999.99",
          purpose: "SUPP",
        });
        expect(result).to.deep.include({
          status: "settled",
          endToEndId: "NOTPROVIDED",
          amount: usd("999.99"),
          purpose: "SUPP",
          priority: "normal",
          travelRuleHash: ethers.ZeroHash,
        });
        expect(result.uetr).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const [event] = await engine.queryFilter(engine.filters.PaymentSettled(), -1);
        expect(event.args.endToEndId).to.equal(packEndToEndId("e2e", "NOTPROVIDED"));
        expect(event.args.uetr).to.equal(`0x${result.uetr.replaceAll("-", "")}`);
      });

      it("hashes the IVMS101 payload of a payment at or above the threshold", async function () {
        const { engine, dollar, rich, other } = await loadFixture(fundedFixture);
        const result = await new SettlementClient(engine, dollar, rich).pay({
          creditor: other.address,
          amount: "1000",
          purpose: "TRAD",
          uetr: UETR,
          endToEndId: "PO-4711/LINE 3",
          priority: "urgent",
          ivms101: IVMS101,
          businessRef: ORDER,
        });
        expect(result).to.deep.include({ uetr: UETR, endToEndId: "PO-4711/LINE 3", businessRef: ORDER });
        expect(result.travelRuleHash).to.equal(travelRuleHash(IVMS101));
        const [event] = await engine.queryFilter(engine.filters.PaymentSettled(), -1);
        expect(event.args.travelRuleHash).to.equal(travelRuleHash(IVMS101));
        expect(event.args.businessRef).to.equal(ORDER);
      });

      it("queues, lists, cancels, and nets what the queue holds", async function () {
        const { engine, dollar, rich, other, poor, operator } = await loadFixture(fundedFixture);
        const poorClient = new SettlementClient(engine, dollar, poor);
        const queued = await poorClient.pay({ creditor: rich.address, amount: "600", purpose: "SUPP", priority: 1 });
        expect(queued).to.deep.include({ status: "queued", sequence: 1n, priority: "high" });
        const second = await poorClient.pay({ creditor: other.address, amount: "700", purpose: "SUPP" });
        const queue = await poorClient.queue();
        expect(queue.map((p) => [p.position, p.uetr, p.amount, p.priority])).to.deep.equal([
          [0, queued.uetr, usd(600), "high"],
          [1, second.uetr, usd(700), "normal"],
        ]);
        expect(await poorClient.payment(second.uetr)).to.deep.include({ status: "queued", debtor: poor.address });
        expect(await poorClient.cancel(second.uetr)).to.deep.include({ uetr: second.uetr, amount: usd(700) });
        expect((await poorClient.payment(second.uetr)).status).to.equal("cancelled");
        // rich owes poor 550 back: the 600 settles against it, needing only 50 of poor's 100.
        await new SettlementClient(engine, dollar, rich).pay({
          creditor: poor.address,
          amount: "550",
          purpose: "SUPP",
        });
        const cycle = await new SettlementClient(engine, dollar, operator).runNettingCycle(10);
        expect(cycle).to.deep.include({ cycleId: 1n, settled: 1, considered: 1, grossValue: usd(600), stillQueued: 0 });
        expect(cycle.netLiquidity).to.equal(usd(600));
        expect(cycle.liquiditySaved).to.equal(0);
        expect(cycle.payments).to.deep.equal([
          { uetr: queued.uetr, debtor: poor.address, creditor: rich.address, amount: usd(600) },
        ]);
        expect((await poorClient.payment(queued.uetr)).status).to.equal("settled");
        expect(await poorClient.payment(UETR)).to.deep.equal({ uetr: UETR, status: "none" });
      });

      it("reads the queue as of one block, even when it changes while being read", async function () {
        const { engine, dollar, rich, other, poor } = await loadFixture(fundedFixture);
        const poorClient = new SettlementClient(engine, dollar, poor);
        const first = await poorClient.pay({ creditor: rich.address, amount: "600", purpose: "SUPP" });
        const second = await poorClient.pay({ creditor: other.address, amount: "700", purpose: "SUPP" });
        const pinned = await ethers.provider.getBlockNumber();
        const provider = ethers.provider as unknown as { call: (tx: { blockTag?: unknown }) => Promise<string> };
        const call = provider.call.bind(provider);
        const tags: unknown[] = [];
        provider.call = async (tx) => {
          tags.push(tx.blockTag);
          // The second payment is cancelled between the first read and the rest.
          if (tags.length === 2)
            await (await engine.connect(poor).cancel(`0x${second.uetr.replaceAll("-", "")}`)).wait();
          return call(tx);
        };
        let queue;
        try {
          queue = await poorClient.queue();
        } finally {
          provider.call = call;
        }
        expect(tags).to.deep.equal(Array<unknown>(tags.length).fill(pinned));
        expect(queue.map((p) => [p.position, p.uetr, p.amount])).to.deep.equal([
          [0, first.uetr, usd(600)],
          [1, second.uetr, usd(700)],
        ]);
      });

      it("refuses bad instructions before sending anything", async function () {
        const { engine, dollar, rich, other } = await loadFixture(fundedFixture);
        const client = new SettlementClient(engine, dollar, rich);
        const base = { creditor: other.address, amount: "10", purpose: "SUPP" };
        const from = rich.address;
        await expectRefused(
          () => client.pay({ ...base, amount: "1000" }),
          "ivms101: is missing for a payment of 1000 dollars, at or above the travel-rule threshold of 1000 dollars; " +
            "expected an IVMS101 payload (or the travelRuleHash of one)",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, ivms101: { originator: {} } }),
          "ivms101.beneficiary: undefined is not an object; expected an object with beneficiaryPersons, accountNumber",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, ivms101: IVMS101, travelRuleHash: REPORT }),
          `travelRuleHash: ${REPORT} is not the hash of ivms101 (${travelRuleHash(IVMS101)}); ` +
            "expected the hash of ivms101",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, e2e: "X" } as typeof base),
          "e2e: is not a field of a payment instruction; expected only creditor, amount, purpose, uetr, endToEndId, " +
            "priority, ivms101, travelRuleHash, businessRef",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, creditor: rich.address }),
          "creditor: is the paying account itself; expected another account",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, endToEndId: " padded" }),
          'endToEndId: " padded" starts or ends with a space; ' +
            "expected 1 to 35 printable ASCII characters without leading or trailing spaces",
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, priority: 3 }),
          'priority: number 3 is not 0, 1 or 2; expected "urgent", "high", "normal" or 0..2',
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, amount: "10.1234567" }),
          `amount: "10.1234567" has more than 6 decimals; ${DOLLARS}`,
          from,
        );
        await expectRefused(
          () => client.pay({ ...base, amount: "309485009821345068724.781056", travelRuleHash: REPORT }),
          'amount: "309485009821345068724.781056" is above the largest payment; ' +
            "expected at most 309485009821345068724.781055 dollars",
          from,
        );
        await client.pay({ ...base, uetr: UETR });
        await expectRefused(
          () => client.pay({ ...base, uetr: UETR.toUpperCase() }),
          `uetr: "${UETR}" was already submitted (settled); expected a UETR not used before`,
          from,
        );
      });
    });

    describe(".cancel() and .runNettingCycle()", function () {
      it("refuses unknown, settled and other banks' payments, and bad cycle sizes", async function () {
        const { engine, dollar, rich, other, poor } = await loadFixture(fundedFixture);
        const client = new SettlementClient(engine, dollar, rich);
        await expectRefused(
          () => client.cancel(UETR),
          `uetr: "${UETR}" is not a known payment; expected the UETR of a queued payment`,
          rich.address,
        );
        const settled = await client.pay({ creditor: other.address, amount: "1", purpose: "SUPP" });
        await expectRefused(
          () => client.cancel(settled.uetr),
          `uetr: "${settled.uetr}" is settled, not queued; expected a queued payment`,
          rich.address,
        );
        const queued = await new SettlementClient(engine, dollar, poor).pay({
          creditor: rich.address,
          amount: "500",
          purpose: "SUPP",
        });
        await expectRefused(
          () => client.cancel(queued.uetr),
          `uetr: "${queued.uetr}" is a payment of ${poor.address}, not of ${rich.address}; ` +
            "expected a payment of the signer",
          rich.address,
        );
        await expectRefused(
          () => client.runNettingCycle(401),
          "maxPayments: number 401 is out of range; expected a whole number from 1 to 400",
          rich.address,
        );
      });
    });
  });
});
