import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";

import { toBytes2 as b2 } from "../../src/sdk/deploy";
import {
  DEFAULT_VOTING_PERIOD,
  FOUNDING_JURISDICTIONS,
  ParticipantKind as Kind,
  ParticipantStatus as Status,
  Restriction,
} from "../../src/sdk/constants";
import { DigitalDollar__factory, ParticipantRegistry__factory } from "../../typechain-types";
import type { ParticipantRegistry } from "../../typechain-types";
import { coreFixture, lei, ONE_YEAR, usd } from "../fixtures/core.fixture";
import { consortiumFixture } from "../fixtures/registry.fixture";
import { CUSTOMER_FUNDS, fundedFixture } from "../fixtures/token.fixture";

const NO_EXPIRY = 2n ** 40n - 1n;
const ProposalState = { None: 0, Open: 1, Admitted: 2, Rejected: 3 } as const;
/** The digital dollar's mirrored flags (PackedAccountLib). */
const REGISTERED = 1n;
const ACTIVE = 2n;

/** The names of the registry events a transaction emitted, in log order. */
async function registryEventNames(registry: ParticipantRegistry, tx: ContractTransactionResponse) {
  const receipt = await tx.wait();
  const address = await registry.getAddress();
  return receipt!.logs.filter((log) => log.address === address).map((log) => registry.interface.parseLog(log)!.name);
}

/** A fresh Brazil proposal by the US regulator, and the votes that follow it. */
async function proposalFixture() {
  const c = await consortiumFixture();
  await c.registry.connect(c.usRegulator).proposeJurisdiction(b2("BR"), c.brRegulator.address, lei("REG-BR"));
  const expiresAt = (await c.registry.proposal(1)).expiresAt;
  return { ...c, proposalId: 1n, expiresAt };
}

describe("ParticipantRegistry", function () {
  describe("constructor", function () {
    it("admits the founders in order, with no regulator yet", async function () {
      const { registry } = await loadFixture(coreFixture);
      expect(await registry.memberCount()).to.equal(12n);
      expect(await registry.members()).to.deep.equal(FOUNDING_JURISDICTIONS.map(b2));
      const us = await registry.jurisdiction(b2("US"));
      expect(us.memberSince).to.equal(1n);
      expect((await registry.jurisdiction(b2("IL"))).memberSince).to.equal(12n);
      expect(await registry.isAdmitted(b2("IL"))).to.be.true;
      expect(await registry.isAdmitted(b2("BR"))).to.be.false;
      expect(await registry.votingPeriod()).to.equal(BigInt(DEFAULT_VOTING_PERIOD));
    });

    it("emits an admission for each founder and grants the admin both roles", async function () {
      const { admin } = await loadFixture(coreFixture);
      const registry = await new ParticipantRegistry__factory(admin).deploy(admin.address, [b2("US"), b2("GB")], 60);
      const tx = registry.deploymentTransaction()!;
      await expect(tx).to.emit(registry, "JurisdictionAdmitted").withArgs(b2("US"), ethers.ZeroAddress, 0n);
      await expect(tx).to.emit(registry, "JurisdictionAdmitted").withArgs(b2("GB"), ethers.ZeroAddress, 0n);
      await expect(tx).to.emit(registry, "VotingPeriodChanged").withArgs(0n, 60n);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.be.true;
      expect(await registry.hasRole(await registry.CONSORTIUM_ADMIN_ROLE(), admin.address)).to.be.true;
    });

    describe("when a founder code is not two upper-case letters", function () {
      for (const code of ["us", "U1", "@A", "A[", "\0\0"]) {
        it(`reverts for ${JSON.stringify(code)}`, async function () {
          const { admin } = await loadFixture(coreFixture);
          const factory = new ParticipantRegistry__factory(admin);
          await expect(factory.deploy(admin.address, [b2("US"), b2(code)], 60))
            .to.be.revertedWithCustomError(factory, "RegistryInvalidJurisdiction")
            .withArgs(b2(code));
        });
      }
    });

    describe("when a founder is listed twice", function () {
      it("reverts", async function () {
        const { admin } = await loadFixture(coreFixture);
        const factory = new ParticipantRegistry__factory(admin);
        await expect(factory.deploy(admin.address, [b2("US"), b2("GB"), b2("US")], 60))
          .to.be.revertedWithCustomError(factory, "RegistryJurisdictionAlreadyAdmitted")
          .withArgs(b2("US"));
      });
    });

    describe("when the admin is the zero address or the voting period zero", function () {
      it("reverts", async function () {
        const { admin } = await loadFixture(coreFixture);
        const factory = new ParticipantRegistry__factory(admin);
        await expect(factory.deploy(ethers.ZeroAddress, [b2("US")], 60)).to.be.revertedWithCustomError(
          factory,
          "RegistryZeroAddress",
        );
        await expect(factory.deploy(admin.address, [b2("US")], 0))
          .to.be.revertedWithCustomError(factory, "RegistryInvalidVotingPeriod")
          .withArgs(0n);
      });
    });
  });

  describe(".appointRegulator()", function () {
    it("registers the regulator as the jurisdiction's Active central bank", async function () {
      const { registry, dollar, admin, outsider } = await loadFixture(coreFixture);
      await expect(registry.appointRegulator(b2("FR"), outsider.address, lei("FR-BDF")))
        .to.emit(registry, "ParticipantOnboarded")
        .withArgs(outsider.address, Kind.CentralBank, b2("FR"), admin.address, lei("FR-BDF"), NO_EXPIRY)
        .and.to.emit(registry, "RegulatorAppointed")
        .withArgs(b2("FR"), outsider.address);
      const record = await registry.participant(outsider.address);
      expect(record.kind).to.equal(Kind.CentralBank);
      expect(record.status).to.equal(Status.Active);
      expect(record.jurisdiction).to.equal(b2("FR"));
      expect(record.kycExpiry).to.equal(NO_EXPIRY);
      expect((await registry.jurisdiction(b2("FR"))).regulator).to.equal(outsider.address);
      expect(await registry.jurisdictionOfRegulator(outsider.address)).to.equal(b2("FR"));
      const [flags, kycExpiry] = await dollar.complianceOf(outsider.address);
      expect(flags).to.equal(REGISTERED | ACTIVE);
      expect(kycExpiry).to.equal(NO_EXPIRY);
    });

    describe("when the jurisdiction is not admitted", function () {
      it("reverts", async function () {
        const { registry, outsider } = await loadFixture(coreFixture);
        await expect(registry.appointRegulator(b2("BR"), outsider.address, lei("BR-BCB")))
          .to.be.revertedWithCustomError(registry, "RegistryJurisdictionNotAdmitted")
          .withArgs(b2("BR"));
        await expect(registry.appointRegulator(b2("fr"), outsider.address, lei("BR-BCB")))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidJurisdiction")
          .withArgs(b2("fr"));
      });
    });

    describe("when the jurisdiction already has a regulator that is not revoked", function () {
      it("reverts, also while that regulator is suspended", async function () {
        const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
        await expect(registry.appointRegulator(b2("US"), outsider.address, lei("US-NEW")))
          .to.be.revertedWithCustomError(registry, "RegistryRegulatorAlreadyAppointed")
          .withArgs(b2("US"), usRegulator.address);
        await registry.suspend(usRegulator.address);
        await expect(registry.appointRegulator(b2("US"), outsider.address, lei("US-NEW")))
          .to.be.revertedWithCustomError(registry, "RegistryRegulatorAlreadyAppointed")
          .withArgs(b2("US"), usRegulator.address);
      });
    });

    describe("when the regulator was revoked", function () {
      it("appoints the replacement, which takes over the jurisdiction's banks", async function () {
        const { registry, usRegulator, bankA, outsider, kycExpiry } = await loadFixture(coreFixture);
        await registry.revoke(usRegulator.address);
        await expect(registry.appointRegulator(b2("US"), outsider.address, lei("US-NEW")))
          .to.emit(registry, "RegulatorAppointed")
          .withArgs(b2("US"), outsider.address);
        expect(await registry.jurisdictionOfRegulator(usRegulator.address)).to.equal("0x0000");
        expect(await registry.jurisdictionOfRegulator(outsider.address)).to.equal(b2("US"));
        await expect(registry.connect(outsider).suspend(bankA.address))
          .to.emit(registry, "ParticipantStatusChanged")
          .withArgs(bankA.address, Status.Active, Status.Suspended, outsider.address);
        await expect(
          registry.connect(usRegulator).onboardBank(ethers.Wallet.createRandom().address, lei("X"), kycExpiry),
        )
          .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
          .withArgs(usRegulator.address);
      });
    });

    describe("when the regulator account is unusable", function () {
      it("reverts for the zero address, a zero LEI and an account already registered", async function () {
        const { registry, bankA, outsider } = await loadFixture(coreFixture);
        await expect(registry.appointRegulator(b2("FR"), ethers.ZeroAddress, lei("FR"))).to.be.revertedWithCustomError(
          registry,
          "RegistryZeroAddress",
        );
        await expect(registry.appointRegulator(b2("FR"), outsider.address, ethers.ZeroHash.slice(0, 42)))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidLei")
          .withArgs(ethers.ZeroHash.slice(0, 42));
        await expect(registry.appointRegulator(b2("FR"), bankA.address, lei("FR")))
          .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
          .withArgs(bankA.address);
      });
    });

    describe("when the caller is not a consortium admin", function () {
      it("reverts", async function () {
        const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).appointRegulator(b2("FR"), outsider.address, lei("FR")))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(usRegulator.address, await registry.CONSORTIUM_ADMIN_ROLE());
      });
    });
  });

  describe(".proposeJurisdiction()", function () {
    it("opens a proposal decided by the members at its creation", async function () {
      const { registry, usRegulator, brRegulator } = await loadFixture(consortiumFixture);
      const expiresAt = BigInt((await time.latest()) + 1 + DEFAULT_VOTING_PERIOD);
      await expect(registry.connect(usRegulator).proposeJurisdiction(b2("BR"), brRegulator.address, lei("REG-BR")))
        .to.emit(registry, "JurisdictionProposed")
        .withArgs(1n, b2("BR"), usRegulator.address, brRegulator.address, expiresAt, 12n);
      const p = await registry.proposal(1);
      expect(p.jurisdiction).to.equal(b2("BR"));
      expect(p.state).to.equal(ProposalState.Open);
      expect([p.yes, p.no, p.electorate, p.admissionsAtCreation]).to.deep.equal([0n, 0n, 12n, 12n]);
      expect(p.expiresAt).to.equal(expiresAt);
      expect(p.regulator).to.equal(brRegulator.address);
      expect(p.regulatorLei).to.equal(lei("REG-BR"));
      expect(await registry.proposalCount()).to.equal(1n);
      expect(await registry.isAdmitted(b2("BR"))).to.be.false;
    });

    describe("when the caller is not an Active regulator", function () {
      it("reverts for an outsider, a bank, and a suspended regulator", async function () {
        const { registry, usRegulator, bankA, outsider, brRegulator } = await loadFixture(consortiumFixture);
        for (const caller of [outsider, bankA]) {
          await expect(registry.connect(caller).proposeJurisdiction(b2("BR"), brRegulator.address, lei("REG-BR")))
            .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
            .withArgs(caller.address);
        }
        await registry.suspend(usRegulator.address);
        await expect(registry.connect(usRegulator).proposeJurisdiction(b2("BR"), brRegulator.address, lei("REG-BR")))
          .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
          .withArgs(usRegulator.address);
      });
    });

    describe("when the code is malformed or already admitted", function () {
      it("reverts", async function () {
        const { registry, usRegulator, brRegulator } = await loadFixture(consortiumFixture);
        await expect(registry.connect(usRegulator).proposeJurisdiction(b2("br"), brRegulator.address, lei("R")))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidJurisdiction")
          .withArgs(b2("br"));
        await expect(registry.connect(usRegulator).proposeJurisdiction(b2("FR"), brRegulator.address, lei("R")))
          .to.be.revertedWithCustomError(registry, "RegistryJurisdictionAlreadyAdmitted")
          .withArgs(b2("FR"));
      });
    });

    describe("when the proposed regulator is unusable", function () {
      it("reverts for the zero address, a zero LEI and an account already registered", async function () {
        const { registry, usRegulator, brRegulator, alice } = await loadFixture(consortiumFixture);
        const proposer = registry.connect(usRegulator);
        await expect(
          proposer.proposeJurisdiction(b2("BR"), ethers.ZeroAddress, lei("R")),
        ).to.be.revertedWithCustomError(registry, "RegistryZeroAddress");
        await expect(proposer.proposeJurisdiction(b2("BR"), brRegulator.address, ethers.ZeroHash.slice(0, 42)))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidLei")
          .withArgs(ethers.ZeroHash.slice(0, 42));
        await expect(proposer.proposeJurisdiction(b2("BR"), alice.address, lei("R")))
          .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
          .withArgs(alice.address);
      });
    });

    describe("when a proposal for the code is still open", function () {
      it("reverts", async function () {
        const { registry, gbRegulator, brRegulator } = await loadFixture(proposalFixture);
        await expect(registry.connect(gbRegulator).proposeJurisdiction(b2("BR"), brRegulator.address, lei("R")))
          .to.be.revertedWithCustomError(registry, "RegistryProposalPending")
          .withArgs(b2("BR"), 1n);
      });
    });

    describe("when the earlier proposal expired", function () {
      it("opens a new one whose votes start from zero", async function () {
        const { registry, usRegulator, gbRegulator, brRegulator, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await time.increase(DEFAULT_VOTING_PERIOD);
        await expect(registry.connect(gbRegulator).proposeJurisdiction(b2("BR"), brRegulator.address, lei("R")))
          .to.emit(registry, "JurisdictionProposed")
          .withArgs(2n, b2("BR"), gbRegulator.address, brRegulator.address, (x: bigint) => x > 0n, 12n);
        expect(await registry.hasVoted(2, b2("US"))).to.be.false;
        await expect(registry.connect(usRegulator).voteOnJurisdiction(2, true))
          .to.emit(registry, "JurisdictionVoteCast")
          .withArgs(2n, b2("US"), usRegulator.address, true, 1n, 0n);
      });
    });

    describe("when the earlier proposal was rejected", function () {
      it("opens a new one", async function () {
        const { registry, usRegulator, brRegulator, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, false);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Rejected);
        await expect(registry.connect(usRegulator).proposeJurisdiction(b2("BR"), brRegulator.address, lei("R")))
          .to.emit(registry, "JurisdictionProposed")
          .withArgs(2n, b2("BR"), usRegulator.address, brRegulator.address, (x: bigint) => x > 0n, 12n);
      });
    });
  });

  describe(".voteOnJurisdiction()", function () {
    it("records the vote", async function () {
      const { registry, usRegulator } = await loadFixture(proposalFixture);
      await expect(registry.connect(usRegulator).voteOnJurisdiction(1, true))
        .to.emit(registry, "JurisdictionVoteCast")
        .withArgs(1n, b2("US"), usRegulator.address, true, 1n, 0n);
      expect(await registry.hasVoted(1, b2("US"))).to.be.true;
      expect(await registry.hasVoted(1, b2("GB"))).to.be.false;
    });

    describe("when more than half of the members at creation voted yes", function () {
      it("admits the jurisdiction on the seventh yes of twelve, not on the sixth", async function () {
        const { registry, dollar, voters, brRegulator } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, true);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Open);
        expect(await registry.isAdmitted(b2("BR"))).to.be.false;

        const decider = voters[6];
        const tx = await registry.connect(decider).voteOnJurisdiction(1, true);
        await expect(tx)
          .to.emit(registry, "JurisdictionVoteCast")
          .withArgs(1n, b2(FOUNDING_JURISDICTIONS[6]), await decider.getAddress(), true, 7n, 0n)
          .and.to.emit(registry, "JurisdictionAdmitted")
          .withArgs(b2("BR"), brRegulator.address, 1n)
          .and.to.emit(registry, "ParticipantOnboarded")
          .withArgs(
            brRegulator.address,
            Kind.CentralBank,
            b2("BR"),
            await decider.getAddress(),
            lei("REG-BR"),
            NO_EXPIRY,
          )
          .and.to.emit(registry, "RegulatorAppointed")
          .withArgs(b2("BR"), brRegulator.address);
        expect(await registryEventNames(registry, tx)).to.deep.equal([
          "JurisdictionVoteCast",
          "JurisdictionAdmitted",
          "ParticipantOnboarded",
          "RegulatorAppointed",
        ]);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Admitted);
        expect(await registry.memberCount()).to.equal(13n);
        expect((await registry.jurisdiction(b2("BR"))).memberSince).to.equal(13n);
        expect((await registry.jurisdiction(b2("BR"))).regulator).to.equal(brRegulator.address);
        expect(await registry.jurisdictionOfRegulator(brRegulator.address)).to.equal(b2("BR"));
        expect(await dollar.restrictionOf(brRegulator.address)).to.equal(Restriction.None);
      });

      it("lets the new regulator license banks", async function () {
        const { registry, voters, brRegulator, outsider, kycExpiry } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 7)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await expect(registry.connect(brRegulator).onboardBank(outsider.address, lei("BR-BANK"), kycExpiry))
          .to.emit(registry, "ParticipantOnboarded")
          .withArgs(outsider.address, Kind.CommercialBank, b2("BR"), brRegulator.address, lei("BR-BANK"), kycExpiry);
      });

      it("needs seven of thirteen once a fourteenth jurisdiction is proposed", async function () {
        const { registry, voters, brRegulator, mxRegulator } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 7)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await registry.connect(brRegulator).proposeJurisdiction(b2("MX"), mxRegulator.address, lei("REG-MX"));
        expect((await registry.proposal(2)).electorate).to.equal(13n);
        await registry.connect(brRegulator).voteOnJurisdiction(2, true);
        for (const voter of voters.slice(0, 5)) await registry.connect(voter).voteOnJurisdiction(2, true);
        expect((await registry.proposal(2)).state).to.equal(ProposalState.Open);
        await expect(registry.connect(voters[5]).voteOnJurisdiction(2, true))
          .to.emit(registry, "JurisdictionAdmitted")
          .withArgs(b2("MX"), mxRegulator.address, 2n);
      });
    });

    describe("when yes can no longer win", function () {
      it("rejects on the sixth no of twelve, not on the fifth", async function () {
        const { registry, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 5)) await registry.connect(voter).voteOnJurisdiction(1, false);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Open);
        const tx = await registry.connect(voters[5]).voteOnJurisdiction(1, false);
        await expect(tx).to.emit(registry, "JurisdictionProposalRejected").withArgs(1n, b2("BR"), 0n, 6n);
        expect(await registryEventNames(registry, tx)).to.deep.equal([
          "JurisdictionVoteCast",
          "JurisdictionProposalRejected",
        ]);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Rejected);
        expect(await registry.isAdmitted(b2("BR"))).to.be.false;
      });

      it("rejects a six-six split once the last undecided vote cannot reach seven", async function () {
        const { registry, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, true);
        for (const voter of voters.slice(6, 11)) await registry.connect(voter).voteOnJurisdiction(1, false);
        expect((await registry.proposal(1)).state).to.equal(ProposalState.Open);
        await expect(registry.connect(voters[11]).voteOnJurisdiction(1, false))
          .to.emit(registry, "JurisdictionProposalRejected")
          .withArgs(1n, b2("BR"), 6n, 6n);
      });

      it("refuses further votes", async function () {
        const { registry, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, false);
        await expect(registry.connect(voters[6]).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryProposalNotOpen")
          .withArgs(1n, ProposalState.Rejected);
      });
    });

    describe("when the proposal was already admitted", function () {
      it("reverts", async function () {
        const { registry, voters } = await loadFixture(proposalFixture);
        for (const voter of voters.slice(0, 7)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await expect(registry.connect(voters[7]).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryProposalNotOpen")
          .withArgs(1n, ProposalState.Admitted);
      });
    });

    describe("when the voting period is over", function () {
      it("reverts at the expiry second and after", async function () {
        const { registry, usRegulator, gbRegulator, expiresAt } = await loadFixture(proposalFixture);
        await time.setNextBlockTimestamp(expiresAt - 1n);
        await expect(registry.connect(gbRegulator).voteOnJurisdiction(1, true)).to.emit(
          registry,
          "JurisdictionVoteCast",
        );
        await expect(registry.connect(usRegulator).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryProposalExpired")
          .withArgs(1n, expiresAt);
        await time.increase(ONE_YEAR);
        await expect(registry.connect(usRegulator).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryProposalExpired")
          .withArgs(1n, expiresAt);
      });
    });

    describe("when the voter's jurisdiction was admitted after the proposal", function () {
      it("reverts for that proposal but not for later ones", async function () {
        const { registry, usRegulator, voters, brRegulator, mxRegulator, outsider } =
          await loadFixture(proposalFixture);
        await registry.connect(usRegulator).proposeJurisdiction(b2("MX"), mxRegulator.address, lei("REG-MX"));
        for (const voter of voters.slice(0, 7)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await expect(registry.connect(brRegulator).voteOnJurisdiction(2, true))
          .to.be.revertedWithCustomError(registry, "RegistryNotInElectorate")
          .withArgs(2n, b2("BR"));
        await registry.connect(usRegulator).proposeJurisdiction(b2("NZ"), outsider.address, lei("REG-NZ"));
        await expect(registry.connect(brRegulator).voteOnJurisdiction(3, true))
          .to.emit(registry, "JurisdictionVoteCast")
          .withArgs(3n, b2("BR"), brRegulator.address, true, 1n, 0n);
      });
    });

    describe("when the jurisdiction already voted", function () {
      it("reverts, also for a replacement regulator", async function () {
        const { registry, usRegulator, outsider } = await loadFixture(proposalFixture);
        await registry.connect(usRegulator).voteOnJurisdiction(1, true);
        await expect(registry.connect(usRegulator).voteOnJurisdiction(1, false))
          .to.be.revertedWithCustomError(registry, "RegistryAlreadyVoted")
          .withArgs(1n, b2("US"));
        await registry.revoke(usRegulator.address);
        await registry.appointRegulator(b2("US"), outsider.address, lei("US-NEW"));
        await expect(registry.connect(outsider).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryAlreadyVoted")
          .withArgs(1n, b2("US"));
      });
    });

    describe("when the proposal does not exist", function () {
      it("reverts", async function () {
        const { registry, usRegulator } = await loadFixture(proposalFixture);
        await expect(registry.connect(usRegulator).voteOnJurisdiction(2, true))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownProposal")
          .withArgs(2n);
      });
    });

    describe("when the caller is not an Active regulator", function () {
      it("reverts for an outsider, a bank and a suspended regulator", async function () {
        const { registry, usRegulator, bankA, outsider } = await loadFixture(proposalFixture);
        for (const caller of [outsider, bankA]) {
          await expect(registry.connect(caller).voteOnJurisdiction(1, true))
            .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
            .withArgs(caller.address);
        }
        await registry.suspend(usRegulator.address);
        await expect(registry.connect(usRegulator).voteOnJurisdiction(1, true))
          .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
          .withArgs(usRegulator.address);
      });
    });

    describe("when the proposed regulator registered elsewhere meanwhile", function () {
      it("admits the jurisdiction without a regulator, for the admin to appoint one", async function () {
        const { registry, voters, brRegulator, kycExpiry, usRegulator, outsider } = await loadFixture(proposalFixture);
        await registry.connect(usRegulator).onboardBank(brRegulator.address, lei("BANK-BR"), kycExpiry);
        for (const voter of voters.slice(0, 6)) await registry.connect(voter).voteOnJurisdiction(1, true);
        await expect(registry.connect(voters[6]).voteOnJurisdiction(1, true))
          .to.emit(registry, "JurisdictionAdmitted")
          .withArgs(b2("BR"), ethers.ZeroAddress, 1n)
          .and.to.emit(registry, "RegulatorNotAppointed")
          .withArgs(b2("BR"), brRegulator.address);
        expect(await registry.isAdmitted(b2("BR"))).to.be.true;
        expect((await registry.jurisdiction(b2("BR"))).regulator).to.equal(ethers.ZeroAddress);
        // The bank keeps its record; the consortium appoints another account.
        expect((await registry.participant(brRegulator.address)).kind).to.equal(2n);
        await expect(registry.appointRegulator(b2("BR"), outsider.address, lei("REG-BR")))
          .to.emit(registry, "RegulatorAppointed")
          .withArgs(b2("BR"), outsider.address);
      });
    });
  });

  describe(".setVotingPeriod()", function () {
    it("changes the period of later proposals", async function () {
      const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
      await expect(registry.setVotingPeriod(3600))
        .to.emit(registry, "VotingPeriodChanged")
        .withArgs(BigInt(DEFAULT_VOTING_PERIOD), 3600n);
      await registry.connect(usRegulator).proposeJurisdiction(b2("BR"), outsider.address, lei("R"));
      expect((await registry.proposal(1)).expiresAt).to.equal(BigInt((await time.latest()) + 3600));
    });

    describe("when the period is zero", function () {
      it("reverts", async function () {
        const { registry } = await loadFixture(coreFixture);
        await expect(registry.setVotingPeriod(0))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidVotingPeriod")
          .withArgs(0n);
      });
    });

    describe("when the caller is not a consortium admin", function () {
      it("reverts", async function () {
        const { registry, usRegulator } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).setVotingPeriod(3600))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(usRegulator.address, await registry.CONSORTIUM_ADMIN_ROLE());
      });
    });
  });

  describe(".onboardBank()", function () {
    it("licenses a commercial bank in the regulator's own jurisdiction", async function () {
      const { registry, dollar, gbRegulator, outsider, kycExpiry } = await loadFixture(coreFixture);
      await expect(registry.connect(gbRegulator).onboardBank(outsider.address, lei("GB-BANK"), kycExpiry))
        .to.emit(registry, "ParticipantOnboarded")
        .withArgs(outsider.address, Kind.CommercialBank, b2("GB"), gbRegulator.address, lei("GB-BANK"), kycExpiry);
      const record = await registry.participant(outsider.address);
      expect(record.jurisdiction).to.equal(b2("GB"));
      expect(record.sponsor).to.equal(gbRegulator.address);
      expect(record.status).to.equal(Status.Active);
      expect(await registry.isActive(outsider.address)).to.be.true;
      expect(await dollar.complianceOf(outsider.address)).to.deep.equal([REGISTERED | ACTIVE, BigInt(kycExpiry)]);
    });

    describe("when the caller is not an Active regulator", function () {
      it("reverts for a bank, the consortium admin and a suspended regulator", async function () {
        const { registry, admin, bankA, usRegulator, outsider, kycExpiry } = await loadFixture(coreFixture);
        for (const caller of [bankA, admin]) {
          await expect(registry.connect(caller).onboardBank(outsider.address, lei("X"), kycExpiry))
            .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
            .withArgs(caller.address);
        }
        await registry.suspend(usRegulator.address);
        await expect(registry.connect(usRegulator).onboardBank(outsider.address, lei("X"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
          .withArgs(usRegulator.address);
      });
    });

    describe("when the account or its data is invalid", function () {
      it("reverts for a registered account, the zero address, a zero LEI and a past KYC expiry", async function () {
        const { registry, usRegulator, bankB, outsider, kycExpiry } = await loadFixture(coreFixture);
        const regulator = registry.connect(usRegulator);
        await expect(regulator.onboardBank(bankB.address, lei("X"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
          .withArgs(bankB.address);
        await expect(regulator.onboardBank(ethers.ZeroAddress, lei("X"), kycExpiry)).to.be.revertedWithCustomError(
          registry,
          "RegistryZeroAddress",
        );
        await expect(regulator.onboardBank(outsider.address, ethers.ZeroHash.slice(0, 42), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidLei")
          .withArgs(ethers.ZeroHash.slice(0, 42));
        const now = (await time.latest()) + 1;
        await time.setNextBlockTimestamp(now);
        await expect(regulator.onboardBank(outsider.address, lei("X"), now))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidKycExpiry")
          .withArgs(now);
      });
    });
  });

  describe(".onboardParticipant()", function () {
    it("registers a customer sponsored by the calling bank", async function () {
      const { registry, dollar, bankA, outsider, kycExpiry } = await loadFixture(coreFixture);
      await expect(
        registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("FR"), lei("C"), kycExpiry),
      )
        .to.emit(registry, "ParticipantOnboarded")
        .withArgs(outsider.address, Kind.Customer, b2("FR"), bankA.address, lei("C"), kycExpiry);
      expect((await registry.participant(outsider.address)).sponsor).to.equal(bankA.address);
      expect(await dollar.restrictionOf(outsider.address)).to.equal(Restriction.None);
    });

    it("registers a supplier", async function () {
      const { registry, bankB, outsider, kycExpiry } = await loadFixture(coreFixture);
      await registry.connect(bankB).onboardParticipant(outsider.address, Kind.Supplier, b2("GB"), lei("S"), kycExpiry);
      expect((await registry.participant(outsider.address)).kind).to.equal(Kind.Supplier);
    });

    describe("when the kind is not customer or supplier", function () {
      for (const kind of [Kind.None, Kind.CentralBank, Kind.CommercialBank, Kind.Auditor]) {
        it(`reverts for ${Kind[kind]}`, async function () {
          const { registry, bankA, outsider, kycExpiry } = await loadFixture(coreFixture);
          await expect(
            registry.connect(bankA).onboardParticipant(outsider.address, kind, b2("US"), lei("C"), kycExpiry),
          )
            .to.be.revertedWithCustomError(registry, "RegistryInvalidKind")
            .withArgs(kind);
        });
      }
    });

    describe("when the jurisdiction is unknown", function () {
      it("reverts", async function () {
        const { registry, bankA, outsider, kycExpiry } = await loadFixture(coreFixture);
        const bank = registry.connect(bankA);
        await expect(bank.onboardParticipant(outsider.address, Kind.Customer, b2("BR"), lei("C"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryJurisdictionNotAdmitted")
          .withArgs(b2("BR"));
        await expect(bank.onboardParticipant(outsider.address, Kind.Customer, "0x5500", lei("C"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidJurisdiction")
          .withArgs("0x5500");
      });
    });

    describe("when the caller is not an Active commercial bank", function () {
      it("reverts for a regulator, a customer, an auditor and an outsider", async function () {
        const { registry, usRegulator, alice, auditor, outsider, kycExpiry } = await loadFixture(coreFixture);
        for (const caller of [usRegulator, alice, auditor, outsider]) {
          await expect(
            registry.connect(caller).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("C"), kycExpiry),
          )
            .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
            .withArgs(caller.address);
        }
      });

      it("reverts for a suspended bank and a bank whose KYC expired", async function () {
        const { registry, usRegulator, bankA, bankB, outsider, kycExpiry } = await loadFixture(coreFixture);
        await registry.connect(usRegulator).suspend(bankA.address);
        await expect(
          registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("C"), kycExpiry),
        )
          .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
          .withArgs(bankA.address);
        await time.increaseTo(kycExpiry);
        await expect(
          registry
            .connect(bankB)
            .onboardParticipant(outsider.address, Kind.Customer, b2("GB"), lei("C"), kycExpiry + ONE_YEAR),
        )
          .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
          .withArgs(bankB.address);
      });
    });

    describe("when the KYC expiry is not in the future", function () {
      it("reverts", async function () {
        const { registry, bankA, outsider } = await loadFixture(coreFixture);
        const past = await time.latest();
        await expect(
          registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("C"), past),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidKycExpiry")
          .withArgs(past);
      });
    });
  });

  describe(".onboardParticipants()", function () {
    const row = (account: string, kind: Kind, code: string, tag: string, kycExpiry: number) => ({
      account,
      kind,
      jurisdiction: b2(code),
      lei: lei(tag),
      kycExpiry,
    });

    it("registers every row and syncs them all to the observers", async function () {
      const { registry, dollar, bankA, kycExpiry } = await loadFixture(coreFixture);
      const accounts = [1, 2, 3].map(() => ethers.Wallet.createRandom().address);
      const rows = accounts.map((account, i) =>
        row(account, i === 2 ? Kind.Supplier : Kind.Customer, "US", `R${i}`, kycExpiry),
      );
      const tx = registry.connect(bankA).onboardParticipants(rows);
      for (const [i, r] of rows.entries()) {
        await expect(tx)
          .to.emit(registry, "ParticipantOnboarded")
          .withArgs(accounts[i], r.kind, b2("US"), bankA.address, r.lei, kycExpiry);
      }
      for (const account of accounts) {
        expect(await dollar.restrictionOf(account)).to.equal(Restriction.None);
        expect((await registry.participant(account)).sponsor).to.equal(bankA.address);
      }
    });

    describe("when the batch is empty", function () {
      it("reverts", async function () {
        const { registry, bankA } = await loadFixture(coreFixture);
        await expect(registry.connect(bankA).onboardParticipants([])).to.be.revertedWithCustomError(
          registry,
          "RegistryEmptyBatch",
        );
      });
    });

    describe("when any row is invalid", function () {
      it("registers none of them", async function () {
        const { registry, bankA, alice, outsider, kycExpiry } = await loadFixture(coreFixture);
        const first = ethers.Wallet.createRandom().address;
        const cases = [
          { bad: row(outsider.address, Kind.CommercialBank, "US", "B", kycExpiry), error: "RegistryInvalidKind" },
          { bad: row(outsider.address, Kind.Customer, "BR", "B", kycExpiry), error: "RegistryJurisdictionNotAdmitted" },
          { bad: row(alice.address, Kind.Customer, "US", "B", kycExpiry), error: "RegistryAlreadyRegistered" },
          { bad: row(first, Kind.Customer, "US", "B", kycExpiry), error: "RegistryAlreadyRegistered" },
          { bad: row(outsider.address, Kind.Customer, "US", "B", 1), error: "RegistryInvalidKycExpiry" },
        ];
        for (const { bad, error } of cases) {
          await expect(
            registry.connect(bankA).onboardParticipants([row(first, Kind.Customer, "US", "A", kycExpiry), bad]),
          ).to.be.revertedWithCustomError(registry, error);
          expect((await registry.participant(first)).kind).to.equal(Kind.None);
        }
      });
    });

    describe("when the caller is not an eligible sponsor", function () {
      it("reverts", async function () {
        const { registry, usRegulator, kycExpiry } = await loadFixture(coreFixture);
        const rows = [row(ethers.Wallet.createRandom().address, Kind.Customer, "US", "A", kycExpiry)];
        await expect(registry.connect(usRegulator).onboardParticipants(rows))
          .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
          .withArgs(usRegulator.address);
      });
    });
  });

  describe(".onboardAuditor()", function () {
    it("registers an auditor who cannot hold the dollar", async function () {
      const { registry, dollar, admin, outsider, kycExpiry } = await loadFixture(coreFixture);
      await expect(registry.onboardAuditor(outsider.address, b2("GB"), lei("AUD"), kycExpiry))
        .to.emit(registry, "ParticipantOnboarded")
        .withArgs(outsider.address, Kind.Auditor, b2("GB"), admin.address, lei("AUD"), kycExpiry);
      expect(await registry.isActive(outsider.address)).to.be.true;
      expect(await dollar.restrictionOf(outsider.address)).to.equal(Restriction.NotParticipant);
    });

    describe("when the jurisdiction is not admitted", function () {
      it("reverts", async function () {
        const { registry, outsider, kycExpiry } = await loadFixture(coreFixture);
        await expect(registry.onboardAuditor(outsider.address, b2("BR"), lei("AUD"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "RegistryJurisdictionNotAdmitted")
          .withArgs(b2("BR"));
      });
    });

    describe("when the caller is not a consortium admin", function () {
      it("reverts", async function () {
        const { registry, usRegulator, outsider, kycExpiry } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).onboardAuditor(outsider.address, b2("US"), lei("AUD"), kycExpiry))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(usRegulator.address, await registry.CONSORTIUM_ADMIN_ROLE());
      });
    });
  });

  describe(".suspend()", function () {
    it("lets the regulator suspend a bank of its jurisdiction", async function () {
      const { registry, dollar, usRegulator, bankA } = await loadFixture(coreFixture);
      await expect(registry.connect(usRegulator).suspend(bankA.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(bankA.address, Status.Active, Status.Suspended, usRegulator.address);
      expect((await registry.participant(bankA.address)).status).to.equal(Status.Suspended);
      expect(await registry.isActive(bankA.address)).to.be.false;
      expect(await dollar.restrictionOf(bankA.address)).to.equal(Restriction.NotActive);
    });

    it("lets the sponsor and the sponsor's regulator suspend a customer", async function () {
      const { registry, usRegulator, bankA, alice, carol } = await loadFixture(coreFixture);
      await expect(registry.connect(bankA).suspend(alice.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(alice.address, Status.Active, Status.Suspended, bankA.address);
      await expect(registry.connect(usRegulator).suspend(carol.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(carol.address, Status.Active, Status.Suspended, usRegulator.address);
    });

    it("lets the consortium admin suspend a central bank and an auditor", async function () {
      const { registry, admin, gbRegulator, auditor } = await loadFixture(coreFixture);
      for (const account of [gbRegulator, auditor]) {
        await expect(registry.suspend(account.address))
          .to.emit(registry, "ParticipantStatusChanged")
          .withArgs(account.address, Status.Active, Status.Suspended, admin.address);
      }
    });

    describe("when the caller does not manage the account", function () {
      it("reverts", async function () {
        const { registry, admin, usRegulator, gbRegulator, bankA, bankB, bankC, alice, bob } =
          await loadFixture(coreFixture);
        const cases = [
          [gbRegulator, bankA], // another jurisdiction's regulator
          [gbRegulator, alice], // the regulator of another sponsor
          [bankB, alice], // another bank's customer
          [bankC, bankA], // a bank cannot manage banks
          [bankA, bankA], // nor itself
          [admin, bankA], // the admin manages central banks and auditors only
          [usRegulator, gbRegulator], // regulators do not manage each other
          [usRegulator, usRegulator],
          [alice, bob],
        ] as const;
        for (const [caller, account] of cases) {
          await expect(registry.connect(caller).suspend(account.address))
            .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
            .withArgs(caller.address, account.address);
        }
      });
    });

    describe("when the account is unknown", function () {
      it("reverts", async function () {
        const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).suspend(outsider.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
          .withArgs(outsider.address);
      });
    });

    describe("when the account is not Active", function () {
      it("reverts", async function () {
        const { registry, bankA, alice } = await loadFixture(coreFixture);
        await registry.connect(bankA).suspend(alice.address);
        await expect(registry.connect(bankA).suspend(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Suspended, Status.Suspended);
      });
    });
  });

  describe(".reinstate()", function () {
    it("returns a suspended account to Active", async function () {
      const { registry, dollar, bankA, alice } = await loadFixture(coreFixture);
      await registry.connect(bankA).suspend(alice.address);
      await expect(registry.connect(bankA).reinstate(alice.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(alice.address, Status.Suspended, Status.Active, bankA.address);
      expect(await registry.isActive(alice.address)).to.be.true;
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.None);
    });

    describe("when the account is Active", function () {
      it("reverts", async function () {
        const { registry, bankA, alice } = await loadFixture(coreFixture);
        await expect(registry.connect(bankA).reinstate(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Active, Status.Active);
      });
    });

    describe("when the caller does not manage the account", function () {
      it("reverts", async function () {
        const { registry, usRegulator, gbRegulator, bankA } = await loadFixture(coreFixture);
        await registry.connect(usRegulator).suspend(bankA.address);
        await expect(registry.connect(gbRegulator).reinstate(bankA.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
          .withArgs(gbRegulator.address, bankA.address);
      });
    });
  });

  describe(".revoke()", function () {
    it("revokes an Active or a Suspended account", async function () {
      const { registry, dollar, bankA, alice, carol } = await loadFixture(coreFixture);
      await expect(registry.connect(bankA).revoke(alice.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(alice.address, Status.Active, Status.Revoked, bankA.address);
      await registry.connect(bankA).suspend(carol.address);
      await expect(registry.connect(bankA).revoke(carol.address))
        .to.emit(registry, "ParticipantStatusChanged")
        .withArgs(carol.address, Status.Suspended, Status.Revoked, bankA.address);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
    });

    describe("when the account is already revoked", function () {
      it("is final: revoke, reinstate, suspend and renewKyc all revert", async function () {
        const { registry, bankA, alice, kycExpiry } = await loadFixture(coreFixture);
        await registry.connect(bankA).revoke(alice.address);
        const bank = registry.connect(bankA);
        await expect(bank.revoke(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Revoked, Status.Revoked);
        await expect(bank.reinstate(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Revoked, Status.Active);
        await expect(bank.suspend(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Revoked, Status.Suspended);
        await expect(bank.renewKyc(alice.address, kycExpiry + ONE_YEAR))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Revoked, Status.Revoked);
        expect((await registry.participant(alice.address)).status).to.equal(Status.Revoked);
      });
    });

    describe("when the caller does not manage the account", function () {
      it("reverts", async function () {
        const { registry, bankB, alice } = await loadFixture(coreFixture);
        await expect(registry.connect(bankB).revoke(alice.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
          .withArgs(bankB.address, alice.address);
      });
    });

    describe("when the account is unknown", function () {
      it("reverts", async function () {
        const { registry, outsider } = await loadFixture(coreFixture);
        await expect(registry.revoke(outsider.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
          .withArgs(outsider.address);
      });
    });
  });

  describe(".renewKyc()", function () {
    it("moves the expiry and lets an expired customer transact again", async function () {
      const { registry, dollar, usRegulator, bankA, alice, kycExpiry } = await loadFixture(coreFixture);
      await time.increaseTo(kycExpiry);
      expect(await registry.isActive(alice.address)).to.be.false;
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.KycExpired);
      const renewed = kycExpiry + ONE_YEAR;
      // The bank's own KYC expired at the same second: until its regulator renews it, it manages no one.
      await expect(registry.connect(bankA).renewKyc(alice.address, renewed))
        .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
        .withArgs(bankA.address, alice.address);
      await registry.connect(usRegulator).renewKyc(bankA.address, renewed);
      await expect(registry.connect(bankA).renewKyc(alice.address, renewed))
        .to.emit(registry, "ParticipantKycRenewed")
        .withArgs(alice.address, kycExpiry, renewed, bankA.address);
      expect(await registry.isActive(alice.address)).to.be.true;
      expect(await dollar.complianceOf(alice.address)).to.deep.equal([REGISTERED | ACTIVE, BigInt(renewed)]);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.None);
    });

    it("lets the regulator renew a bank", async function () {
      const { registry, usRegulator, bankA, kycExpiry } = await loadFixture(coreFixture);
      await expect(registry.connect(usRegulator).renewKyc(bankA.address, kycExpiry + 1))
        .to.emit(registry, "ParticipantKycRenewed")
        .withArgs(bankA.address, kycExpiry, kycExpiry + 1, usRegulator.address);
    });

    describe("when the new expiry is not in the future", function () {
      it("reverts", async function () {
        const { registry, bankA, alice } = await loadFixture(coreFixture);
        const now = (await time.latest()) + 1;
        await time.setNextBlockTimestamp(now);
        await expect(registry.connect(bankA).renewKyc(alice.address, now))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidKycExpiry")
          .withArgs(now);
      });
    });

    describe("when the caller does not manage the account", function () {
      it("reverts, also for a bank renewing itself", async function () {
        const { registry, bankA, bankB, alice, kycExpiry } = await loadFixture(coreFixture);
        for (const [caller, account] of [
          [bankB, alice],
          [bankA, bankA],
        ] as const) {
          await expect(registry.connect(caller).renewKyc(account.address, kycExpiry + 1))
            .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
            .withArgs(caller.address, account.address);
        }
      });
    });
  });

  describe(".reassignSponsor()", function () {
    it("moves a customer to another bank, which then manages it instead of the old one", async function () {
      const { registry, usRegulator, bankA, bankC, alice, kycExpiry } = await loadFixture(coreFixture);
      await expect(registry.connect(usRegulator).reassignSponsor(alice.address, bankC.address))
        .to.emit(registry, "ParticipantSponsorChanged")
        .withArgs(alice.address, bankA.address, bankC.address, usRegulator.address);
      expect((await registry.participant(alice.address)).sponsor).to.equal(bankC.address);
      await expect(registry.connect(bankA).renewKyc(alice.address, kycExpiry + 1))
        .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
        .withArgs(bankA.address, alice.address);
      await expect(registry.connect(bankC).renewKyc(alice.address, kycExpiry + 1))
        .to.emit(registry, "ParticipantKycRenewed")
        .withArgs(alice.address, kycExpiry, kycExpiry + 1, bankC.address);
    });

    describe("when the account is not a customer or supplier", function () {
      it("reverts for a bank, a regulator and an auditor", async function () {
        const { registry, usRegulator, bankA, bankC, auditor } = await loadFixture(coreFixture);
        for (const account of [bankA, usRegulator, auditor]) {
          await expect(registry.connect(usRegulator).reassignSponsor(account.address, bankC.address))
            .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
            .withArgs(usRegulator.address, account.address);
        }
      });

      it("reverts with RegistryUnknownParticipant for an account never onboarded", async function () {
        const { registry, usRegulator, bankC, outsider } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).reassignSponsor(outsider.address, bankC.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownParticipant")
          .withArgs(outsider.address);
      });
    });

    describe("when the caller is not a regulator", function () {
      it("reverts, also for the sponsoring bank and the admin", async function () {
        const { registry, admin, bankA, bankC, alice } = await loadFixture(coreFixture);
        for (const caller of [bankA, bankC, admin]) {
          await expect(registry.connect(caller).reassignSponsor(alice.address, bankC.address))
            .to.be.revertedWithCustomError(registry, "RegistryNotRegulator")
            .withArgs(caller.address);
        }
      });
    });

    describe("when the caller regulates another jurisdiction than the sponsor's", function () {
      it("reverts", async function () {
        const { registry, gbRegulator, bankB, alice } = await loadFixture(coreFixture);
        await expect(registry.connect(gbRegulator).reassignSponsor(alice.address, bankB.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
          .withArgs(gbRegulator.address, alice.address);
      });
    });

    describe("when the customer is revoked", function () {
      it("reverts", async function () {
        const { registry, usRegulator, bankA, bankC, alice } = await loadFixture(coreFixture);
        await registry.connect(bankA).revoke(alice.address);
        await expect(registry.connect(usRegulator).reassignSponsor(alice.address, bankC.address))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidStatusTransition")
          .withArgs(alice.address, Status.Revoked, Status.Revoked);
      });
    });

    describe("when the new sponsor is not an Active commercial bank", function () {
      it("reverts for a customer, a regulator and a suspended bank", async function () {
        const { registry, usRegulator, bankC, alice, carol } = await loadFixture(coreFixture);
        await registry.connect(usRegulator).suspend(bankC.address);
        for (const sponsor of [carol, usRegulator, bankC]) {
          await expect(registry.connect(usRegulator).reassignSponsor(alice.address, sponsor.address))
            .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
            .withArgs(sponsor.address);
        }
      });
    });
  });

  for (const action of ["suspend", "revoke"] as const) {
    const state = action === "suspend" ? "suspended" : "revoked";
    describe(`when a bank is ${state}`, function () {
      async function bankDownFixture() {
        const f = await fundedFixture();
        await f.registry.connect(f.usRegulator)[action](f.bankA.address);
        return f;
      }

      it("its customers keep their status and funds and can still transfer", async function () {
        const { registry, dollar, alice, carol, bob } = await loadFixture(bankDownFixture);
        for (const customer of [alice, carol]) {
          expect((await registry.participant(customer.address)).status).to.equal(Status.Active);
          expect(await registry.isActive(customer.address)).to.be.true;
          expect(await dollar.balanceOf(customer.address)).to.equal(CUSTOMER_FUNDS);
        }
        await expect(dollar.connect(alice).transfer(bob.address, usd(10))).to.changeTokenBalances(
          dollar,
          [alice, bob],
          [-usd(10), usd(10)],
        );
        await expect(dollar.connect(bob).transfer(carol.address, usd(5))).to.changeTokenBalances(
          dollar,
          [bob, carol],
          [-usd(5), usd(5)],
        );
      });

      it("the bank can neither transfer, receive, onboard nor manage its customers", async function () {
        const { registry, dollar, bankA, bankB, alice, outsider, kycExpiry } = await loadFixture(bankDownFixture);
        await expect(dollar.connect(bankA).transfer(bankB.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(bankA.address, Restriction.NotActive);
        await expect(dollar.connect(alice).transfer(bankA.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(bankA.address, Restriction.NotActive);
        await expect(
          registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("C"), kycExpiry),
        )
          .to.be.revertedWithCustomError(registry, "RegistrySponsorNotEligible")
          .withArgs(bankA.address);
        const bank = registry.connect(bankA);
        const calls = [
          () => bank.suspend(alice.address),
          () => bank.revoke(alice.address),
          () => bank.renewKyc(alice.address, kycExpiry + 1),
        ];
        for (const call of calls) {
          await expect(call())
            .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
            .withArgs(bankA.address, alice.address);
        }
      });

      it("the regulator of its jurisdiction reassigns the customers, and the new bank renews their KYC", async function () {
        const { registry, gbRegulator, usRegulator, bankA, bankB, bankC, alice, kycExpiry } =
          await loadFixture(bankDownFixture);
        await expect(registry.connect(gbRegulator).reassignSponsor(alice.address, bankB.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnauthorized")
          .withArgs(gbRegulator.address, alice.address);
        await expect(registry.connect(usRegulator).reassignSponsor(alice.address, bankC.address))
          .to.emit(registry, "ParticipantSponsorChanged")
          .withArgs(alice.address, bankA.address, bankC.address, usRegulator.address);
        await expect(registry.connect(bankC).renewKyc(alice.address, kycExpiry + ONE_YEAR))
          .to.emit(registry, "ParticipantKycRenewed")
          .withArgs(alice.address, kycExpiry, kycExpiry + ONE_YEAR, bankC.address);
      });
    });
  }

  describe(".addObserver()", function () {
    async function secondDollarFixture() {
      const core = await coreFixture();
      const second = await new DigitalDollar__factory(core.admin).deploy(
        core.admin.address,
        await core.registry.getAddress(),
        3600,
      );
      return { ...core, second };
    }

    it("pushes every later change to the new observer", async function () {
      const { registry, dollar, second, bankA, alice } = await loadFixture(secondDollarFixture);
      expect(await second.restrictionOf(alice.address)).to.equal(Restriction.NotParticipant);
      await expect(registry.addObserver(await second.getAddress()))
        .to.emit(registry, "ObserverAdded")
        .withArgs(await second.getAddress());
      expect(await registry.observers()).to.deep.equal([await dollar.getAddress(), await second.getAddress()]);
      await registry.connect(bankA).suspend(alice.address);
      expect(await second.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
    });

    describe("when the observer is zero or already added", function () {
      it("reverts", async function () {
        const { registry, dollar } = await loadFixture(coreFixture);
        await expect(registry.addObserver(ethers.ZeroAddress)).to.be.revertedWithCustomError(
          registry,
          "RegistryZeroAddress",
        );
        await expect(registry.addObserver(await dollar.getAddress()))
          .to.be.revertedWithCustomError(registry, "RegistryObserverAlreadyAdded")
          .withArgs(await dollar.getAddress());
      });
    });

    describe("when the limit is reached", function () {
      it("reverts on the fifth", async function () {
        const { registry } = await loadFixture(coreFixture);
        expect(await registry.MAX_OBSERVERS()).to.equal(4n);
        for (let i = 0; i < 3; ++i) await registry.addObserver(ethers.Wallet.createRandom().address);
        expect(await registry.observers()).to.have.length(4);
        await expect(registry.addObserver(ethers.Wallet.createRandom().address))
          .to.be.revertedWithCustomError(registry, "RegistryTooManyObservers")
          .withArgs(4n);
      });
    });

    describe("when the caller is not a consortium admin", function () {
      it("reverts", async function () {
        const { registry, usRegulator, outsider } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).addObserver(outsider.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(usRegulator.address, await registry.CONSORTIUM_ADMIN_ROLE());
      });
    });
  });

  describe(".removeObserver()", function () {
    it("stops pushing changes to it, keeping the others", async function () {
      const { registry, dollar, bankA, alice } = await loadFixture(coreFixture);
      const [x, y] = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
      await registry.addObserver(x);
      await registry.addObserver(y);
      await expect(registry.removeObserver(await dollar.getAddress()))
        .to.emit(registry, "ObserverRemoved")
        .withArgs(await dollar.getAddress());
      expect(await registry.observers()).to.deep.equal([y, x]);
      await registry.removeObserver(x);
      await registry.removeObserver(y);
      await registry.connect(bankA).suspend(alice.address);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.None);
    });

    describe("when the observer is unknown", function () {
      it("reverts", async function () {
        const { registry, outsider } = await loadFixture(coreFixture);
        await expect(registry.removeObserver(outsider.address))
          .to.be.revertedWithCustomError(registry, "RegistryUnknownObserver")
          .withArgs(outsider.address);
      });
    });

    describe("when the caller is not a consortium admin", function () {
      it("reverts", async function () {
        const { registry, dollar, usRegulator } = await loadFixture(coreFixture);
        await expect(registry.connect(usRegulator).removeObserver(await dollar.getAddress()))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(usRegulator.address, await registry.CONSORTIUM_ADMIN_ROLE());
      });
    });
  });

  describe("views", function () {
    it("describe an unknown account, an unadmitted code and an unknown proposal as empty", async function () {
      const { registry, outsider } = await loadFixture(coreFixture);
      const record = await registry.participant(outsider.address);
      expect([record.kind, record.status, record.kycExpiry]).to.deep.equal([0n, 0n, 0n]);
      expect(await registry.isActive(outsider.address)).to.be.false;
      expect((await registry.jurisdiction(b2("BR"))).memberSince).to.equal(0n);
      expect(await registry.jurisdictionOfRegulator(outsider.address)).to.equal("0x0000");
      expect((await registry.proposal(7)).state).to.equal(ProposalState.None);
      expect(await registry.proposalCount()).to.equal(0n);
      expect(await registry.hasVoted(7, b2("US"))).to.be.false;
    });

    it("report a participant's standing as its record says, and an unknown account's as empty", async function () {
      const { registry, bankA, alice, outsider, kycExpiry } = await loadFixture(coreFixture);
      await registry.connect(bankA).suspend(alice.address);
      expect(await registry.standing(alice.address)).to.deep.equal([
        BigInt(Kind.Customer),
        BigInt(Status.Suspended),
        b2("US"),
        BigInt(kycExpiry),
      ]);
      expect(await registry.standing(outsider.address)).to.deep.equal([0n, 0n, "0x0000", 0n]);
    });

    it("report the dollar as the one observer after deployment", async function () {
      const { registry, dollar } = await loadFixture(coreFixture);
      expect(await registry.observers()).to.deep.equal([await dollar.getAddress()]);
    });

    it("report isActive false from the KYC expiry second on", async function () {
      const { registry, bankA, kycExpiry } = await loadFixture(coreFixture);
      await time.increaseTo(kycExpiry - 1);
      expect(await registry.isActive(bankA.address)).to.be.true;
      await time.increaseTo(kycExpiry);
      expect(await registry.isActive(bankA.address)).to.be.false;
    });
  });
});
