// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IParticipantRegistry
/// @notice Who may take part in the T-12 ledger: admitted jurisdictions (ISO 3166-1 alpha-2 codes), their
/// regulators, the banks they license, the customers and suppliers those banks sponsor, and auditors.
/// Only Active participants with unexpired KYC may move funds or take custody of goods.
interface IParticipantRegistry {
    enum Kind {
        None,
        CentralBank,
        CommercialBank,
        Customer,
        Supplier,
        Auditor
    }

    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    enum ProposalState {
        None,
        Open,
        Admitted,
        Rejected
    }

    /// @notice A participant's record (two storage words).
    struct Participant {
        address sponsor;
        Kind kind;
        Status status;
        bytes2 jurisdiction;
        uint40 kycExpiry;
        bytes20 lei;
    }

    /// @notice An admitted jurisdiction. `memberSince` is the running admission count when it joined.
    struct Jurisdiction {
        address regulator;
        uint32 memberSince;
        uint40 admittedAt;
    }

    /// @notice A proposal to admit a jurisdiction, decided by the regulators of the members at its creation.
    struct Proposal {
        bytes2 jurisdiction;
        ProposalState state;
        uint16 yes;
        uint16 no;
        uint16 electorate;
        uint32 admissionsAtCreation;
        uint40 expiresAt;
        address regulator;
        bytes20 regulatorLei;
    }

    /// @notice One row of a batch onboarding of sponsored participants.
    struct Onboarding {
        address account;
        Kind kind;
        bytes2 jurisdiction;
        bytes20 lei;
        uint40 kycExpiry;
    }

    // ---------------------------------------------------------------- events

    event JurisdictionAdmitted(bytes2 indexed jurisdiction, address indexed regulator, uint256 indexed proposalId);
    event JurisdictionProposed(
        uint256 indexed proposalId,
        bytes2 indexed jurisdiction,
        address indexed proposer,
        address regulator,
        uint40 expiresAt,
        uint16 electorate
    );
    event JurisdictionVoteCast(
        uint256 indexed proposalId,
        bytes2 indexed voterJurisdiction,
        address indexed voter,
        bool support,
        uint16 yes,
        uint16 no
    );
    event JurisdictionProposalRejected(uint256 indexed proposalId, bytes2 indexed jurisdiction, uint16 yes, uint16 no);
    event RegulatorAppointed(bytes2 indexed jurisdiction, address indexed regulator);
    /// @notice The jurisdiction was admitted, but its proposed regulator's account had been registered as another
    /// participant meanwhile; the consortium admin appoints a regulator with {appointRegulator}.
    event RegulatorNotAppointed(bytes2 indexed jurisdiction, address indexed proposedRegulator);
    event ParticipantOnboarded(
        address indexed account,
        Kind indexed kind,
        bytes2 indexed jurisdiction,
        address sponsor,
        bytes20 lei,
        uint40 kycExpiry
    );
    event ParticipantStatusChanged(address indexed account, Status previous, Status current, address indexed by);
    event ParticipantKycRenewed(address indexed account, uint40 previousExpiry, uint40 newExpiry, address indexed by);
    event ParticipantSponsorChanged(
        address indexed account,
        address indexed previousSponsor,
        address indexed newSponsor,
        address by
    );
    event VotingPeriodChanged(uint40 previous, uint40 current);
    event ObserverAdded(address indexed observer);
    event ObserverRemoved(address indexed observer);

    // ---------------------------------------------------------------- errors

    /// @notice `code` is not two upper-case letters A-Z.
    error RegistryInvalidJurisdiction(bytes2 code);
    error RegistryJurisdictionNotAdmitted(bytes2 code);
    error RegistryJurisdictionAlreadyAdmitted(bytes2 code);
    /// @notice An open proposal for `code` already exists.
    error RegistryProposalPending(bytes2 code, uint256 proposalId);
    error RegistryUnknownProposal(uint256 proposalId);
    error RegistryProposalNotOpen(uint256 proposalId, ProposalState state);
    error RegistryProposalExpired(uint256 proposalId, uint40 expiresAt);
    error RegistryAlreadyVoted(uint256 proposalId, bytes2 voterJurisdiction);
    /// @notice The voter's jurisdiction joined after the proposal was made.
    error RegistryNotInElectorate(uint256 proposalId, bytes2 voterJurisdiction);
    /// @notice `account` is not the Active regulator of an admitted jurisdiction.
    error RegistryNotRegulator(address account);
    error RegistryRegulatorAlreadyAppointed(bytes2 code, address regulator);
    /// @notice `actor` may not manage `account` (wrong jurisdiction, not its sponsor, or wrong kind).
    error RegistryUnauthorized(address actor, address account);
    /// @notice `sponsor` is not an Active commercial bank with valid KYC.
    error RegistrySponsorNotEligible(address sponsor);
    error RegistryAlreadyRegistered(address account);
    error RegistryUnknownParticipant(address account);
    error RegistryInvalidKind(Kind kind);
    error RegistryInvalidStatusTransition(address account, Status current, Status requested);
    error RegistryInvalidKycExpiry(uint40 kycExpiry);
    error RegistryInvalidLei(bytes20 lei);
    error RegistryZeroAddress();
    error RegistryEmptyBatch();
    error RegistryInvalidVotingPeriod(uint40 period);
    error RegistryObserverAlreadyAdded(address observer);
    error RegistryUnknownObserver(address observer);
    error RegistryTooManyObservers(uint256 limit);

    // ---------------------------------------------------------------- consortium

    /// @notice Appoints the first regulator of an admitted jurisdiction and registers it as its central bank.
    function appointRegulator(bytes2 code, address regulator, bytes20 lei) external;

    /// @notice A member's regulator proposes to admit `code`, whose regulator will be `regulator`.
    function proposeJurisdiction(bytes2 code, address regulator, bytes20 lei) external returns (uint256 proposalId);

    /// @notice A member's regulator votes. The jurisdiction is admitted once more than half of the members at
    /// the proposal's creation voted yes, and the proposal is rejected once that can no longer happen.
    function voteOnJurisdiction(uint256 proposalId, bool support) external;

    function setVotingPeriod(uint40 period) external;

    // ---------------------------------------------------------------- participants

    /// @notice The caller, a regulator, licenses a commercial bank of its own jurisdiction.
    function onboardBank(address account, bytes20 lei, uint40 kycExpiry) external;

    /// @notice The caller, an Active commercial bank, sponsors a customer or supplier.
    function onboardParticipant(
        address account,
        Kind kind,
        bytes2 jurisdiction,
        bytes20 lei,
        uint40 kycExpiry
    ) external;

    /// @notice Batch form of {onboardParticipant}; all rows or none.
    function onboardParticipants(Onboarding[] calldata rows) external;

    /// @notice The consortium admin onboards an auditor, who reads and attests but moves nothing.
    function onboardAuditor(address account, bytes2 jurisdiction, bytes20 lei, uint40 kycExpiry) external;

    function suspend(address account) external;

    function reinstate(address account) external;

    /// @notice Revocation is final.
    function revoke(address account) external;

    function renewKyc(address account, uint40 kycExpiry) external;

    /// @notice Moves a customer or supplier to another sponsoring bank (e.g. when its bank lost its licence).
    function reassignSponsor(address account, address newSponsor) external;

    function addObserver(address observer) external;

    function removeObserver(address observer) external;

    // ---------------------------------------------------------------- views

    function participant(address account) external view returns (Participant memory);

    /// @notice A participant's kind, status, jurisdiction and KYC expiry, read from one storage word.
    function standing(
        address account
    ) external view returns (Kind kind, Status status, bytes2 jurisdiction_, uint40 kycExpiry);

    /// @notice Active status and unexpired KYC.
    function isActive(address account) external view returns (bool);

    function jurisdiction(bytes2 code) external view returns (Jurisdiction memory);

    function isAdmitted(bytes2 code) external view returns (bool);

    function jurisdictionOfRegulator(address regulator) external view returns (bytes2);

    function memberCount() external view returns (uint256);

    function members() external view returns (bytes2[] memory);

    function proposal(uint256 proposalId) external view returns (Proposal memory);

    function proposalCount() external view returns (uint256);

    function votingPeriod() external view returns (uint40);

    function observers() external view returns (address[] memory);

    function hasVoted(uint256 proposalId, bytes2 voterJurisdiction) external view returns (bool);
}
