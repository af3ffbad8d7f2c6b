import type { ContractTransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { signAuthorization } from "../src/sdk/signatures";
import { setupBench, usd } from "./setup";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

export interface TokenGas {
  plainTransfer: number;
  plainTransferFresh: number;
  dollarTransfer: number;
  dollarTransferFresh: number;
  dollarMintFresh: number;
  dollarTransferWithAuthorization: number;
}

/** Receipt gas of the token operations, the digital dollar against the plain OpenZeppelin ERC-20. */
export async function benchTokenGas(hre: HardhatRuntimeEnvironment): Promise<TokenGas> {
  const s = await setupBench(hre);
  const [a, b] = s.banks;
  const [fresh1, fresh2, fresh3, fresh4] = s.fresh;
  const amount = usd(1250.75);

  const plainTransfer = await gasOf(s.plain.connect(a).transfer(b.address, amount));
  const plainTransferFresh = await gasOf(s.plain.connect(a).transfer(fresh1.address, amount));
  const dollarTransfer = await gasOf(s.dollar.connect(a).transfer(b.address, amount));
  const dollarTransferFresh = await gasOf(s.dollar.connect(a).transfer(fresh2.address, amount));
  const dollarMintFresh = await gasOf(s.dollar.connect(s.issuer).mint(fresh3.address, amount));

  const authorization = {
    from: a.address,
    to: b.address,
    value: amount,
    validAfter: 0n,
    // A fixed time (2100-01-01), not one read from the clock: the signature and calldata, hence the gas, stay the same.
    validBefore: 4_102_444_800n,
    nonce: hre.ethers.id("bench-authorization-1"),
  };
  const signature = await signAuthorization(s.dollar, a, "TransferWithAuthorization", authorization);
  const { from, to, value, validAfter, validBefore, nonce } = authorization;
  const dollarTransferWithAuthorization = await gasOf(
    s.dollar
      .connect(fresh4)
      .transferWithAuthorization(
        from,
        to,
        value,
        validAfter,
        validBefore,
        nonce,
        signature.v,
        signature.r,
        signature.s,
      ),
  );
  return {
    plainTransfer,
    plainTransferFresh,
    dollarTransfer,
    dollarTransferFresh,
    dollarMintFresh,
    dollarTransferWithAuthorization,
  };
}
