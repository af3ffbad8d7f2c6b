import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { toBytes2 as b2 } from "../../src/sdk/deploy";
import { DEFAULT_MAX_ATTESTATION_AGE, ParticipantKind as Kind, Restriction } from "../../src/sdk/constants";
import { DigitalDollar__factory } from "../../typechain-types";
import { coreFixture, lei, ONE_YEAR, RESERVE_REPORT, usd } from "../fixtures/core.fixture";
import {
  authorizationTypes,
  dollarDomain,
  joinSignature,
  PERMIT_TYPES,
  signAuthorization,
  signCancellation,
  signPermit,
  type Authorization,
} from "../../src/sdk/signatures";
import { CUSTOMER_FUNDS, fundedFixture } from "../fixtures/token.fixture";

const MAX_UINT256 = ethers.MaxUint256;
const MAX_UINT128 = 2n ** 128n - 1n;
const NO_EXPIRY = 2n ** 40n - 1n;
const REGISTERED = 1n;
const ACTIVE = 2n;
const FROZEN = 4n;
const SYSTEM = 8n;
const LEGAL_ORDER = ethers.id("court-order-2026-0042");
const MAX_AGE = BigInt(DEFAULT_MAX_ATTESTATION_AGE);

/** Funded customers plus dave, a funded customer of bank A whose KYC expires in an hour. */
async function shortKycFixture() {
  const f = await fundedFixture();
  const dave = (await ethers.getSigners())[18];
  const daveExpiry = (await time.latest()) + 3600;
  await f.registry.connect(f.bankA).onboardParticipant(dave.address, Kind.Customer, b2("US"), lei("DAVE"), daveExpiry);
  await f.dollar.connect(f.bankA).transfer(dave.address, CUSTOMER_FUNDS);
  return { ...f, dave, daveExpiry };
}

/** Funded customers and a second dollar, deployed on the same registry, to watch as the first one's observer. */
async function observerFixture() {
  const f = await fundedFixture();
  const watcher = await new DigitalDollar__factory(f.admin).deploy(
    f.admin.address,
    await f.registry.getAddress(),
    DEFAULT_MAX_ATTESTATION_AGE,
  );
  return { ...f, watcher };
}

/** A fresh nonce for an EIP-3009 authorization. */
const nonceOf = (tag: string) => ethers.id(`authorization-${tag}`);

describe("DigitalDollar", function () {
  describe("constructor", function () {
    it("grants the admin role, puts issuers under the master minter and records the registry", async function () {
      const { dollar, registry, admin } = await loadFixture(coreFixture);
      expect(await dollar.hasRole(await dollar.DEFAULT_ADMIN_ROLE(), admin.address)).to.be.true;
      expect(await dollar.getRoleAdmin(await dollar.ISSUER_ROLE())).to.equal(await dollar.MASTER_MINTER_ROLE());
      expect(await dollar.registry()).to.equal(await registry.getAddress());
      expect(await dollar.maxAttestationAge()).to.equal(MAX_AGE);
    });

    describe("when the admin or the registry is the zero address, or the maximum age zero", function () {
      it("reverts", async function () {
        const { registry, admin } = await loadFixture(coreFixture);
        const factory = new DigitalDollar__factory(admin);
        const registryAddress = await registry.getAddress();
        await expect(factory.deploy(ethers.ZeroAddress, registryAddress, 60)).to.be.revertedWithCustomError(
          factory,
          "DollarZeroAddress",
        );
        await expect(factory.deploy(admin.address, ethers.ZeroAddress, 60)).to.be.revertedWithCustomError(
          factory,
          "DollarZeroAddress",
        );
        await expect(factory.deploy(admin.address, registryAddress, 0))
          .to.be.revertedWithCustomError(factory, "DollarInvalidMaxAge")
          .withArgs(0n);
      });
    });
  });

  describe("metadata", function () {
    it("is Digital Dollar, DUSD, 6 decimals, with an EIP-712 domain of version 1", async function () {
      const { dollar } = await loadFixture(coreFixture);
      expect(await dollar.name()).to.equal("Digital Dollar");
      expect(await dollar.symbol()).to.equal("DUSD");
      expect(await dollar.decimals()).to.equal(6n);
      expect(await dollar.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(await dollarDomain(dollar)));
    });

    it("reports the supply minted by the fixture", async function () {
      const { dollar, bankA } = await loadFixture(coreFixture);
      expect(await dollar.totalSupply()).to.equal(usd(3_000_000));
      expect(await dollar.balanceOf(bankA.address)).to.equal(usd(1_000_000));
    });
  });

  describe(".transfer()", function () {
    it("moves dollars between Active participants", async function () {
      const { dollar, alice, bob } = await loadFixture(fundedFixture);
      const tx = dollar.connect(alice).transfer(bob.address, usd(250));
      await expect(tx).to.changeTokenBalances(dollar, [alice, bob], [-usd(250), usd(250)]);
      await expect(tx).to.emit(dollar, "Transfer").withArgs(alice.address, bob.address, usd(250));
    });

    it("logs a transfer to self and a zero transfer without moving anything", async function () {
      const { dollar, alice, bob } = await loadFixture(fundedFixture);
      await expect(dollar.connect(alice).transfer(alice.address, usd(1)))
        .to.emit(dollar, "Transfer")
        .withArgs(alice.address, alice.address, usd(1));
      await expect(dollar.connect(alice).transfer(bob.address, 0)).to.changeTokenBalances(dollar, [alice, bob], [0, 0]);
      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
    });

    it("costs at most 1.08 times a plain OpenZeppelin ERC-20 transfer", async function () {
      // Coverage instrumentation inflates gas; the budget is measured on the real bytecode only.
      if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
      const { dollar, plain, bankA, bankB } = await loadFixture(coreFixture);
      const permissioned = await (await dollar.connect(bankA).transfer(bankB.address, usd(1))).wait();
      const baseline = await (await plain.connect(bankA).transfer(bankB.address, usd(1))).wait();
      expect(permissioned!.gasUsed * 100n).to.be.at.most(baseline!.gasUsed * 108n);
    });

    describe("when the balance is too small", function () {
      it("reverts", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        await expect(dollar.connect(alice).transfer(bob.address, CUSTOMER_FUNDS + 1n))
          .to.be.revertedWithCustomError(dollar, "ERC20InsufficientBalance")
          .withArgs(alice.address, CUSTOMER_FUNDS, CUSTOMER_FUNDS + 1n);
      });
    });

    describe("when paused", function () {
      it("reverts", async function () {
        const { dollar, pauser, alice, bob } = await loadFixture(fundedFixture);
        await dollar.connect(pauser).pause();
        await expect(dollar.connect(alice).transfer(bob.address, 1)).to.be.revertedWithCustomError(
          dollar,
          "DollarPaused",
        );
      });
    });

    describe("when the sender is restricted", function () {
      it("reverts NotParticipant for an outsider and an auditor", async function () {
        const { dollar, alice, outsider, auditor } = await loadFixture(fundedFixture);
        for (const sender of [outsider, auditor]) {
          await expect(dollar.connect(sender).transfer(alice.address, 0))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(sender.address, Restriction.NotParticipant);
        }
      });

      it("reverts NotActive for a suspended and a revoked customer", async function () {
        const { dollar, registry, bankA, alice, carol, bob } = await loadFixture(fundedFixture);
        await registry.connect(bankA).suspend(alice.address);
        await registry.connect(bankA).revoke(carol.address);
        for (const sender of [alice, carol]) {
          await expect(dollar.connect(sender).transfer(bob.address, 1))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(sender.address, Restriction.NotActive);
        }
      });

      it("reverts KycExpired from the expiry second on", async function () {
        const { dollar, dave, daveExpiry, bob } = await loadFixture(shortKycFixture);
        await time.setNextBlockTimestamp(daveExpiry - 1);
        await expect(dollar.connect(dave).transfer(bob.address, 1)).to.emit(dollar, "Transfer");
        await expect(dollar.connect(dave).transfer(bob.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(dave.address, Restriction.KycExpired);
      });

      it("reverts Frozen for a frozen customer", async function () {
        const { dollar, freezer, alice, bob } = await loadFixture(fundedFixture);
        await dollar.connect(freezer).freeze(alice.address);
        await expect(dollar.connect(alice).transfer(bob.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(alice.address, Restriction.Frozen);
      });
    });

    describe("when the receiver is restricted", function () {
      it("reverts NotParticipant for an outsider, an auditor and the zero address", async function () {
        const { dollar, alice, outsider, auditor } = await loadFixture(fundedFixture);
        for (const to of [outsider.address, auditor.address, ethers.ZeroAddress]) {
          await expect(dollar.connect(alice).transfer(to, 1))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(to, Restriction.NotParticipant);
        }
      });

      it("reverts NotActive for a suspended customer", async function () {
        const { dollar, registry, bankB, alice, bob } = await loadFixture(fundedFixture);
        await registry.connect(bankB).suspend(bob.address);
        await expect(dollar.connect(alice).transfer(bob.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(bob.address, Restriction.NotActive);
      });

      it("reverts KycExpired once the receiver's KYC expired", async function () {
        const { dollar, dave, daveExpiry, alice } = await loadFixture(shortKycFixture);
        await time.increaseTo(daveExpiry);
        await expect(dollar.connect(alice).transfer(dave.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(dave.address, Restriction.KycExpired);
      });

      it("reverts Frozen for a frozen receiver", async function () {
        const { dollar, freezer, alice, bob } = await loadFixture(fundedFixture);
        await dollar.connect(freezer).freeze(bob.address);
        await expect(dollar.connect(alice).transfer(bob.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(bob.address, Restriction.Frozen);
      });
    });
  });

  describe(".approve()", function () {
    it("sets the allowance and logs it", async function () {
      const { dollar, alice, bob } = await loadFixture(fundedFixture);
      await expect(dollar.connect(alice).approve(bob.address, usd(5)))
        .to.emit(dollar, "Approval")
        .withArgs(alice.address, bob.address, usd(5));
      expect(await dollar.allowance(alice.address, bob.address)).to.equal(usd(5));
      await dollar.connect(alice).approve(bob.address, 0);
      expect(await dollar.allowance(alice.address, bob.address)).to.equal(0n);
    });

    describe("when the spender is the zero address", function () {
      it("reverts", async function () {
        const { dollar, alice } = await loadFixture(fundedFixture);
        await expect(dollar.connect(alice).approve(ethers.ZeroAddress, 1))
          .to.be.revertedWithCustomError(dollar, "ERC20InvalidSpender")
          .withArgs(ethers.ZeroAddress);
      });
    });
  });

  describe(".transferFrom()", function () {
    it("moves the owner's dollars and spends the allowance", async function () {
      const { dollar, alice, bob, carol } = await loadFixture(fundedFixture);
      await dollar.connect(alice).approve(bob.address, usd(100));
      const tx = dollar.connect(bob).transferFrom(alice.address, carol.address, usd(40));
      await expect(tx).to.changeTokenBalances(dollar, [alice, bob, carol], [-usd(40), 0, usd(40)]);
      await expect(tx).to.emit(dollar, "Transfer").withArgs(alice.address, carol.address, usd(40));
      expect(await dollar.allowance(alice.address, bob.address)).to.equal(usd(60));
    });

    it("leaves an unlimited allowance untouched", async function () {
      const { dollar, alice, bob } = await loadFixture(fundedFixture);
      await dollar.connect(alice).approve(bob.address, MAX_UINT256);
      await dollar.connect(bob).transferFrom(alice.address, bob.address, usd(40));
      expect(await dollar.allowance(alice.address, bob.address)).to.equal(MAX_UINT256);
    });

    describe("when the allowance is too small", function () {
      it("reverts", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        await dollar.connect(alice).approve(bob.address, usd(1));
        await expect(dollar.connect(bob).transferFrom(alice.address, bob.address, usd(1) + 1n))
          .to.be.revertedWithCustomError(dollar, "ERC20InsufficientAllowance")
          .withArgs(bob.address, usd(1), usd(1) + 1n);
      });
    });

    describe("when the spender is restricted", function () {
      it("reverts for an outsider, an auditor, a suspended and a frozen spender, even with an allowance", async function () {
        const { dollar, registry, freezer, bankB, alice, bob, supplier, outsider, auditor } =
          await loadFixture(fundedFixture);
        await registry.connect(bankB).suspend(bob.address);
        await dollar.connect(freezer).freeze(supplier.address);
        const cases = [
          [outsider, Restriction.NotParticipant],
          [auditor, Restriction.NotParticipant],
          [bob, Restriction.NotActive],
          [supplier, Restriction.Frozen],
        ] as const;
        for (const [spender, reason] of cases) {
          await dollar.connect(alice).approve(spender.address, usd(10));
          await expect(dollar.connect(spender).transferFrom(alice.address, alice.address, usd(1)))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(spender.address, reason);
        }
      });
    });

    describe("when the owner or the receiver is restricted", function () {
      it("reverts", async function () {
        const { dollar, freezer, alice, bob, carol, outsider } = await loadFixture(fundedFixture);
        await dollar.connect(alice).approve(bob.address, usd(10));
        await expect(dollar.connect(bob).transferFrom(alice.address, outsider.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(outsider.address, Restriction.NotParticipant);
        await dollar.connect(freezer).freeze(alice.address);
        await expect(dollar.connect(bob).transferFrom(alice.address, carol.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(alice.address, Restriction.Frozen);
      });
    });

    describe("when paused", function () {
      it("reverts", async function () {
        const { dollar, pauser, alice, bob } = await loadFixture(fundedFixture);
        await dollar.connect(alice).approve(bob.address, usd(10));
        await dollar.connect(pauser).pause();
        await expect(dollar.connect(bob).transferFrom(alice.address, bob.address, 1)).to.be.revertedWithCustomError(
          dollar,
          "DollarPaused",
        );
      });
    });
  });

  describe(".permit()", function () {
    it("approves from the owner's signature, submitted by anyone, and uses the nonce", async function () {
      const { dollar, alice, bob, outsider } = await loadFixture(fundedFixture);
      const deadline = BigInt((await time.latest()) + 3600);
      const { v, r, s } = await signPermit(dollar, alice, bob.address, usd(70), deadline);
      expect(await dollar.nonces(alice.address)).to.equal(0n);
      await expect(dollar.connect(outsider).permit(alice.address, bob.address, usd(70), deadline, v, r, s))
        .to.emit(dollar, "Approval")
        .withArgs(alice.address, bob.address, usd(70));
      expect(await dollar.allowance(alice.address, bob.address)).to.equal(usd(70));
      expect(await dollar.nonces(alice.address)).to.equal(1n);
      await expect(dollar.connect(bob).transferFrom(alice.address, bob.address, usd(70))).to.changeTokenBalances(
        dollar,
        [alice, bob],
        [-usd(70), usd(70)],
      );
    });

    it("is still valid at the deadline second", async function () {
      const { dollar, alice, bob } = await loadFixture(fundedFixture);
      const deadline = BigInt((await time.latest()) + 10);
      const { v, r, s } = await signPermit(dollar, alice, bob.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline);
      await expect(dollar.permit(alice.address, bob.address, 1n, deadline, v, r, s)).to.emit(dollar, "Approval");
    });

    describe("when the deadline passed", function () {
      it("reverts", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const deadline = BigInt(await time.latest());
        const { v, r, s } = await signPermit(dollar, alice, bob.address, 1n, deadline);
        await expect(dollar.permit(alice.address, bob.address, 1n, deadline, v, r, s))
          .to.be.revertedWithCustomError(dollar, "DollarPermitExpired")
          .withArgs(deadline);
      });
    });

    describe("when someone else signed", function () {
      it("reverts", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const deadline = BigInt((await time.latest()) + 3600);
        const message = { owner: alice.address, spender: bob.address, value: usd(1), nonce: 0n, deadline };
        const forged = ethers.Signature.from(
          await bob.signTypedData(await dollarDomain(dollar), PERMIT_TYPES, message),
        );
        const { v, r, s } = forged;
        await expect(dollar.permit(alice.address, bob.address, usd(1), deadline, v, r, s))
          .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
          .withArgs(bob.address, alice.address);
      });
    });

    describe("when the permit is replayed", function () {
      it("reverts, since the nonce moved on", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const deadline = BigInt((await time.latest()) + 3600);
        const signature = await signPermit(dollar, alice, bob.address, usd(1), deadline);
        const { v, r, s } = signature;
        await dollar.permit(alice.address, bob.address, usd(1), deadline, v, r, s);
        const recovered = ethers.verifyTypedData(
          await dollarDomain(dollar),
          PERMIT_TYPES,
          { owner: alice.address, spender: bob.address, value: usd(1), nonce: 1n, deadline },
          joinSignature(signature),
        );
        await expect(dollar.permit(alice.address, bob.address, usd(1), deadline, v, r, s))
          .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
          .withArgs(recovered, alice.address);
      });
    });

    describe("when the signature is malformed", function () {
      it("reverts with the zero signer", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const deadline = BigInt((await time.latest()) + 3600);
        await expect(dollar.permit(alice.address, bob.address, 1n, deadline, 27, ethers.ZeroHash, ethers.ZeroHash))
          .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
          .withArgs(ethers.ZeroAddress, alice.address);
      });
    });
  });

  describe("EIP-3009", function () {
    async function authorization(from: string, to: string, value: bigint, tag: string): Promise<Authorization> {
      const now = BigInt(await time.latest());
      return { from, to, value, validAfter: now - 1n, validBefore: now + 3600n, nonce: nonceOf(tag) };
    }

    describe(".transferWithAuthorization()", function () {
      it("moves dollars on the payer's signature, submitted by anyone", async function () {
        const { dollar, alice, bob, outsider } = await loadFixture(fundedFixture);
        const auth = await authorization(alice.address, bob.address, usd(30), "a");
        const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
        expect(await dollar.authorizationState(alice.address, auth.nonce)).to.be.false;
        const tx = dollar
          .connect(outsider)
          .transferWithAuthorization(
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            v,
            r,
            s,
          );
        await expect(tx).to.changeTokenBalances(dollar, [alice, bob], [-usd(30), usd(30)]);
        await expect(tx)
          .to.emit(dollar, "AuthorizationUsed")
          .withArgs(alice.address, auth.nonce)
          .and.to.emit(dollar, "Transfer")
          .withArgs(alice.address, bob.address, usd(30));
        expect(await dollar.authorizationState(alice.address, auth.nonce)).to.be.true;
      });

      describe("when outside the validity window", function () {
        it("reverts before validAfter has passed and from validBefore on", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const now = BigInt(await time.latest());
          const auth = { ...(await authorization(alice.address, bob.address, 1n, "w")), validAfter: now + 10n };
          auth.validBefore = now + 20n;
          const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          const submit = () =>
            dollar.transferWithAuthorization(
              auth.from,
              auth.to,
              auth.value,
              auth.validAfter,
              auth.validBefore,
              auth.nonce,
              v,
              r,
              s,
            );
          await time.setNextBlockTimestamp(auth.validAfter);
          await expect(submit())
            .to.be.revertedWithCustomError(dollar, "DollarAuthorizationNotYetValid")
            .withArgs(auth.validAfter);
          await time.setNextBlockTimestamp(auth.validBefore);
          await expect(submit())
            .to.be.revertedWithCustomError(dollar, "DollarAuthorizationExpired")
            .withArgs(auth.validBefore);
          expect(await dollar.authorizationState(alice.address, auth.nonce)).to.be.false;
        });

        it("succeeds at the last valid second", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, 1n, "last");
          const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          await time.setNextBlockTimestamp(auth.validBefore - 1n);
          await expect(
            dollar.transferWithAuthorization(
              auth.from,
              auth.to,
              auth.value,
              auth.validAfter,
              auth.validBefore,
              auth.nonce,
              v,
              r,
              s,
            ),
          ).to.emit(dollar, "AuthorizationUsed");
        });
      });

      describe("when the authorization was already used", function () {
        it("reverts", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, 1n, "reuse");
          const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          const args = [
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            v,
            r,
            s,
          ] as const;
          await dollar.transferWithAuthorization(...args);
          await expect(dollar.transferWithAuthorization(...args))
            .to.be.revertedWithCustomError(dollar, "DollarAuthorizationUsed")
            .withArgs(alice.address, auth.nonce);
        });
      });

      describe("when someone else signed, or signed another type", function () {
        it("reverts", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, 1n, "forged");
          const forged = await signAuthorization(dollar, bob, "TransferWithAuthorization", auth);
          const args = [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce] as const;
          await expect(dollar.transferWithAuthorization(...args, forged.v, forged.r, forged.s))
            .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
            .withArgs(bob.address, alice.address);

          const receiveSig = await signAuthorization(dollar, alice, "ReceiveWithAuthorization", auth);
          const recovered = ethers.verifyTypedData(
            await dollarDomain(dollar),
            authorizationTypes("TransferWithAuthorization"),
            auth,
            joinSignature(receiveSig),
          );
          await expect(dollar.transferWithAuthorization(...args, receiveSig.v, receiveSig.r, receiveSig.s))
            .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
            .withArgs(recovered, alice.address);
        });
      });

      describe("when the payee may not hold", function () {
        it("reverts and leaves the nonce unused", async function () {
          const { dollar, alice, outsider } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, outsider.address, 1n, "payee");
          const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          await expect(
            dollar.transferWithAuthorization(
              auth.from,
              auth.to,
              auth.value,
              auth.validAfter,
              auth.validBefore,
              auth.nonce,
              v,
              r,
              s,
            ),
          )
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(outsider.address, Restriction.NotParticipant);
          expect(await dollar.authorizationState(alice.address, auth.nonce)).to.be.false;
        });
      });
    });

    describe(".receiveWithAuthorization()", function () {
      it("moves dollars when the payee submits", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const auth = await authorization(alice.address, bob.address, usd(12), "r");
        const { v, r, s } = await signAuthorization(dollar, alice, "ReceiveWithAuthorization", auth);
        const tx = dollar
          .connect(bob)
          .receiveWithAuthorization(
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            v,
            r,
            s,
          );
        await expect(tx).to.changeTokenBalances(dollar, [alice, bob], [-usd(12), usd(12)]);
        await expect(tx).to.emit(dollar, "AuthorizationUsed").withArgs(alice.address, auth.nonce);
      });

      describe("when the caller is not the payee", function () {
        it("reverts", async function () {
          const { dollar, alice, bob, carol } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, usd(12), "r");
          const { v, r, s } = await signAuthorization(dollar, alice, "ReceiveWithAuthorization", auth);
          for (const caller of [carol, alice]) {
            await expect(
              dollar
                .connect(caller)
                .receiveWithAuthorization(
                  auth.from,
                  auth.to,
                  auth.value,
                  auth.validAfter,
                  auth.validBefore,
                  auth.nonce,
                  v,
                  r,
                  s,
                ),
            )
              .to.be.revertedWithCustomError(dollar, "DollarCallerNotPayee")
              .withArgs(caller.address, bob.address);
          }
        });
      });

      describe("when given a transfer authorization", function () {
        it("reverts", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, usd(12), "t");
          const sig = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          const recovered = ethers.verifyTypedData(
            await dollarDomain(dollar),
            authorizationTypes("ReceiveWithAuthorization"),
            auth,
            joinSignature(sig),
          );
          await expect(
            dollar
              .connect(bob)
              .receiveWithAuthorization(
                auth.from,
                auth.to,
                auth.value,
                auth.validAfter,
                auth.validBefore,
                auth.nonce,
                sig.v,
                sig.r,
                sig.s,
              ),
          )
            .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
            .withArgs(recovered, alice.address);
        });
      });
    });

    describe(".cancelAuthorization()", function () {
      it("burns the nonce so the authorization can no longer be used", async function () {
        const { dollar, alice, bob } = await loadFixture(fundedFixture);
        const auth = await authorization(alice.address, bob.address, usd(5), "c");
        const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
        const cancel = await signCancellation(dollar, alice, alice.address, auth.nonce);
        await expect(dollar.connect(bob).cancelAuthorization(alice.address, auth.nonce, cancel.v, cancel.r, cancel.s))
          .to.emit(dollar, "AuthorizationCanceled")
          .withArgs(alice.address, auth.nonce);
        expect(await dollar.authorizationState(alice.address, auth.nonce)).to.be.true;
        await expect(
          dollar.transferWithAuthorization(
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            v,
            r,
            s,
          ),
        )
          .to.be.revertedWithCustomError(dollar, "DollarAuthorizationUsed")
          .withArgs(alice.address, auth.nonce);
        await expect(dollar.cancelAuthorization(alice.address, auth.nonce, cancel.v, cancel.r, cancel.s))
          .to.be.revertedWithCustomError(dollar, "DollarAuthorizationUsed")
          .withArgs(alice.address, auth.nonce);
      });

      describe("when the nonce was already used", function () {
        it("reverts", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const auth = await authorization(alice.address, bob.address, usd(5), "u");
          const { v, r, s } = await signAuthorization(dollar, alice, "TransferWithAuthorization", auth);
          await dollar.transferWithAuthorization(
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            v,
            r,
            s,
          );
          const cancel = await signCancellation(dollar, alice, alice.address, auth.nonce);
          await expect(dollar.cancelAuthorization(alice.address, auth.nonce, cancel.v, cancel.r, cancel.s))
            .to.be.revertedWithCustomError(dollar, "DollarAuthorizationUsed")
            .withArgs(alice.address, auth.nonce);
        });
      });

      describe("when someone else signed", function () {
        it("reverts", async function () {
          const { dollar, alice, bob } = await loadFixture(fundedFixture);
          const cancel = await signCancellation(dollar, bob, alice.address, nonceOf("x"));
          await expect(dollar.cancelAuthorization(alice.address, nonceOf("x"), cancel.v, cancel.r, cancel.s))
            .to.be.revertedWithCustomError(dollar, "DollarInvalidSigner")
            .withArgs(bob.address, alice.address);
          expect(await dollar.authorizationState(alice.address, nonceOf("x"))).to.be.false;
        });
      });
    });
  });

  describe(".attestReserves()", function () {
    it("records the attestation", async function () {
      const { dollar, attestor } = await loadFixture(coreFixture);
      const asOf = BigInt(await time.latest());
      const report = ethers.id("report-2");
      await expect(dollar.connect(attestor).attestReserves(usd(20_000_000), report, asOf))
        .to.emit(dollar, "ReservesAttested")
        .withArgs(attestor.address, usd(20_000_000), report, asOf);
      const reserves = await dollar.reserves();
      expect([reserves.amount, reserves.asOf, reserves.attestor, reserves.reportHash]).to.deep.equal([
        usd(20_000_000),
        asOf,
        attestor.address,
        report,
      ]);
    });

    describe("when asOf does not move forward", function () {
      it("reverts for the same and an earlier time", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        const previous = (await dollar.reserves()).asOf;
        for (const asOf of [previous, previous - 1n]) {
          await expect(dollar.connect(attestor).attestReserves(usd(1), RESERVE_REPORT, asOf))
            .to.be.revertedWithCustomError(dollar, "DollarInvalidAttestation")
            .withArgs(asOf, previous);
        }
      });
    });

    describe("when asOf is in the future", function () {
      it("reverts", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        const previous = (await dollar.reserves()).asOf;
        const future = BigInt((await time.latest()) + 100);
        await expect(dollar.connect(attestor).attestReserves(usd(1), RESERVE_REPORT, future))
          .to.be.revertedWithCustomError(dollar, "DollarInvalidAttestation")
          .withArgs(future, previous);
      });
    });

    describe("when the report hash is zero", function () {
      it("reverts", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        await expect(
          dollar.connect(attestor).attestReserves(usd(1), ethers.ZeroHash, await time.latest()),
        ).to.be.revertedWithCustomError(dollar, "DollarInvalidReportHash");
      });
    });

    describe("when the amount does not fit 128 bits", function () {
      it("reverts", async function () {
        const { dollar, attestor } = await loadFixture(coreFixture);
        await expect(dollar.connect(attestor).attestReserves(MAX_UINT128 + 1n, RESERVE_REPORT, await time.latest()))
          .to.be.revertedWithCustomError(dollar, "DollarReservesExceeded")
          .withArgs(MAX_UINT128, MAX_UINT128 + 1n);
      });
    });

    describe("when the reserves fall below the supply", function () {
      it("records them and stops minting", async function () {
        const { dollar, attestor, usRegulator, bankA } = await loadFixture(coreFixture);
        await dollar.connect(attestor).attestReserves(usd(2_000_000), RESERVE_REPORT, await time.latest());
        await expect(dollar.connect(usRegulator).mint(bankA.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarReservesExceeded")
          .withArgs(usd(2_000_000), usd(3_000_000) + 1n);
      });
    });
  });

  describe(".setMaxAttestationAge()", function () {
    it("changes how old an attestation may be", async function () {
      const { dollar, usRegulator, bankA } = await loadFixture(coreFixture);
      await expect(dollar.setMaxAttestationAge(10)).to.emit(dollar, "MaxAttestationAgeChanged").withArgs(MAX_AGE, 10n);
      expect(await dollar.maxAttestationAge()).to.equal(10n);
      await time.increase(11);
      await expect(dollar.connect(usRegulator).mint(bankA.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarReservesStale")
        .withArgs((await dollar.reserves()).asOf, 10n);
    });

    describe("when the age is zero", function () {
      it("reverts", async function () {
        const { dollar } = await loadFixture(coreFixture);
        await expect(dollar.setMaxAttestationAge(0))
          .to.be.revertedWithCustomError(dollar, "DollarInvalidMaxAge")
          .withArgs(0n);
      });
    });
  });

  describe(".configureIssuer()", function () {
    it("makes an issuer with an allowance, and reconfiguring replaces the allowance", async function () {
      const { dollar, masterMinter, bankA } = await loadFixture(coreFixture);
      await expect(dollar.connect(masterMinter).configureIssuer(bankA.address, usd(100)))
        .to.emit(dollar, "IssuerConfigured")
        .withArgs(bankA.address, usd(100))
        .and.to.emit(dollar, "RoleGranted")
        .withArgs(await dollar.ISSUER_ROLE(), bankA.address, masterMinter.address);
      expect(await dollar.hasRole(await dollar.ISSUER_ROLE(), bankA.address)).to.be.true;
      expect(await dollar.minterAllowance(bankA.address)).to.equal(usd(100));
      await dollar.connect(masterMinter).configureIssuer(bankA.address, usd(7));
      expect(await dollar.minterAllowance(bankA.address)).to.equal(usd(7));
    });

    describe("when the issuer is the zero address", function () {
      it("reverts", async function () {
        const { dollar, masterMinter } = await loadFixture(coreFixture);
        await expect(dollar.connect(masterMinter).configureIssuer(ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(
          dollar,
          "DollarZeroAddress",
        );
      });
    });
  });

  describe(".removeIssuer()", function () {
    it("takes the role and the unused allowance, keeping what is outstanding", async function () {
      const { dollar, masterMinter, usRegulator, bankA } = await loadFixture(coreFixture);
      await expect(dollar.connect(masterMinter).removeIssuer(usRegulator.address))
        .to.emit(dollar, "IssuerRemoved")
        .withArgs(usRegulator.address)
        .and.to.emit(dollar, "RoleRevoked")
        .withArgs(await dollar.ISSUER_ROLE(), usRegulator.address, masterMinter.address);
      expect(await dollar.minterAllowance(usRegulator.address)).to.equal(0n);
      expect(await dollar.outstandingOf(usRegulator.address)).to.equal(usd(3_000_000));
      await expect(dollar.connect(usRegulator).mint(bankA.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarNotIssuer")
        .withArgs(usRegulator.address);
    });

    describe("when the account is not an issuer", function () {
      it("reverts", async function () {
        const { dollar, masterMinter, bankA } = await loadFixture(coreFixture);
        await expect(dollar.connect(masterMinter).removeIssuer(bankA.address))
          .to.be.revertedWithCustomError(dollar, "DollarNotIssuer")
          .withArgs(bankA.address);
      });
    });
  });

  describe(".mint()", function () {
    it("creates dollars within the allowance and the reserves, and tracks them per issuer", async function () {
      const { dollar, gbRegulator, bob } = await loadFixture(coreFixture);
      const tx = dollar.connect(gbRegulator).mint(bob.address, usd(500));
      await expect(tx).to.changeTokenBalance(dollar, bob, usd(500));
      await expect(tx)
        .to.emit(dollar, "Transfer")
        .withArgs(ethers.ZeroAddress, bob.address, usd(500))
        .and.to.emit(dollar, "Minted")
        .withArgs(gbRegulator.address, bob.address, usd(500));
      expect(await dollar.totalSupply()).to.equal(usd(3_000_500));
      expect(await dollar.outstandingOf(gbRegulator.address)).to.equal(usd(500));
      expect(await dollar.minterAllowance(gbRegulator.address)).to.equal(usd(50_000_000) - usd(500));
    });

    it("mints up to exactly the attested reserves", async function () {
      const { dollar, gbRegulator, bob } = await loadFixture(coreFixture);
      await dollar.connect(gbRegulator).mint(bob.address, usd(7_000_000));
      expect(await dollar.totalSupply()).to.equal((await dollar.reserves()).amount);
      await expect(dollar.connect(gbRegulator).mint(bob.address, 1))
        .to.be.revertedWithCustomError(dollar, "DollarReservesExceeded")
        .withArgs(usd(10_000_000), usd(10_000_000) + 1n);
    });

    describe("when the amount exceeds the allowance", function () {
      it("reverts", async function () {
        const { dollar, masterMinter, gbRegulator, bob } = await loadFixture(coreFixture);
        await dollar.connect(masterMinter).configureIssuer(gbRegulator.address, usd(10));
        await expect(dollar.connect(gbRegulator).mint(bob.address, usd(10) + 1n))
          .to.be.revertedWithCustomError(dollar, "DollarMintAllowanceExceeded")
          .withArgs(gbRegulator.address, usd(10), usd(10) + 1n);
      });
    });

    describe("when the attestation is stale", function () {
      it("mints at the last second of its age and reverts after", async function () {
        const { dollar, gbRegulator, bob } = await loadFixture(coreFixture);
        const asOf = (await dollar.reserves()).asOf;
        await time.setNextBlockTimestamp(asOf + MAX_AGE);
        await expect(dollar.connect(gbRegulator).mint(bob.address, 1)).to.emit(dollar, "Minted");
        await expect(dollar.connect(gbRegulator).mint(bob.address, 1))
          .to.be.revertedWithCustomError(dollar, "DollarReservesStale")
          .withArgs(asOf, MAX_AGE);
      });

      it("reverts when there never was an attestation", async function () {
        const { registry, admin, usRegulator, bankA } = await loadFixture(coreFixture);
        const fresh = await new DigitalDollar__factory(admin).deploy(admin.address, await registry.getAddress(), 60);
        await fresh.grantRole(await fresh.MASTER_MINTER_ROLE(), admin.address);
        await fresh.configureIssuer(usRegulator.address, usd(1));
        await fresh.syncAccounts([usRegulator.address, bankA.address]);
        await expect(fresh.connect(usRegulator).mint(bankA.address, 1))
          .to.be.revertedWithCustomError(fresh, "DollarReservesStale")
          .withArgs(0n, 60n);
      });
    });

    describe("when paused", function () {
      it("reverts", async function () {
        const { dollar, pauser, gbRegulator, bob } = await loadFixture(coreFixture);
        await dollar.connect(pauser).pause();
        await expect(dollar.connect(gbRegulator).mint(bob.address, 1)).to.be.revertedWithCustomError(
          dollar,
          "DollarPaused",
        );
      });
    });

    describe("when the amount is zero", function () {
      it("reverts", async function () {
        const { dollar, gbRegulator, bob } = await loadFixture(coreFixture);
        await expect(dollar.connect(gbRegulator).mint(bob.address, 0)).to.be.revertedWithCustomError(
          dollar,
          "DollarZeroAmount",
        );
      });
    });

    describe("when the receiver may not hold", function () {
      it("reverts for an outsider, an auditor, a suspended, a frozen and a KYC-expired receiver", async function () {
        const { dollar, registry, freezer, gbRegulator, bankA, alice, carol, dave, daveExpiry, outsider, auditor } =
          await loadFixture(shortKycFixture);
        await registry.connect(bankA).suspend(alice.address);
        await dollar.connect(freezer).freeze(carol.address);
        await time.increaseTo(daveExpiry);
        const cases = [
          [outsider.address, Restriction.NotParticipant],
          [auditor.address, Restriction.NotParticipant],
          [ethers.ZeroAddress, Restriction.NotParticipant],
          [alice.address, Restriction.NotActive],
          [carol.address, Restriction.Frozen],
          [dave.address, Restriction.KycExpired],
        ] as const;
        for (const [to, reason] of cases) {
          await expect(dollar.connect(gbRegulator).mint(to, 1))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(to, reason);
        }
      });
    });

    describe("when the issuer is frozen or suspended", function () {
      it("reverts", async function () {
        const { dollar, registry, freezer, usRegulator, gbRegulator, bob } = await loadFixture(coreFixture);
        await dollar.connect(freezer).freeze(gbRegulator.address);
        await registry.suspend(usRegulator.address);
        for (const [issuer, reason] of [
          [gbRegulator, Restriction.Frozen],
          [usRegulator, Restriction.NotActive],
        ] as const) {
          await expect(dollar.connect(issuer).mint(bob.address, 1))
            .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
            .withArgs(issuer.address, reason);
        }
      });
    });

    describe("when the caller is not an issuer", function () {
      it("reverts", async function () {
        const { dollar, masterMinter, bankA, bob } = await loadFixture(coreFixture);
        for (const caller of [masterMinter, bankA]) {
          await expect(dollar.connect(caller).mint(bob.address, 1))
            .to.be.revertedWithCustomError(dollar, "DollarNotIssuer")
            .withArgs(caller.address);
        }
      });
    });
  });

  describe(".burn()", function () {
    /** The US regulator has had 2,000 dollars of its issuance paid back to it. */
    async function redemptionFixture() {
      const f = await fundedFixture();
      await f.dollar.connect(f.bankA).transfer(f.usRegulator.address, usd(2_000));
      return f;
    }

    it("destroys the issuer's own dollars and reduces what it has outstanding", async function () {
      const { dollar, usRegulator } = await loadFixture(redemptionFixture);
      const tx = dollar.connect(usRegulator).burn(usd(1_500));
      await expect(tx).to.changeTokenBalance(dollar, usRegulator, -usd(1_500));
      await expect(tx)
        .to.emit(dollar, "Transfer")
        .withArgs(usRegulator.address, ethers.ZeroAddress, usd(1_500))
        .and.to.emit(dollar, "Burned")
        .withArgs(usRegulator.address, usd(1_500));
      expect(await dollar.totalSupply()).to.equal(usd(3_000_000) - usd(1_500));
      expect(await dollar.outstandingOf(usRegulator.address)).to.equal(usd(3_000_000) - usd(1_500));
    });

    describe("when the amount exceeds the balance", function () {
      it("reverts", async function () {
        const { dollar, usRegulator } = await loadFixture(redemptionFixture);
        await expect(dollar.connect(usRegulator).burn(usd(2_000) + 1n))
          .to.be.revertedWithCustomError(dollar, "ERC20InsufficientBalance")
          .withArgs(usRegulator.address, usd(2_000), usd(2_000) + 1n);
      });
    });

    describe("when the amount exceeds what the issuer has outstanding", function () {
      it("reverts", async function () {
        const { dollar, gbRegulator, bankB, bob } = await loadFixture(fundedFixture);
        await dollar.connect(gbRegulator).mint(bob.address, usd(10));
        await dollar.connect(bankB).transfer(gbRegulator.address, usd(50));
        await expect(dollar.connect(gbRegulator).burn(usd(11)))
          .to.be.revertedWithCustomError(dollar, "DollarBurnExceedsOutstanding")
          .withArgs(gbRegulator.address, usd(10), usd(11));
      });
    });

    describe("when paused, zero, or not an issuer", function () {
      it("reverts", async function () {
        const { dollar, pauser, usRegulator, bankA } = await loadFixture(redemptionFixture);
        await expect(dollar.connect(bankA).burn(1))
          .to.be.revertedWithCustomError(dollar, "DollarNotIssuer")
          .withArgs(bankA.address);
        await expect(dollar.connect(usRegulator).burn(0)).to.be.revertedWithCustomError(dollar, "DollarZeroAmount");
        await dollar.connect(pauser).pause();
        await expect(dollar.connect(usRegulator).burn(1)).to.be.revertedWithCustomError(dollar, "DollarPaused");
      });
    });

    describe("when the issuer is suspended", function () {
      it("reverts", async function () {
        const { dollar, registry, usRegulator } = await loadFixture(redemptionFixture);
        await registry.suspend(usRegulator.address);
        await expect(dollar.connect(usRegulator).burn(1))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(usRegulator.address, Restriction.NotActive);
      });
    });
  });

  describe(".pause() and .unpause()", function () {
    it("stop and restart every movement of funds, but not approvals or freezes", async function () {
      const { dollar, pauser, freezer, alice, bob } = await loadFixture(fundedFixture);
      await expect(dollar.connect(pauser).pause()).to.emit(dollar, "Paused").withArgs(pauser.address);
      expect(await dollar.paused()).to.be.true;
      await expect(dollar.connect(alice).approve(bob.address, 1)).to.emit(dollar, "Approval");
      await expect(dollar.connect(freezer).freeze(bob.address)).to.emit(dollar, "Frozen");
      await expect(dollar.connect(alice).transfer(bob.address, 1)).to.be.revertedWithCustomError(
        dollar,
        "DollarPaused",
      );
      await expect(dollar.connect(pauser).unpause()).to.emit(dollar, "Unpaused").withArgs(pauser.address);
      expect(await dollar.paused()).to.be.false;
      await dollar.connect(freezer).unfreeze(bob.address);
      await expect(dollar.connect(alice).transfer(bob.address, 1)).to.changeTokenBalances(
        dollar,
        [alice, bob],
        [-1, 1],
      );
    });

    describe("when already in that state", function () {
      it("reverts", async function () {
        const { dollar, pauser } = await loadFixture(coreFixture);
        await expect(dollar.connect(pauser).unpause()).to.be.revertedWithCustomError(dollar, "DollarNotPaused");
        await dollar.connect(pauser).pause();
        await expect(dollar.connect(pauser).pause()).to.be.revertedWithCustomError(dollar, "DollarPaused");
      });
    });
  });

  describe(".freeze() and .unfreeze()", function () {
    it("set and clear the frozen flag beside the balance", async function () {
      const { dollar, freezer, alice, bob } = await loadFixture(fundedFixture);
      await expect(dollar.connect(freezer).freeze(alice.address))
        .to.emit(dollar, "Frozen")
        .withArgs(alice.address, freezer.address);
      expect(await dollar.isFrozen(alice.address)).to.be.true;
      expect((await dollar.complianceOf(alice.address))[0]).to.equal(REGISTERED | ACTIVE | FROZEN);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.Frozen);
      expect(await dollar.balanceOf(alice.address)).to.equal(CUSTOMER_FUNDS);
      await expect(dollar.connect(freezer).unfreeze(alice.address))
        .to.emit(dollar, "Unfrozen")
        .withArgs(alice.address, freezer.address);
      expect(await dollar.isFrozen(alice.address)).to.be.false;
      await expect(dollar.connect(alice).transfer(bob.address, 1)).to.emit(dollar, "Transfer");
    });

    it("survive registry changes of the account", async function () {
      const { dollar, registry, freezer, bankA, alice } = await loadFixture(fundedFixture);
      await dollar.connect(freezer).freeze(alice.address);
      await registry.connect(bankA).suspend(alice.address);
      await registry.connect(bankA).reinstate(alice.address);
      await dollar.syncAccount(alice.address);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.Frozen);
    });

    it("can freeze an account that is not a participant yet", async function () {
      const { dollar, registry, freezer, bankA, outsider, kycExpiry } = await loadFixture(fundedFixture);
      await dollar.connect(freezer).freeze(outsider.address);
      await registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("O"), kycExpiry);
      expect(await dollar.restrictionOf(outsider.address)).to.equal(Restriction.Frozen);
    });

    describe("when already frozen, not frozen, or the zero address", function () {
      it("reverts", async function () {
        const { dollar, freezer, alice } = await loadFixture(fundedFixture);
        const officer = dollar.connect(freezer);
        await expect(officer.freeze(ethers.ZeroAddress)).to.be.revertedWithCustomError(dollar, "DollarZeroAddress");
        await expect(officer.unfreeze(alice.address))
          .to.be.revertedWithCustomError(dollar, "DollarNotFrozen")
          .withArgs(alice.address);
        await officer.freeze(alice.address);
        await expect(officer.freeze(alice.address))
          .to.be.revertedWithCustomError(dollar, "DollarAlreadyFrozen")
          .withArgs(alice.address);
      });
    });
  });

  describe(".seize()", function () {
    async function frozenAliceFixture() {
      const f = await fundedFixture();
      await f.dollar.connect(f.freezer).freeze(f.alice.address);
      return f;
    }

    it("moves a frozen account's dollars to custody under a legal order", async function () {
      const { dollar, seizer, alice, custody } = await loadFixture(frozenAliceFixture);
      const tx = dollar.connect(seizer).seize(alice.address, custody.address, usd(600), LEGAL_ORDER);
      await expect(tx).to.changeTokenBalances(dollar, [alice, custody], [-usd(600), usd(600)]);
      await expect(tx)
        .to.emit(dollar, "Transfer")
        .withArgs(alice.address, custody.address, usd(600))
        .and.to.emit(dollar, "Seized")
        .withArgs(alice.address, custody.address, usd(600), LEGAL_ORDER, seizer.address);
      expect(await dollar.isFrozen(alice.address)).to.be.true;
      expect(await dollar.totalSupply()).to.equal(usd(3_000_000));
    });

    describe("when the account is not frozen", function () {
      it("reverts", async function () {
        const { dollar, seizer, bob, custody } = await loadFixture(frozenAliceFixture);
        await expect(dollar.connect(seizer).seize(bob.address, custody.address, 1, LEGAL_ORDER))
          .to.be.revertedWithCustomError(dollar, "DollarNotFrozen")
          .withArgs(bob.address);
      });
    });

    describe("when the order, the amount or the balance is wrong", function () {
      it("reverts", async function () {
        const { dollar, seizer, alice, custody } = await loadFixture(frozenAliceFixture);
        const officer = dollar.connect(seizer);
        await expect(officer.seize(alice.address, custody.address, 1, ethers.ZeroHash)).to.be.revertedWithCustomError(
          dollar,
          "DollarMissingLegalOrder",
        );
        await expect(officer.seize(alice.address, custody.address, 0, LEGAL_ORDER)).to.be.revertedWithCustomError(
          dollar,
          "DollarZeroAmount",
        );
        await expect(officer.seize(alice.address, custody.address, CUSTOMER_FUNDS + 1n, LEGAL_ORDER))
          .to.be.revertedWithCustomError(dollar, "ERC20InsufficientBalance")
          .withArgs(alice.address, CUSTOMER_FUNDS, CUSTOMER_FUNDS + 1n);
      });
    });

    describe("when paused", function () {
      it("reverts", async function () {
        const { dollar, pauser, seizer, alice, custody } = await loadFixture(frozenAliceFixture);
        await dollar.connect(pauser).pause();
        await expect(
          dollar.connect(seizer).seize(alice.address, custody.address, 1, LEGAL_ORDER),
        ).to.be.revertedWithCustomError(dollar, "DollarPaused");
      });
    });
  });

  describe(".setSystemAccount()", function () {
    it("lets a ledger contract hold dollars without a participant record, and takes it back", async function () {
      const { dollar, plain, alice } = await loadFixture(fundedFixture);
      const vault = await plain.getAddress();
      await expect(dollar.setSystemAccount(vault, true)).to.emit(dollar, "SystemAccountSet").withArgs(vault, true);
      expect(await dollar.complianceOf(vault)).to.deep.equal([REGISTERED | ACTIVE | SYSTEM, NO_EXPIRY]);
      await dollar.syncAccount(vault);
      expect(await dollar.restrictionOf(vault)).to.equal(Restriction.None);
      // It takes dollars only by pulling them itself (see systemAccount.test.ts).
      await expect(dollar.connect(alice).transfer(vault, usd(3)))
        .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
        .withArgs(vault);
      await expect(dollar.setSystemAccount(vault, false)).to.emit(dollar, "SystemAccountSet").withArgs(vault, false);
      expect(await dollar.complianceOf(vault)).to.deep.equal([0n, 0n]);
      await expect(dollar.connect(alice).transfer(vault, 1))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(vault, Restriction.NotParticipant);
    });

    it("refuses a frozen account, which a freeze set before its deployment would otherwise leave frozen", async function () {
      const { dollar, plain, freezer } = await loadFixture(fundedFixture);
      const vault = await plain.getAddress();
      await dollar.connect(freezer).freeze(vault);
      await expect(dollar.setSystemAccount(vault, true))
        .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
        .withArgs(vault, Restriction.Frozen);
      await dollar.connect(freezer).unfreeze(vault);
      await dollar.setSystemAccount(vault, true);
      expect(await dollar.restrictionOf(vault)).to.equal(Restriction.None);
    });

    it("keeps a freeze across disabling", async function () {
      const { dollar, plain, freezer } = await loadFixture(fundedFixture);
      const vault = await plain.getAddress();
      await dollar.connect(freezer).freeze(vault);
      await dollar.setSystemAccount(vault, false);
      expect(await dollar.isFrozen(vault)).to.be.true;
    });

    describe("when the account is not a contract", function () {
      it("reverts, so no person can be let past KYC", async function () {
        const { dollar, outsider } = await loadFixture(coreFixture);
        await expect(dollar.setSystemAccount(outsider.address, true))
          .to.be.revertedWithCustomError(dollar, "DollarNotAContract")
          .withArgs(outsider.address);
      });
    });
  });

  describe(".setObserver()", function () {
    it("tells the observer of every freeze and every mirrored registry change", async function () {
      const { dollar, watcher, registry, freezer, bankA, alice, carol } = await loadFixture(observerFixture);
      const watcherAddress = await watcher.getAddress();
      await expect(dollar.setObserver(watcherAddress))
        .to.emit(dollar, "ObserverChanged")
        .withArgs(ethers.ZeroAddress, watcherAddress);
      expect(await dollar.observer()).to.equal(watcherAddress);
      // The watcher is no registry observer: it learns of accounts only through the dollar.
      expect(await watcher.restrictionOf(alice.address)).to.equal(Restriction.NotParticipant);
      await dollar.connect(freezer).freeze(alice.address);
      expect(await watcher.restrictionOf(alice.address)).to.equal(Restriction.None);
      await registry.connect(bankA).suspend(carol.address);
      expect(await watcher.restrictionOf(carol.address)).to.equal(Restriction.NotActive);
    });

    it("stops telling once reset to zero", async function () {
      const { dollar, watcher, freezer, alice } = await loadFixture(observerFixture);
      await dollar.setObserver(await watcher.getAddress());
      await expect(dollar.setObserver(ethers.ZeroAddress))
        .to.emit(dollar, "ObserverChanged")
        .withArgs(await watcher.getAddress(), ethers.ZeroAddress);
      await dollar.connect(freezer).freeze(alice.address);
      expect(await watcher.restrictionOf(alice.address)).to.equal(Restriction.NotParticipant);
    });
  });

  describe(".syncAccount() and .syncAccounts()", function () {
    /** The registry no longer pushes to the dollar, so its mirror goes stale. */
    async function detachedFixture() {
      const f = await fundedFixture();
      await f.registry.removeObserver(await f.dollar.getAddress());
      return f;
    }

    it("let anyone resynchronise an account from the registry", async function () {
      const { dollar, registry, bankA, alice, outsider } = await loadFixture(detachedFixture);
      await registry.connect(bankA).suspend(alice.address);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.None);
      await dollar.connect(outsider).syncAccount(alice.address);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
    });

    it("resynchronise a batch, including newly onboarded accounts and renewed KYC", async function () {
      const { dollar, registry, bankA, alice, carol, outsider, kycExpiry } = await loadFixture(detachedFixture);
      await registry.connect(bankA).revoke(alice.address);
      await registry.connect(bankA).renewKyc(carol.address, kycExpiry + ONE_YEAR);
      await registry.connect(bankA).onboardParticipant(outsider.address, Kind.Customer, b2("US"), lei("O"), kycExpiry);
      expect(await dollar.restrictionOf(outsider.address)).to.equal(Restriction.NotParticipant);
      await dollar.connect(outsider).syncAccounts([alice.address, carol.address, outsider.address]);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
      expect(await dollar.complianceOf(carol.address)).to.deep.equal([
        REGISTERED | ACTIVE,
        BigInt(kycExpiry + ONE_YEAR),
      ]);
      expect(await dollar.restrictionOf(outsider.address)).to.equal(Restriction.None);
    });
  });

  describe(".outstandingOf()", function () {
    it("tracks minted minus burned per issuer, summing to the supply", async function () {
      const { dollar, usRegulator, gbRegulator, bob, bankA } = await loadFixture(fundedFixture);
      await dollar.connect(gbRegulator).mint(bob.address, usd(40));
      await dollar.connect(bankA).transfer(usRegulator.address, usd(10));
      await dollar.connect(usRegulator).burn(usd(10));
      const us = await dollar.outstandingOf(usRegulator.address);
      const gb = await dollar.outstandingOf(gbRegulator.address);
      expect([us, gb]).to.deep.equal([usd(3_000_000) - usd(10), usd(40)]);
      expect(us + gb).to.equal(await dollar.totalSupply());
      expect(await dollar.outstandingOf(bankA.address)).to.equal(0n);
    });
  });

  describe(".complianceOf() and .restrictionOf()", function () {
    it("report the mirrored flags and expiry, and why an account may not transact", async function () {
      const { dollar, registry, freezer, bankA, alice, carol, outsider, auditor, kycExpiry } =
        await loadFixture(fundedFixture);
      expect(await dollar.complianceOf(alice.address)).to.deep.equal([REGISTERED | ACTIVE, BigInt(kycExpiry)]);
      expect(await dollar.complianceOf(outsider.address)).to.deep.equal([0n, 0n]);
      // An auditor's record is Active but of a kind that may not hold: never REGISTERED here.
      expect(await dollar.complianceOf(auditor.address)).to.deep.equal([ACTIVE, BigInt(kycExpiry)]);
      expect(await dollar.restrictionOf(auditor.address)).to.equal(Restriction.NotParticipant);
      await registry.connect(bankA).suspend(alice.address);
      await dollar.connect(freezer).freeze(carol.address);
      expect(await dollar.complianceOf(alice.address)).to.deep.equal([REGISTERED, BigInt(kycExpiry)]);
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
      expect(await dollar.restrictionOf(carol.address)).to.equal(Restriction.Frozen);
      await time.increaseTo(kycExpiry);
      // A frozen or suspended account reports that reason before an expired KYC.
      expect(await dollar.restrictionOf(alice.address)).to.equal(Restriction.NotActive);
      expect(await dollar.restrictionOf(carol.address)).to.equal(Restriction.Frozen);
    });
  });
});
