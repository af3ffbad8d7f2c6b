// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDigitalDollar} from "../interfaces/IDigitalDollar.sol";
import {IComplianceObserver} from "../interfaces/IComplianceObserver.sol";
import {ISettlementEngine} from "../interfaces/ISettlementEngine.sol";
import {IProvenanceRegistry, ItemId} from "../interfaces/IProvenanceRegistry.sol";
import {Netting} from "../libraries/Netting.sol";
import {PackedAccount, PackedAccountLib} from "../libraries/PackedAccount.sol";

/// @title SettlementEngine
/// @notice Real-time gross settlement with a queue and netting cycles over settlement accounts funded in DUSD.
/// @dev Settlement accounts live here, not as token balances, for the same reason the dollar packs its flags:
/// a gross payment must read and write one word per party. Each account word (see {PackedAccount}) holds the
/// balance, the compliance flags mirrored from the dollar (which mirrors the registry), and in its extra bits
/// the business day's opening balance (96 bits) and day number (16 bits) for the net debit cap. The DUSD
/// backing every balance is held by this contract, a system account of the dollar.
contract SettlementEngine is AccessControl, ISettlementEngine {
    /// @notice Configures thresholds, windows and caps, pauses, and runs netting cycles.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Seizes frozen settlement balances under a legal order.
    bytes32 public constant SEIZER_ROLE = keccak256("SEIZER_ROLE");

    /// @notice Upper bound of payments one netting cycle considers; with MAX_CYCLE_PARTIES it bounds the cycle's gas.
    uint256 public constant MAX_CYCLE_PAYMENTS = 400;
    /// @notice A cycle stops reading the queue before the payment that could take it past this many parties:
    /// each party costs a storage read and write, and the cycle must fit one transaction (2^24 gas).
    uint256 public constant MAX_CYCLE_PARTIES = 400;
    uint256 public constant MAX_AMOUNT = type(uint88).max;
    uint8 public constant LOWEST_PRIORITY = 2;

    uint8 private constant OPEN = 16;
    uint8 private constant CAPPED = 32;
    uint8 private constant MIRRORED = PackedAccountLib.REGISTERED | PackedAccountLib.ACTIVE | PackedAccountLib.FROZEN;
    uint8 private constant READY = PackedAccountLib.REGISTERED | PackedAccountLib.ACTIVE | OPEN;
    uint256 private constant OPENING_MASK = (1 << 96) - 1;
    uint256 private constant PRIORITIES = 3;
    /// @dev Above every sequence number (they are uint40 and start at 1), so no queued payment is taken for it.
    uint256 private constant UETR_SETTLED = type(uint256).max;

    /// @dev A queued payment in three words, the fewest a netting cycle can read it from: parties are
    /// numbered (see `_holders`) so that both fit in the word with the amount and the queue links.
    /// The first word holds all a netting cycle needs to decide; the others are read only for the payments
    /// it settles, to log their evidence. (With the UETR first, the amount would pack into the UETR's word.)
    struct Record {
        uint88 amount;
        uint32 debtor;
        uint32 creditor;
        PaymentStatus status;
        uint40 next;
        uint40 prev;
        bytes16 uetr;
        bytes4 purpose;
        uint8 priority;
        bytes32 travelRuleHash;
    }

    /// @dev A netting cycle's working set in memory.
    struct Cycle {
        uint256 id;
        uint256[] seqs;
        uint8[] priorities;
        Netting.Leg[] legs;
        address[] parties;
        PackedAccount[] states;
        uint256[3] rest;
    }

    struct Ends {
        uint40 head;
        uint40 tail;
    }

    IDigitalDollar private immutable _dollar;
    IProvenanceRegistry private _provenance;

    mapping(address holder => PackedAccount) private _accounts;
    mapping(address holder => uint256) private _netDebitCap;
    /// @dev One-based number of each account, in order of opening; `_holders[n - 1]` is account number n.
    mapping(address holder => uint32) private _holderNumber;
    address[] private _holders;
    /// @dev UETR_SETTLED for a payment settled gross; otherwise the sequence number of its queue record.
    mapping(bytes16 uetr => uint256) private _uetrs;
    mapping(uint256 sequence => Record) private _records;
    Ends[3] private _queue;
    Config private _config;
    uint40 private _sequence;
    uint32 private _queueLength;
    uint64 private _cycles;

    constructor(address admin, IDigitalDollar dollar_, uint96 travelRuleThreshold) {
        if (admin == address(0) || address(dollar_) == address(0)) revert SettlementZeroAddress();
        _dollar = dollar_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _config.travelRuleThreshold = travelRuleThreshold;
        _config.windowClose = 1 days;
    }

    // ---------------------------------------------------------------- accounts

    /// @inheritdoc ISettlementEngine
    function openAccount() public {
        PackedAccount state = _accounts[msg.sender];
        if (state.hasFlag(OPEN)) return;
        state = _mirror(msg.sender, state.withFlags(state.flags() | OPEN));
        _requireUnrestricted(msg.sender, state);
        _accounts[msg.sender] = state;
        _holders.push(msg.sender);
        _holderNumber[msg.sender] = uint32(_holders.length);
        emit AccountOpened(msg.sender);
    }

    /// @inheritdoc ISettlementEngine
    function deposit(uint256 amount) external {
        if (amount == 0) revert SettlementZeroAmount();
        openAccount();
        uint256 balance = _addLiquidity(msg.sender, _accounts[msg.sender], amount);
        emit Deposited(msg.sender, amount, balance);
        _dollar.transferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ISettlementEngine
    function withdraw(uint256 amount) external {
        if (amount == 0) revert SettlementZeroAmount();
        PackedAccount state = _requireOpen(msg.sender);
        _requireUnrestricted(msg.sender, state);
        uint256 balance = _removeLiquidity(msg.sender, state, amount);
        emit Withdrawn(msg.sender, amount, balance);
        _dollar.transfer(msg.sender, amount);
    }

    /// @inheritdoc ISettlementEngine
    function seizeSettlementBalance(
        address holder,
        address custody,
        uint256 amount,
        bytes32 legalOrderHash
    ) external onlyRole(SEIZER_ROLE) {
        if (legalOrderHash == bytes32(0)) revert SettlementMissingLegalOrder();
        if (amount == 0) revert SettlementZeroAmount();
        if (custody == holder) revert SettlementSelfPayment(holder);
        PackedAccount src = _requireOpen(holder);
        // The same rule as the dollar's seizure: only what a compliance officer froze, under a legal order.
        if (!src.hasFlag(PackedAccountLib.FROZEN)) revert SettlementAccountNotFrozen(holder);
        PackedAccount dst = _accounts[custody];
        _requireParty(custody, dst);
        _removeLiquidity(holder, src, amount);
        _addLiquidity(custody, dst, amount);
        emit SettlementBalanceSeized(holder, custody, amount, legalOrderHash, msg.sender);
    }

    /// @dev Credits liquidity that is not a payment (a deposit, a seizure): for a capped account the day's opening
    /// balance moves with it, so it counts neither for nor against the net debit cap. Returns the new balance.
    function _addLiquidity(address holder, PackedAccount state, uint256 amount) private returns (uint256 balance) {
        state = _rollover(state);
        // The DUSD behind every balance is at most the supply, below 2^96.
        balance = state.balance() + amount;
        state = state.withBalance(balance);
        if (state.hasFlag(CAPPED)) {
            uint256 opening = _opening(state) + amount;
            state = _withOpening(
                state,
                opening > PackedAccountLib.MAX_BALANCE ? PackedAccountLib.MAX_BALANCE : opening
            );
        }
        _accounts[holder] = state;
    }

    /// @dev Debits liquidity that is not a payment (a withdrawal, a seizure); see {_addLiquidity}.
    function _removeLiquidity(address holder, PackedAccount state, uint256 amount) private returns (uint256 balance) {
        state = _rollover(state);
        balance = state.balance();
        if (amount > balance) revert SettlementInsufficientLiquidity(holder, balance, amount);
        unchecked {
            // amount <= balance
            balance -= amount;
        }
        state = state.withBalance(balance);
        if (state.hasFlag(CAPPED)) {
            uint256 opening = _opening(state);
            state = _withOpening(state, opening > amount ? opening - amount : 0);
        }
        _accounts[holder] = state;
    }

    // ---------------------------------------------------------------- payments

    /// @inheritdoc ISettlementEngine
    function submit(Instruction calldata ins) external returns (PaymentStatus status) {
        // The body of {_accept} and {_settleGross}, written out: on the hot path the two internal calls with a
        // calldata struct and two returned words cost about 450 gas, 0.7% of a payment.
        Config memory cfg = _config;
        if (cfg.paused) revert SettlementPaused();
        if (cfg.windowEnabled) _requireWithinWindow(cfg);
        _requireValid(ins, cfg.travelRuleThreshold);
        bytes16 uetr = ins.uetr;
        if (_uetrs[uetr] != 0) revert SettlementDuplicateUetr(uetr);

        address debtor = msg.sender;
        address creditor = ins.creditor;
        uint256 amount = ins.amount;
        PackedAccount src = _accounts[debtor];
        PackedAccount dst = _accounts[creditor];
        if (!_isReady(src) || !_isReady(dst)) {
            _requireParty(debtor, src);
            _requireParty(creditor, dst);
        }
        if (src.hasFlag(CAPPED)) {
            src = _rollover(src);
            _requireWithinCap(debtor, src, amount);
        }
        uint256 balance = src.balance();
        if (balance < amount) {
            _enqueue(ins, debtor);
            return PaymentStatus.Queued;
        }

        _uetrs[uetr] = UETR_SETTLED;
        unchecked {
            // amount <= balance; the creditor's balance stays within the DUSD supply (< 2^96).
            _accounts[debtor] = src.withBalance(balance - amount);
            if (dst.hasFlag(CAPPED)) dst = _rollover(dst);
            _accounts[creditor] = dst.withBalance(dst.balance() + amount);
        }
        _emitSettled(ins, debtor);
        return PaymentStatus.Settled;
    }

    /// @inheritdoc ISettlementEngine
    function settleDeliveryVersusPayment(Instruction calldata ins, ItemId item, bytes32 eventHash) external {
        IProvenanceRegistry registry = _provenance;
        if (address(registry) == address(0)) revert SettlementNoProvenance();
        (PackedAccount src, PackedAccount dst) = _accept(ins);
        uint256 balance = src.balance();
        // Delivery versus payment never waits in the queue: both legs happen now or neither does.
        if (balance < ins.amount) revert SettlementInsufficientLiquidity(msg.sender, balance, ins.amount);
        _settleGross(ins, src, dst, balance);
        emit DeliveryVersusPaymentSettled(ins.uetr, item, msg.sender, ins.creditor, ins.amount);
        registry.deliver(item, ins.creditor, msg.sender, ins.amount, ins.uetr, eventHash);
    }

    /// @dev Every check of a new instruction, in order: engine state, instruction fields, UETR, parties, cap.
    /// Returns both parties' account words (the debtor's rolled over to today when capped).
    function _accept(Instruction calldata ins) private view returns (PackedAccount src, PackedAccount dst) {
        Config memory cfg = _config;
        if (cfg.paused) revert SettlementPaused();
        if (cfg.windowEnabled) _requireWithinWindow(cfg);
        _requireValid(ins, cfg.travelRuleThreshold);
        bytes16 uetr = ins.uetr;
        if (_uetrs[uetr] != 0) revert SettlementDuplicateUetr(uetr);

        address creditor = ins.creditor;
        src = _accounts[msg.sender];
        dst = _accounts[creditor];
        if (!_isReady(src) || !_isReady(dst)) {
            _requireParty(msg.sender, src);
            _requireParty(creditor, dst);
        }
        if (src.hasFlag(CAPPED)) {
            src = _rollover(src);
            _requireWithinCap(msg.sender, src, ins.amount);
        }
    }

    /// @dev Moves `ins.amount` from the sender to the creditor and marks the UETR used; `balance` is the
    /// sender's and covers the amount.
    function _settleGross(Instruction calldata ins, PackedAccount src, PackedAccount dst, uint256 balance) private {
        uint256 amount = ins.amount;
        address creditor = ins.creditor;
        _uetrs[ins.uetr] = UETR_SETTLED;
        unchecked {
            // amount <= balance; the creditor's balance stays within the DUSD supply (< 2^96).
            _accounts[msg.sender] = src.withBalance(balance - amount);
            if (dst.hasFlag(CAPPED)) dst = _rollover(dst);
            _accounts[creditor] = dst.withBalance(dst.balance() + amount);
        }
        _emitSettled(ins, msg.sender);
    }

    function _emitSettled(Instruction calldata ins, address debtor) private {
        emit PaymentSettled(
            ins.uetr,
            debtor,
            ins.creditor,
            ins.amount,
            ins.purpose,
            ins.travelRuleHash,
            ins.businessRef,
            ins.endToEndId
        );
    }

    /// @inheritdoc ISettlementEngine
    function cancel(bytes16 uetr) external {
        uint256 seq = _uetrs[uetr];
        if (seq == 0) revert SettlementUnknownPayment(uetr);
        if (seq == UETR_SETTLED) revert SettlementNotQueued(uetr, PaymentStatus.Settled);
        Record storage r = _records[seq];
        if (r.status != PaymentStatus.Queued) revert SettlementNotQueued(uetr, r.status);
        address debtor = _holders[r.debtor - 1];
        // Operators may clear the queue too: payments nobody will fund would otherwise fill every cycle's window.
        bool byOperator = debtor != msg.sender;
        if (byOperator && !hasRole(OPERATOR_ROLE, msg.sender)) revert SettlementNotDebtor(msg.sender, debtor);
        _unlink(r);
        r.status = PaymentStatus.Cancelled;
        emit PaymentCancelled(uetr, debtor, r.amount);
        if (byOperator) emit PaymentCancelledByOperator(uetr, msg.sender);
    }

    /// @inheritdoc ISettlementEngine
    function runNettingCycle(uint256 maxPayments) external returns (uint256 cycleId, uint256 settled) {
        if (!hasRole(OPERATOR_ROLE, msg.sender)) {
            PackedAccount caller = _accounts[msg.sender];
            if (!caller.hasFlag(OPEN) || !caller.mayTransact(block.timestamp))
                revert SettlementUnauthorized(msg.sender);
        }
        if (_config.paused) revert SettlementPaused();
        if (maxPayments == 0 || maxPayments > MAX_CYCLE_PAYMENTS) revert SettlementInvalidCycleSize(maxPayments);
        Cycle memory cycle;
        cycle.id = cycleId = ++_cycles;
        _collect(cycle, maxPayments);
        uint256[] memory maxDebit = new uint256[](cycle.parties.length);
        bool[] memory restricted = new bool[](cycle.parties.length);
        bool anyRestricted = false;
        for (uint256 p = 0; p < cycle.parties.length; ++p) {
            maxDebit[p] = _maxDebit(cycle.parties[p], cycle.states[p]);
            if (!cycle.states[p].mayTransact(block.timestamp)) restricted[p] = anyRestricted = true;
        }
        // A party frozen, suspended or out of KYC since its payments queued neither pays nor is paid: a zero
        // net debit limit alone would still let it receive, or pay out against what it receives.
        if (anyRestricted) _excludeRestricted(cycle.legs, restricted);
        int256[] memory net;
        (net, settled) = Netting.resolve(cycle.legs, maxDebit);

        uint256 gross = _settleLegs(cycle);
        uint256 netLiquidity = _applyNet(cycle, net);
        uint32 stillQueued = _queueLength - uint32(settled);
        _queueLength = stillQueued;
        emit CycleSettled(cycleId, settled, cycle.seqs.length, gross, netLiquidity, stillQueued);
    }

    // ---------------------------------------------------------------- administration

    /// @inheritdoc ISettlementEngine
    function setNetDebitCap(address holder, uint256 cap) external onlyRole(OPERATOR_ROLE) {
        PackedAccount state = _requireOpen(holder);
        if (cap > PackedAccountLib.MAX_BALANCE) revert SettlementAmountTooLarge(cap, PackedAccountLib.MAX_BALANCE);
        _netDebitCap[holder] = cap;
        // The cap counts from now: today's opening balance is the balance at the time it is set.
        uint256 today = (block.timestamp / 1 days) & 0xffff;
        state = state.withExtra((today << 96) | state.balance());
        _accounts[holder] = state.withFlags(state.flags() | CAPPED);
        emit NetDebitCapSet(holder, cap, true);
    }

    /// @inheritdoc ISettlementEngine
    function clearNetDebitCap(address holder) external onlyRole(OPERATOR_ROLE) {
        PackedAccount state = _requireOpen(holder);
        delete _netDebitCap[holder];
        // An uncapped account tracks no opening balance: drop the last one with the flag.
        _accounts[holder] = state.withExtra(0).withFlags(state.flags() & ~CAPPED);
        emit NetDebitCapSet(holder, 0, false);
    }

    /// @inheritdoc ISettlementEngine
    function setTravelRuleThreshold(uint96 threshold) external onlyRole(OPERATOR_ROLE) {
        _config.travelRuleThreshold = threshold;
        emit ConfigChanged(_config);
    }

    /// @inheritdoc ISettlementEngine
    function setOperatingWindow(uint24 windowOpen, uint24 windowClose, bool enabled) external onlyRole(OPERATOR_ROLE) {
        if (windowOpen >= 1 days || windowClose > 1 days || windowOpen == windowClose) {
            revert SettlementInvalidWindow(windowOpen, windowClose);
        }
        _config.windowOpen = windowOpen;
        _config.windowClose = windowClose;
        _config.windowEnabled = enabled;
        emit ConfigChanged(_config);
    }

    /// @inheritdoc ISettlementEngine
    function pause() external onlyRole(OPERATOR_ROLE) {
        _config.paused = true;
        emit ConfigChanged(_config);
    }

    /// @inheritdoc ISettlementEngine
    function unpause() external onlyRole(OPERATOR_ROLE) {
        _config.paused = false;
        emit ConfigChanged(_config);
    }

    /// @inheritdoc ISettlementEngine
    function setProvenance(IProvenanceRegistry registry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(registry) == address(0)) revert SettlementZeroAddress();
        _provenance = registry;
        emit ProvenanceSet(address(registry));
    }

    /// @inheritdoc IComplianceObserver
    function syncAccount(address holder) public {
        PackedAccount state = _accounts[holder];
        if (!state.hasFlag(OPEN)) return;
        PackedAccount updated = _mirror(holder, state);
        if (PackedAccount.unwrap(updated) != PackedAccount.unwrap(state)) _accounts[holder] = updated;
    }

    /// @inheritdoc IComplianceObserver
    function syncAccounts(address[] calldata holders) external {
        for (uint256 i = 0; i < holders.length; ++i) {
            syncAccount(holders[i]);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISettlementEngine
    function payment(bytes16 uetr) external view returns (PaymentView memory view_) {
        uint256 seq = _uetrs[uetr];
        if (seq == 0) return view_;
        if (seq == UETR_SETTLED) {
            view_.status = PaymentStatus.Settled;
            return view_;
        }
        Record storage r = _records[seq];
        return
            PaymentView({
                status: r.status,
                debtor: _holders[r.debtor - 1],
                creditor: _holders[r.creditor - 1],
                amount: r.amount,
                purpose: r.purpose,
                priority: r.priority,
                travelRuleHash: r.travelRuleHash,
                sequence: uint64(seq)
            });
    }

    /// @inheritdoc ISettlementEngine
    function account(address holder) external view returns (AccountView memory) {
        PackedAccount state = _accounts[holder];
        PackedAccount current = _rollover(state);
        return
            AccountView({
                open: state.hasFlag(OPEN),
                balance: state.balance(),
                openingBalance: _opening(current),
                netDebitCap: _netDebitCap[holder],
                capped: state.hasFlag(CAPPED),
                restriction: state.restriction(block.timestamp)
            });
    }

    /// @inheritdoc ISettlementEngine
    function queue(uint256 offset, uint256 limit) external view returns (bytes16[] memory uetrs) {
        uint256 length = _queueLength;
        uint256 count = offset >= length ? 0 : length - offset;
        if (count > limit) count = limit;
        uetrs = new bytes16[](count);
        uint256 index = 0;
        for (uint256 p = 0; p < PRIORITIES && index < offset + count; ++p) {
            for (uint256 seq = _queue[p].head; seq != 0 && index < offset + count; seq = _records[seq].next) {
                if (index >= offset) uetrs[index - offset] = _records[seq].uetr;
                ++index;
            }
        }
    }

    /// @inheritdoc ISettlementEngine
    function queueLength() external view returns (uint256) {
        return _queueLength;
    }

    /// @inheritdoc ISettlementEngine
    function config() external view returns (Config memory) {
        return _config;
    }

    /// @inheritdoc ISettlementEngine
    function cycleCount() external view returns (uint256) {
        return _cycles;
    }

    /// @inheritdoc ISettlementEngine
    function dollar() external view returns (address) {
        return address(_dollar);
    }

    /// @inheritdoc ISettlementEngine
    function provenance() external view returns (address) {
        return address(_provenance);
    }

    // ---------------------------------------------------------------- validation

    function _requireValid(Instruction calldata ins, uint256 threshold) private view {
        bytes16 uetr = ins.uetr;
        // UUID version 4 (the high nibble of byte 6 is 4) and the RFC 4122 variant (byte 8 starts with bits 10).
        uint128 bits = uint128(uetr);
        if ((bits >> 76) & 0xf != 4 || (bits >> 62) & 0x3 != 2) revert SettlementInvalidUetr(uetr);
        uint256 e2eLength = uint256(ins.endToEndId) >> 248;
        if (e2eLength == 0 || e2eLength > 35) revert SettlementInvalidEndToEndId(e2eLength);
        _requirePurpose(ins.purpose);
        if (ins.priority > LOWEST_PRIORITY) revert SettlementInvalidPriority(ins.priority);
        uint256 amount = ins.amount;
        if (amount == 0) revert SettlementZeroAmount();
        if (amount > MAX_AMOUNT) revert SettlementAmountTooLarge(amount, MAX_AMOUNT);
        if (ins.creditor == msg.sender) revert SettlementSelfPayment(msg.sender);
        if (amount >= threshold && ins.travelRuleHash == bytes32(0)) {
            revert SettlementTravelRuleRequired(amount, threshold);
        }
    }

    /// @dev Four upper-case letters, checked a byte at a time without a loop: a byte is in "A".."Z" when
    /// adding 0x3f (0x80 - "A") sets its top bit and adding 0x25 (0x80 - "Z" - 1) does not.
    function _requirePurpose(bytes4 purpose) private pure {
        uint32 code = uint32(purpose);
        uint32 aboveA;
        uint32 aboveZ;
        unchecked {
            // Wraps only when the first byte is 0xc1 or above, which the ASCII check below rejects.
            aboveA = code + 0x3f3f3f3f;
            aboveZ = code + 0x25252525;
        }
        // No byte may carry into the next: every byte must be < 0x80 (ASCII) before the additions.
        bool ascii = code & 0x80808080 == 0;
        if (!ascii || aboveA & 0x80808080 != 0x80808080 || aboveZ & 0x80808080 != 0) {
            revert SettlementInvalidPurpose(purpose);
        }
    }

    function _requireWithinWindow(Config memory cfg) private view {
        uint256 timeOfDay = block.timestamp % 1 days;
        bool inside =
            cfg.windowOpen < cfg.windowClose
                ? timeOfDay >= cfg.windowOpen && timeOfDay < cfg.windowClose
                : timeOfDay >= cfg.windowOpen || timeOfDay < cfg.windowClose;
        if (!inside) revert SettlementOutsideOperatingWindow(timeOfDay, cfg.windowOpen, cfg.windowClose);
    }

    /// @dev The fast check of the payment path: open, registered, Active, not frozen, KYC unexpired.
    function _isReady(PackedAccount state) private view returns (bool) {
        return state.flags() & (MIRRORED | OPEN) == READY && state.kycExpiry() > block.timestamp;
    }

    function _requireParty(address holder, PackedAccount state) private view {
        if (!state.hasFlag(OPEN)) revert SettlementAccountNotOpen(holder);
        _requireUnrestricted(holder, state);
    }

    function _requireUnrestricted(address holder, PackedAccount state) private view {
        if (state.mayTransact(block.timestamp)) return;
        revert SettlementAccountRestricted(holder, state.restriction(block.timestamp));
    }

    function _requireOpen(address holder) private view returns (PackedAccount state) {
        state = _accounts[holder];
        if (!state.hasFlag(OPEN)) revert SettlementAccountNotOpen(holder);
    }

    /// @dev Reverts when paying `amount` would take a capped account more than its cap below the day's opening
    /// balance, whether it pays now or later from the queue.
    function _requireWithinCap(address holder, PackedAccount state, uint256 amount) private view {
        if (!state.hasFlag(CAPPED)) return;
        uint256 opening = _opening(state);
        uint256 balance = state.balance();
        uint256 netDebit = opening + amount > balance ? opening + amount - balance : 0;
        uint256 cap = _netDebitCap[holder];
        if (netDebit > cap) revert SettlementNetDebitCapExceeded(holder, cap, netDebit);
    }

    // ---------------------------------------------------------------- account words

    function _mirror(address holder, PackedAccount state) private view returns (PackedAccount) {
        (uint8 tokenFlags, uint40 kycExpiry) = _dollar.complianceOf(holder);
        uint8 flags_ = (state.flags() & ~MIRRORED) | (tokenFlags & MIRRORED);
        return state.withParticipant(false, false, kycExpiry).withFlags(flags_);
    }

    function _opening(PackedAccount state) private pure returns (uint256) {
        return state.extra() & OPENING_MASK;
    }

    function _withOpening(PackedAccount state, uint256 opening) private pure returns (PackedAccount) {
        return state.withExtra((state.extra() & ~OPENING_MASK) | opening);
    }

    /// @dev At the first movement of a business day (UTC), a capped account's opening balance becomes its
    /// current balance. Uncapped accounts skip the bookkeeping; {setNetDebitCap} starts it.
    function _rollover(PackedAccount state) private view returns (PackedAccount) {
        if (!state.hasFlag(CAPPED)) return state;
        uint256 today = (block.timestamp / 1 days) & 0xffff;
        if (state.extra() >> 96 == today) return state;
        return state.withExtra((today << 96) | state.balance());
    }

    function _maxDebit(address holder, PackedAccount state) private view returns (uint256) {
        if (!state.hasFlag(OPEN) || !state.mayTransact(block.timestamp)) return 0;
        uint256 balance = state.balance();
        if (!state.hasFlag(CAPPED)) return balance;
        // The cap bounds opening - balanceAfter, so the balance may fall to opening - cap at the lowest.
        uint256 cap = _netDebitCap[holder];
        uint256 opening = _opening(state);
        uint256 floor = opening > cap ? opening - cap : 0;
        return balance > floor ? balance - floor : 0;
    }

    // ---------------------------------------------------------------- queue

    function _enqueue(Instruction calldata ins, address debtor) private {
        uint40 seq = ++_sequence;
        uint8 priority = ins.priority;
        Ends storage ends = _queue[priority];
        uint40 tail = ends.tail;
        _records[seq] = Record({
            uetr: ins.uetr,
            amount: uint88(ins.amount),
            purpose: ins.purpose,
            priority: priority,
            debtor: _holderNumber[debtor],
            creditor: _holderNumber[ins.creditor],
            status: PaymentStatus.Queued,
            next: 0,
            prev: tail,
            travelRuleHash: ins.travelRuleHash
        });
        if (tail == 0) ends.head = seq;
        else _records[tail].next = seq;
        ends.tail = seq;
        ++_queueLength;
        _uetrs[ins.uetr] = seq;
        emit PaymentQueued(
            ins.uetr,
            debtor,
            ins.creditor,
            ins.amount,
            ins.purpose,
            ins.travelRuleHash,
            ins.businessRef,
            ins.endToEndId,
            priority,
            seq
        );
    }

    function _unlink(Record storage r) private {
        Ends storage ends = _queue[r.priority];
        (uint40 prev, uint40 next) = (r.prev, r.next);
        if (prev == 0) ends.head = next;
        else _records[prev].next = next;
        if (next == 0) ends.tail = prev;
        else _records[next].prev = prev;
        --_queueLength;
    }

    /// @dev Reads the first `maxPayments` queued payments in settlement order, one storage word each, into
    /// netting legs whose parties are numbered in order of first appearance, and notes for each priority the
    /// first payment left unread (0 when the whole list was read).
    function _collect(Cycle memory cycle, uint256 maxPayments) private view {
        uint256 count = _queueLength < maxPayments ? _queueLength : maxPayments;
        cycle.seqs = new uint256[](count);
        cycle.priorities = new uint8[](count);
        cycle.legs = new Netting.Leg[](count);
        uint256 most = count * 2 < MAX_CYCLE_PARTIES ? count * 2 : MAX_CYCLE_PARTIES;
        uint256[] memory numbers = new uint256[](most);
        uint256[] memory table = new uint256[](_partyTableSize(most));
        uint256 parties = 0;
        uint256 n = 0;
        bool full = false;
        for (uint256 p = 0; p < PRIORITIES; ++p) {
            uint256 seq = _queue[p].head;
            for (; seq != 0 && n < count && !full; ++n) {
                Record storage r = _records[seq];
                (uint256 d, uint256 c, uint256 total) = _numberParties(table, numbers, parties, r.debtor, r.creditor);
                // Stop before the payment that would bring in too many parties; it and the rest stay unread.
                if (total > MAX_CYCLE_PARTIES) {
                    full = true;
                    break;
                }
                parties = total;
                cycle.legs[n] = Netting.Leg({debtor: d, creditor: c, amount: r.amount, excluded: false});
                cycle.seqs[n] = seq;
                cycle.priorities[n] = uint8(p);
                seq = r.next;
            }
            cycle.rest[p] = seq;
        }
        if (n < count) {
            // The party bound ended the reading early: shorten the arrays to the payments read.
            Netting.Leg[] memory legs = cycle.legs;
            uint256[] memory seqs = cycle.seqs;
            uint8[] memory priorities = cycle.priorities;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(legs, n)
                mstore(seqs, n)
                mstore(priorities, n)
            }
        }
        cycle.parties = new address[](parties);
        cycle.states = new PackedAccount[](parties);
        for (uint256 i = 0; i < parties; ++i) {
            address holder = _holders[numbers[i] - 1];
            cycle.parties[i] = holder;
            cycle.states[i] = _rollover(_accounts[holder]);
        }
    }

    function _excludeRestricted(Netting.Leg[] memory legs, bool[] memory restricted) private pure {
        for (uint256 i = 0; i < legs.length; ++i) {
            Netting.Leg memory leg = legs[i];
            if (restricted[leg.debtor] || restricted[leg.creditor]) leg.excluded = true;
        }
    }

    /// @dev The smallest power of two (at least 16) that is at least twice `parties`: the party table of a
    /// cycle stays at most half full.
    function _partyTableSize(uint256 parties) private pure returns (uint256 size) {
        size = 16;
        while (size < parties * 2) size <<= 1;
    }

    /// @dev The cycle's indexes of a payment's debtor and creditor (holder numbers), numbering new parties from
    /// `count`, and the party count with them. Leaves the table unchanged when that count would pass
    /// MAX_CYCLE_PARTIES. Debtor and creditor differ: the engine refuses payments to oneself.
    function _numberParties(
        uint256[] memory table,
        uint256[] memory numbers,
        uint256 count,
        uint256 debtor,
        uint256 creditor
    ) private pure returns (uint256 d, uint256 c, uint256 newCount) {
        (uint256 debtorSlot, uint256 debtorEntry) = _findParty(table, debtor);
        (, uint256 creditorEntry) = _findParty(table, creditor);
        newCount = count + (debtorEntry == 0 ? 1 : 0) + (creditorEntry == 0 ? 1 : 0);
        if (newCount > MAX_CYCLE_PARTIES) return (0, 0, newCount);
        d = debtorEntry == 0 ? _addParty(table, numbers, debtorSlot, count++, debtor) : debtorEntry & 0xffff;
        if (creditorEntry != 0) return (d, creditorEntry & 0xffff, newCount);
        // Probe again: the debtor may have just taken the free slot the creditor's probe ended on.
        (uint256 creditorSlot, ) = _findParty(table, creditor);
        c = _addParty(table, numbers, creditorSlot, count, creditor);
    }

    /// @dev `table` is an open-addressing hash table of `number << 16 | index` (0 when empty, as holder numbers
    /// start at 1), probed linearly from `number` modulo its size: numbering the parties of n payments costs
    /// O(n), not the O(n * p) of a list search. Returns the slot of `number`, or the empty slot where it goes.
    function _findParty(uint256[] memory table, uint256 number) private pure returns (uint256 slot, uint256 entry) {
        uint256 mask = table.length - 1;
        slot = number & mask;
        for (entry = table[slot]; entry != 0 && entry >> 16 != number; entry = table[slot]) {
            slot = (slot + 1) & mask;
        }
    }

    function _addParty(
        uint256[] memory table,
        uint256[] memory numbers,
        uint256 slot,
        uint256 index,
        uint256 number
    ) private pure returns (uint256) {
        table[slot] = (number << 16) | index;
        numbers[index] = number;
        return index;
    }

    /// @dev Marks the kept payments settled and relinks the ones left out, in order, ahead of the unread rest.
    function _settleLegs(Cycle memory cycle) private returns (uint256 gross) {
        uint40[3] memory lastLeftOut;
        bool[3] memory started;
        for (uint256 i = 0; i < cycle.seqs.length; ++i) {
            uint8 p = cycle.priorities[i];
            if (cycle.legs[i].excluded) {
                uint40 seq = uint40(cycle.seqs[i]);
                _link(p, lastLeftOut[p], seq, started[p]);
                started[p] = true;
                lastLeftOut[p] = seq;
            } else {
                gross += _markSettled(cycle, i);
            }
        }
        for (uint256 p = 0; p < PRIORITIES; ++p) {
            // Only priorities the cycle read from need relinking.
            if (!started[p] && _queue[p].head == cycle.rest[p]) continue;
            _link(uint8(p), lastLeftOut[p], uint40(cycle.rest[p]), started[p]);
            if (cycle.rest[p] == 0) _queue[p].tail = lastLeftOut[p];
        }
    }

    function _markSettled(Cycle memory cycle, uint256 i) private returns (uint256 amount) {
        Record storage r = _records[cycle.seqs[i]];
        Netting.Leg memory leg = cycle.legs[i];
        r.status = PaymentStatus.Settled;
        amount = leg.amount;
        emit QueuedPaymentSettled(
            r.uetr,
            cycle.parties[leg.debtor],
            cycle.parties[leg.creditor],
            amount,
            r.purpose,
            r.travelRuleHash,
            cycle.id
        );
    }

    /// @dev Appends `seq` after `previous` in priority `p`'s list (`seq` 0 ends the list).
    function _link(uint8 p, uint40 previous, uint40 seq, bool started) private {
        if (!started) _queue[p].head = seq;
        else _records[previous].next = seq;
        if (seq != 0) _records[seq].prev = started ? previous : 0;
    }

    function _applyNet(Cycle memory cycle, int256[] memory net) private returns (uint256 netLiquidity) {
        for (uint256 p = 0; p < cycle.parties.length; ++p) {
            int256 position = net[p];
            if (position == 0) continue;
            PackedAccount state = cycle.states[p];
            uint256 balance = state.balance();
            // Netting.resolve keeps every net debit within the party's balance, and credits within the supply.
            if (position < 0) {
                netLiquidity += uint256(-position);
                balance -= uint256(-position);
            } else {
                balance += uint256(position);
            }
            _accounts[cycle.parties[p]] = state.withBalance(balance);
            emit NetPositionSettled(cycle.id, cycle.parties[p], position);
        }
    }
}
