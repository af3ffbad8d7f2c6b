// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IProvenanceRegistry, ItemId} from "../interfaces/IProvenanceRegistry.sol";

/// @title ProvenanceRegistry
/// @notice Custody and composition records of defense components, semiconductors and medical devices, one
/// EPCIS 2.0 event at a time. Only the current custodian acts on an item, except auditors certifying,
/// regulators recalling and the settlement engine delivering against payment.
/// @dev An item's first word packs its custodian, origin, class, disposition and export class, so a shipment
/// reads and writes that word and the chain hash only.
contract ProvenanceRegistry is AccessControl, IProvenanceRegistry {
    bytes8 private constant EAR99 = "EAR99";

    /// @dev A shipment waiting for its payment: one word.
    struct Terms {
        address seller;
        uint96 price;
    }

    IParticipantRegistry private immutable _registry;
    mapping(ItemId id => Item) private _items;
    mapping(ItemId id => Terms) private _terms;
    address private _engine;

    constructor(address admin, IParticipantRegistry registry_) {
        if (admin == address(0) || address(registry_) == address(0)) revert ProvenanceZeroAddress();
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- commissioning and composition

    /// @inheritdoc IProvenanceRegistry
    function commission(
        ItemId id,
        bytes2 origin,
        ProductClass productClass,
        bytes8 exportClass,
        bytes32 eventHash,
        bytes32 documentHash
    ) external {
        _requireEventHash(eventHash);
        _requireManufacturer(msg.sender);
        _create(Output({id: id, origin: origin, productClass: productClass, exportClass: exportClass}));
        Item storage it = _items[id];
        bytes32 chain = _chain(it, EventKind.Commission, eventHash, documentHash);
        emit ItemCommissioned(id, msg.sender, origin, productClass, exportClass, eventHash, documentHash, chain);
    }

    /// @inheritdoc IProvenanceRegistry
    function aggregate(ItemId parent, ItemId[] calldata children, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        if (children.length == 0) revert ProvenanceEmptyList();
        Item storage container = _items[parent];
        _requireHeld(parent, container, Disposition.Active);
        // Shipments check the container's export class only, so it must be controlled if anything inside is.
        bool uncontrolled = container.exportClass == EAR99;
        for (uint256 i = 0; i < children.length; ++i) {
            ItemId child = children[i];
            if (ItemId.unwrap(child) == ItemId.unwrap(parent)) revert ProvenanceNotChild(parent, child);
            Item storage it = _items[child];
            _requireHeld(child, it, Disposition.Active);
            if (uncontrolled && it.exportClass != EAR99) {
                revert ProvenanceControlledContents(parent, child, it.exportClass);
            }
            it.parent = parent;
            it.disposition = Disposition.Contained;
            emit ItemAggregated(parent, child, eventHash, _chain(it, EventKind.Aggregate, eventHash, 0));
        }
        container.contents += uint32(children.length);
        _chain(container, EventKind.Aggregate, eventHash, 0);
    }

    /// @inheritdoc IProvenanceRegistry
    function disaggregate(ItemId parent, ItemId[] calldata children, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        if (children.length == 0) revert ProvenanceEmptyList();
        Item storage container = _items[parent];
        _requireHeld(parent, container, Disposition.Active);
        for (uint256 i = 0; i < children.length; ++i) {
            ItemId child = children[i];
            Item storage it = _items[child];
            Disposition state = it.disposition;
            // A child recalled while packed is unpacked still recalled.
            if (
                ItemId.unwrap(it.parent) != ItemId.unwrap(parent) ||
                (state != Disposition.Contained && state != Disposition.Recalled)
            ) revert ProvenanceNotChild(parent, child);
            // The child stays where its parent is: with the parent's custodian.
            it.custodian = msg.sender;
            it.parent = ItemId.wrap(0);
            if (state == Disposition.Contained) it.disposition = Disposition.Active;
            emit ItemDisaggregated(parent, child, eventHash, _chain(it, EventKind.Disaggregate, eventHash, 0));
        }
        // Every child checked above was in the container, once each (a repeated child fails as no longer packed).
        container.contents -= uint32(children.length);
        _chain(container, EventKind.Disaggregate, eventHash, 0);
    }

    /// @inheritdoc IProvenanceRegistry
    function transform(ItemId[] calldata inputs, Output[] calldata outputs, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        if (inputs.length == 0 || outputs.length == 0) revert ProvenanceEmptyList();
        _requireManufacturer(msg.sender);
        // Each output carries its manufacturer's own export classification: a product made from controlled parts
        // is classified as a product (often differently from its parts), unlike a container, which only holds them.
        for (uint256 i = 0; i < inputs.length; ++i) {
            Item storage it = _items[inputs[i]];
            _requireHeld(inputs[i], it, Disposition.Active);
            if (it.contents != 0) revert ProvenanceContainerNotEmpty(inputs[i], it.contents);
            it.disposition = Disposition.Consumed;
            _chain(it, EventKind.TransformInput, eventHash, 0);
        }
        for (uint256 o = 0; o < outputs.length; ++o) {
            Output calldata out = outputs[o];
            _create(out);
            Item storage it = _items[out.id];
            bytes32 chain = _chain(it, EventKind.TransformOutput, eventHash, 0);
            emit ItemCommissioned(
                out.id,
                msg.sender,
                out.origin,
                out.productClass,
                out.exportClass,
                eventHash,
                0,
                chain
            );
            for (uint256 i = 0; i < inputs.length; ++i) {
                emit ItemTransformed(inputs[i], out.id, eventHash);
            }
        }
    }

    // ---------------------------------------------------------------- custody

    /// @inheritdoc IProvenanceRegistry
    function ship(ItemId id, address to, bytes32 licenceRef, bytes32 eventHash) public {
        _requireEventHash(eventHash);
        Item storage it = _items[id];
        _requireHeld(id, it, Disposition.Active);
        if (to == msg.sender) revert ProvenanceSelfShipment(id);
        _requireCrossing(id, it.exportClass, msg.sender, to, licenceRef);
        // In transit, the custodian is the recipient: only it may receive; the shipper is in the event.
        it.custodian = to;
        it.disposition = Disposition.InTransit;
        emit ItemShipped(id, msg.sender, to, licenceRef, eventHash, _chain(it, EventKind.Ship, eventHash, licenceRef));
    }

    /// @inheritdoc IProvenanceRegistry
    function receiveItem(ItemId id, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        Item storage it = _items[id];
        if (it.disposition == Disposition.None) revert ProvenanceUnknownItem(id);
        if (it.disposition != Disposition.InTransit) revert ProvenanceInvalidDisposition(id, it.disposition);
        if (it.custodian != msg.sender) revert ProvenanceNotRecipient(id, msg.sender);
        uint256 price = _terms[id].price;
        if (price != 0) revert ProvenancePaymentPending(id, price);
        _requireActive(msg.sender);
        it.disposition = Disposition.Active;
        emit ItemReceived(id, msg.sender, eventHash, _chain(it, EventKind.Receive, eventHash, 0));
    }

    /// @inheritdoc IProvenanceRegistry
    function shipAgainstPayment(
        ItemId id,
        address buyer,
        uint256 price,
        bytes32 licenceRef,
        bytes32 eventHash
    ) external {
        // The settlement engine pays at most 2^88 - 1 units in one payment.
        if (price == 0 || price > type(uint88).max) revert ProvenanceInvalidPrice(price);
        ship(id, buyer, licenceRef, eventHash);
        _terms[id] = Terms({seller: msg.sender, price: uint96(price)});
        emit DeliveryAgainstPaymentOffered(id, msg.sender, buyer, price);
    }

    /// @inheritdoc IProvenanceRegistry
    function withdrawShipmentAgainstPayment(ItemId id, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        Terms memory terms = _terms[id];
        if (terms.seller == address(0)) revert ProvenanceNoDeliveryAgainstPayment(id);
        Item storage it = _items[id];
        if (terms.seller != msg.sender) revert ProvenanceNotCustodian(id, msg.sender, terms.seller);
        _requireActive(msg.sender);
        address buyer = it.custodian;
        delete _terms[id];
        it.custodian = msg.sender;
        // A shipment recalled on its way goes back to the seller still recalled.
        if (it.disposition == Disposition.InTransit) it.disposition = Disposition.Active;
        emit DeliveryAgainstPaymentWithdrawn(id, msg.sender, buyer);
        emit ItemReceived(id, msg.sender, eventHash, _chain(it, EventKind.Receive, eventHash, 0));
    }

    /// @inheritdoc IProvenanceRegistry
    function deliver(
        ItemId id,
        address seller,
        address buyer,
        uint256 amount,
        bytes16 uetr,
        bytes32 eventHash
    ) external {
        if (msg.sender != _engine) revert ProvenanceNotSettlementEngine(msg.sender);
        _requireEventHash(eventHash);
        Terms memory terms = _terms[id];
        if (terms.seller == address(0)) revert ProvenanceNoDeliveryAgainstPayment(id);
        Item storage it = _items[id];
        if (it.disposition != Disposition.InTransit) revert ProvenanceInvalidDisposition(id, it.disposition);
        if (it.custodian != buyer) revert ProvenanceNotRecipient(id, buyer);
        if (terms.seller != seller || terms.price != amount) {
            revert ProvenancePaymentMismatch(id, terms.seller, terms.price, seller, amount);
        }
        delete _terms[id];
        it.disposition = Disposition.Active;
        emit ItemDelivered(id, seller, buyer, uetr, amount, eventHash, _chain(it, EventKind.Deliver, eventHash, uetr));
    }

    // ---------------------------------------------------------------- attestations and dispositions

    /// @inheritdoc IProvenanceRegistry
    function certify(ItemId id, bytes32 documentHash, uint40 validFrom, uint40 validUntil, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        if (documentHash == bytes32(0)) revert ProvenanceInvalidDocument();
        if (validUntil <= validFrom) revert ProvenanceInvalidValidity(validFrom, validUntil);
        (IParticipantRegistry.Kind kind, , , ) = _registry.standing(msg.sender);
        if (kind != IParticipantRegistry.Kind.Auditor || !_registry.isActive(msg.sender)) {
            revert ProvenanceNotAuditor(msg.sender);
        }
        Item storage it = _items[id];
        if (it.disposition == Disposition.None) revert ProvenanceUnknownItem(id);
        bytes32 chain = _chain(it, EventKind.Certify, eventHash, documentHash);
        emit ItemCertified(id, msg.sender, documentHash, validFrom, validUntil, eventHash, chain);
    }

    /// @inheritdoc IProvenanceRegistry
    function recall(ItemId id, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        Item storage it = _items[id];
        Disposition current = it.disposition;
        if (current == Disposition.None) revert ProvenanceUnknownItem(id);
        if (current == Disposition.Recalled || current == Disposition.Consumed) {
            revert ProvenanceInvalidDisposition(id, current);
        }
        Item storage outer = _outermost(it);
        address holder = outer.custodian;
        // In transit the custodian field names the recipient, who has not accepted the item: only a regulator
        // recalls goods on their way. Otherwise the Active holder may recall what it holds.
        if (msg.sender != holder || outer.disposition == Disposition.InTransit) {
            _requireRegulatorOf(id, it.origin, holder);
        } else {
            _requireActive(msg.sender);
        }
        _setDisposition(id, it, Disposition.Recalled, EventKind.Recall, eventHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function quarantine(ItemId id, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        Item storage it = _items[id];
        _requireHeld(id, it, Disposition.Active);
        _setDisposition(id, it, Disposition.Quarantined, EventKind.Quarantine, eventHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function release(ItemId id, bytes32 eventHash) external {
        _requireEventHash(eventHash);
        Item storage it = _items[id];
        _requireHeld(id, it, Disposition.Quarantined);
        _setDisposition(id, it, Disposition.Active, EventKind.Release, eventHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function setSettlementEngine(address engine) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (engine == address(0)) revert ProvenanceZeroAddress();
        _engine = engine;
        emit SettlementEngineSet(engine);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProvenanceRegistry
    function item(ItemId id) external view returns (Item memory) {
        return _items[id];
    }

    /// @inheritdoc IProvenanceRegistry
    function deliveryTerms(ItemId id) external view returns (address seller, uint256 price) {
        Terms memory terms = _terms[id];
        return (terms.seller, terms.price);
    }

    /// @inheritdoc IProvenanceRegistry
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IProvenanceRegistry
    function settlementEngine() external view returns (address) {
        return _engine;
    }

    // ---------------------------------------------------------------- internals

    function _create(Output memory out) private {
        if (ItemId.unwrap(out.id) == bytes32(0)) revert ProvenanceUnknownItem(out.id);
        Item storage it = _items[out.id];
        if (it.disposition != Disposition.None) revert ProvenanceItemExists(out.id);
        _requireJurisdiction(out.origin);
        _requireExportClass(out.exportClass);
        it.custodian = msg.sender;
        it.origin = out.origin;
        it.productClass = out.productClass;
        it.disposition = Disposition.Active;
        it.exportClass = out.exportClass;
        it.manufacturer = msg.sender;
    }

    /// @dev Extends the item's hash chain with one event and returns the new head.
    function _chain(
        Item storage it,
        EventKind kind,
        bytes32 eventHash,
        bytes32 documentHash
    ) private returns (bytes32 head) {
        head = keccak256(abi.encode(it.lastEventHash, kind, eventHash, documentHash));
        it.lastEventHash = head;
    }

    function _setDisposition(ItemId id, Item storage it, Disposition to, EventKind kind, bytes32 eventHash) private {
        Disposition previous = it.disposition;
        it.disposition = to;
        emit ItemDispositionChanged(id, previous, to, msg.sender, eventHash, _chain(it, kind, eventHash, 0));
    }

    /// @dev The caller is the item's custodian, an Active participant, and the item is in `expected` state.
    function _requireHeld(ItemId id, Item storage it, Disposition expected) private view {
        Disposition current = it.disposition;
        if (current == Disposition.None) revert ProvenanceUnknownItem(id);
        if (current != expected) revert ProvenanceInvalidDisposition(id, current);
        if (it.custodian != msg.sender) revert ProvenanceNotCustodian(id, msg.sender, it.custodian);
        _requireActive(msg.sender);
    }

    /// @dev Custody moves only between Active participants; a controlled item (any export class but EAR99)
    /// crossing a border needs a licence reference.
    function _requireCrossing(
        ItemId id,
        bytes8 exportClass,
        address from,
        address to,
        bytes32 licenceRef
    ) private view {
        (, , bytes2 fromJurisdiction, ) = _registry.standing(from);
        bytes2 toJurisdiction = _requireActive(to);
        if (exportClass != EAR99 && fromJurisdiction != toJurisdiction && licenceRef == bytes32(0)) {
            revert ProvenanceLicenceRequired(id, exportClass, fromJurisdiction, toJurisdiction);
        }
    }

    function _requireActive(address account) private view returns (bytes2 jurisdiction) {
        IParticipantRegistry.Kind kind;
        IParticipantRegistry.Status status;
        uint40 kycExpiry;
        (kind, status, jurisdiction, kycExpiry) = _registry.standing(account);
        if (
            kind == IParticipantRegistry.Kind.None ||
            kind == IParticipantRegistry.Kind.Auditor ||
            status != IParticipantRegistry.Status.Active ||
            kycExpiry <= block.timestamp
        ) revert ProvenanceParticipantNotActive(account);
    }

    function _requireManufacturer(address account) private view {
        (IParticipantRegistry.Kind kind, , , ) = _registry.standing(account);
        if (kind != IParticipantRegistry.Kind.Supplier) revert ProvenanceNotManufacturer(account);
        _requireActive(account);
    }

    function _requireRegulatorOf(ItemId id, bytes2 origin, address holder) private view {
        bytes2 code = _registry.jurisdictionOfRegulator(msg.sender);
        if (code == bytes2(0) || !_registry.isActive(msg.sender)) revert ProvenanceNotRegulator(msg.sender, id);
        (, , bytes2 holderJurisdiction, ) = _registry.standing(holder);
        if (code != origin && code != holderJurisdiction) revert ProvenanceNotRegulator(msg.sender, id);
    }

    /// @dev Who holds an item: its custodian or, while it is packed, the custodian of its outermost container. A
    /// packed item's own custodian is whoever packed it; the container may have changed hands since. The walk
    /// ends: a parent is Active when it takes a child, and an item never contains itself.
    /// @dev The outermost container `it` is packed in (following parents, which only packed items have), or `it`.
    function _outermost(Item storage it) private view returns (Item storage) {
        while (ItemId.unwrap(it.parent) != bytes32(0)) it = _items[it.parent];
        return it;
    }

    function _requireEventHash(bytes32 eventHash) private pure {
        if (eventHash == bytes32(0)) revert ProvenanceMissingEventHash();
    }

    function _requireJurisdiction(bytes2 code) private pure {
        bytes1 a = code[0];
        bytes1 b = code[1];
        if (a < "A" || a > "Z" || b < "A" || b > "Z") revert ProvenanceInvalidJurisdiction(code);
    }

    /// @dev "EAR99", or an ECCN: a digit (category), a letter A-E (group), three digits; an optional suffix of
    /// up to three characters (".a1") may follow.
    function _requireExportClass(bytes8 exportClass) private pure {
        if (exportClass == EAR99) return;
        bytes1 category = exportClass[0];
        bytes1 group = exportClass[1];
        bool valid = category >= "0" && category <= "9" && group >= "A" && group <= "E";
        for (uint256 i = 2; i < 5 && valid; ++i) {
            valid = exportClass[i] >= "0" && exportClass[i] <= "9";
        }
        if (!valid) revert ProvenanceInvalidExportClass(exportClass);
    }
}
