import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import { toBytes2 as b2 } from "../../src/sdk/deploy";
import { ParticipantKind as Kind, Restriction } from "../../src/sdk/constants";
import { lei, RESERVE_REPORT, usd } from "../fixtures/core.fixture";
import { fundedFixture } from "../fixtures/token.fixture";
import { RUNS } from "../fixtures/properties";

/**
 * Random sequences of operations against the live contracts, model-free: each operation is simply tried, and
 * whether it succeeds or reverts, what must always hold is checked after it.
 */

const HOUR = 3600;
/** Dave's KYC runs out half a day in, so that advancing time expires a holder mid-sequence. */
const DAVE_KYC = 12 * HOUR;

async function invariantFixture() {
  const f = await fundedFixture();
  const dave = (await ethers.getSigners())[18];
  await f.registry
    .connect(f.bankA)
    .onboardParticipant(dave.address, Kind.Customer, b2("US"), lei("DAVE"), (await time.latest()) + DAVE_KYC);
  await f.dollar.connect(f.bankA).transfer(dave.address, usd(1_000));
  // Issuers hold some of their issuance, so that burns can succeed; a few standing allowances for transferFrom.
  await f.dollar.connect(f.bankA).transfer(f.usRegulator.address, usd(5_000));
  await f.dollar.connect(f.bankB).transfer(f.gbRegulator.address, usd(5_000));
  await f.dollar.connect(f.alice).approve(f.bob.address, usd(500));
  await f.dollar.connect(f.bankA).approve(f.carol.address, ethers.MaxUint256);
  await f.dollar.connect(f.bob).approve(f.alice.address, usd(200));
  await f.dollar.connect(f.masterMinter).configureIssuer(f.gbRegulator.address, usd(2_000_000));

  const holders = [
    f.bankA,
    f.bankB,
    f.bankC,
    f.alice,
    f.bob,
    f.carol,
    f.supplier,
    dave,
    f.custody,
    f.usRegulator,
    f.gbRegulator,
    f.outsider,
  ];
  const issuers = [f.usRegulator, f.gbRegulator];
  /** Customers and who regulates their sponsor. */
  const customers = [
    { account: f.alice, regulator: f.usRegulator },
    { account: f.carol, regulator: f.usRegulator },
    { account: dave, regulator: f.usRegulator },
    { account: f.custody, regulator: f.usRegulator },
    { account: f.bob, regulator: f.gbRegulator },
    { account: f.supplier, regulator: f.gbRegulator },
  ];
  expect(holders).to.have.length(HOLDERS);
  expect(holders[SUPPLIER]).to.equal(f.supplier);
  await f.dollar.connect(f.freezer).freeze(f.supplier.address);
  return { ...f, dave, holders, issuers, customers };
}

type World = Awaited<ReturnType<typeof invariantFixture>>;

type Op =
  | { kind: "transfer"; from: number; to: number; amount: bigint }
  | { kind: "transferFrom"; spender: number; from: number; to: number; amount: bigint }
  | { kind: "approve"; owner: number; spender: number; amount: bigint }
  | { kind: "mint"; issuer: number; to: number; amount: bigint }
  | { kind: "burn"; issuer: number; amount: bigint }
  | { kind: "freeze"; account: number }
  | { kind: "unfreeze"; account: number }
  | { kind: "seize"; from: number; to: number; amount: bigint }
  | { kind: "pause" }
  | { kind: "unpause" }
  | { kind: "suspend"; customer: number }
  | { kind: "reinstate"; customer: number }
  | { kind: "advanceTime"; seconds: number }
  | { kind: "attest" };

/** The number of accounts in the fixture's `holders`, and the supplier's place among them. */
const HOLDERS = 12;
const SUPPLIER = 6;
const holder = fc.nat({ max: HOLDERS - 1 });
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: usd(1_500) }),
  fc.constantFrom(0n, 1n, usd(5_000), usd(400_000), usd(3_000_000)),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: holder, to: holder, amount }), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant("transferFrom" as const),
      spender: holder,
      from: holder,
      to: holder,
      amount,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("approve" as const), owner: holder, spender: holder, amount }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("mint" as const), issuer: fc.nat({ max: 1 }), to: holder, amount }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("burn" as const), issuer: fc.nat({ max: 1 }), amount }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("freeze" as const), account: holder }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("unfreeze" as const), account: holder }), weight: 2 },
  {
    // Half the seizures target the supplier, frozen in the fixture, so that some of them succeed.
    arbitrary: fc.record({
      kind: fc.constant("seize" as const),
      from: fc.oneof(holder, fc.constant(SUPPLIER)),
      to: holder,
      amount,
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("pause" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("unpause" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("suspend" as const), customer: fc.nat({ max: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("reinstate" as const), customer: fc.nat({ max: 5 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("advanceTime" as const),
      seconds: fc.constantFrom(HOUR, 6 * HOUR, 13 * HOUR),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("attest" as const) }), weight: 1 },
);

/** A transaction as the node takes it; the cast's accounts are the node's own, so no local signing is needed. */
interface Request {
  from: string;
  to: string;
  data: string;
}

/** Room for any of the operations; a fixed limit spares a gas estimate per transaction. */
const GAS = "0x100000";

/** The transaction an operation sends, or null for a time advance. */
async function requestFor(w: World, op: Op): Promise<Request | null> {
  const { dollar, registry, holders, issuers, customers } = w;
  const token = await dollar.getAddress();
  const addr = (i: number) => holders[i].address;
  const call = (from: { address: string }, data: string, to = token): Request => ({ from: from.address, to, data });
  const encode = dollar.interface.encodeFunctionData.bind(dollar.interface);
  switch (op.kind) {
    case "transfer":
      return call(holders[op.from], encode("transfer", [addr(op.to), op.amount]));
    case "transferFrom":
      return call(holders[op.spender], encode("transferFrom", [addr(op.from), addr(op.to), op.amount]));
    case "approve":
      return call(holders[op.owner], encode("approve", [addr(op.spender), op.amount]));
    case "mint":
      return call(issuers[op.issuer], encode("mint", [addr(op.to), op.amount]));
    case "burn":
      return call(issuers[op.issuer], encode("burn", [op.amount]));
    case "freeze":
      return call(w.freezer, encode("freeze", [addr(op.account)]));
    case "unfreeze":
      return call(w.freezer, encode("unfreeze", [addr(op.account)]));
    case "seize":
      return call(w.seizer, encode("seize", [addr(op.from), addr(op.to), op.amount, ethers.id("order")]));
    case "pause":
      return call(w.pauser, encode("pause"));
    case "unpause":
      return call(w.pauser, encode("unpause"));
    case "suspend":
    case "reinstate": {
      const { account, regulator } = customers[op.customer];
      const data =
        op.kind === "suspend"
          ? registry.interface.encodeFunctionData("suspend", [account.address])
          : registry.interface.encodeFunctionData("reinstate", [account.address]);
      return call(regulator, data, await registry.getAddress());
    }
    case "attest": {
      const reserves = await dollar.reserves();
      const data = encode("attestReserves", [reserves.amount, RESERVE_REPORT, await time.latest()]);
      return call(w.attestor, data);
    }
    case "advanceTime":
      return null;
  }
}

const isRevert = (error: unknown) => /revert/i.test(String(error));

/**
 * Tries the operation: true when it was mined successfully, false when it reverted. A dry run first spares
 * mining the many operations that revert; those change nothing, so the previous check of the invariants stands.
 * Returns "mined" separately, since a transaction can still fail on chain (it mines at a later second).
 */
async function apply(w: World, op: Op): Promise<{ ok: boolean; mined: boolean }> {
  const request = await requestFor(w, op);
  if (request === null) {
    await time.increase((op as { seconds: number }).seconds);
    return { ok: true, mined: true };
  }
  try {
    await network.provider.request({ method: "eth_call", params: [request] });
  } catch (error) {
    if (!isRevert(error)) throw error;
    return { ok: false, mined: false };
  }
  try {
    await network.provider.request({ method: "eth_sendTransaction", params: [{ ...request, gas: GAS }] });
    return { ok: true, mined: true };
  } catch (error) {
    // A revert is an allowed outcome; anything else (a broken harness) is not.
    if (!isRevert(error)) throw error;
    return { ok: false, mined: true };
  }
}

interface Snapshot {
  balances: bigint[];
  restrictions: Restriction[];
  supply: bigint;
  reserves: bigint;
  outstanding: bigint;
  paused: boolean;
}

/** The calldata of every read a snapshot makes, encoded once: encoding costs as much as the call itself. */
const readsOf = new WeakMap<World, { token: string; holders: string[][]; issuers: string[]; globals: string[] }>();

async function reads(w: World) {
  let cached = readsOf.get(w);
  if (cached === undefined) {
    const abi = w.dollar.interface;
    cached = {
      token: await w.dollar.getAddress(),
      holders: w.holders.map((h) => [
        abi.encodeFunctionData("balanceOf", [h.address]),
        abi.encodeFunctionData("restrictionOf", [h.address]),
      ]),
      issuers: w.issuers.map((i) => abi.encodeFunctionData("outstandingOf", [i.address])),
      globals: [
        abi.encodeFunctionData("totalSupply"),
        abi.encodeFunctionData("reserves"),
        abi.encodeFunctionData("paused"),
      ],
    };
    readsOf.set(w, cached);
  }
  return cached;
}

/**
 * Reads the state the invariants speak of with raw calls, a fraction of the cost of contract calls. Every read
 * returns static words; the first word is the value (for `reserves()`, the amount).
 */
async function snapshot(w: World): Promise<Snapshot> {
  const { token, holders, issuers, globals } = await reads(w);
  const word = async (data: string) => {
    const result = (await network.provider.request({ method: "eth_call", params: [{ to: token, data }] })) as string;
    return BigInt(result.slice(0, 66));
  };
  const balances: bigint[] = [];
  const restrictions: Restriction[] = [];
  for (const [balanceOf, restrictionOf] of holders) {
    balances.push(await word(balanceOf));
    restrictions.push(Number(await word(restrictionOf)) as Restriction);
  }
  let outstanding = 0n;
  for (const data of issuers) outstanding += await word(data);
  const [supply, reserves, paused] = [await word(globals[0]), await word(globals[1]), await word(globals[2])];
  return { balances, restrictions, supply, reserves, outstanding, paused: paused !== 0n };
}

function checkInvariants(w: World, before: Snapshot, after: Snapshot, op: Op, succeeded: boolean, step: number) {
  const where = `after step ${step} (${JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? v.toString() : v))})`;
  const sum = after.balances.reduce((a, b) => a + b, 0n);
  expect(sum, `sum of balances == totalSupply ${where}`).to.equal(after.supply);
  expect(after.supply <= after.reserves, `totalSupply <= attested reserves ${where}`).to.be.true;
  expect(after.outstanding, `outstanding per issuer sums to totalSupply ${where}`).to.equal(after.supply);

  if (before.paused) {
    expect(after.balances, `nothing moves while paused ${where}`).to.deep.equal(before.balances);
    expect(after.supply, `supply fixed while paused ${where}`).to.equal(before.supply);
  }

  for (let i = 0; i < w.holders.length; ++i) {
    if (before.restrictions[i] === Restriction.None) continue;
    const seizedFrom = op.kind === "seize" && succeeded && op.from === i;
    if (seizedFrom) {
      expect(before.restrictions[i], `only a frozen account is seized ${where}`).to.equal(Restriction.Frozen);
      expect(after.balances[i] < before.balances[i], `a seizure takes funds ${where}`).to.be.true;
    } else {
      expect(after.balances[i], `restricted holder ${i} keeps its balance ${where}`).to.equal(before.balances[i]);
    }
  }
}

describe("DigitalDollar invariants", function () {
  it(`hold over ${RUNS} random sequences of at least 20 operations`, async function () {
    const successes = new Map<Op["kind"], number>();
    let attempts = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 30 }), async (ops) => {
        const w = await loadFixture(invariantFixture);
        let before = await snapshot(w);
        for (const [step, op] of ops.entries()) {
          const { ok, mined } = await apply(w, op);
          attempts += 1;
          if (ok) successes.set(op.kind, (successes.get(op.kind) ?? 0) + 1);
          const after = mined ? await snapshot(w) : before;
          checkInvariants(w, before, after, op, ok, step);
          before = after;
        }
      }),
      { numRuns: RUNS },
    );

    // The property must be able to fail: the operations that move money have to succeed some of the time.
    // The rarer kinds are only sure to have succeeded somewhere in a long enough campaign.
    expect(attempts).to.be.at.least(RUNS * 20);
    const kinds: Op["kind"][] = ["transfer", "mint"];
    if (RUNS >= 50)
      kinds.push("transferFrom", "burn", "seize", "freeze", "unfreeze", "pause", "suspend", "advanceTime");
    for (const kind of kinds) {
      expect(successes.get(kind) ?? 0, `successful ${kind} operations`).to.be.greaterThan(0);
    }
  });
});
