import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { Restriction } from "../../src/sdk/constants";
import { usd } from "../fixtures/core.fixture";
import { CUSTOMER_FUNDS, fundedFixture } from "../fixtures/token.fixture";

/** The mistakes peer stablecoins made, each pinned by a test. */

const ORDER = ethers.id("court-order-2026-0042");
const ISSUER_ROLE = ethers.id("ISSUER_ROLE");
const FREEZER_ROLE = ethers.id("FREEZER_ROLE");
const SEIZER_ROLE = ethers.id("SEIZER_ROLE");
const PAUSER_ROLE = ethers.id("PAUSER_ROLE");

/** Funded customers, the US issuer holding 10 dollars of its own issuance, and alice frozen. */
async function trapFixture() {
  const f = await fundedFixture();
  await f.dollar.connect(f.bankA).transfer(f.usRegulator.address, usd(10));
  await f.dollar.connect(f.freezer).freeze(f.alice.address);
  return f;
}

describe("DigitalDollar traps", function () {
  describe("an issuer cannot burn from a frozen account", function () {
    it("reverts when the issuer's own account is frozen", async function () {
      const { dollar, freezer, usRegulator } = await loadFixture(trapFixture);
      await dollar.connect(freezer).freeze(usRegulator.address);
      const supply = await dollar.totalSupply();
      await expect(dollar.connect(usRegulator).burn(usd(10)))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(usRegulator.address, Restriction.Frozen);
      expect(await dollar.balanceOf(usRegulator.address)).to.equal(usd(10));
      expect(await dollar.totalSupply()).to.equal(supply);
    });

    it("offers no function that burns from another account", async function () {
      const { dollar } = await loadFixture(trapFixture);
      const burns = dollar.interface.fragments
        .filter((fragment) => fragment.type === "function")
        .map((fragment) => ethers.FunctionFragment.from(fragment))
        .filter((fragment) => /burn|redeem|destroy/i.test(fragment.name))
        .map((fragment) => fragment.format("sighash"));
      expect(burns).to.deep.equal(["burn(uint256)"]);
    });

    it("gives an issuer no path to a frozen holder's funds, even with the holder's approval", async function () {
      const { dollar, freezer, usRegulator, alice } = await loadFixture(trapFixture);
      await dollar.connect(freezer).unfreeze(alice.address);
      await dollar.connect(alice).approve(usRegulator.address, ethers.MaxUint256);
      await dollar.connect(freezer).freeze(alice.address);
      const supply = await dollar.totalSupply();

      await expect(dollar.connect(usRegulator).transferFrom(alice.address, usRegulator.address, usd(100)))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(alice.address, Restriction.Frozen);
      await expect(dollar.connect(usRegulator).seize(alice.address, usRegulator.address, usd(100), ORDER))
        .to.be.revertedWithCustomError(dollar, "AccessControlUnauthorizedAccount")
        .withArgs(usRegulator.address, SEIZER_ROLE);
      await expect(dollar.connect(usRegulator).burn(usd(100)))
        .to.be.revertedWithCustomError(dollar, "ERC20InsufficientBalance")
        .withArgs(usRegulator.address, usd(10), usd(100));

      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
      expect(await dollar.totalSupply()).to.equal(supply);
    });
  });

  describe("a seizure to self reverts", function () {
    it("reverts and moves nothing", async function () {
      const { dollar, seizer, alice } = await loadFixture(trapFixture);
      await expect(dollar.connect(seizer).seize(alice.address, alice.address, usd(1), ORDER))
        .to.be.revertedWithCustomError(dollar, "DollarSeizureToSelf")
        .withArgs(alice.address);
      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
    });
  });

  describe("a seizure to an account that may not hold reverts", function () {
    it("reverts for a non-participant, an auditor and the zero address as custody", async function () {
      const { dollar, seizer, alice, outsider, auditor } = await loadFixture(trapFixture);
      for (const custody of [outsider.address, auditor.address, ethers.ZeroAddress]) {
        await expect(dollar.connect(seizer).seize(alice.address, custody, usd(1), ORDER))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(custody, Restriction.NotParticipant);
        expect(await dollar.balanceOf(custody)).to.equal(0n);
      }
      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
    });

    it("reverts for a suspended custody account", async function () {
      const { dollar, registry, seizer, bankA, alice, custody } = await loadFixture(trapFixture);
      await registry.connect(bankA).suspend(custody.address);
      await expect(dollar.connect(seizer).seize(alice.address, custody.address, usd(1), ORDER))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(custody.address, Restriction.NotActive);
    });

    it("reverts for a frozen custody account", async function () {
      const { dollar, freezer, seizer, alice, custody } = await loadFixture(trapFixture);
      await dollar.connect(freezer).freeze(custody.address);
      await expect(dollar.connect(seizer).seize(alice.address, custody.address, usd(1), ORDER))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(custody.address, Restriction.Frozen);
    });

    it("reverts for a custody account whose KYC expired", async function () {
      const { dollar, seizer, alice, custody, kycExpiry } = await loadFixture(trapFixture);
      await time.increaseTo(kycExpiry);
      await expect(dollar.connect(seizer).seize(alice.address, custody.address, usd(1), ORDER))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(custody.address, Restriction.KycExpired);
      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
    });

    it("succeeds for an eligible custody account", async function () {
      const { dollar, seizer, alice, custody } = await loadFixture(trapFixture);
      await expect(dollar.connect(seizer).seize(alice.address, custody.address, usd(1), ORDER)).to.changeTokenBalances(
        dollar,
        [alice, custody],
        [-usd(1), usd(1)],
      );
    });
  });

  describe("a role change that silently drops a check", function () {
    it("revoking then re-granting ISSUER_ROLE does not revive the old allowance", async function () {
      const { dollar, masterMinter, gbRegulator, bob } = await loadFixture(trapFixture);
      expect(await dollar.minterAllowance(gbRegulator.address)).to.equal(usd(50_000_000));
      await expect(dollar.connect(masterMinter).revokeRole(ISSUER_ROLE, gbRegulator.address))
        .to.emit(dollar, "IssuerRemoved")
        .withArgs(gbRegulator.address);
      await dollar.connect(masterMinter).grantRole(ISSUER_ROLE, gbRegulator.address);
      expect(await dollar.minterAllowance(gbRegulator.address)).to.equal(0n);
      await expect(dollar.connect(gbRegulator).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarMintAllowanceExceeded")
        .withArgs(gbRegulator.address, 0n, 1n);
    });

    it("removing an issuer then re-granting the role does not revive the old allowance", async function () {
      const { dollar, masterMinter, gbRegulator, bob } = await loadFixture(trapFixture);
      await dollar.connect(masterMinter).removeIssuer(gbRegulator.address);
      await dollar.connect(masterMinter).grantRole(ISSUER_ROLE, gbRegulator.address);
      await expect(dollar.connect(gbRegulator).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarMintAllowanceExceeded")
        .withArgs(gbRegulator.address, 0n, 1n);
    });

    it("renouncing ISSUER_ROLE drops the allowance too", async function () {
      const { dollar, masterMinter, gbRegulator, bob } = await loadFixture(trapFixture);
      await expect(dollar.connect(gbRegulator).renounceRole(ISSUER_ROLE, gbRegulator.address))
        .to.emit(dollar, "IssuerRemoved")
        .withArgs(gbRegulator.address);
      expect(await dollar.minterAllowance(gbRegulator.address)).to.equal(0n);
      await dollar.connect(masterMinter).grantRole(ISSUER_ROLE, gbRegulator.address);
      await expect(dollar.connect(gbRegulator).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarMintAllowanceExceeded")
        .withArgs(gbRegulator.address, 0n, 1n);
    });

    it("granting ISSUER_ROLE through grantRole gives a zero allowance", async function () {
      const { dollar, masterMinter, bankA, bob } = await loadFixture(trapFixture);
      await dollar.connect(masterMinter).grantRole(ISSUER_ROLE, bankA.address);
      expect(await dollar.minterAllowance(bankA.address)).to.equal(0n);
      await expect(dollar.connect(bankA).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarMintAllowanceExceeded")
        .withArgs(bankA.address, 0n, 1n);
    });

    it("a new issuer still cannot mint above the reserves", async function () {
      const { dollar, masterMinter, bankA, bob } = await loadFixture(trapFixture);
      await dollar.connect(masterMinter).configureIssuer(bankA.address, usd(1_000_000_000));
      const reserves = (await dollar.reserves()).amount;
      const headroom = reserves - (await dollar.totalSupply());
      await expect(dollar.connect(bankA).mint(bob.address, headroom + 1n))
        .to.be.revertedWithCustomError(dollar, "DollarReservesExceeded")
        .withArgs(reserves, reserves + 1n);
    });

    it("a new issuer still cannot mint to a non-participant, nor mint at all when not one itself", async function () {
      const { dollar, masterMinter, bankA, outsider, auditor, bob } = await loadFixture(trapFixture);
      await dollar.connect(masterMinter).configureIssuer(bankA.address, usd(100));
      await expect(dollar.connect(bankA).mint(outsider.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(outsider.address, Restriction.NotParticipant);
      await dollar.connect(masterMinter).configureIssuer(auditor.address, usd(100));
      await expect(dollar.connect(auditor).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(auditor.address, Restriction.NotParticipant);
    });

    it("revoking FREEZER_ROLE does not unfreeze", async function () {
      const { dollar, admin, freezer, alice, bob } = await loadFixture(trapFixture);
      await dollar.revokeRole(FREEZER_ROLE, freezer.address);
      expect(await dollar.isFrozen(alice.address)).to.be.true;
      await expect(dollar.connect(alice).transfer(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(alice.address, Restriction.Frozen);
      await expect(dollar.connect(freezer).unfreeze(alice.address))
        .to.be.revertedWithCustomError(dollar, "AccessControlUnauthorizedAccount")
        .withArgs(freezer.address, FREEZER_ROLE);
      await dollar.grantRole(FREEZER_ROLE, admin.address);
      await expect(dollar.unfreeze(alice.address)).to.emit(dollar, "Unfrozen").withArgs(alice.address, admin.address);
    });

    it("renouncing FREEZER_ROLE does not unfreeze", async function () {
      const { dollar, freezer, alice } = await loadFixture(trapFixture);
      await dollar.connect(freezer).renounceRole(FREEZER_ROLE, freezer.address);
      expect(await dollar.isFrozen(alice.address)).to.be.true;
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.Frozen);
    });

    it("revoking PAUSER_ROLE does not unpause", async function () {
      const { dollar, pauser, bankA, bankB } = await loadFixture(trapFixture);
      await dollar.connect(pauser).pause();
      await dollar.revokeRole(PAUSER_ROLE, pauser.address);
      expect(await dollar.paused()).to.be.true;
      await expect(dollar.connect(bankA).transfer(bankB.address, 1)).to.be.revertedWithCustomError(
        dollar,
        "DollarPaused",
      );
    });
  });
});
