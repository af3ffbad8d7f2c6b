import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Restriction } from "../../src/sdk/constants";
import { usd } from "../fixtures/core.fixture";
import { settlementFixture } from "../fixtures/settlement.fixture";
import { signAuthorization } from "../../src/sdk/signatures";

/** The system with a seizer on the dollar and bank 0 holding 100,000 in the engine (a system account). */
async function systemFixture() {
  const f = await settlementFixture();
  await f.engine.connect(f.banks[0]).deposit(usd(100_000));
  const seizer = f.outsider;
  await f.dollar.grantRole(await f.dollar.SEIZER_ROLE(), seizer.address);
  return { ...f, seizer, engineAddress: await f.engine.getAddress() };
}

describe("DigitalDollar", () => {
  describe("system accounts (the settlement engine's vault)", () => {
    describe(".freeze()", () => {
      it("reverts with DollarSystemAccount: the engine holds other participants' money", async () => {
        const { dollar, freezer, engineAddress } = await loadFixture(systemFixture);
        await expect(dollar.connect(freezer).freeze(engineAddress))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
        expect(await dollar.isFrozen(engineAddress)).to.be.false;
      });
    });

    describe(".seize()", () => {
      it("reverts when the custody account is a system account", async () => {
        const { dollar, freezer, seizer, banks, engineAddress } = await loadFixture(systemFixture);
        await dollar.connect(freezer).freeze(banks[1].address);
        await expect(dollar.connect(seizer).seize(banks[1].address, engineAddress, usd(5), ethers.id("order")))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
        expect(await dollar.balanceOf(engineAddress)).to.equal(usd(100_000));
      });
    });

    describe(".seize() from the vault", () => {
      it("reverts with DollarSystemAccount, even after the designation was dropped, frozen and restored", async () => {
        const { dollar, admin, freezer, seizer, banks, engine, engineAddress } = await loadFixture(systemFixture);
        await dollar.connect(admin).setSystemAccount(engineAddress, false);
        await dollar.connect(freezer).freeze(engineAddress);
        await expect(dollar.connect(admin).setSystemAccount(engineAddress, true))
          .to.be.revertedWithCustomError(dollar, "DollarAccountRestricted")
          .withArgs(engineAddress, Restriction.Frozen);
        await dollar.connect(freezer).unfreeze(engineAddress);
        await dollar.connect(admin).setSystemAccount(engineAddress, true);
        await expect(dollar.connect(seizer).seize(engineAddress, banks[1].address, usd(1), ethers.id("order")))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
        expect(await dollar.balanceOf(engineAddress)).to.equal(usd(100_000));
        expect((await engine.account(banks[0].address)).balance).to.equal(usd(100_000));
      });
    });

    describe(".mint()", () => {
      it("reverts when minting into a system account", async () => {
        const { dollar, usRegulator, engineAddress } = await loadFixture(systemFixture);
        await expect(dollar.connect(usRegulator).mint(engineAddress, usd(5)))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
      });
    });

    describe("receiving DUSD", () => {
      it("reverts a plain transfer to the vault, which would credit no one", async () => {
        const { dollar, banks, engineAddress } = await loadFixture(systemFixture);
        await expect(dollar.connect(banks[1]).transfer(engineAddress, usd(5)))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
        expect(await dollar.balanceOf(engineAddress)).to.equal(usd(100_000));
      });

      it("reverts a transferFrom into the vault by any spender but the vault itself", async () => {
        const { dollar, banks, engineAddress } = await loadFixture(systemFixture);
        await dollar.connect(banks[1]).approve(banks[2].address, usd(5));
        await expect(dollar.connect(banks[2]).transferFrom(banks[1].address, engineAddress, usd(5)))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
        expect(await dollar.allowance(banks[1].address, banks[2].address)).to.equal(usd(5));
      });

      it("reverts a transferWithAuthorization to the vault, whoever submits it", async () => {
        const { dollar, banks, outsider, engineAddress } = await loadFixture(systemFixture);
        const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
        const auth = {
          from: banks[1].address,
          to: engineAddress,
          value: usd(5),
          validAfter: 0n,
          validBefore: now + 3_600n,
          nonce: ethers.id("to the vault"),
        };
        const { v, r, s } = await signAuthorization(dollar, banks[1], "TransferWithAuthorization", auth);
        const args = [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce] as const;
        const submit = dollar.connect(outsider).transferWithAuthorization(...args, v, r, s);
        await expect(submit).to.be.revertedWithCustomError(dollar, "DollarSystemAccount").withArgs(engineAddress);
        expect(await dollar.authorizationState(banks[1].address, auth.nonce)).to.be.false;
      });

      it("still takes a deposit, which the vault pulls itself, and pays out a withdrawal", async () => {
        const { dollar, engine, banks, engineAddress } = await loadFixture(systemFixture);
        await dollar.connect(banks[1]).approve(engineAddress, usd(7));
        await expect(engine.connect(banks[1]).deposit(usd(7))).to.changeTokenBalances(
          dollar,
          [banks[1], engine],
          [-usd(7), usd(7)],
        );
        await expect(engine.connect(banks[1]).withdraw(usd(2))).to.changeTokenBalances(
          dollar,
          [banks[1], engine],
          [usd(2), -usd(2)],
        );
      });
    });

    describe(".setSystemAccount()", () => {
      it("tells the observer when an account becomes a system account, and when it stops being one", async () => {
        const { dollar, engine, admin } = await loadFixture(systemFixture);
        const observer = await (await ethers.getContractFactory("RecordingObserver", admin)).deploy();
        await dollar.setObserver(await observer.getAddress());
        const vault = await engine.getAddress();
        await dollar.setSystemAccount(vault, false);
        await dollar.setSystemAccount(vault, true);
        expect(await observer.count()).to.equal(2n);
        expect(await observer.synced(0)).to.equal(vault);
        expect(await observer.synced(1)).to.equal(vault);
        expect(await dollar.complianceOf(vault)).to.deep.equal([11n, 2n ** 40n - 1n]);
      });
    });
  });
});
