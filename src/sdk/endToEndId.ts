/**
 * The ISO 20022 end-to-end identification (Max35Text) in the one word the settlement engine takes: the
 * first byte is the length (1 to 35), then each character in 7 bits, the first character in the bits just
 * below the length byte. 8 + 35 x 7 = 253 bits, so the lowest 3 bits and any bits past the last character
 * are always zero.
 */
import { toBeHex } from "ethers";

import { describeValue, InputError } from "./errors";
import { parseBytes32, parseEndToEndId } from "./inputs";

/** Most characters an end-to-end id may have (ISO 20022 Max35Text). */
export const MAX_END_TO_END_ID_LENGTH = 35;

/** What an ISO 20022 payment carries when the debtor gave no end-to-end id. */
export const END_TO_END_ID_NOT_PROVIDED = "NOTPROVIDED";

const PACKED_EXPECTED = "a bytes32 packed end-to-end id: length byte 1..35, then 7-bit ASCII characters";

/** Bit position of the lowest bit of character `index` (0-based). */
function shiftOf(index: number): bigint {
  return BigInt(248 - 7 * (index + 1));
}

/**
 * Validates `text` as an end-to-end id (1 to 35 printable 7-bit ASCII characters, no surrounding spaces)
 * and packs it into its `bytes32` form (0x-hex, lower case).
 */
export function packEndToEndId(field: string, text: string): string {
  const id = parseEndToEndId(field, text);
  let word = BigInt(id.length) << 248n;
  for (let index = 0; index < id.length; index += 1) {
    const code = id.charCodeAt(index);
    // parseEndToEndId admits printable ASCII only; kept as the guard of the 7-bit packing itself.
    if (code > 0x7f) {
      throw new InputError(field, `${describeValue(id)} has a character above 7-bit ASCII`, "7-bit ASCII");
    }
    word |= BigInt(code) << shiftOf(index);
  }
  return toBeHex(word, 32);
}

/**
 * Unpacks a `bytes32` end-to-end id. Refuses a length byte outside 1..35, characters that are not
 * printable ASCII, and non-zero bits after the last character (so every id has exactly one packed form).
 */
export function unpackEndToEndId(hex: string, field = "endToEndId"): string {
  const word = BigInt(parseBytes32(field, hex));
  const length = Number(word >> 248n);
  if (length < 1 || length > MAX_END_TO_END_ID_LENGTH) {
    throw new InputError(field, `${hex} declares ${length} characters`, PACKED_EXPECTED);
  }
  let text = "";
  for (let index = 0; index < length; index += 1) {
    text += String.fromCharCode(Number((word >> shiftOf(index)) & 0x7fn));
  }
  const rest = word & ((1n << shiftOf(length - 1)) - 1n);
  if (rest !== 0n) throw new InputError(field, `${hex} has bits set after its last character`, PACKED_EXPECTED);
  return parseEndToEndId(field, text);
}
