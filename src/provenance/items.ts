/**
 * Item ids of the provenance registry. An item's id is the keccak-256 hash of the UTF-8 text of its
 * canonical identifier: the constrained canonical GS1 Digital Link URI that the CBV 2.0 event hash uses
 * (`https://id.gs1.org/01/<GTIN-14>/21/<serial>`, `https://id.gs1.org/00/<SSCC>`, ...). An EPC URI
 * (`urn:epc:id:sgtin:0614141.107346.2017`) and any Digital Link of the same item (another domain, a query
 * string, extra qualifiers) give the same id. Identifiers without a Digital Link form (`urn:epc:id:gid:...`,
 * `urn:epc:id:usdod:...`) are hashed as written, trimmed.
 *
 * The Digital Link form is the canonical one because it is the only form both spellings convert to: an EPC
 * URI can be computed from a Digital Link only with the GS1 company prefix length, which the link lacks.
 */
import { keccak256, toUtf8Bytes } from "ethers";

import { toCanonicalIdentifier } from "./digitalLink";

/** The canonical form of an item identifier (EPC URI or GS1 Digital Link URI). */
export function canonicalEpc(epc: string): string {
  return toCanonicalIdentifier(epc.trim());
}

/** The registry's `ItemId` of an item identifier: keccak256 of its canonical form, as 0x-hex. */
export function itemIdOf(epc: string): string {
  return keccak256(toUtf8Bytes(canonicalEpc(epc)));
}
