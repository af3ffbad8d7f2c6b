import { type Signer, ZeroHash } from "ethers";

import type { DigitalDollar, ISettlementEngine, SettlementEngine } from "../../../typechain-types";
import { Restriction } from "../constants";
import { END_TO_END_ID_NOT_PROVIDED, packEndToEndId, unpackEndToEndId } from "../endToEndId";
import { describeValue, InputError } from "../errors";
import {
  bytes16ToUetr,
  bytes4ToPurpose,
  formatDollars,
  newUetr,
  parseAddress,
  parseBytes32,
  parseDollars,
  parsePriority,
  parseUetr,
  PRIORITY_NAMES,
  purposeToBytes4,
  uetrToBytes16,
} from "../inputs";
import { travelRuleHash as hashIvms101, validateIvms101 } from "../ivms101";
import { confirm, eventIn, eventsIn, parseCount, type Sent, sentOf } from "./common";

export type PriorityName = (typeof PRIORITY_NAMES)[number];
export type PaymentStatusName = "none" | "settled" | "queued" | "cancelled";
export type RestrictionName = keyof typeof Restriction;

/** A payment as a bank gives it: amounts in dollars, codes and ids as text. */
export interface PaymentInstruction {
  /** The settlement account credited. */
  creditor: string;
  /** Dollars, e.g. "1250.75". */
  amount: string;
  /** ISO 20022 purpose code, e.g. "SUPP". */
  purpose: string;
  /** UUID v4; a fresh one when not given. */
  uetr?: string;
  /** ISO 20022 end-to-end id, 1 to 35 ASCII characters; "NOTPROVIDED" when not given. */
  endToEndId?: string;
  /** "urgent", "high", "normal" (the default) or 0..2. */
  priority?: string | number;
  /** The IVMS101 travel-rule payload; its hash goes on chain. */
  ivms101?: unknown;
  /** The travel-rule hash, when the payload itself stays with the bank. Must match `ivms101` if both are given. */
  travelRuleHash?: string;
  /** A linked business transaction (e.g. a purchase order hash), 32 bytes of hex. */
  businessRef?: string;
}

export interface PaymentResult extends Sent {
  status: "settled" | "queued";
  uetr: string;
  endToEndId: string;
  debtor: string;
  creditor: string;
  /** DUSD units. */
  amount: bigint;
  purpose: string;
  priority: PriorityName;
  travelRuleHash: string;
  businessRef: string;
  /** Queue sequence number, for a queued payment. */
  sequence?: bigint;
}

/** What the engine keeps of a payment. A payment settled gross keeps only its status; its evidence is in logs. */
export interface PaymentRecord {
  uetr: string;
  status: PaymentStatusName;
  debtor?: string;
  creditor?: string;
  amount?: bigint;
  purpose?: string;
  priority?: PriorityName;
  travelRuleHash?: string;
  sequence?: bigint;
}

export interface QueuedPayment {
  /** 0-based place in settlement order (priority, then arrival). */
  position: number;
  uetr: string;
  debtor: string;
  creditor: string;
  amount: bigint;
  purpose: string;
  priority: PriorityName;
  travelRuleHash: string;
  sequence: bigint;
}

export interface Cancellation extends Sent {
  uetr: string;
  debtor: string;
  amount: bigint;
}

export interface NettingCycle extends Sent {
  cycleId: bigint;
  /** Queued payments the cycle settled. */
  settled: number;
  /** Queued payments the cycle looked at. */
  considered: number;
  /** Sum of the settled payments, DUSD units. */
  grossValue: bigint;
  /** Sum of the net debits that settled them, DUSD units. */
  netLiquidity: bigint;
  stillQueued: number;
  /** 1 - netLiquidity / grossValue: the share of the gross value that needed no liquidity (0 when none settled). */
  liquiditySaved: number;
  positions: { account: string; net: bigint }[];
  payments: { uetr: string; debtor: string; creditor: string; amount: bigint }[];
}

export interface AccountMovement extends Sent {
  account: string;
  amount: bigint;
  /** Settlement balance after the movement. */
  balance: bigint;
}

export interface SettlementAccount {
  open: boolean;
  balance: bigint;
  openingBalance: bigint;
  netDebitCap: bigint;
  capped: boolean;
  restriction: RestrictionName;
}

export interface EngineConfig {
  travelRuleThreshold: bigint;
  windowOpen: number;
  windowClose: number;
  windowEnabled: boolean;
  paused: boolean;
}

/** Largest amount of one payment (the engine keeps amounts in 88 bits). */
export const MAX_PAYMENT_UNITS = (1n << 88n) - 1n;
/** Most payments one netting cycle considers. */
export const MAX_CYCLE_PAYMENTS = 400;

const STATUS_NAMES: readonly PaymentStatusName[] = ["none", "settled", "queued", "cancelled"];
const INSTRUCTION_FIELDS: readonly string[] = [
  "creditor",
  "amount",
  "purpose",
  "uetr",
  "endToEndId",
  "priority",
  "ivms101",
  "travelRuleHash",
  "businessRef",
];
const QUEUE_PAGE = 100;

/** What the engine keeps of a payment that was queued, in the SDK's terms. */
function queuedDetails(view: ISettlementEngine.PaymentViewStructOutput) {
  return {
    debtor: view.debtor,
    creditor: view.creditor,
    amount: view.amount,
    purpose: bytes4ToPurpose(view.purpose),
    priority: PRIORITY_NAMES[Number(view.priority)],
    travelRuleHash: view.travelRuleHash,
    sequence: view.sequence,
  };
}

interface Prepared {
  instruction: ISettlementEngine.InstructionStruct;
  common: Omit<PaymentResult, "status" | "sequence" | keyof Sent>;
}

function ratioSaved(gross: bigint, net: bigint): number {
  if (gross === 0n) return 0;
  // Parts per million keep the division in integers; a ratio needs no more digits.
  return Number(((gross - net) * 1_000_000n) / gross) / 1_000_000;
}

/**
 * A bank at the settlement engine: pays other banks (gross, or queued when short of liquidity), cancels its
 * queued payments, runs netting cycles, and moves DUSD in and out of its settlement account.
 */
export class SettlementClient {
  private readonly engine: SettlementEngine;
  private readonly dollar: DigitalDollar;

  constructor(
    engine: SettlementEngine,
    dollar: DigitalDollar,
    private readonly signer: Signer,
  ) {
    this.engine = engine.connect(signer);
    this.dollar = dollar.connect(signer);
  }

  /** Validates an instruction and checks it against the engine (threshold, UETR) before anything is sent. */
  private async prepare(instruction: PaymentInstruction): Promise<Prepared> {
    if (typeof instruction !== "object" || instruction === null || Array.isArray(instruction)) {
      throw new InputError("instruction", `${describeValue(instruction)} is not an object`, "a payment instruction");
    }
    for (const key of Object.keys(instruction)) {
      if (!INSTRUCTION_FIELDS.includes(key)) {
        throw new InputError(key, "is not a field of a payment instruction", `only ${INSTRUCTION_FIELDS.join(", ")}`);
      }
    }
    const creditor = parseAddress("creditor", instruction.creditor);
    const amount = parseDollars("amount", instruction.amount);
    if (amount > MAX_PAYMENT_UNITS) {
      throw new InputError(
        "amount",
        `${describeValue(instruction.amount)} is above the largest payment`,
        `at most ${formatDollars(MAX_PAYMENT_UNITS)} dollars`,
      );
    }
    const purpose = purposeToBytes4(instruction.purpose);
    const uetr = instruction.uetr === undefined ? newUetr() : parseUetr("uetr", instruction.uetr);
    const endToEndId = packEndToEndId("endToEndId", instruction.endToEndId ?? END_TO_END_ID_NOT_PROVIDED);
    const priority = instruction.priority === undefined ? 2 : parsePriority("priority", instruction.priority);
    const travelRuleHash = this.travelRuleHashOf(instruction);
    const businessRef =
      instruction.businessRef === undefined ? ZeroHash : parseBytes32("businessRef", instruction.businessRef);

    const debtor = await this.signer.getAddress();
    if (creditor === debtor) throw new InputError("creditor", "is the paying account itself", "another account");
    const { travelRuleThreshold } = await this.engine.config();
    if (amount >= travelRuleThreshold && travelRuleHash === ZeroHash) {
      throw new InputError(
        "ivms101",
        `is missing for a payment of ${formatDollars(amount)} dollars, at or above the travel-rule threshold of ` +
          `${formatDollars(travelRuleThreshold)} dollars`,
        "an IVMS101 payload (or the travelRuleHash of one)",
      );
    }
    const uetrBytes = uetrToBytes16(uetr);
    const existing = await this.engine.payment(uetrBytes);
    if (existing.status !== 0n) {
      throw new InputError(
        "uetr",
        `${describeValue(uetr)} was already submitted (${STATUS_NAMES[Number(existing.status)]})`,
        "a UETR not used before",
      );
    }

    return {
      instruction: { uetr: uetrBytes, creditor, amount, purpose, priority, endToEndId, travelRuleHash, businessRef },
      common: {
        uetr,
        endToEndId: unpackEndToEndId(endToEndId),
        debtor,
        creditor,
        amount,
        purpose: bytes4ToPurpose(purpose),
        priority: PRIORITY_NAMES[priority],
        travelRuleHash,
        businessRef,
      },
    };
  }

  /**
   * Validates and submits a payment. Everything is checked before sending: the fields, that the creditor is
   * another account, that the UETR is unused, and that a payment at or above the engine's travel-rule
   * threshold carries a travel-rule hash.
   */
  async pay(instruction: PaymentInstruction): Promise<PaymentResult> {
    const prepared = await this.prepare(instruction);
    const receipt = await confirm(this.engine.submit(prepared.instruction));
    const common = { ...sentOf(receipt), ...prepared.common };
    const [settled] = await eventsIn(receipt, this.engine, this.engine.getEvent("PaymentSettled"));
    if (settled !== undefined) return { ...common, status: "settled" };
    const queued = await eventIn(receipt, this.engine, this.engine.getEvent("PaymentQueued"));
    return { ...common, status: "queued", sequence: queued.sequence };
  }

  /**
   * Delivery versus payment: pays the seller (the instruction's creditor) for `item`, which the seller shipped to
   * this account against payment, and takes custody of it in the same transaction; `eventHash` is the CBV 2.0
   * digest of the receiving event anchored with the delivery.
   */
  async payAgainstDelivery(
    instruction: PaymentInstruction,
    item: string,
    eventHash: string,
  ): Promise<PaymentResult & { status: "settled"; item: string }> {
    const itemId = parseBytes32("item", item);
    const receivingEvent = parseBytes32("eventHash", eventHash);
    const prepared = await this.prepare(instruction);
    const receipt = await confirm(
      this.engine.settleDeliveryVersusPayment(prepared.instruction, itemId, receivingEvent),
    );
    return { ...sentOf(receipt), ...prepared.common, status: "settled", item: itemId };
  }

  /**
   * Every queued payment, in settlement order, as of one block: the length, the pages and the payments are all
   * read at the latest block when the call starts, so a payment settled or queued meanwhile cannot make them
   * disagree.
   */
  async queue(): Promise<QueuedPayment[]> {
    const provider = this.engine.runner?.provider ?? this.signer.provider;
    if (provider === null || provider === undefined) throw new Error("the signer has no provider to read from");
    const blockTag = await provider.getBlockNumber();
    const length = Number(await this.engine.queueLength({ blockTag }));
    const uetrs: string[] = [];
    for (let offset = 0; offset < length; offset += QUEUE_PAGE) {
      uetrs.push(...(await this.engine.queue(offset, QUEUE_PAGE, { blockTag })));
    }
    const views = await Promise.all(uetrs.map((uetr) => this.engine.payment(uetr, { blockTag })));
    return views.map((view, position) => ({ position, uetr: bytes16ToUetr(uetrs[position]), ...queuedDetails(view) }));
  }

  /** Cancels one of the signer's queued payments. */
  async cancel(uetr: string): Promise<Cancellation> {
    const id = parseUetr("uetr", uetr);
    const record = await this.payment(id);
    if (record.status === "none") {
      throw new InputError("uetr", `${describeValue(id)} is not a known payment`, "the UETR of a queued payment");
    }
    if (record.status !== "queued") {
      throw new InputError("uetr", `${describeValue(id)} is ${record.status}, not queued`, "a queued payment");
    }
    const signer = await this.signer.getAddress();
    if (record.debtor !== signer) {
      throw new InputError(
        "uetr",
        `${describeValue(id)} is a payment of ${record.debtor}, not of ${signer}`,
        "a payment of the signer",
      );
    }
    const receipt = await confirm(this.engine.cancel(uetrToBytes16(id)));
    const event = await eventIn(receipt, this.engine, this.engine.getEvent("PaymentCancelled"));
    return { ...sentOf(receipt), uetr: bytes16ToUetr(event.uetr), debtor: event.debtor, amount: event.amount };
  }

  /**
   * Runs a netting cycle over the first `maxPayments` queued payments (all, up to the engine's limit of 400,
   * by default) and reports what it settled and the liquidity it took.
   */
  async runNettingCycle(maxPayments?: string | number | bigint): Promise<NettingCycle> {
    const limit =
      maxPayments === undefined
        ? BigInt(MAX_CYCLE_PAYMENTS)
        : parseCount("maxPayments", maxPayments, 1n, BigInt(MAX_CYCLE_PAYMENTS));
    const receipt = await confirm(this.engine.runNettingCycle(limit));
    const cycle = await eventIn(receipt, this.engine, this.engine.getEvent("CycleSettled"));
    const positions = await eventsIn(receipt, this.engine, this.engine.getEvent("NetPositionSettled"));
    const payments = await eventsIn(receipt, this.engine, this.engine.getEvent("QueuedPaymentSettled"));
    return {
      ...sentOf(receipt),
      cycleId: cycle.cycleId,
      settled: Number(cycle.settled),
      considered: Number(cycle.considered),
      grossValue: cycle.grossValue,
      netLiquidity: cycle.netLiquidity,
      stillQueued: Number(cycle.stillQueued),
      liquiditySaved: ratioSaved(cycle.grossValue, cycle.netLiquidity),
      positions: positions.map((event) => ({ account: event.account, net: event.netPosition })),
      payments: payments.map((event) => ({
        uetr: bytes16ToUetr(event.uetr),
        debtor: event.debtor,
        creditor: event.creditor,
        amount: event.amount,
      })),
    };
  }

  /** What the engine keeps of the payment `uetr`. */
  async payment(uetr: string): Promise<PaymentRecord> {
    const id = parseUetr("uetr", uetr);
    const view = await this.engine.payment(uetrToBytes16(id));
    const status = STATUS_NAMES[Number(view.status)];
    if (view.sequence === 0n) return { uetr: id, status };
    return { uetr: id, status, ...queuedDetails(view) };
  }

  /** Moves `amount` of the signer's DUSD into its settlement account, approving the engine first if needed. */
  async deposit(amount: string): Promise<AccountMovement> {
    const units = parseDollars("amount", amount);
    const owner = await this.signer.getAddress();
    const held = await this.dollar.balanceOf(owner);
    if (units > held) {
      throw new InputError(
        "amount",
        `${describeValue(amount)} is above the DUSD balance of ${formatDollars(held)}`,
        "at most the DUSD balance",
      );
    }
    const engineAddress = await this.engine.getAddress();
    if ((await this.dollar.allowance(owner, engineAddress)) < units) {
      await confirm(this.dollar.approve(engineAddress, units));
    }
    const receipt = await confirm(this.engine.deposit(units));
    const event = await eventIn(receipt, this.engine, this.engine.getEvent("Deposited"));
    return { ...sentOf(receipt), account: event.account, amount: event.amount, balance: event.balance };
  }

  /** Moves `amount` from the signer's settlement account back to its DUSD balance. */
  async withdraw(amount: string): Promise<AccountMovement> {
    const units = parseDollars("amount", amount);
    const { balance } = await this.account();
    if (units > balance) {
      throw new InputError(
        "amount",
        `${describeValue(amount)} is above the settlement balance of ${formatDollars(balance)}`,
        "at most the settlement balance",
      );
    }
    const receipt = await confirm(this.engine.withdraw(units));
    const event = await eventIn(receipt, this.engine, this.engine.getEvent("Withdrawn"));
    return { ...sentOf(receipt), account: event.account, amount: event.amount, balance: event.balance };
  }

  /** The settlement account of `holder` (default: the signer). */
  async account(holder?: string): Promise<SettlementAccount> {
    const address = holder === undefined ? await this.signer.getAddress() : parseAddress("holder", holder);
    const view = await this.engine.account(address);
    return {
      open: view.open,
      balance: view.balance,
      openingBalance: view.openingBalance,
      netDebitCap: view.netDebitCap,
      capped: view.capped,
      restriction: Restriction[Number(view.restriction)] as RestrictionName,
    };
  }

  /** The engine's configuration (travel-rule threshold in DUSD units). */
  async config(): Promise<EngineConfig> {
    const config = await this.engine.config();
    return {
      travelRuleThreshold: config.travelRuleThreshold,
      windowOpen: Number(config.windowOpen),
      windowClose: Number(config.windowClose),
      windowEnabled: config.windowEnabled,
      paused: config.paused,
    };
  }

  private travelRuleHashOf(instruction: PaymentInstruction): string {
    const given =
      instruction.travelRuleHash === undefined ? undefined : parseBytes32("travelRuleHash", instruction.travelRuleHash);
    if (instruction.ivms101 === undefined) return given ?? ZeroHash;
    // Validated first so that a bad field is named from `ivms101` (e.g. `ivms101.originator.accountNumber`).
    const computed = hashIvms101(validateIvms101(instruction.ivms101, "ivms101"));
    if (given !== undefined && given !== computed) {
      throw new InputError(
        "travelRuleHash",
        `${given} is not the hash of ivms101 (${computed})`,
        "the hash of ivms101",
      );
    }
    return computed;
  }
}
