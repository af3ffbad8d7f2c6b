import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";

import { toBytes2 as b2 } from "../../src/sdk/deploy";
import { ParticipantKind as Kind } from "../../src/sdk/constants";
import { lei, usd } from "../fixtures/core.fixture";
import { fundedFixture } from "../fixtures/token.fixture";

/**
 * Every privileged function of the registry and the dollar, called by every role holder of the cast and by an
 * outsider. Exactly the listed actors succeed; everyone else gets the exact error naming them.
 */

type Fixture = Awaited<ReturnType<typeof matrixFixture>>;

const ACTORS = [
  "admin",
  "masterMinter",
  "attestor",
  "pauser",
  "freezer",
  "seizer",
  "usRegulator",
  "gbRegulator",
  "bankA",
  "bankB",
  "alice",
  "auditor",
  "outsider",
] as const;
type Actor = (typeof ACTORS)[number];

const DEFAULT_ADMIN = ethers.ZeroHash;
const CONSORTIUM_ADMIN = ethers.id("CONSORTIUM_ADMIN_ROLE");
const MASTER_MINTER = ethers.id("MASTER_MINTER_ROLE");
const ISSUER = ethers.id("ISSUER_ROLE");
const ATTESTOR = ethers.id("ATTESTOR_ROLE");
const PAUSER = ethers.id("PAUSER_ROLE");
const FREEZER = ethers.id("FREEZER_ROLE");
const SEIZER = ethers.id("SEIZER_ROLE");

/** An account nobody registered, to onboard or appoint. */
const NEWCOMER = new ethers.Wallet(ethers.id("newcomer")).address;

/**
 * Funded customers; alice frozen with her funds awaiting seizure; each issuer holding some of its own issuance
 * so that it may burn.
 */
async function matrixFixture() {
  const f = await fundedFixture();
  await f.dollar.connect(f.gbRegulator).mint(f.bankB.address, usd(10));
  await f.dollar.connect(f.bankB).transfer(f.gbRegulator.address, usd(10));
  await f.dollar.connect(f.bankA).transfer(f.usRegulator.address, usd(10));
  await f.dollar.connect(f.freezer).freeze(f.alice.address);
  return f;
}

interface Denial {
  contract: "registry" | "dollar";
  error: string;
  args: unknown[];
}

interface Row {
  fn: string;
  allowed: readonly Actor[];
  setup?: (f: Fixture) => Promise<unknown>;
  call: (f: Fixture, actor: Actor) => Promise<ContractTransactionResponse>;
  denial: (f: Fixture, actor: Actor, address: string) => Denial;
}

const missingRole =
  (contract: Denial["contract"], role: string) =>
  (_f: Fixture, _actor: Actor, address: string): Denial => ({
    contract,
    error: "AccessControlUnauthorizedAccount",
    args: [address, role],
  });

const registryError =
  (error: string, extra: (f: Fixture) => unknown[] = () => []) =>
  (f: Fixture, _actor: Actor, address: string): Denial => ({
    contract: "registry",
    error,
    args: [address, ...extra(f)],
  });

const as = (f: Fixture, actor: Actor) => ({
  registry: f.registry.connect(f[actor]),
  dollar: f.dollar.connect(f[actor]),
});

const REGISTRY_ROWS: Row[] = [
  {
    fn: "appointRegulator",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.appointRegulator(b2("FR"), NEWCOMER, lei("FR-BDF")),
    denial: missingRole("registry", CONSORTIUM_ADMIN),
  },
  {
    fn: "setVotingPeriod",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.setVotingPeriod(3600),
    denial: missingRole("registry", CONSORTIUM_ADMIN),
  },
  {
    fn: "onboardAuditor",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.onboardAuditor(NEWCOMER, b2("US"), lei("AUD-2"), f.kycExpiry),
    denial: missingRole("registry", CONSORTIUM_ADMIN),
  },
  {
    fn: "addObserver",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.addObserver(NEWCOMER),
    denial: missingRole("registry", CONSORTIUM_ADMIN),
  },
  {
    fn: "removeObserver",
    allowed: ["admin"],
    call: async (f, a) => as(f, a).registry.removeObserver(await f.dollar.getAddress()),
    denial: missingRole("registry", CONSORTIUM_ADMIN),
  },
  {
    fn: "grantRole(CONSORTIUM_ADMIN_ROLE)",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.grantRole(CONSORTIUM_ADMIN, NEWCOMER),
    denial: missingRole("registry", DEFAULT_ADMIN),
  },
  {
    fn: "proposeJurisdiction",
    allowed: ["usRegulator", "gbRegulator"],
    call: (f, a) => as(f, a).registry.proposeJurisdiction(b2("BR"), NEWCOMER, lei("REG-BR")),
    denial: registryError("RegistryNotRegulator"),
  },
  {
    fn: "voteOnJurisdiction",
    allowed: ["usRegulator", "gbRegulator"],
    setup: (f) => f.registry.connect(f.usRegulator).proposeJurisdiction(b2("BR"), NEWCOMER, lei("REG-BR")),
    call: (f, a) => as(f, a).registry.voteOnJurisdiction(1, true),
    denial: registryError("RegistryNotRegulator"),
  },
  {
    fn: "onboardBank",
    allowed: ["usRegulator", "gbRegulator"],
    call: (f, a) => as(f, a).registry.onboardBank(NEWCOMER, lei("BANK-N"), f.kycExpiry),
    denial: registryError("RegistryNotRegulator"),
  },
  {
    fn: "reassignSponsor",
    allowed: ["usRegulator"],
    call: (f, a) => as(f, a).registry.reassignSponsor(f.carol.address, f.bankC.address),
    denial: (f, actor, address) =>
      actor === "gbRegulator"
        ? { contract: "registry", error: "RegistryUnauthorized", args: [address, f.carol.address] }
        : { contract: "registry", error: "RegistryNotRegulator", args: [address] },
  },
  {
    fn: "onboardParticipant",
    allowed: ["bankA", "bankB"],
    call: (f, a) => as(f, a).registry.onboardParticipant(NEWCOMER, Kind.Customer, b2("US"), lei("N"), f.kycExpiry),
    denial: registryError("RegistrySponsorNotEligible"),
  },
  {
    fn: "onboardParticipants",
    allowed: ["bankA", "bankB"],
    call: (f, a) =>
      as(f, a).registry.onboardParticipants([
        { account: NEWCOMER, kind: Kind.Supplier, jurisdiction: b2("US"), lei: lei("N"), kycExpiry: f.kycExpiry },
      ]),
    denial: registryError("RegistrySponsorNotEligible"),
  },
  {
    fn: "suspend(a bank)",
    allowed: ["usRegulator"],
    call: (f, a) => as(f, a).registry.suspend(f.bankA.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.bankA.address]),
  },
  {
    fn: "reinstate(a bank)",
    allowed: ["usRegulator"],
    setup: (f) => f.registry.connect(f.usRegulator).suspend(f.bankA.address),
    call: (f, a) => as(f, a).registry.reinstate(f.bankA.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.bankA.address]),
  },
  {
    fn: "revoke(a bank)",
    allowed: ["usRegulator"],
    call: (f, a) => as(f, a).registry.revoke(f.bankA.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.bankA.address]),
  },
  {
    fn: "renewKyc(a bank)",
    allowed: ["usRegulator"],
    call: (f, a) => as(f, a).registry.renewKyc(f.bankA.address, f.kycExpiry + 1),
    denial: registryError("RegistryUnauthorized", (f) => [f.bankA.address]),
  },
  {
    fn: "suspend(a customer)",
    allowed: ["usRegulator", "bankA"],
    call: (f, a) => as(f, a).registry.suspend(f.carol.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.carol.address]),
  },
  {
    fn: "renewKyc(a customer)",
    allowed: ["usRegulator", "bankA"],
    call: (f, a) => as(f, a).registry.renewKyc(f.carol.address, f.kycExpiry + 1),
    denial: registryError("RegistryUnauthorized", (f) => [f.carol.address]),
  },
  {
    fn: "revoke(a customer)",
    allowed: ["usRegulator", "bankA"],
    call: (f, a) => as(f, a).registry.revoke(f.carol.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.carol.address]),
  },
  {
    fn: "suspend(a central bank)",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.suspend(f.gbRegulator.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.gbRegulator.address]),
  },
  {
    fn: "revoke(an auditor)",
    allowed: ["admin"],
    call: (f, a) => as(f, a).registry.revoke(f.auditor.address),
    denial: registryError("RegistryUnauthorized", (f) => [f.auditor.address]),
  },
];

const DOLLAR_ROWS: Row[] = [
  {
    fn: "attestReserves",
    allowed: ["attestor"],
    call: async (f, a) => as(f, a).dollar.attestReserves(usd(10_000_000), ethers.id("report-2"), await time.latest()),
    denial: missingRole("dollar", ATTESTOR),
  },
  {
    fn: "setMaxAttestationAge",
    allowed: ["admin"],
    call: (f, a) => as(f, a).dollar.setMaxAttestationAge(3600),
    denial: missingRole("dollar", DEFAULT_ADMIN),
  },
  {
    fn: "configureIssuer",
    allowed: ["masterMinter"],
    call: (f, a) => as(f, a).dollar.configureIssuer(f.bankA.address, usd(1)),
    denial: missingRole("dollar", MASTER_MINTER),
  },
  {
    fn: "removeIssuer",
    allowed: ["masterMinter"],
    call: (f, a) => as(f, a).dollar.removeIssuer(f.gbRegulator.address),
    denial: missingRole("dollar", MASTER_MINTER),
  },
  {
    fn: "grantRole(ISSUER_ROLE)",
    allowed: ["masterMinter"],
    call: (f, a) => as(f, a).dollar.grantRole(ISSUER, f.bankA.address),
    denial: missingRole("dollar", MASTER_MINTER),
  },
  {
    fn: "revokeRole(ISSUER_ROLE)",
    allowed: ["masterMinter"],
    call: (f, a) => as(f, a).dollar.revokeRole(ISSUER, f.usRegulator.address),
    denial: missingRole("dollar", MASTER_MINTER),
  },
  ...Object.entries({ MASTER_MINTER, ATTESTOR, PAUSER, FREEZER, SEIZER }).map(([name, role]): Row => ({
    fn: `grantRole(${name}_ROLE)`,
    allowed: ["admin"],
    call: (f, a) => as(f, a).dollar.grantRole(role, NEWCOMER),
    denial: missingRole("dollar", DEFAULT_ADMIN),
  })),
  {
    fn: "revokeRole(FREEZER_ROLE)",
    allowed: ["admin"],
    call: (f, a) => as(f, a).dollar.revokeRole(FREEZER, f.freezer.address),
    denial: missingRole("dollar", DEFAULT_ADMIN),
  },
  {
    fn: "pause",
    allowed: ["pauser"],
    call: (f, a) => as(f, a).dollar.pause(),
    denial: missingRole("dollar", PAUSER),
  },
  {
    fn: "unpause",
    allowed: ["pauser"],
    setup: (f) => f.dollar.connect(f.pauser).pause(),
    call: (f, a) => as(f, a).dollar.unpause(),
    denial: missingRole("dollar", PAUSER),
  },
  {
    fn: "freeze",
    allowed: ["freezer"],
    call: (f, a) => as(f, a).dollar.freeze(f.bob.address),
    denial: missingRole("dollar", FREEZER),
  },
  {
    fn: "unfreeze",
    allowed: ["freezer"],
    call: (f, a) => as(f, a).dollar.unfreeze(f.alice.address),
    denial: missingRole("dollar", FREEZER),
  },
  {
    fn: "seize",
    allowed: ["seizer"],
    call: (f, a) => as(f, a).dollar.seize(f.alice.address, f.custody.address, usd(1), ethers.id("order")),
    denial: missingRole("dollar", SEIZER),
  },
  {
    fn: "setSystemAccount",
    allowed: ["admin"],
    call: async (f, a) => as(f, a).dollar.setSystemAccount(await f.plain.getAddress(), true),
    denial: missingRole("dollar", DEFAULT_ADMIN),
  },
  {
    fn: "setObserver",
    allowed: ["admin"],
    call: (f, a) => as(f, a).dollar.setObserver(ethers.ZeroAddress),
    denial: missingRole("dollar", DEFAULT_ADMIN),
  },
  {
    fn: "mint",
    allowed: ["usRegulator", "gbRegulator"],
    call: (f, a) => as(f, a).dollar.mint(f.bob.address, usd(1)),
    denial: (_f, _actor, address) => ({ contract: "dollar", error: "DollarNotIssuer", args: [address] }),
  },
  {
    fn: "burn",
    allowed: ["usRegulator", "gbRegulator"],
    call: (f, a) => as(f, a).dollar.burn(usd(1)),
    denial: (_f, _actor, address) => ({ contract: "dollar", error: "DollarNotIssuer", args: [address] }),
  },
];

function matrix(title: string, rows: Row[]) {
  describe(title, function () {
    for (const row of rows) {
      describe(`.${row.fn}`, function () {
        for (const actor of ACTORS) {
          const permitted = row.allowed.includes(actor);
          it(permitted ? `succeeds for ${actor}` : `reverts for ${actor}`, async function () {
            const f = await loadFixture(matrixFixture);
            if (row.setup) await row.setup(f);
            if (permitted) {
              await expect(row.call(f, actor)).not.to.be.reverted;
            } else {
              const { contract, error, args } = row.denial(f, actor, f[actor].address);
              await expect(row.call(f, actor))
                .to.be.revertedWithCustomError(f[contract], error)
                .withArgs(...args);
            }
          });
        }
      });
    }
  });
}

describe("Access control", function () {
  matrix("ParticipantRegistry", REGISTRY_ROWS);
  matrix("DigitalDollar", DOLLAR_ROWS);
});
