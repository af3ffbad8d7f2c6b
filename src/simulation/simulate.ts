/**
 * One business day of the T-12 ledger, driven through the SDK clients: deploy, admit the founders' regulators,
 * onboard banks, customers, suppliers and an auditor, attest reserves and mint, move dollars, then a day of
 * inter-bank payments (gross, queued, cancelled, and a gridlock that only a netting cycle resolves).
 *
 * The day is a list of steps grouped in stages, run in order and reported one by one through `onProgress`, so
 * later stages (provenance, AML) can be appended without touching these. Only standard JSON-RPC is used.
 */
import { sha256, type Signer, toUtf8Bytes } from "ethers";

import { BankClient } from "../sdk/clients/BankClient";
import { HolderClient } from "../sdk/clients/HolderClient";
import { IssuerClient } from "../sdk/clients/IssuerClient";
import { RegulatorClient } from "../sdk/clients/RegulatorClient";
import { type NettingCycle, type PaymentInstruction, SettlementClient } from "../sdk/clients/SettlementClient";
import { chainTime, providerOf } from "../sdk/clients/common";
import { kindName } from "../sdk/clients/participants";
import { FOUNDING_JURISDICTIONS } from "../sdk/constants";
import { deploySystem } from "../sdk/deploy";
import type { RecordedContracts } from "../sdk/deployments";
import { formatDollars, jurisdictionToBytes2, leiToBytes20, parseDollars } from "../sdk/inputs";
import { AUDITOR, BANKS, type CastMember, CUSTOMERS, interbankIvms101, simulatedLei, SUPPLIERS } from "./cast";
import { supplyChainStage, supplyChainSummaryOf, type SupplyChainSummary } from "./supplyChain";

export interface SimulationProgress {
  stage: string;
  /** What the step just finished did. */
  step: string;
  completed: number;
  total: number;
}

export interface SimulationOptions {
  /** Funded accounts: the deployer first, then regulators, banks, customers, suppliers and the auditor. */
  signers: readonly Signer[];
  onProgress?: (progress: SimulationProgress) => void;
  /** The stages to run after deployment; the whole business day (settlement, then supply chain) by default. */
  stages?: readonly SimulationStage[];
  /** The provenance event store's SQLite file; in memory by default. */
  storePath?: string;
}

export interface CycleSummary {
  cycleId: number;
  settled: number;
  considered: number;
  grossValue: string;
  netLiquidity: string;
  stillQueued: number;
  /** 1 - netLiquidity / grossValue. */
  liquiditySaved: number;
}

export interface SimulationSummary {
  chainId: number;
  blocks: { first: number; last: number };
  contracts: {
    ParticipantRegistry: string;
    DigitalDollar: string;
    SettlementEngine: string;
    ProvenanceRegistry: string;
  };
  participants: {
    total: number;
    centralBanks: number;
    commercialBanks: number;
    customers: number;
    suppliers: number;
    auditors: number;
    /** Admitted jurisdictions. */
    jurisdictions: number;
    /** Jurisdictions with at least one commercial bank. */
    bankJurisdictions: string[];
  };
  supply: { totalSupply: string; reserves: string; backed: boolean };
  transfers: { count: number; value: string };
  payments: {
    submitted: number;
    settledGross: number;
    queued: number;
    cancelled: number;
    netted: number;
    stillQueued: number;
    /** Value settled gross plus value settled in netting cycles. */
    valueSettled: string;
  };
  cycles: CycleSummary[];
  gridlock: {
    banks: string[];
    payments: number;
    value: string;
    /** Whether one netting cycle settled every payment of the gridlock. */
    resolved: boolean;
    cycleId: number;
    netLiquidity: string;
    liquiditySaved: number;
  };
  /** The supply-chain part of the day, when it ran. */
  supplyChain?: SupplyChainSummary;
  durationMs: number;
}

/** Accounts the simulation needs: deployer, 12 regulators, 8 banks, 8 customers, 4 suppliers, 1 auditor. */
export const REQUIRED_SIGNERS =
  1 + FOUNDING_JURISDICTIONS.length + BANKS.length + CUSTOMERS.length + SUPPLIERS.length + 1;

/** A member of the cast with its account. */
export interface Party extends CastMember {
  signer: Signer;
  address: string;
}

/** The state a simulated day builds up; stages read and extend it. */
export interface SimulationDay {
  system: RecordedContracts;
  /** The first block of the day: where log readers start. */
  firstBlock: number;
  /** Run when the day ends, whether it finished or failed (e.g. closing the event store). */
  cleanups: (() => void)[];
  admin: Party;
  regulators: Map<string, Party>;
  banks: Party[];
  customers: Party[];
  suppliers: Party[];
  auditor: Party;
  transfers: { count: number; value: bigint };
  payments: { submitted: number; settledGross: number; queued: number; cancelled: number; grossValue: bigint };
  queuedToCancel: string[];
  gridlock: { uetrs: string[]; value: bigint };
  cycles: NettingCycle[];
}

/** One reported step of a stage. */
export interface SimulationStep {
  stage: string;
  step: string;
  run: () => Promise<void>;
}

/** Gross payments among the well-funded banks: debtor, creditor, dollars, purpose. */
const GROSS_PAYMENTS: readonly [number, number, string, string][] = [
  [0, 1, "125000", "TRAD"],
  [1, 2, "480000.25", "SUPP"],
  [2, 3, "62500", "TRAD"],
  [3, 0, "310000", "INTC"],
  [0, 2, "750.75", "SUPP"],
  [1, 3, "95000", "TRAD"],
  [2, 0, "210000", "SUPP"],
  [3, 1, "44000", "INTC"],
  [0, 3, "18250.5", "TRAD"],
  [2, 1, "330000", "SUPP"],
];

/** The gridlock: banks 4 -> 5 -> 6 -> 7 -> 4, each owing far more than the 100,000 it holds. */
const GRIDLOCK: readonly [number, number, string][] = [
  [4, 5, "400000"],
  [5, 6, "350000"],
  [6, 7, "420000"],
  [7, 4, "380000"],
];

/** Blocks per log query: within the limits of common nodes. */
const LOG_RANGE = 2_000;

const THIN_LIQUIDITY = "100000";
const AMPLE_LIQUIDITY = "2000000";

async function party(signer: Signer, member: CastMember): Promise<Party> {
  return { ...member, signer, address: await signer.getAddress() };
}

function settlement(day: SimulationDay, bank: Party): SettlementClient {
  return new SettlementClient(day.system.engine, day.system.dollar, bank.signer);
}

async function pay(
  day: SimulationDay,
  from: Party,
  to: Party,
  amount: string,
  extra: Partial<PaymentInstruction> = {},
) {
  const result = await settlement(day, from).pay({
    creditor: to.address,
    amount,
    purpose: "INTC",
    endToEndId: `SIM-${String(day.payments.submitted + 1).padStart(4, "0")}`,
    ivms101: interbankIvms101(from, from.address, to, to.address),
    ...extra,
  });
  day.payments.submitted += 1;
  if (result.status === "settled") {
    day.payments.settledGross += 1;
    day.payments.grossValue += result.amount;
  } else {
    day.payments.queued += 1;
  }
  return result;
}

function consortiumSteps(day: SimulationDay): SimulationStep[] {
  return [...day.regulators.values()].map((regulator) => ({
    stage: "consortium",
    step: `appoint the regulator of ${regulator.jurisdiction}`,
    run: async () => {
      const registry = day.system.registry.connect(day.admin.signer);
      const code = jurisdictionToBytes2(regulator.jurisdiction);
      await (await registry.appointRegulator(code, regulator.address, leiToBytes20(regulator.lei))).wait();
    },
  }));
}

function roleSteps(day: SimulationDay): SimulationStep[] {
  const issuer = day.regulators.get("US");
  if (issuer === undefined) throw new Error("the simulation needs a US regulator to issue the dollar");
  return [
    {
      stage: "roles",
      step: "grant the operator, master minter and attestor roles; make the Fed an issuer",
      run: async () => {
        const { dollar, engine } = day.system;
        const admin = day.admin.signer;
        await (await engine.connect(admin).grantRole(await engine.OPERATOR_ROLE(), day.admin.address)).wait();
        await (await dollar.connect(admin).grantRole(await dollar.MASTER_MINTER_ROLE(), day.admin.address)).wait();
        await (await dollar.connect(admin).grantRole(await dollar.ATTESTOR_ROLE(), day.auditor.address)).wait();
        await (
          await dollar.connect(admin).configureIssuer(issuer.address, parseDollars("allowance", "100000000"))
        ).wait();
      },
    },
  ];
}

function onboardingSteps(day: SimulationDay): SimulationStep[] {
  const steps: SimulationStep[] = day.banks.map((bank) => ({
    stage: "onboarding",
    step: `license ${bank.name} (${bank.jurisdiction})`,
    run: async () => {
      const regulator = day.regulators.get(bank.jurisdiction);
      if (regulator === undefined) throw new Error(`no regulator for ${bank.jurisdiction}`);
      await new RegulatorClient(day.system.registry, regulator.signer).onboardBank(bank.address, bank.lei);
    },
  }));
  steps.push({
    stage: "onboarding",
    step: `onboard the auditor ${day.auditor.name}`,
    run: async () => {
      const registry = day.system.registry.connect(day.admin.signer);
      const { address, jurisdiction, lei } = day.auditor;
      const expiry = (await chainTime(providerOf(day.admin.signer))) + 365n * 24n * 3600n;
      await (
        await registry.onboardAuditor(address, jurisdictionToBytes2(jurisdiction), leiToBytes20(lei), expiry)
      ).wait();
    },
  });
  for (const [index, bank] of day.banks.entries()) {
    const customer = day.customers[index];
    const supplier = day.suppliers[index] as Party | undefined;
    steps.push({
      stage: "onboarding",
      step: `${bank.name} onboards ${supplier === undefined ? customer.name : `${customer.name} and ${supplier.name}`}`,
      run: async () => {
        const desk = new BankClient(day.system.registry, bank.signer);
        if (supplier === undefined) {
          await desk.onboardCustomer(customer.address, customer.jurisdiction, customer.lei);
          return;
        }
        await desk.onboardMany([
          { account: customer.address, kind: "customer", jurisdiction: customer.jurisdiction, lei: customer.lei },
          { account: supplier.address, kind: "supplier", jurisdiction: supplier.jurisdiction, lei: supplier.lei },
        ]);
      },
    });
  }
  return steps;
}

function issuanceSteps(day: SimulationDay): SimulationStep[] {
  const issuer = day.regulators.get("US");
  if (issuer === undefined) throw new Error("the simulation needs a US regulator to issue the dollar");
  const steps: SimulationStep[] = [
    {
      stage: "issuance",
      step: "attest 60,000,000 dollars of reserves",
      run: async () => {
        const report = sha256(toUtf8Bytes("T-12 reserve attestation: simulated business day"));
        await new IssuerClient(day.system.dollar, day.auditor.signer).attestReserves("60000000", report);
      },
    },
  ];
  for (const bank of day.banks) {
    steps.push({
      stage: "issuance",
      step: `mint 5,000,000 to ${bank.name}`,
      run: async () => {
        await new IssuerClient(day.system.dollar, issuer.signer).mint(bank.address, "5000000");
      },
    });
  }
  return steps;
}

function transferSteps(day: SimulationDay): SimulationStep[] {
  const move = (from: Party, to: Party, amount: string): SimulationStep => ({
    stage: "transfers",
    step: `${from.name} pays ${amount} to ${to.name}`,
    run: async () => {
      const result = await new HolderClient(day.system.dollar, from.signer).transfer(to.address, amount);
      day.transfers.count += 1;
      day.transfers.value += result.amount;
    },
  });
  const steps = day.banks.map((bank, index) => move(bank, day.customers[index], "25000"));
  const invoices = ["4200.5", "12750", "980.25", "7300"];
  for (const [index, supplier] of day.suppliers.entries()) {
    steps.push(move(day.customers[(index + 4) % day.customers.length], supplier, invoices[index % invoices.length]));
  }
  return steps;
}

function liquiditySteps(day: SimulationDay): SimulationStep[] {
  return day.banks.map((bank, index) => {
    const amount = index < 4 ? AMPLE_LIQUIDITY : THIN_LIQUIDITY;
    return {
      stage: "liquidity",
      step: `${bank.name} funds its settlement account with ${amount}`,
      run: async () => {
        await settlement(day, bank).deposit(amount);
      },
    };
  });
}

function paymentSteps(day: SimulationDay): SimulationStep[] {
  const bank = (index: number): Party => day.banks[index];
  const steps: SimulationStep[] = GROSS_PAYMENTS.map(([from, to, amount, purpose]) => ({
    stage: "payments",
    step: `${bank(from).name} pays ${amount} ${purpose} to ${bank(to).name}`,
    run: async () => {
      await pay(day, bank(from), bank(to), amount, { purpose });
    },
  }));
  steps.push({
    stage: "payments",
    step: `${bank(5).name} pays 600000 to ${bank(1).name}, beyond its liquidity: queued`,
    run: async () => {
      day.queuedToCancel.push((await pay(day, bank(5), bank(1), "600000", { purpose: "TRAD" })).uetr);
    },
  });
  steps.push({
    stage: "payments",
    step: `${bank(5).name} cancels its queued payment`,
    run: async () => {
      const uetr = day.queuedToCancel.pop();
      if (uetr === undefined) throw new Error("no payment to cancel");
      await settlement(day, bank(5)).cancel(uetr);
      day.payments.cancelled += 1;
    },
  });
  for (const [from, to, amount] of GRIDLOCK) {
    steps.push({
      stage: "payments",
      step: `${bank(from).name} owes ${amount} to ${bank(to).name} (gridlock)`,
      run: async () => {
        const result = await pay(day, bank(from), bank(to), amount, { priority: "high" });
        day.gridlock.uetrs.push(result.uetr);
        day.gridlock.value += result.amount;
      },
    });
  }
  steps.push({
    stage: "payments",
    step: `${bank(4).name} pays 750000 to ${bank(0).name}, beyond its liquidity: queued`,
    run: async () => {
      await pay(day, bank(4), bank(0), "750000", { purpose: "TRAD" });
    },
  });
  return steps;
}

function nettingSteps(day: SimulationDay): SimulationStep[] {
  const operator = (): SettlementClient => settlement(day, day.admin);
  return [
    {
      stage: "netting",
      step: "run a netting cycle over the queue",
      run: async () => {
        day.cycles.push(await operator().runNettingCycle());
      },
    },
    {
      stage: "netting",
      step: `${day.banks[4].name} adds 700000 of liquidity`,
      run: async () => {
        await settlement(day, day.banks[4]).deposit("700000");
      },
    },
    {
      stage: "netting",
      step: "run a netting cycle for what is left",
      run: async () => {
        day.cycles.push(await operator().runNettingCycle());
      },
    },
  ];
}

export type SimulationStage = (day: SimulationDay) => SimulationStep[];

/** The stages of the settlement day, in order. */
export const SETTLEMENT_DAY: readonly SimulationStage[] = [
  consortiumSteps,
  roleSteps,
  onboardingSteps,
  issuanceSteps,
  transferSteps,
  liquiditySteps,
  paymentSteps,
  nettingSteps,
];

function cycleSummary(cycle: NettingCycle): CycleSummary {
  return {
    cycleId: Number(cycle.cycleId),
    settled: cycle.settled,
    considered: cycle.considered,
    grossValue: formatDollars(cycle.grossValue),
    netLiquidity: formatDollars(cycle.netLiquidity),
    stillQueued: cycle.stillQueued,
    liquiditySaved: cycle.liquiditySaved,
  };
}

async function summarize(day: SimulationDay, firstBlock: number, started: number): Promise<SimulationSummary> {
  const { registry, dollar, engine } = day.system;
  const provider = day.admin.signer.provider;
  if (provider === null) throw new Error("the deployer is not connected to a provider");
  const last = await provider.getBlockNumber();
  const onboarded = [];
  for (let from = firstBlock; from <= last; from += LOG_RANGE) {
    const to = Math.min(from + LOG_RANGE - 1, last);
    onboarded.push(...(await registry.queryFilter(registry.filters.ParticipantOnboarded(), from, to)));
  }
  const kinds = onboarded.map((event) => kindName(event.args.kind));
  const count = (kind: string): number => kinds.filter((name) => name === kind).length;
  const totalSupply = await dollar.totalSupply();
  const reserves = (await dollar.reserves()).amount;

  const first = day.cycles[0];
  const gridlockSettled = new Set(first.payments.map((payment) => payment.uetr));
  return {
    chainId: Number((await provider.getNetwork()).chainId),
    blocks: { first: firstBlock, last },
    contracts: {
      ParticipantRegistry: await registry.getAddress(),
      DigitalDollar: await dollar.getAddress(),
      SettlementEngine: await engine.getAddress(),
      ProvenanceRegistry: await day.system.provenance.getAddress(),
    },
    participants: {
      total: kinds.length,
      centralBanks: count("CentralBank"),
      commercialBanks: count("CommercialBank"),
      customers: count("Customer"),
      suppliers: count("Supplier"),
      auditors: count("Auditor"),
      jurisdictions: Number(await registry.memberCount()),
      bankJurisdictions: [...new Set(day.banks.map((bank) => bank.jurisdiction))],
    },
    supply: {
      totalSupply: formatDollars(totalSupply),
      reserves: formatDollars(reserves),
      backed: totalSupply <= reserves,
    },
    transfers: { count: day.transfers.count, value: formatDollars(day.transfers.value) },
    payments: {
      submitted: day.payments.submitted,
      settledGross: day.payments.settledGross,
      queued: day.payments.queued,
      cancelled: day.payments.cancelled,
      netted: day.cycles.reduce((sum, cycle) => sum + cycle.settled, 0),
      stillQueued: Number(await engine.queueLength()),
      valueSettled: formatDollars(day.cycles.reduce((sum, cycle) => sum + cycle.grossValue, day.payments.grossValue)),
    },
    cycles: day.cycles.map(cycleSummary),
    gridlock: {
      banks: GRIDLOCK.map(([from]) => day.banks[from].name),
      payments: day.gridlock.uetrs.length,
      value: formatDollars(day.gridlock.value),
      resolved: day.gridlock.uetrs.every((uetr) => gridlockSettled.has(uetr)),
      cycleId: Number(first.cycleId),
      netLiquidity: formatDollars(first.netLiquidity),
      liquiditySaved: first.liquiditySaved,
    },
    supplyChain: supplyChainSummaryOf(day),
    durationMs: Date.now() - started,
  };
}

/** Runs the simulated business day on the chain the signers are connected to and returns its summary. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const started = Date.now();
  const { signers } = options;
  if (signers.length < REQUIRED_SIGNERS) {
    throw new Error(`the simulation needs ${REQUIRED_SIGNERS} funded accounts, the network has ${signers.length}`);
  }
  const provider = signers[0].provider;
  if (provider === null) throw new Error("the signers are not connected to a provider");
  const firstBlock = (await provider.getBlockNumber()) + 1;

  let next = 0;
  const take = async (member: CastMember): Promise<Party> => party(signers[next++], member);
  const admin = await take({ name: "T-12 consortium admin", jurisdiction: "US", lei: simulatedLei("ADMIN") });
  const regulators = new Map<string, Party>();
  for (const code of FOUNDING_JURISDICTIONS) {
    regulators.set(
      code,
      await take({ name: `Central bank of ${code}`, jurisdiction: code, lei: simulatedLei(`CB${code}`) }),
    );
  }
  const banks = await Promise.all(BANKS.map((bank, index) => party(signers[next + index], bank)));
  next += banks.length;
  const customers = await Promise.all(CUSTOMERS.map((customer, index) => party(signers[next + index], customer)));
  next += customers.length;
  const suppliers = await Promise.all(SUPPLIERS.map((supplier, index) => party(signers[next + index], supplier)));
  next += suppliers.length;
  const auditor = await take(AUDITOR);

  const system = await deploySystem(admin.signer);
  const day: SimulationDay = {
    firstBlock,
    cleanups: [],
    system: {
      registry: system.registry,
      dollar: system.dollar,
      engine: system.engine,
      provenance: system.provenance,
    },
    admin,
    regulators,
    banks,
    customers,
    suppliers,
    auditor,
    transfers: { count: 0, value: 0n },
    payments: { submitted: 0, settledGross: 0, queued: 0, cancelled: 0, grossValue: 0n },
    queuedToCancel: [],
    gridlock: { uetrs: [], value: 0n },
    cycles: [],
  };
  const stages = options.stages ?? [...SETTLEMENT_DAY, supplyChainStage(options.storePath)];
  const steps = stages.flatMap((stage) => stage(day));
  const total = steps.length + 1;
  options.onProgress?.({
    stage: "deploy",
    step: "deploy the registry, the dollar and the engine",
    completed: 1,
    total,
  });
  try {
    for (const [index, step] of steps.entries()) {
      await step.run();
      options.onProgress?.({ stage: step.stage, step: step.step, completed: index + 2, total });
    }
    return await summarize(day, firstBlock, started);
  } finally {
    for (const cleanup of day.cleanups) cleanup();
  }
}
