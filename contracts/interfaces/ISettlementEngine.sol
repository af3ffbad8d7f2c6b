// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Restriction} from "../libraries/PackedAccount.sol";
import {IComplianceObserver} from "./IComplianceObserver.sol";
import {IProvenanceRegistry, ItemId} from "./IProvenanceRegistry.sol";

/// @title ISettlementEngine
/// @notice Real-time gross settlement of inter-bank payments in digital dollars, with ISO 20022 evidence.
/// Participants fund a settlement account with DUSD; a payment settles at once when the debtor has the funds,
/// and is otherwise queued (by priority, then first in, first out) until liquidity arrives or a netting cycle
/// settles it together with others. Evidence (end-to-end id, purpose, travel-rule hash, business reference)
/// travels in the events; storage keeps only what settlement needs.
interface ISettlementEngine is IComplianceObserver {
    enum PaymentStatus {
        None,
        Settled,
        Queued,
        Cancelled
    }

    /// @notice A payment instruction. The debtor is the sender of the transaction.
    /// @param uetr Unique end-to-end transaction reference (UUIDv4, 16 bytes); accepted once.
    /// @param creditor The account credited.
    /// @param amount Amount in DUSD units (6 decimals).
    /// @param purpose ISO 20022 purpose code, four upper-case letters (e.g. "SUPP").
    /// @param priority 0 urgent, 1 high, 2 normal.
    /// @param travelRuleHash sha-256 of the canonical IVMS101 payload; required at or above the threshold.
    /// @param businessRef Optional linked business transaction (e.g. a purchase order), or zero.
    /// @param endToEndId The end-to-end identification (ISO 20022 Max35Text, 1 to 35 characters of 7-bit ASCII)
    /// packed into one word: the first byte is the length, then each character in 7 bits, most significant
    /// first. A word keeps the instruction and its event of fixed size; the SDK packs and unpacks it.
    struct Instruction {
        bytes16 uetr;
        address creditor;
        uint256 amount;
        bytes4 purpose;
        uint8 priority;
        bytes32 endToEndId;
        bytes32 travelRuleHash;
        bytes32 businessRef;
    }

    /// @notice What the engine keeps of a payment.
    struct PaymentView {
        PaymentStatus status;
        address debtor;
        address creditor;
        uint256 amount;
        bytes4 purpose;
        uint8 priority;
        bytes32 travelRuleHash;
        uint64 sequence;
    }

    /// @notice A settlement account.
    /// @param openingBalance The business day's opening balance, which the net debit cap counts from; 0 while the
    /// account is not capped (it is tracked only then).
    struct AccountView {
        bool open;
        uint256 balance;
        uint256 openingBalance;
        uint256 netDebitCap;
        bool capped;
        Restriction restriction;
    }

    /// @notice The engine's configuration.
    struct Config {
        uint96 travelRuleThreshold;
        uint24 windowOpen;
        uint24 windowClose;
        bool windowEnabled;
        bool paused;
    }

    // ---------------------------------------------------------------- events

    event AccountOpened(address indexed account);
    event Deposited(address indexed account, uint256 amount, uint256 balance);
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);
    event PaymentSettled(
        bytes16 indexed uetr,
        address indexed debtor,
        address indexed creditor,
        uint256 amount,
        bytes4 purpose,
        bytes32 travelRuleHash,
        bytes32 businessRef,
        bytes32 endToEndId
    );
    event PaymentQueued(
        bytes16 indexed uetr,
        address indexed debtor,
        address indexed creditor,
        uint256 amount,
        bytes4 purpose,
        bytes32 travelRuleHash,
        bytes32 businessRef,
        bytes32 endToEndId,
        uint8 priority,
        uint64 sequence
    );
    event PaymentCancelled(bytes16 indexed uetr, address indexed debtor, uint256 amount);
    event PaymentCancelledByOperator(bytes16 indexed uetr, address indexed operator);
    event SettlementBalanceSeized(
        address indexed holder,
        address indexed custody,
        uint256 amount,
        bytes32 indexed legalOrderHash,
        address by
    );
    /// @notice A queued payment settled in netting cycle `cycleId` (its evidence is in its PaymentQueued event).
    event QueuedPaymentSettled(
        bytes16 indexed uetr,
        address indexed debtor,
        address indexed creditor,
        uint256 amount,
        bytes4 purpose,
        bytes32 travelRuleHash,
        uint256 cycleId
    );
    /// @notice `grossValue` settled using `netLiquidity` (the sum of net debits) across `settled` payments.
    event CycleSettled(
        uint256 indexed cycleId,
        uint256 settled,
        uint256 considered,
        uint256 grossValue,
        uint256 netLiquidity,
        uint256 stillQueued
    );
    event NetPositionSettled(uint256 indexed cycleId, address indexed account, int256 netPosition);
    /// @notice Payment `uetr` settled and, in the same transaction, the buyer (debtor) took custody of `item`.
    event DeliveryVersusPaymentSettled(
        bytes16 indexed uetr,
        ItemId indexed item,
        address indexed buyer,
        address seller,
        uint256 amount
    );
    event ProvenanceSet(address indexed provenance);
    event NetDebitCapSet(address indexed account, uint256 cap, bool capped);
    event ConfigChanged(Config config);

    // ---------------------------------------------------------------- errors

    error SettlementZeroAddress();
    error SettlementZeroAmount();
    error SettlementAmountTooLarge(uint256 amount, uint256 max);
    error SettlementInvalidUetr(bytes16 uetr);
    error SettlementDuplicateUetr(bytes16 uetr);
    /// @notice The packed end-to-end id declares `length` characters; 1 to 35 are allowed.
    error SettlementInvalidEndToEndId(uint256 length);
    error SettlementInvalidPurpose(bytes4 purpose);
    error SettlementInvalidPriority(uint8 priority);
    error SettlementSelfPayment(address account);
    error SettlementTravelRuleRequired(uint256 amount, uint256 threshold);
    /// @notice The payment would take `account`'s net debit for the business day to `netDebit`, above `cap`.
    error SettlementNetDebitCapExceeded(address account, uint256 cap, uint256 netDebit);
    error SettlementOutsideOperatingWindow(uint256 timeOfDay, uint24 windowOpen, uint24 windowClose);
    error SettlementAccountRestricted(address account, Restriction reason);
    error SettlementAccountNotOpen(address account);
    error SettlementInsufficientLiquidity(address account, uint256 available, uint256 needed);
    error SettlementUnknownPayment(bytes16 uetr);
    error SettlementNotQueued(bytes16 uetr, PaymentStatus status);
    error SettlementNotDebtor(address caller, address debtor);
    error SettlementPaused();
    error SettlementInvalidWindow(uint24 windowOpen, uint24 windowClose);
    error SettlementInvalidCycleSize(uint256 maxPayments);
    error SettlementUnauthorized(address caller);
    error SettlementNoProvenance();
    error SettlementMissingLegalOrder();
    error SettlementAccountNotFrozen(address account);

    // ---------------------------------------------------------------- accounts

    /// @notice Opens the caller's settlement account (it must be a participant allowed to hold DUSD).
    function openAccount() external;

    /// @notice Moves `amount` DUSD from the caller into its settlement account (needs an allowance).
    function deposit(uint256 amount) external;

    /// @notice Moves `amount` from the caller's settlement account back to its DUSD balance.
    function withdraw(uint256 amount) external;

    /// @notice Moves `amount` of a frozen account's settlement balance to an eligible custody account under a
    /// legal order (the engine's counterpart of the dollar's seizure).
    function seizeSettlementBalance(address holder, address custody, uint256 amount, bytes32 legalOrderHash) external;

    // ---------------------------------------------------------------- payments

    /// @notice Settles the instruction gross, or queues it when the debtor lacks the funds.
    function submit(Instruction calldata instruction) external returns (PaymentStatus status);

    /// @notice Delivery versus payment: the buyer (sender, debtor) pays the seller (creditor) for `item`, which
    /// the seller shipped to the buyer against this payment (IProvenanceRegistry.shipAgainstPayment), and takes
    /// custody of it, in one transaction: the payment settles gross (it never queues) and the provenance
    /// registry checks the seller, the buyer and the price; if either leg fails, neither happens.
    function settleDeliveryVersusPayment(Instruction calldata instruction, ItemId item, bytes32 eventHash) external;

    /// @notice The debtor, or an operator clearing the queue, cancels a queued payment.
    function cancel(bytes16 uetr) external;

    /// @notice Settles in one go the largest set of the first `maxPayments` queued payments whose multilateral
    /// net positions every participant covers (see docs/settlement.md). Operators and account holders may run it.
    /// The cycle reads fewer payments when more would bring in over MAX_CYCLE_PARTIES parties.
    function runNettingCycle(uint256 maxPayments) external returns (uint256 cycleId, uint256 settled);

    // ---------------------------------------------------------------- administration

    function setNetDebitCap(address account, uint256 cap) external;

    function clearNetDebitCap(address account) external;

    function setTravelRuleThreshold(uint96 threshold) external;

    /// @notice Seconds of the UTC day from which (inclusive) and until which (exclusive) new instructions are
    /// accepted; a window that wraps midnight has `windowOpen > windowClose`.
    function setOperatingWindow(uint24 windowOpen, uint24 windowClose, bool enabled) external;

    /// @notice The admin names the provenance registry that delivers items against payment.
    function setProvenance(IProvenanceRegistry registry) external;

    function pause() external;

    function unpause() external;

    // ---------------------------------------------------------------- views

    function payment(bytes16 uetr) external view returns (PaymentView memory);

    function account(address holder) external view returns (AccountView memory);

    /// @notice Queued payments in settlement order (priority, then arrival), from `offset`, at most `limit`.
    function queue(uint256 offset, uint256 limit) external view returns (bytes16[] memory uetrs);

    function queueLength() external view returns (uint256);

    function config() external view returns (Config memory);

    function cycleCount() external view returns (uint256);

    function dollar() external view returns (address);

    function provenance() external view returns (address);
}
