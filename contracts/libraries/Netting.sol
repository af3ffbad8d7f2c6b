// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Netting
/// @notice The liquidity-saving algorithm of the settlement engine, on memory only.
/// @dev Given queued payments in settlement order (priority, then arrival) and how far each party may go into
/// net debit, it keeps the largest prefix-closed set the way real-time gross settlement systems do: compute
/// every party's multilateral net position over the included payments; while some party's net debit exceeds
/// what it can cover, drop that party's last included payment (its latest, lowest-priority one) and update the
/// positions. Dropping a payment only lowers its creditor's incoming, so the rule is monotone and the result
/// does not depend on which short party is treated first. Cost: O(n + p) to set up; short parties wait on a
/// stack, so finding the next one is O(1); each of the at most n drops is O(1) and each party's backward scan
/// visits every payment at most once, so O(n + p) in all for n payments among p parties.
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
        uint256[] memory cursor;
        (net, cursor, kept) = _positions(legs, parties);

        // Short parties wait on a stack, each at most once at a time; dropping a payment can make only its
        // creditor short, which then waits too.
        uint256[] memory waiting = new uint256[](parties);
        bool[] memory isWaiting = new bool[](parties);
        uint256 top = 0;
        for (uint256 p = 0; p < parties; ++p) {
            if (_isShort(net[p], maxDebit[p])) {
                waiting[top++] = p;
                isWaiting[p] = true;
            }
        }
        while (top != 0) {
            uint256 short = waiting[--top];
            isWaiting[short] = false;
            // A short party always has an included debit left: with none, its net position is not negative.
            uint256 i = cursor[short];
            while (_isShort(net[short], maxDebit[short])) {
                do {
                    --i;
                } while (legs[i].debtor != short || legs[i].excluded);
                Leg memory leg = legs[i];
                leg.excluded = true;
                int256 amount = int256(leg.amount);
                net[short] += amount;
                uint256 creditor = leg.creditor;
                net[creditor] -= amount;
                --kept;
                if (!isWaiting[creditor] && _isShort(net[creditor], maxDebit[creditor])) {
                    waiting[top++] = creditor;
                    isWaiting[creditor] = true;
                }
            }
            cursor[short] = i;
        }
    }

    /// @dev Every party's net position over the legs not excluded, how many those are, and for each party one
    /// past its last such debit (`cursor`: where the backward scan for its latest included debit starts).
    function _positions(
        Leg[] memory legs,
        uint256 parties
    ) private pure returns (int256[] memory net, uint256[] memory cursor, uint256 kept) {
        net = new int256[](parties);
        cursor = new uint256[](parties);
        for (uint256 i = 0; i < legs.length; ++i) {
            Leg memory leg = legs[i];
            if (leg.excluded) continue;
            int256 amount = int256(leg.amount);
            net[leg.debtor] -= amount;
            net[leg.creditor] += amount;
            cursor[leg.debtor] = i + 1;
            ++kept;
        }
    }

    function _isShort(int256 position, uint256 maxDebit) private pure returns (bool) {
        return position < 0 && uint256(-position) > maxDebit;
    }
}
