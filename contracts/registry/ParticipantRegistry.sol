// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IComplianceObserver} from "../interfaces/IComplianceObserver.sol";

/// @title ParticipantRegistry
/// @notice The consortium's membership: jurisdictions admitted by vote, their regulators, licensed banks and
/// the customers and suppliers the banks sponsor. Every change is an event and is pushed to the compliance
/// observers (the digital dollar, the settlement engine) that mirror it beside their balances.
contract ParticipantRegistry is AccessControl, IParticipantRegistry {
    /// @notice Onboards auditors, appoints founding regulators, sets the voting period and the observers.
    bytes32 public constant CONSORTIUM_ADMIN_ROLE = keccak256("CONSORTIUM_ADMIN_ROLE");

    uint256 public constant MAX_OBSERVERS = 4;
    uint40 private constant NO_EXPIRY = type(uint40).max;

    mapping(address account => Participant) private _participants;
    mapping(bytes2 code => Jurisdiction) private _jurisdictions;
    mapping(address regulator => bytes2 code) private _regulatorJurisdiction;
    mapping(bytes2 code => uint256 proposalId) private _openProposal;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => mapping(bytes2 voter => bool)) private _voted;
    bytes2[] private _members;
    address[] private _observers;
    uint256 private _proposalCount;
    uint32 private _admissions;
    uint40 private _votingPeriod;

    constructor(address admin, bytes2[] memory founders, uint40 votingPeriod_) {
        if (admin == address(0)) revert RegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CONSORTIUM_ADMIN_ROLE, admin);
        _setVotingPeriod(votingPeriod_);
        for (uint256 i = 0; i < founders.length; ++i) {
            _requireWellFormed(founders[i]);
            if (_isAdmitted(founders[i])) revert RegistryJurisdictionAlreadyAdmitted(founders[i]);
            _admit(founders[i], address(0), 0);
        }
    }

    // ---------------------------------------------------------------- consortium

    /// @inheritdoc IParticipantRegistry
    function appointRegulator(bytes2 code, address regulator, bytes20 lei) external onlyRole(CONSORTIUM_ADMIN_ROLE) {
        _requireAdmitted(code);
        // A jurisdiction has one regulator at a time; a revoked one may be replaced.
        address current = _jurisdictions[code].regulator;
        if (current != address(0)) {
            if (_participants[current].status != Status.Revoked)
                revert RegistryRegulatorAlreadyAppointed(code, current);
            delete _regulatorJurisdiction[current];
        }
        _registerRegulator(code, regulator, lei);
    }

    /// @inheritdoc IParticipantRegistry
    function proposeJurisdiction(bytes2 code, address regulator, bytes20 lei) external returns (uint256 proposalId) {
        _requireRegulator(msg.sender);
        _requireWellFormed(code);
        if (_isAdmitted(code)) revert RegistryJurisdictionAlreadyAdmitted(code);
        _requireNewAccount(regulator, lei);
        uint256 pending = _openProposal[code];
        if (pending != 0 && _proposals[pending].expiresAt > block.timestamp) {
            revert RegistryProposalPending(code, pending);
        }
        proposalId = ++_proposalCount;
        uint16 electorate = uint16(_members.length);
        uint40 expiresAt = uint40(block.timestamp) + _votingPeriod;
        _proposals[proposalId] = Proposal({
            jurisdiction: code,
            state: ProposalState.Open,
            yes: 0,
            no: 0,
            electorate: electorate,
            admissionsAtCreation: _admissions,
            expiresAt: expiresAt,
            regulator: regulator,
            regulatorLei: lei
        });
        _openProposal[code] = proposalId;
        emit JurisdictionProposed(proposalId, code, msg.sender, regulator, expiresAt, electorate);
    }

    /// @inheritdoc IParticipantRegistry
    function voteOnJurisdiction(uint256 proposalId, bool support) external {
        bytes2 voter = _requireRegulator(msg.sender);
        Proposal storage p = _proposals[proposalId];
        if (p.state == ProposalState.None) revert RegistryUnknownProposal(proposalId);
        if (p.state != ProposalState.Open) revert RegistryProposalNotOpen(proposalId, p.state);
        if (p.expiresAt <= block.timestamp) revert RegistryProposalExpired(proposalId, p.expiresAt);
        if (_jurisdictions[voter].memberSince > p.admissionsAtCreation)
            revert RegistryNotInElectorate(proposalId, voter);
        if (_voted[proposalId][voter]) revert RegistryAlreadyVoted(proposalId, voter);

        _voted[proposalId][voter] = true;
        if (support) ++p.yes;
        else ++p.no;
        emit JurisdictionVoteCast(proposalId, voter, msg.sender, support, p.yes, p.no);

        uint16 majority = p.electorate / 2 + 1;
        if (p.yes >= majority) {
            p.state = ProposalState.Admitted;
            delete _openProposal[p.jurisdiction];
            // If the proposed regulator's account was registered meanwhile, the members' decision still stands:
            // the jurisdiction is admitted and the consortium admin appoints its regulator.
            bool regulatorFree = _participants[p.regulator].kind == Kind.None;
            _admit(p.jurisdiction, regulatorFree ? p.regulator : address(0), proposalId);
            if (regulatorFree) _registerRegulator(p.jurisdiction, p.regulator, p.regulatorLei);
            else emit RegulatorNotAppointed(p.jurisdiction, p.regulator);
        } else if (p.no > p.electorate - majority) {
            p.state = ProposalState.Rejected;
            delete _openProposal[p.jurisdiction];
            emit JurisdictionProposalRejected(proposalId, p.jurisdiction, p.yes, p.no);
        }
    }

    /// @inheritdoc IParticipantRegistry
    function setVotingPeriod(uint40 period) external onlyRole(CONSORTIUM_ADMIN_ROLE) {
        _setVotingPeriod(period);
    }

    // ---------------------------------------------------------------- onboarding

    /// @inheritdoc IParticipantRegistry
    function onboardBank(address account, bytes20 lei, uint40 kycExpiry) external {
        bytes2 code = _requireRegulator(msg.sender);
        _register(account, Kind.CommercialBank, code, msg.sender, lei, kycExpiry);
        _notify(account);
    }

    /// @inheritdoc IParticipantRegistry
    function onboardParticipant(address account, Kind kind, bytes2 code, bytes20 lei, uint40 kycExpiry) external {
        _requireSponsor(msg.sender);
        _registerSponsored(account, kind, code, lei, kycExpiry);
        _notify(account);
    }

    /// @inheritdoc IParticipantRegistry
    function onboardParticipants(Onboarding[] calldata rows) external {
        if (rows.length == 0) revert RegistryEmptyBatch();
        _requireSponsor(msg.sender);
        address[] memory accounts = new address[](rows.length);
        for (uint256 i = 0; i < rows.length; ++i) {
            Onboarding calldata row = rows[i];
            _registerSponsored(row.account, row.kind, row.jurisdiction, row.lei, row.kycExpiry);
            accounts[i] = row.account;
        }
        for (uint256 i = 0; i < _observers.length; ++i) {
            IComplianceObserver(_observers[i]).syncAccounts(accounts);
        }
    }

    /// @inheritdoc IParticipantRegistry
    function onboardAuditor(
        address account,
        bytes2 code,
        bytes20 lei,
        uint40 kycExpiry
    ) external onlyRole(CONSORTIUM_ADMIN_ROLE) {
        _requireAdmitted(code);
        _register(account, Kind.Auditor, code, msg.sender, lei, kycExpiry);
        _notify(account);
    }

    // ---------------------------------------------------------------- lifecycle

    /// @inheritdoc IParticipantRegistry
    function suspend(address account) external {
        _changeStatus(account, Status.Active, Status.Suspended);
    }

    /// @inheritdoc IParticipantRegistry
    function reinstate(address account) external {
        _changeStatus(account, Status.Suspended, Status.Active);
    }

    /// @inheritdoc IParticipantRegistry
    function revoke(address account) external {
        Participant storage p = _requireManager(msg.sender, account);
        if (p.status == Status.Revoked) revert RegistryInvalidStatusTransition(account, p.status, Status.Revoked);
        _setStatus(account, p, Status.Revoked);
    }

    /// @inheritdoc IParticipantRegistry
    function renewKyc(address account, uint40 kycExpiry) external {
        Participant storage p = _requireManager(msg.sender, account);
        if (p.status == Status.Revoked) revert RegistryInvalidStatusTransition(account, p.status, p.status);
        if (kycExpiry <= block.timestamp) revert RegistryInvalidKycExpiry(kycExpiry);
        uint40 previous = p.kycExpiry;
        p.kycExpiry = kycExpiry;
        emit ParticipantKycRenewed(account, previous, kycExpiry, msg.sender);
        _notify(account);
    }

    /// @inheritdoc IParticipantRegistry
    function reassignSponsor(address account, address newSponsor) external {
        Participant storage p = _participants[account];
        if (p.kind == Kind.None) revert RegistryUnknownParticipant(account);
        if (p.kind != Kind.Customer && p.kind != Kind.Supplier) revert RegistryUnauthorized(msg.sender, account);
        // The regulator of the current sponsor's jurisdiction decides, whatever state that sponsor is in:
        // this is how customers of a suspended or revoked bank find a new home.
        bytes2 code = _requireRegulator(msg.sender);
        if (_participants[p.sponsor].jurisdiction != code) revert RegistryUnauthorized(msg.sender, account);
        if (p.status == Status.Revoked) revert RegistryInvalidStatusTransition(account, p.status, p.status);
        _requireSponsor(newSponsor);
        address previous = p.sponsor;
        p.sponsor = newSponsor;
        emit ParticipantSponsorChanged(account, previous, newSponsor, msg.sender);
    }

    // ---------------------------------------------------------------- observers

    /// @inheritdoc IParticipantRegistry
    function addObserver(address observer) external onlyRole(CONSORTIUM_ADMIN_ROLE) {
        if (observer == address(0)) revert RegistryZeroAddress();
        if (_observers.length == MAX_OBSERVERS) revert RegistryTooManyObservers(MAX_OBSERVERS);
        for (uint256 i = 0; i < _observers.length; ++i) {
            if (_observers[i] == observer) revert RegistryObserverAlreadyAdded(observer);
        }
        _observers.push(observer);
        emit ObserverAdded(observer);
    }

    /// @inheritdoc IParticipantRegistry
    function removeObserver(address observer) external onlyRole(CONSORTIUM_ADMIN_ROLE) {
        uint256 n = _observers.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_observers[i] == observer) {
                _observers[i] = _observers[n - 1];
                _observers.pop();
                emit ObserverRemoved(observer);
                return;
            }
        }
        revert RegistryUnknownObserver(observer);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IParticipantRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipantRegistry
    function standing(
        address account
    ) external view returns (Kind kind, Status status, bytes2 jurisdiction_, uint40 kycExpiry) {
        Participant storage p = _participants[account];
        return (p.kind, p.status, p.jurisdiction, p.kycExpiry);
    }

    /// @inheritdoc IParticipantRegistry
    function isActive(address account) public view returns (bool) {
        Participant storage p = _participants[account];
        return p.status == Status.Active && p.kycExpiry > block.timestamp;
    }

    /// @inheritdoc IParticipantRegistry
    function jurisdiction(bytes2 code) external view returns (Jurisdiction memory) {
        return _jurisdictions[code];
    }

    /// @inheritdoc IParticipantRegistry
    function isAdmitted(bytes2 code) external view returns (bool) {
        return _isAdmitted(code);
    }

    /// @inheritdoc IParticipantRegistry
    function jurisdictionOfRegulator(address regulator) external view returns (bytes2) {
        return _regulatorJurisdiction[regulator];
    }

    /// @inheritdoc IParticipantRegistry
    function memberCount() external view returns (uint256) {
        return _members.length;
    }

    /// @inheritdoc IParticipantRegistry
    function members() external view returns (bytes2[] memory) {
        return _members;
    }

    /// @inheritdoc IParticipantRegistry
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc IParticipantRegistry
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IParticipantRegistry
    function votingPeriod() external view returns (uint40) {
        return _votingPeriod;
    }

    /// @inheritdoc IParticipantRegistry
    function observers() external view returns (address[] memory) {
        return _observers;
    }

    /// @inheritdoc IParticipantRegistry
    function hasVoted(uint256 proposalId, bytes2 voterJurisdiction) external view returns (bool) {
        return _voted[proposalId][voterJurisdiction];
    }

    // ---------------------------------------------------------------- internals

    function _admit(bytes2 code, address regulator, uint256 proposalId) private {
        uint32 since = ++_admissions;
        _jurisdictions[code] = Jurisdiction({
            regulator: address(0),
            memberSince: since,
            admittedAt: uint40(block.timestamp)
        });
        _members.push(code);
        emit JurisdictionAdmitted(code, regulator, proposalId);
    }

    function _registerRegulator(bytes2 code, address regulator, bytes20 lei) private {
        _register(regulator, Kind.CentralBank, code, msg.sender, lei, NO_EXPIRY);
        _jurisdictions[code].regulator = regulator;
        _regulatorJurisdiction[regulator] = code;
        emit RegulatorAppointed(code, regulator);
        _notify(regulator);
    }

    function _registerSponsored(address account, Kind kind, bytes2 code, bytes20 lei, uint40 kycExpiry) private {
        if (kind != Kind.Customer && kind != Kind.Supplier) revert RegistryInvalidKind(kind);
        _requireAdmitted(code);
        _register(account, kind, code, msg.sender, lei, kycExpiry);
    }

    function _register(
        address account,
        Kind kind,
        bytes2 code,
        address sponsor,
        bytes20 lei,
        uint40 kycExpiry
    ) private {
        _requireNewAccount(account, lei);
        if (kycExpiry <= block.timestamp) revert RegistryInvalidKycExpiry(kycExpiry);
        _participants[account] = Participant({
            sponsor: sponsor,
            kind: kind,
            status: Status.Active,
            jurisdiction: code,
            kycExpiry: kycExpiry,
            lei: lei
        });
        emit ParticipantOnboarded(account, kind, code, sponsor, lei, kycExpiry);
    }

    function _changeStatus(address account, Status from, Status to) private {
        Participant storage p = _requireManager(msg.sender, account);
        if (p.status != from) revert RegistryInvalidStatusTransition(account, p.status, to);
        _setStatus(account, p, to);
    }

    function _setStatus(address account, Participant storage p, Status to) private {
        Status previous = p.status;
        p.status = to;
        emit ParticipantStatusChanged(account, previous, to, msg.sender);
        _notify(account);
    }

    /// @dev Who manages whom: the consortium admin manages central banks and auditors; a regulator manages
    /// the banks of its jurisdiction and their sponsored participants; a bank manages those it sponsors
    /// while it is itself Active.
    function _requireManager(address actor, address account) private view returns (Participant storage p) {
        p = _participants[account];
        Kind kind = p.kind;
        if (kind == Kind.None) revert RegistryUnknownParticipant(account);
        bool allowed;
        if (kind == Kind.CentralBank || kind == Kind.Auditor) {
            allowed = hasRole(CONSORTIUM_ADMIN_ROLE, actor);
        } else {
            bytes2 home = kind == Kind.CommercialBank ? p.jurisdiction : _participants[p.sponsor].jurisdiction;
            allowed =
                _isActiveRegulatorOf(actor, home) ||
                (kind != Kind.CommercialBank && actor == p.sponsor && _isEligibleSponsor(actor));
        }
        if (!allowed) revert RegistryUnauthorized(actor, account);
    }

    function _requireRegulator(address account) private view returns (bytes2 code) {
        code = _regulatorJurisdiction[account];
        if (code == bytes2(0) || !isActive(account)) revert RegistryNotRegulator(account);
    }

    function _isActiveRegulatorOf(address account, bytes2 code) private view returns (bool) {
        return code != bytes2(0) && _regulatorJurisdiction[account] == code && isActive(account);
    }

    function _requireSponsor(address sponsor) private view {
        if (!_isEligibleSponsor(sponsor)) revert RegistrySponsorNotEligible(sponsor);
    }

    function _isEligibleSponsor(address sponsor) private view returns (bool) {
        return _participants[sponsor].kind == Kind.CommercialBank && isActive(sponsor);
    }

    function _requireNewAccount(address account, bytes20 lei) private view {
        if (account == address(0)) revert RegistryZeroAddress();
        if (_participants[account].kind != Kind.None) revert RegistryAlreadyRegistered(account);
        if (lei == bytes20(0)) revert RegistryInvalidLei(lei);
    }

    function _requireAdmitted(bytes2 code) private view {
        _requireWellFormed(code);
        if (!_isAdmitted(code)) revert RegistryJurisdictionNotAdmitted(code);
    }

    function _isAdmitted(bytes2 code) private view returns (bool) {
        return _jurisdictions[code].memberSince != 0;
    }

    function _requireWellFormed(bytes2 code) private pure {
        bytes1 a = code[0];
        bytes1 b = code[1];
        if (a < "A" || a > "Z" || b < "A" || b > "Z") revert RegistryInvalidJurisdiction(code);
    }

    function _setVotingPeriod(uint40 period) private {
        if (period == 0) revert RegistryInvalidVotingPeriod(period);
        uint40 previous = _votingPeriod;
        _votingPeriod = period;
        emit VotingPeriodChanged(previous, period);
    }

    function _notify(address account) private {
        for (uint256 i = 0; i < _observers.length; ++i) {
            IComplianceObserver(_observers[i]).syncAccount(account);
        }
    }
}
