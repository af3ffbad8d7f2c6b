import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { usd } from "../fixtures/core.fixture";
import { settlementFixture } from "../fixtures/settlement.fixture";

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

    describe(".mint()", () => {
      it("reverts when minting into a system account", async () => {
        const { dollar, usRegulator, engineAddress } = await loadFixture(systemFixture);
        await expect(dollar.connect(usRegulator).mint(engineAddress, usd(5)))
          .to.be.revertedWithCustomError(dollar, "DollarSystemAccount")
          .withArgs(engineAddress);
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
