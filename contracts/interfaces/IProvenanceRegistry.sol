// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice An item's id: the keccak-256 hash of its EPC URI (SGTIN, SSCC, GIAI, ...).
type ItemId is bytes32;

/// @title IProvenanceRegistry
/// @notice Supply-chain provenance records shaped after GS1 EPCIS 2.0. Each on-chain event anchors the CBV 2.0
/// event hash id (the sha-256 digest) of the matching EPCIS event, whose full text lives off chain, and each
/// item's record chains its events: `chainHash = keccak256(previous chainHash, kind, eventHash, documentHash)`,
/// so a rewrite of any item's history is detectable from its last hash alone.
interface IProvenanceRegistry {
    enum ProductClass {
        Other,
        Defense,
        Semiconductor,
        MedicalDevice
    }

    enum Disposition {
        None,
        Active,
        InTransit,
        Contained,
        Consumed,
        Quarantined,
        Recalled
    }

    enum EventKind {
        Commission,
        Aggregate,
        Disaggregate,
        TransformInput,
        TransformOutput,
        Ship,
        Receive,
        Certify,
        Recall,
        Quarantine,
        Release,
        Deliver
    }

    /// @notice An item's record.
    /// @param exportClass An ECCN such as "3A001" or "EAR99", as ASCII left-aligned in 8 bytes.
    /// @param contents How many items are packed in it now.
    struct Item {
        address custodian;
        bytes2 origin;
        ProductClass productClass;
        Disposition disposition;
        bytes8 exportClass;
        address manufacturer;
        uint32 contents;
        ItemId parent;
        bytes32 lastEventHash;
    }

    /// @notice What a transformation produces: a new item and its attributes.
    struct Output {
        ItemId id;
        bytes2 origin;
        ProductClass productClass;
        bytes8 exportClass;
    }

    // ---------------------------------------------------------------- events

    event ItemCommissioned(
        ItemId indexed item,
        address indexed manufacturer,
        bytes2 origin,
        ProductClass productClass,
        bytes8 exportClass,
        bytes32 eventHash,
        bytes32 documentHash,
        bytes32 chainHash
    );
    event ItemAggregated(ItemId indexed parent, ItemId indexed child, bytes32 eventHash, bytes32 chainHash);
    event ItemDisaggregated(ItemId indexed parent, ItemId indexed child, bytes32 eventHash, bytes32 chainHash);
    /// @notice One line of a bill of materials: `input` went into `output` in transformation `eventHash`.
    event ItemTransformed(ItemId indexed input, ItemId indexed output, bytes32 eventHash);
    event ItemShipped(
        ItemId indexed item,
        address indexed from,
        address indexed to,
        bytes32 licenceRef,
        bytes32 eventHash,
        bytes32 chainHash
    );
    /// @notice `receiver` took custody of `item` (the shipper is named by the ItemShipped event before it).
    event ItemReceived(ItemId indexed item, address indexed receiver, bytes32 eventHash, bytes32 chainHash);
    event ItemCertified(
        ItemId indexed item,
        address indexed auditor,
        bytes32 documentHash,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 eventHash,
        bytes32 chainHash
    );
    event ItemDispositionChanged(
        ItemId indexed item,
        Disposition previous,
        Disposition current,
        address indexed by,
        bytes32 eventHash,
        bytes32 chainHash
    );
    /// @notice The shipment of `item` is to be delivered against a payment of `price` DUSD units to `seller`.
    event DeliveryAgainstPaymentOffered(
        ItemId indexed item,
        address indexed seller,
        address indexed buyer,
        uint256 price
    );
    event DeliveryAgainstPaymentWithdrawn(ItemId indexed item, address indexed seller, address indexed buyer);
    /// @notice The buyer took custody as the delivery leg of payment `uetr`, settled in the same transaction.
    event ItemDelivered(
        ItemId indexed item,
        address indexed from,
        address indexed to,
        bytes16 uetr,
        uint256 price,
        bytes32 eventHash,
        bytes32 chainHash
    );

    // ---------------------------------------------------------------- errors

    error ProvenanceUnknownItem(ItemId item);
    error ProvenanceItemExists(ItemId item);
    error ProvenanceNotCustodian(ItemId item, address caller, address custodian);
    /// @notice The item's disposition does not allow the operation.
    error ProvenanceInvalidDisposition(ItemId item, Disposition disposition);
    error ProvenanceParticipantNotActive(address account);
    error ProvenanceNotManufacturer(address account);
    error ProvenanceNotAuditor(address account);
    error ProvenanceNotRegulator(address account, ItemId item);
    error ProvenanceInvalidJurisdiction(bytes2 code);
    error ProvenanceInvalidExportClass(bytes8 exportClass);
    /// @notice A controlled item crossing from `fromJurisdiction` to `toJurisdiction` needs a licence reference.
    error ProvenanceLicenceRequired(ItemId item, bytes8 exportClass, bytes2 fromJurisdiction, bytes2 toJurisdiction);
    error ProvenanceMissingEventHash();
    error ProvenanceSelfShipment(ItemId item);
    error ProvenanceNotRecipient(ItemId item, address caller);
    error ProvenanceNotChild(ItemId parent, ItemId child);
    /// @notice A controlled `child` (export class other than EAR99) cannot go into an EAR99 container: shipments
    /// check the container's class, so the container must be classified at least as strictly as its contents.
    error ProvenanceControlledContents(ItemId parent, ItemId child, bytes8 childExportClass);
    error ProvenanceEmptyList();
    /// @notice A container still holding `contents` items cannot be consumed: unpack it first.
    error ProvenanceContainerNotEmpty(ItemId item, uint256 contents);
    error ProvenanceInvalidValidity(uint40 validFrom, uint40 validUntil);
    error ProvenanceInvalidDocument();
    error ProvenanceNotSettlementEngine(address caller);
    error ProvenanceZeroAddress();
    /// @notice The shipment waits for its payment: only a delivery versus payment can complete it.
    error ProvenancePaymentPending(ItemId item, uint256 price);
    error ProvenanceNoDeliveryAgainstPayment(ItemId item);
    /// @notice The payment does not match the seller's terms.
    error ProvenancePaymentMismatch(ItemId item, address seller, uint256 price, address creditor, uint256 amount);
    error ProvenanceInvalidPrice(uint256 price);

    // ---------------------------------------------------------------- events of the supply chain

    /// @notice The caller, an Active supplier, commissions a new item it manufactured (EPCIS ObjectEvent ADD).
    function commission(
        ItemId item,
        bytes2 origin,
        ProductClass productClass,
        bytes8 exportClass,
        bytes32 eventHash,
        bytes32 documentHash
    ) external;

    /// @notice Packs `children` into `parent` (EPCIS AggregationEvent ADD); the caller holds them all. A
    /// controlled child needs a controlled container.
    function aggregate(ItemId parent, ItemId[] calldata children, bytes32 eventHash) external;

    /// @notice Unpacks `children` from `parent` (AggregationEvent DELETE).
    function disaggregate(ItemId parent, ItemId[] calldata children, bytes32 eventHash) external;

    /// @notice Consumes `inputs` into new `outputs` (EPCIS TransformationEvent: a bill of materials). Each output
    /// carries its manufacturer's own export classification. An input must not be a container with contents,
    /// which would otherwise stay packed, out of reach, in a consumed parent.
    function transform(ItemId[] calldata inputs, Output[] calldata outputs, bytes32 eventHash) external;

    /// @notice The custodian ships an item to `to` (ObjectEvent OBSERVE, bizStep shipping).
    function ship(ItemId item, address to, bytes32 licenceRef, bytes32 eventHash) external;

    /// @notice As {ship}, but the buyer takes custody only by paying `price` to the caller in a delivery versus
    /// payment (see ISettlementEngine.settleDeliveryVersusPayment).
    function shipAgainstPayment(
        ItemId item,
        address buyer,
        uint256 price,
        bytes32 licenceRef,
        bytes32 eventHash
    ) external;

    /// @notice The seller takes back a shipment against payment that was not paid for.
    function withdrawShipmentAgainstPayment(ItemId item, bytes32 eventHash) external;

    /// @notice The recipient of a shipment takes custody (bizStep receiving).
    function receiveItem(ItemId item, bytes32 eventHash) external;

    /// @notice An auditor attests a certificate (document hash) valid from `validFrom` until `validUntil`.
    function certify(
        ItemId item,
        bytes32 documentHash,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 eventHash
    ) external;

    /// @notice The Active holder (the custodian of the outermost container, for a packed item), or a regulator of
    /// the item's origin or of its holder's jurisdiction, recalls the item; an item in transit only by a regulator.
    function recall(ItemId item, bytes32 eventHash) external;

    function quarantine(ItemId item, bytes32 eventHash) external;

    function release(ItemId item, bytes32 eventHash) external;

    /// @notice The settlement engine completes a shipment against payment: `buyer` paid `amount` to `seller`
    /// under `uetr` in the same transaction. Reverts unless the terms match.
    function deliver(
        ItemId item,
        address seller,
        address buyer,
        uint256 amount,
        bytes16 uetr,
        bytes32 eventHash
    ) external;

    /// @notice The seller and price of a pending delivery versus payment (zero when none).
    function deliveryTerms(ItemId item) external view returns (address seller, uint256 price);

    // ---------------------------------------------------------------- views

    function item(ItemId id) external view returns (Item memory);

    function registry() external view returns (address);

    function settlementEngine() external view returns (address);

    /// @notice The admin names the settlement engine allowed to {deliver}.
    function setSettlementEngine(address engine) external;

    event SettlementEngineSet(address indexed engine);
}
