import { type Signer, ZeroHash } from "ethers";

import type { DigitalDollar } from "../../../typechain-types";
import { InputError } from "../errors";
import { parseAddress, parseBytes32, parseDollars } from "../inputs";
import { confirm, eventIn, type Sent, sentOf } from "./common";

export interface AccountAction extends Sent {
  account: string;
  by: string;
}

export interface Seizure extends Sent {
  account: string;
  custody: string;
  /** DUSD units. */
  amount: bigint;
  legalOrderHash: string;
  by: string;
}

export interface PauseAction extends Sent {
  by: string;
}

/** The compliance controls of the digital dollar: freeze, seize under a legal order, pause. */
export class ComplianceClient {
  private readonly dollar: DigitalDollar;

  constructor(dollar: DigitalDollar, signer: Signer) {
    this.dollar = dollar.connect(signer);
  }

  /** Freezes the whole of `account` (the signer needs the freezer role). */
  async freeze(account: string): Promise<AccountAction> {
    const target = parseAddress("account", account);
    const receipt = await confirm(this.dollar.freeze(target));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Frozen"));
    return { ...sentOf(receipt), account: event.account, by: event.by };
  }

  async unfreeze(account: string): Promise<AccountAction> {
    const target = parseAddress("account", account);
    const receipt = await confirm(this.dollar.unfreeze(target));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Unfrozen"));
    return { ...sentOf(receipt), account: event.account, by: event.by };
  }

  /** Moves `amount` from the frozen `account` to the eligible `custody` account under a legal order. */
  async seize(account: string, custody: string, amount: string, legalOrderHash: string): Promise<Seizure> {
    const from = parseAddress("account", account);
    const to = parseAddress("custody", custody);
    if (to === from) throw new InputError("custody", "is the seized account itself", "another account");
    const units = parseDollars("amount", amount);
    const order = parseBytes32("legalOrderHash", legalOrderHash);
    if (order === ZeroHash) throw new InputError("legalOrderHash", "is zero", "the hash of the legal order");
    const receipt = await confirm(this.dollar.seize(from, to, units, order));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Seized"));
    return {
      ...sentOf(receipt),
      account: event.account,
      custody: event.custody,
      amount: event.amount,
      legalOrderHash: event.legalOrderHash,
      by: event.by,
    };
  }

  /** Stops every transfer, mint and burn (the signer needs the pauser role). */
  async pause(): Promise<PauseAction> {
    const receipt = await confirm(this.dollar.pause());
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Paused"));
    return { ...sentOf(receipt), by: event.by };
  }

  async unpause(): Promise<PauseAction> {
    const receipt = await confirm(this.dollar.unpause());
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Unpaused"));
    return { ...sentOf(receipt), by: event.by };
  }
}
