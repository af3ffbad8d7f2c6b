import { type Signer, ZeroHash } from "ethers";

import type { DigitalDollar } from "../../../typechain-types";
import { describeValue, InputError } from "../errors";
import { parseAddress, parseBytes32, parseDollars, parseTimestamp } from "../inputs";
import { chainTime, confirm, eventIn, providerOf, type Sent, sentOf } from "./common";

const MAX_RESERVES = (1n << 128n) - 1n;

export interface Attestation extends Sent {
  /** DUSD units (6 decimals). */
  amount: bigint;
  reportHash: string;
  asOf: bigint;
  attestor: string;
}

export interface Minting extends Sent {
  issuer: string;
  to: string;
  amount: bigint;
}

export interface Burning extends Sent {
  issuer: string;
  amount: bigint;
}

/** The latest reserve attestation, or `undefined` when there is none. */
export interface ReserveState {
  amount: bigint;
  asOf: bigint;
  attestor: string;
  reportHash: string;
}

/**
 * The issuance side of the digital dollar: an attestor records reserves, an issuer mints against them and
 * burns what it redeems. Amounts are dollar strings ("1250.75"); results are in DUSD units.
 */
export class IssuerClient {
  private readonly dollar: DigitalDollar;

  constructor(
    dollar: DigitalDollar,
    private readonly signer: Signer,
  ) {
    this.dollar = dollar.connect(signer);
  }

  /**
   * Records the reserves backing the dollar (the signer needs the attestor role). `asOf` (ISO 8601 or unix
   * seconds) defaults to the latest block's time and may not lie after it.
   */
  async attestReserves(amount: string, reportHash: string, asOf?: string | number): Promise<Attestation> {
    const units = parseDollars("amount", amount);
    if (units > MAX_RESERVES) {
      throw new InputError("amount", `${describeValue(amount)} is above 2^128 - 1 units`, "at most 2^128 - 1 units");
    }
    const hash = parseBytes32("reportHash", reportHash);
    if (hash === ZeroHash) throw new InputError("reportHash", "is zero", "the sha-256 or keccak-256 of the report");
    const now = await chainTime(providerOf(this.signer));
    const time = asOf === undefined ? now : parseTimestamp("asOf", asOf);
    if (time > now) {
      throw new InputError(
        "asOf",
        `${describeValue(asOf)} is after the chain's time ${now}`,
        "a time not in the future",
      );
    }
    const receipt = await confirm(this.dollar.attestReserves(units, hash, time));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("ReservesAttested"));
    return {
      ...sentOf(receipt),
      amount: event.amount,
      reportHash: event.reportHash,
      asOf: event.asOf,
      attestor: event.attestor,
    };
  }

  /** Mints `amount` to `to`, within the signer's issuer allowance and the attested reserves. */
  async mint(to: string, amount: string): Promise<Minting> {
    const recipient = parseAddress("to", to);
    const units = parseDollars("amount", amount);
    const receipt = await confirm(this.dollar.mint(recipient, units));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Minted"));
    return { ...sentOf(receipt), issuer: event.issuer, to: event.to, amount: event.amount };
  }

  /** Redeems `amount` from the signer's own balance, at most what it has outstanding. */
  async burn(amount: string): Promise<Burning> {
    const units = parseDollars("amount", amount);
    const receipt = await confirm(this.dollar.burn(units));
    const event = await eventIn(receipt, this.dollar, this.dollar.getEvent("Burned"));
    return { ...sentOf(receipt), issuer: event.issuer, amount: event.amount };
  }

  /** The latest reserve attestation, or `undefined` before the first. */
  async reserves(): Promise<ReserveState | undefined> {
    const reserves = await this.dollar.reserves();
    if (reserves.asOf === 0n) return undefined;
    return {
      amount: reserves.amount,
      asOf: reserves.asOf,
      attestor: reserves.attestor,
      reportHash: reserves.reportHash,
    };
  }

  /** What `issuer` (default: the signer) has minted minus burned, in DUSD units. */
  async outstanding(issuer?: string): Promise<bigint> {
    const account = issuer === undefined ? await this.signer.getAddress() : parseAddress("issuer", issuer);
    return this.dollar.outstandingOf(account);
  }
}
