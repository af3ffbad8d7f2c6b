import type { Signer } from "ethers";

import type { DigitalDollar } from "../../../typechain-types";
import { parseAddress, parseDollars } from "../inputs";
import { confirm, eventIn, type Sent, sentOf } from "./common";

export interface Movement extends Sent {
  from: string;
  to: string;
  /** DUSD units. */
  amount: bigint;
}

export interface Approval extends Sent {
  owner: string;
  spender: string;
  /** DUSD units. */
  amount: bigint;
}

/** What any participant does with its digital dollars: pay, look at its balance, allow a spender. */
export class HolderClient {
  private readonly dollar: DigitalDollar;

  constructor(
    dollar: DigitalDollar,
    private readonly signer: Signer,
  ) {
    this.dollar = dollar.connect(signer);
  }

  async transfer(to: string, amount: string): Promise<Movement> {
    const recipient = parseAddress("to", to);
    const units = parseDollars("amount", amount);
    const receipt = await confirm(this.dollar.transfer(recipient, units));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Transfer"));
    return { ...sentOf(receipt), from: event.from, to: event.to, amount: event.value };
  }

  /** The DUSD balance of `account` (default: the signer), in units. */
  async balance(account?: string): Promise<bigint> {
    const holder = account === undefined ? await this.signer.getAddress() : parseAddress("account", account);
    return this.dollar.balanceOf(holder);
  }

  /** Sets the allowance of `spender` to `amount` ("0" revokes it). */
  async approve(spender: string, amount: string): Promise<Approval> {
    const target = parseAddress("spender", spender);
    const units = parseDollars("amount", amount, { allowZero: true });
    const receipt = await confirm(this.dollar.approve(target, units));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Approval"));
    return { ...sentOf(receipt), owner: event.owner, spender: event.spender, amount: event.value };
  }
}
