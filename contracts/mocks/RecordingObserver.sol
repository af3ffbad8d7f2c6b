// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IComplianceObserver} from "../interfaces/IComplianceObserver.sol";

/// @title RecordingObserver
/// @notice Test-only: a compliance observer that records which accounts it was told about.
contract RecordingObserver is IComplianceObserver {
    address[] public synced;

    function syncAccount(address account) external {
        synced.push(account);
    }

    function syncAccounts(address[] calldata accounts) external {
        for (uint256 i = 0; i < accounts.length; ++i) synced.push(accounts[i]);
    }

    function count() external view returns (uint256) {
        return synced.length;
    }
}
