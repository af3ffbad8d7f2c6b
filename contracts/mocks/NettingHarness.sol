// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Netting} from "../libraries/Netting.sol";

/// @title NettingHarness
/// @notice Test-only: runs {Netting.resolve} on plain arrays and returns which legs it left out.
contract NettingHarness {
    // resolve marks the legs in place, and the library takes memory arrays.
    // solhint-disable-next-line gas-calldata-parameters
    function resolve(
        Netting.Leg[] memory legs,
        uint256[] memory maxDebit
    ) external pure returns (bool[] memory excluded, int256[] memory net, uint256 kept) {
        (net, kept) = Netting.resolve(legs, maxDebit);
        excluded = new bool[](legs.length);
        for (uint256 i = 0; i < legs.length; ++i) {
            excluded[i] = legs[i].excluded;
        }
    }
}
