// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Restriction} from "../libraries/PackedAccount.sol";
import {IComplianceObserver} from "./IComplianceObserver.sol";

/// @title IDigitalDollar
/// @notice A dollar-backed, permissioned ERC-20 (6 decimals). Only Active participants with unexpired KYC hold,
/// send or receive it; issuers mint within their allowance and never above the latest reserve attestation.
/// Banks may pre-sign transfers with EIP-2612 permits and EIP-3009 authorizations.
interface IDigitalDollar is IERC20Metadata, IERC20Permit, IComplianceObserver {
    /// @notice The latest reserve attestation.
    struct Reserves {
        uint128 amount;
        uint40 asOf;
        address attestor;
        bytes32 reportHash;
    }

    // ---------------------------------------------------------------- events

    event ReservesAttested(address indexed attestor, uint256 amount, bytes32 indexed reportHash, uint40 asOf);
    event MaxAttestationAgeChanged(uint40 previous, uint40 current);
    event IssuerConfigured(address indexed issuer, uint256 allowance);
    event IssuerRemoved(address indexed issuer);
    event Minted(address indexed issuer, address indexed to, uint256 amount);
    event Burned(address indexed issuer, uint256 amount);
    event Paused(address indexed by);
    event Unpaused(address indexed by);
    event Frozen(address indexed account, address indexed by);
    event Unfrozen(address indexed account, address indexed by);
    event Seized(
        address indexed account,
        address indexed custody,
        uint256 amount,
        bytes32 indexed legalOrderHash,
        address by
    );
    event SystemAccountSet(address indexed account, bool enabled);
    event ObserverChanged(address indexed previous, address indexed current);
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    // ---------------------------------------------------------------- errors

    /// @notice `account` may not hold or move the dollar, for `reason`.
    error DollarAccountRestricted(address account, Restriction reason);
    error DollarPaused();
    error DollarNotPaused();
    error DollarZeroAddress();
    error DollarZeroAmount();
    error DollarNotIssuer(address account);
    error DollarMintAllowanceExceeded(address issuer, uint256 allowance, uint256 requested);
    /// @notice Minting would take the supply above the attested reserves.
    error DollarReservesExceeded(uint256 reserves, uint256 supplyAfter);
    /// @notice The latest attestation is older than the maximum age (or there is none).
    error DollarReservesStale(uint40 asOf, uint40 maxAge);
    error DollarInvalidAttestation(uint40 asOf, uint40 previousAsOf);
    error DollarInvalidReportHash();
    error DollarInvalidMaxAge(uint40 maxAge);
    error DollarBurnExceedsOutstanding(address issuer, uint256 outstanding, uint256 requested);
    error DollarAlreadyFrozen(address account);
    error DollarNotFrozen(address account);
    error DollarSeizureToSelf(address account);
    error DollarMissingLegalOrder();
    error DollarPermitExpired(uint256 deadline);
    error DollarInvalidSigner(address signer, address expected);
    error DollarAuthorizationNotYetValid(uint256 validAfter);
    error DollarAuthorizationExpired(uint256 validBefore);
    error DollarAuthorizationUsed(address authorizer, bytes32 nonce);
    error DollarCallerNotPayee(address caller, address payee);
    error DollarNotAContract(address account);
    /// @notice `account` is a system account (it holds other participants' money): it cannot be frozen, seized
    /// from, minted to, or used as seizure custody, and it receives DUSD only by pulling it with transferFrom.
    error DollarSystemAccount(address account);

    // ---------------------------------------------------------------- reserves and issuance

    /// @notice The attestor records the reserves backing the dollar: amount, audit report hash and as-of time.
    function attestReserves(uint256 amount, bytes32 reportHash, uint40 asOf) external;

    function setMaxAttestationAge(uint40 maxAge) external;

    /// @notice The master minter makes `issuer` an issuer with `allowance` left to mint.
    function configureIssuer(address issuer, uint256 allowance) external;

    function removeIssuer(address issuer) external;

    /// @notice An issuer mints `amount` to `to`, within its allowance and the attested reserves.
    function mint(address to, uint256 amount) external;

    /// @notice An issuer redeems `amount` from its own balance, at most what it has outstanding.
    function burn(uint256 amount) external;

    // ---------------------------------------------------------------- compliance

    function pause() external;

    function unpause() external;

    function freeze(address account) external;

    function unfreeze(address account) external;

    /// @notice Moves `amount` from a frozen `account` to an eligible `custody` account under a legal order. Neither
    /// may be a system account (a settlement balance is seized in the engine).
    function seize(address account, address custody, uint256 amount, bytes32 legalOrderHash) external;

    /// @notice Lets a ledger contract (the settlement engine) hold dollars on behalf of participants. Reverts for
    /// a frozen account: a system account cannot be frozen.
    function setSystemAccount(address account, bool enabled) external;

    /// @notice The contract told of every compliance change (the settlement engine), or zero.
    function setObserver(address observer) external;

    // ---------------------------------------------------------------- EIP-3009

    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As {transferWithAuthorization}, but only the payee may submit it (no front-running).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    // ---------------------------------------------------------------- views

    function registry() external view returns (address);

    function observer() external view returns (address);

    function reserves() external view returns (Reserves memory);

    function maxAttestationAge() external view returns (uint40);

    function minterAllowance(address issuer) external view returns (uint256);

    /// @notice Minted minus burned by `issuer`: what its reserves must cover (auditor view).
    function outstandingOf(address issuer) external view returns (uint256);

    function paused() external view returns (bool);

    function isFrozen(address account) external view returns (bool);

    /// @notice The mirrored compliance flags (see PackedAccountLib) and KYC expiry of `account`.
    function complianceOf(address account) external view returns (uint8 flags, uint40 kycExpiry);

    /// @notice Restriction.None when `account` may send and receive now.
    function restrictionOf(address account) external view returns (Restriction);
}
