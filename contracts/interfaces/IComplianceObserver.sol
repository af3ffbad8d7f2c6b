// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IComplianceObserver
/// @notice A contract that mirrors compliance state (participant status, KYC expiry, freezes) beside the
/// balances it checks on every transfer. The sources of that state (the participant registry, the digital
/// dollar's freeze list) call it after each change; anyone may call it to resynchronise an account,
/// since it reads the sources itself and trusts no argument but the account.
interface IComplianceObserver {
    /// @notice Re-reads `account`'s compliance state from the sources of truth.
    function syncAccount(address account) external;

    /// @notice Re-reads the compliance state of every account in `accounts`.
    function syncAccounts(address[] calldata accounts) external;
}
