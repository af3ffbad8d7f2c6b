// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IDigitalDollar} from "../interfaces/IDigitalDollar.sol";
import {IComplianceObserver} from "../interfaces/IComplianceObserver.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {PackedAccount, PackedAccountLib, Restriction} from "../libraries/PackedAccount.sol";

/// @title DigitalDollar
/// @notice The T-12 digital dollar: a reserve-backed, permissioned ERC-20 with 6 decimals.
/// @dev The ERC-20 core is written here rather than inherited from OpenZeppelin's ERC20 because the gas goal
/// (a compliant transfer within 1.08x a plain one) needs each account's compliance flags in the same storage
/// word as its balance (see {PackedAccount}); OpenZeppelin keeps balances in a private `uint256` mapping.
/// The flags mirror the participant registry (which pushes every change through {syncAccount}) and this
/// contract's own freeze list. Errors follow ERC-6093.
contract DigitalDollar is AccessControl, EIP712, Nonces, IERC20Errors, IDigitalDollar {
    bytes32 public constant MASTER_MINTER_ROLE = keccak256("MASTER_MINTER_ROLE");
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");
    bytes32 public constant SEIZER_ROLE = keccak256("SEIZER_ROLE");

    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,"
        "uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 private constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,"
        "uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 private constant CANCEL_AUTHORIZATION_TYPEHASH = keccak256(
        "CancelAuthorization(address authorizer,bytes32 nonce)"
    );

    IParticipantRegistry private immutable _registry;

    mapping(address account => PackedAccount) private _accounts;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    mapping(address issuer => uint256) private _minterAllowance;
    mapping(address issuer => uint256) private _outstanding;
    mapping(address authorizer => mapping(bytes32 nonce => bool)) private _authorizationUsed;
    uint256 private _totalSupply;
    Reserves private _reserves;
    bool private _paused;
    uint40 private _maxAttestationAge;
    address private _observer;

    constructor(
        address admin,
        IParticipantRegistry registry_,
        uint40 maxAttestationAge_
    ) EIP712("Digital Dollar", "1") {
        if (admin == address(0) || address(registry_) == address(0)) revert DollarZeroAddress();
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRoleAdmin(ISSUER_ROLE, MASTER_MINTER_ROLE);
        _setMaxAttestationAge(maxAttestationAge_);
    }

    // ---------------------------------------------------------------- ERC-20

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Digital Dollar";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "DUSD";
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance();
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        // The spender is held to the same standard as the holders: no one outside the ledger moves funds.
        _requireUnrestricted(msg.sender, _accounts[msg.sender]);
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    // ---------------------------------------------------------------- EIP-2612 and EIP-3009

    /// @inheritdoc IERC20Permit
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp > deadline) revert DollarPermitExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        _requireSigner(structHash, owner, v, r, s);
        _approve(owner, spender, value);
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IDigitalDollar
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
    ) external {
        _useAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            v,
            r,
            s
        );
        _transfer(from, to, value);
    }

    /// @inheritdoc IDigitalDollar
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
    ) external {
        if (msg.sender != to) revert DollarCallerNotPayee(msg.sender, to);
        _useAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
            from,
            to,
            value,
            validAfter,
            validBefore,
            nonce,
            v,
            r,
            s
        );
        _transfer(from, to, value);
    }

    /// @inheritdoc IDigitalDollar
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        if (_authorizationUsed[authorizer][nonce]) revert DollarAuthorizationUsed(authorizer, nonce);
        _requireSigner(keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)), authorizer, v, r, s);
        _authorizationUsed[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /// @inheritdoc IDigitalDollar
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationUsed[authorizer][nonce];
    }

    // ---------------------------------------------------------------- reserves and issuance

    /// @inheritdoc IDigitalDollar
    function attestReserves(uint256 amount, bytes32 reportHash, uint40 asOf) external onlyRole(ATTESTOR_ROLE) {
        if (reportHash == bytes32(0)) revert DollarInvalidReportHash();
        uint40 previous = _reserves.asOf;
        if (asOf <= previous || asOf > block.timestamp) revert DollarInvalidAttestation(asOf, previous);
        if (amount > type(uint128).max) revert DollarReservesExceeded(type(uint128).max, amount);
        _reserves = Reserves({amount: uint128(amount), asOf: asOf, attestor: msg.sender, reportHash: reportHash});
        emit ReservesAttested(msg.sender, amount, reportHash, asOf);
    }

    /// @inheritdoc IDigitalDollar
    function setMaxAttestationAge(uint40 maxAge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAttestationAge(maxAge);
    }

    /// @inheritdoc IDigitalDollar
    function configureIssuer(address issuer, uint256 allowance_) external onlyRole(MASTER_MINTER_ROLE) {
        if (issuer == address(0)) revert DollarZeroAddress();
        _grantRole(ISSUER_ROLE, issuer);
        _minterAllowance[issuer] = allowance_;
        emit IssuerConfigured(issuer, allowance_);
    }

    /// @inheritdoc IDigitalDollar
    function removeIssuer(address issuer) external onlyRole(MASTER_MINTER_ROLE) {
        if (!hasRole(ISSUER_ROLE, issuer)) revert DollarNotIssuer(issuer);
        _revokeRole(ISSUER_ROLE, issuer);
    }

    /// @inheritdoc IDigitalDollar
    function mint(address to, uint256 amount) external {
        address issuer = msg.sender;
        if (!hasRole(ISSUER_ROLE, issuer)) revert DollarNotIssuer(issuer);
        _requireNotPaused();
        if (amount == 0) revert DollarZeroAmount();
        _requireUnrestricted(issuer, _accounts[issuer]);
        uint256 allowance_ = _minterAllowance[issuer];
        if (amount > allowance_) revert DollarMintAllowanceExceeded(issuer, allowance_, amount);
        Reserves memory reserves_ = _reserves;
        uint40 maxAge = _maxAttestationAge;
        if (reserves_.asOf == 0 || block.timestamp > uint256(reserves_.asOf) + maxAge) {
            revert DollarReservesStale(reserves_.asOf, maxAge);
        }
        uint256 supplyAfter = _totalSupply + amount;
        if (supplyAfter > reserves_.amount || supplyAfter > PackedAccountLib.MAX_BALANCE) {
            revert DollarReservesExceeded(reserves_.amount, supplyAfter);
        }
        PackedAccount dst = _accounts[to];
        _requireUnrestricted(to, dst);
        // Money minted into a system account would back no one's balance there.
        if (dst.hasFlag(PackedAccountLib.SYSTEM)) revert DollarSystemAccount(to);

        unchecked {
            // amount <= allowance_; and every balance is at most the supply, itself at most MAX_BALANCE.
            _minterAllowance[issuer] = allowance_ - amount;
            _outstanding[issuer] += amount;
            _accounts[to] = dst.withBalance(dst.balance() + amount);
        }
        _totalSupply = supplyAfter;
        emit Transfer(address(0), to, amount);
        emit Minted(issuer, to, amount);
    }

    /// @inheritdoc IDigitalDollar
    function burn(uint256 amount) external {
        address issuer = msg.sender;
        if (!hasRole(ISSUER_ROLE, issuer)) revert DollarNotIssuer(issuer);
        _requireNotPaused();
        if (amount == 0) revert DollarZeroAmount();
        PackedAccount src = _accounts[issuer];
        _requireUnrestricted(issuer, src);
        uint256 balance = src.balance();
        if (amount > balance) revert ERC20InsufficientBalance(issuer, balance, amount);
        uint256 outstanding = _outstanding[issuer];
        if (amount > outstanding) revert DollarBurnExceedsOutstanding(issuer, outstanding, amount);

        unchecked {
            // amount <= balance <= totalSupply, and amount <= outstanding.
            _accounts[issuer] = src.withBalance(balance - amount);
            _outstanding[issuer] = outstanding - amount;
            _totalSupply -= amount;
        }
        emit Transfer(issuer, address(0), amount);
        emit Burned(issuer, amount);
    }

    // ---------------------------------------------------------------- compliance

    /// @inheritdoc IDigitalDollar
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_paused) revert DollarPaused();
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IDigitalDollar
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_paused) revert DollarNotPaused();
        _paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IDigitalDollar
    function freeze(address account) external onlyRole(FREEZER_ROLE) {
        if (account == address(0)) revert DollarZeroAddress();
        PackedAccount state = _accounts[account];
        // A system account holds other participants' money: stop it with a pause, not a freeze.
        if (state.hasFlag(PackedAccountLib.SYSTEM)) revert DollarSystemAccount(account);
        if (state.hasFlag(PackedAccountLib.FROZEN)) revert DollarAlreadyFrozen(account);
        _accounts[account] = state.withFlags(state.flags() | PackedAccountLib.FROZEN);
        emit Frozen(account, msg.sender);
        _notifyObserver(account);
    }

    /// @inheritdoc IDigitalDollar
    function unfreeze(address account) external onlyRole(FREEZER_ROLE) {
        PackedAccount state = _accounts[account];
        if (!state.hasFlag(PackedAccountLib.FROZEN)) revert DollarNotFrozen(account);
        _accounts[account] = state.withFlags(state.flags() & ~PackedAccountLib.FROZEN);
        emit Unfrozen(account, msg.sender);
        _notifyObserver(account);
    }

    /// @inheritdoc IDigitalDollar
    function seize(
        address account,
        address custody,
        uint256 amount,
        bytes32 legalOrderHash
    ) external onlyRole(SEIZER_ROLE) {
        _requireNotPaused();
        if (legalOrderHash == bytes32(0)) revert DollarMissingLegalOrder();
        if (amount == 0) revert DollarZeroAmount();
        if (custody == account) revert DollarSeizureToSelf(account);
        PackedAccount src = _accounts[account];
        // The engine's vault backs every settlement balance: a legal order there goes to the engine's seizer.
        if (src.hasFlag(PackedAccountLib.SYSTEM)) revert DollarSystemAccount(account);
        if (!src.hasFlag(PackedAccountLib.FROZEN)) revert DollarNotFrozen(account);
        PackedAccount dst = _accounts[custody];
        _requireUnrestricted(custody, dst);
        if (dst.hasFlag(PackedAccountLib.SYSTEM)) revert DollarSystemAccount(custody);
        uint256 balance = src.balance();
        if (amount > balance) revert ERC20InsufficientBalance(account, balance, amount);

        unchecked {
            // amount <= balance; the custody balance stays within the supply.
            _accounts[account] = src.withBalance(balance - amount);
            _accounts[custody] = dst.withBalance(dst.balance() + amount);
        }
        emit Transfer(account, custody, amount);
        emit Seized(account, custody, amount, legalOrderHash, msg.sender);
    }

    /// @inheritdoc IDigitalDollar
    function setObserver(address observer_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previous = _observer;
        _observer = observer_;
        emit ObserverChanged(previous, observer_);
    }

    /// @inheritdoc IDigitalDollar
    function setSystemAccount(address account, bool enabled) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // Only contracts (the settlement engine's vault) may hold without a participant record, so the admin
        // cannot use this to let a person bypass KYC.
        if (account.code.length == 0) revert DollarNotAContract(account);
        PackedAccount state = _accounts[account];
        uint8 kept = state.flags() & PackedAccountLib.FROZEN;
        // A system account cannot be frozen, so it cannot become one while frozen (say, frozen at its address
        // before it was deployed): the freezer lifts the freeze first.
        if (enabled && kept != 0) revert DollarAccountRestricted(account, Restriction.Frozen);
        _accounts[account] =
            enabled
                ? state.withParticipant(true, true, type(uint40).max).withFlags(
                    kept | PackedAccountLib.REGISTERED | PackedAccountLib.ACTIVE | PackedAccountLib.SYSTEM
                )
                : _mirrored(account, state.withFlags(kept));
        emit SystemAccountSet(account, enabled);
        _notifyObserver(account);
    }

    /// @inheritdoc IComplianceObserver
    function syncAccount(address account) external {
        _sync(account);
    }

    /// @inheritdoc IComplianceObserver
    function syncAccounts(address[] calldata accounts) external {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _sync(accounts[i]);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDigitalDollar
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IDigitalDollar
    function observer() external view returns (address) {
        return _observer;
    }

    /// @inheritdoc IDigitalDollar
    function reserves() external view returns (Reserves memory) {
        return _reserves;
    }

    /// @inheritdoc IDigitalDollar
    function maxAttestationAge() external view returns (uint40) {
        return _maxAttestationAge;
    }

    /// @inheritdoc IDigitalDollar
    function minterAllowance(address issuer) external view returns (uint256) {
        return _minterAllowance[issuer];
    }

    /// @inheritdoc IDigitalDollar
    function outstandingOf(address issuer) external view returns (uint256) {
        return _outstanding[issuer];
    }

    /// @inheritdoc IDigitalDollar
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @inheritdoc IDigitalDollar
    function isFrozen(address account) external view returns (bool) {
        return _accounts[account].hasFlag(PackedAccountLib.FROZEN);
    }

    /// @inheritdoc IDigitalDollar
    function complianceOf(address account) external view returns (uint8 flags, uint40 kycExpiry) {
        PackedAccount state = _accounts[account];
        return (state.flags(), state.kycExpiry());
    }

    /// @inheritdoc IDigitalDollar
    function restrictionOf(address account) external view returns (Restriction) {
        return _accounts[account].restriction(block.timestamp);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The hot path. Both accounts are read and checked before either is written; a transfer to self
    /// moves nothing but is still checked and logged, as in OpenZeppelin's ERC20.
    function _transfer(address from, address to, uint256 value) private {
        if (_paused) revert DollarPaused();
        PackedAccount src = _accounts[from];
        PackedAccount dst = _accounts[to];
        if (!src.mayTransactAsHolder(block.timestamp) || !dst.mayTransactAsHolder(block.timestamp)) {
            _requireUnrestricted(from, src);
            _requireUnrestricted(to, dst);
            // A system account takes DUSD only by pulling it itself (the engine's deposit): DUSD sent to it
            // any other way would be credited to no one.
            if (dst.hasFlag(PackedAccountLib.SYSTEM) && msg.sender != to) revert DollarSystemAccount(to);
        }
        uint256 fromBalance = src.balance();
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        if (from != to) {
            unchecked {
                // value <= fromBalance; the receiver's balance stays within the supply (< 2^96).
                _accounts[from] = src.withBalance(fromBalance - value);
                _accounts[to] = dst.withBalance(dst.balance() + value);
            }
        }
        emit Transfer(from, to, value);
    }

    function _requireUnrestricted(address account, PackedAccount state) private view {
        Restriction reason = state.restriction(block.timestamp);
        if (reason != Restriction.None) revert DollarAccountRestricted(account, reason);
    }

    function _requireNotPaused() private view {
        if (_paused) revert DollarPaused();
    }

    function _approve(address owner, address spender, uint256 value) private {
        if (spender == address(0)) revert ERC20InvalidSpender(spender);
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _spendAllowance(address owner, address spender, uint256 value) private {
        uint256 current = _allowances[owner][spender];
        if (current == type(uint256).max) return;
        if (current < value) revert ERC20InsufficientAllowance(spender, current, value);
        unchecked {
            // value <= current
            _allowances[owner][spender] = current - value;
        }
    }

    function _useAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) private {
        if (block.timestamp <= validAfter) revert DollarAuthorizationNotYetValid(validAfter);
        if (block.timestamp >= validBefore) revert DollarAuthorizationExpired(validBefore);
        if (_authorizationUsed[from][nonce]) revert DollarAuthorizationUsed(from, nonce);
        bytes32 structHash = keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce));
        _requireSigner(structHash, from, v, r, s);
        _authorizationUsed[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
    }

    function _requireSigner(bytes32 structHash, address expected, uint8 v, bytes32 r, bytes32 s) private view {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_hashTypedDataV4(structHash), v, r, s);
        if (err != ECDSA.RecoverError.NoError || signer != expected) revert DollarInvalidSigner(signer, expected);
    }

    /// @dev Mirrors the registry: a participant of a kind that may hold money (not an auditor), its status and
    /// its KYC expiry. The freeze flag is this contract's own and is kept.
    function _sync(address account) private {
        PackedAccount state = _accounts[account];
        if (state.hasFlag(PackedAccountLib.SYSTEM)) return;
        PackedAccount updated = _mirrored(account, state);
        if (PackedAccount.unwrap(updated) != PackedAccount.unwrap(state)) {
            _accounts[account] = updated;
            _notifyObserver(account);
        }
    }

    /// @dev `state` with the registry's view of `account` in place of its registry-derived part.
    function _mirrored(address account, PackedAccount state) private view returns (PackedAccount) {
        IParticipantRegistry.Participant memory p = _registry.participant(account);
        bool registered = p.kind != IParticipantRegistry.Kind.None && p.kind != IParticipantRegistry.Kind.Auditor;
        bool active = p.status == IParticipantRegistry.Status.Active;
        return state.withParticipant(registered, active, p.kycExpiry);
    }

    function _notifyObserver(address account) private {
        address observer_ = _observer;
        if (observer_ != address(0)) IComplianceObserver(observer_).syncAccount(account);
    }

    function _setMaxAttestationAge(uint40 maxAge) private {
        if (maxAge == 0) revert DollarInvalidMaxAge(maxAge);
        uint40 previous = _maxAttestationAge;
        _maxAttestationAge = maxAge;
        emit MaxAttestationAgeChanged(previous, maxAge);
    }

    /// @dev Taking the issuer role away also takes its unused allowance, so a later re-grant through
    /// {grantRole} cannot silently revive an old limit.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == ISSUER_ROLE) {
            delete _minterAllowance[account];
            emit IssuerRemoved(account);
        }
    }
}
