// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Netting
/// @notice The liquidity-saving algorithm of the settlement engine, on memory only.
/// @dev Given queued payments in settlement order (priority, then arrival) and how far each party may go into
/// net debit, it keeps the largest prefix-closed set the way real-time gross settlement systems do: compute
/// every party's multilateral net position over the included payments; while some party's net debit exceeds
/// what it can cover, drop that party's last included payment (its latest, lowest-priority one) and update the
/// positions. Dropping a payment only lowers its creditor's incoming, so the rule is monotone and the result
/// does not depend on which short party is treated first. Cost: O(n + p) to set up, each of the at most n drops
/// costs O(p) to find a short party, and each party's backward scan visits every payment at most once, so
/// O(n * p) in all for n payments among p parties.
library Netting {
    struct Leg {
        uint256 debtor;
        uint256 creditor;
        uint256 amount;
        bool excluded;
    }

    /// @notice Marks the legs left out and returns every party's net position (credits minus debits) over the
    /// legs kept, and how many legs were kept.
    /// @param legs Payments in settlement order; `debtor` and `creditor` index into `maxDebit`. Legs already
    /// marked `excluded` are left out from the start.
    /// @param maxDebit For each party, the largest net debit it can cover.
    function resolve(
        Leg[] memory legs,
        uint256[] memory maxDebit
    ) internal pure returns (int256[] memory net, uint256 kept) {
        uint256 parties = maxDebit.length;
        net = new int256[](parties);
        // cursor[p]: one past the last leg that may still be p's latest included debit.
        uint256[] memory cursor = new uint256[](parties);
        for (uint256 i = 0; i < legs.length; ++i) {
            Leg memory leg = legs[i];
            if (leg.excluded) continue;
            int256 amount = int256(leg.amount);
            net[leg.debtor] -= amount;
            net[leg.creditor] += amount;
            cursor[leg.debtor] = i + 1;
            ++kept;
        }

        while (true) {
            uint256 short = _firstShort(net, maxDebit);
            if (short == type(uint256).max) break;
            // A short party always has an included debit left: with none, its net position is not negative.
            uint256 i = cursor[short];
            do {
                --i;
            } while (legs[i].debtor != short || legs[i].excluded);
            cursor[short] = i;
            Leg memory leg = legs[i];
            leg.excluded = true;
            int256 amount = int256(leg.amount);
            net[leg.debtor] += amount;
            net[leg.creditor] -= amount;
            --kept;
        }
    }

    function _firstShort(int256[] memory net, uint256[] memory maxDebit) private pure returns (uint256) {
        for (uint256 p = 0; p < net.length; ++p) {
            if (net[p] < 0 && uint256(-net[p]) > maxDebit[p]) return p;
        }
        return type(uint256).max;
    }
}
