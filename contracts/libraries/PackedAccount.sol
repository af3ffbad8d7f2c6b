// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice Why an account may not move funds right now.
enum Restriction {
    None,
    NotParticipant,
    NotActive,
    KycExpired,
    Frozen
}

/// @notice One storage word per account: a balance with the compliance flags it is checked against.
/// @dev Layout, low to high bits: balance (96) | KYC expiry (40) | flags (8) | 112 bits the owning contract
/// may use. Keeping the flags in the balance's own word means a transfer reads them for free (USDC v2.2
/// does the same with its blacklist bit). 2^96 units of 6 decimals is about 7.9e22 dollars.
type PackedAccount is uint256;

using PackedAccountLib for PackedAccount global;

library PackedAccountLib {
    uint256 internal constant MAX_BALANCE = (1 << 96) - 1;

    /// @dev The participant is registered with a kind that may hold funds.
    uint8 internal constant REGISTERED = 1;
    /// @dev The participant's status is Active.
    uint8 internal constant ACTIVE = 2;
    /// @dev A compliance officer froze the account.
    uint8 internal constant FROZEN = 4;
    /// @dev A ledger contract trusted to hold funds for participants; not mirrored from the registry.
    uint8 internal constant SYSTEM = 8;

    uint256 private constant KYC_SHIFT = 96;
    uint256 private constant FLAGS_SHIFT = 136;
    uint256 private constant EXTRA_SHIFT = 144;
    uint256 private constant KYC_MASK = (1 << 40) - 1;
    uint256 private constant COMPLIANCE_MASK = ((1 << 48) - 1) << KYC_SHIFT;
    uint256 private constant FLAG_BITS = REGISTERED | ACTIVE | FROZEN;

    function balance(PackedAccount account) internal pure returns (uint256) {
        return PackedAccount.unwrap(account) & MAX_BALANCE;
    }

    /// @dev The caller guarantees `newBalance <= MAX_BALANCE` (supply is capped there).
    function withBalance(PackedAccount account, uint256 newBalance) internal pure returns (PackedAccount) {
        return PackedAccount.wrap((PackedAccount.unwrap(account) & ~MAX_BALANCE) | newBalance);
    }

    function kycExpiry(PackedAccount account) internal pure returns (uint40) {
        return uint40((PackedAccount.unwrap(account) >> KYC_SHIFT) & KYC_MASK);
    }

    function flags(PackedAccount account) internal pure returns (uint8) {
        return uint8(PackedAccount.unwrap(account) >> FLAGS_SHIFT);
    }

    function hasFlag(PackedAccount account, uint8 flag) internal pure returns (bool) {
        return flags(account) & flag != 0;
    }

    function withFlags(PackedAccount account, uint8 newFlags) internal pure returns (PackedAccount) {
        uint256 raw = PackedAccount.unwrap(account) & ~(uint256(0xff) << FLAGS_SHIFT);
        return PackedAccount.wrap(raw | (uint256(newFlags) << FLAGS_SHIFT));
    }

    /// @dev Replaces the registry-derived part (REGISTERED, ACTIVE, KYC expiry), keeping the balance, the
    /// FROZEN flag, the owner's own flag bits and the extra bits.
    function withParticipant(
        PackedAccount account,
        bool registered,
        bool active,
        uint40 expiry
    ) internal pure returns (PackedAccount) {
        uint8 kept = flags(account) & ~(REGISTERED | ACTIVE);
        uint8 newFlags = kept | (registered ? REGISTERED : 0) | (active ? ACTIVE : 0);
        uint256 raw = PackedAccount.unwrap(account) & ~COMPLIANCE_MASK;
        return PackedAccount.wrap(raw | (uint256(expiry) << KYC_SHIFT) | (uint256(newFlags) << FLAGS_SHIFT));
    }

    /// @notice The 112 bits above the flags, for the owning contract's own bookkeeping.
    function extra(PackedAccount account) internal pure returns (uint256) {
        return PackedAccount.unwrap(account) >> EXTRA_SHIFT;
    }

    /// @dev The caller guarantees `value < 2^112`.
    function withExtra(PackedAccount account, uint256 value) internal pure returns (PackedAccount) {
        uint256 low = PackedAccount.unwrap(account) & ((1 << EXTRA_SHIFT) - 1);
        return PackedAccount.wrap(low | (value << EXTRA_SHIFT));
    }

    /// @notice The fast check of the transfer path: registered, Active, not frozen, KYC unexpired.
    function mayTransact(PackedAccount account, uint256 timestamp) internal pure returns (bool) {
        uint256 raw = PackedAccount.unwrap(account);
        return (raw >> FLAGS_SHIFT) & FLAG_BITS == REGISTERED | ACTIVE && (raw >> KYC_SHIFT) & KYC_MASK > timestamp;
    }

    /// @notice `mayTransact`, and not a system account: the dollar's fast path, which sends system accounts
    /// down the slow one to check who is paying them.
    function mayTransactAsHolder(PackedAccount account, uint256 timestamp) internal pure returns (bool) {
        uint256 raw = PackedAccount.unwrap(account);
        return
            (raw >> FLAGS_SHIFT) & (FLAG_BITS | SYSTEM) == REGISTERED | ACTIVE &&
            (raw >> KYC_SHIFT) & KYC_MASK > timestamp;
    }

    /// @notice Restriction.None when the account may send and receive at time `timestamp`.
    function restriction(PackedAccount account, uint256 timestamp) internal pure returns (Restriction) {
        uint8 f = flags(account) & uint8(FLAG_BITS);
        if (f == REGISTERED | ACTIVE) {
            return kycExpiry(account) > timestamp ? Restriction.None : Restriction.KycExpired;
        }
        if (f & FROZEN != 0) return Restriction.Frozen;
        if (f & REGISTERED == 0) return Restriction.NotParticipant;
        return Restriction.NotActive;
    }
}
