import { PACKED_UNITS, type UserSlots } from "../world/user-slots.ts";

/** What reading one userid_list found. */
export interface ListReading {
  /** Entries, blanks left out, repeats and unknown ids counted (what `splitList(list).length` says). */
  listed: number;
  /** Slots written to `out`, each employee once. */
  found: number;
}

/**
 * Reads a userid_list in place, the way `splitList` reads it (commas, blank
 * entries ignored, each entry trimmed), without a string per entry: each
 * known employee's slot goes to `out` once (marked in `slots`, whose marks the
 * caller clears first; `out` has room for every slot), each unknown id to
 * `invalid`. An entry is packed in the pass that finds its end, so the
 * directory hashes and confirms it from two integers (UserSlots.slotOfPackedRange).
 */
export function readUseridList(list: string, slots: UserSlots, out: Uint32Array, invalid: Set<string>): ListReading {
  if (list.length <= MAX_ENCODED_UNITS) {
    if (listBytes.length < list.length) listBytes = new Uint8Array(Math.min(MAX_ENCODED_UNITS, Math.max(list.length, listBytes.length * 2)));
    const { read, written } = utf8.encodeInto(list, listBytes);
    // All ASCII: one byte per code unit at the same index, and a byte array reads faster than charCodeAt.
    if (read === list.length && written === list.length) return readAscii(listBytes, list, slots, out, invalid);
  }
  return readUnits(list, slots, out, invalid);
}

/** Longest list read through bytes; a longer one is read by code units, so the buffer stays bounded. */
const MAX_ENCODED_UNITS = 1 << 20;
/** Reused between sends (reading is synchronous): the list as UTF-8. */
let listBytes = new Uint8Array(8192);
const utf8 = new TextEncoder();
const COMMA = 0x2c;
/** readPadded's answer for an entry that is blank once trimmed. */
const BLANK = -2;

/** `readUseridList` over `bytes`, which hold `list` in ASCII. Kept apart from readUnits so each loop reads one kind of array. */
function readAscii(bytes: Uint8Array, list: string, slots: UserSlots, out: Uint32Array, invalid: Set<string>): ListReading {
  const length = list.length;
  const reading: ListReading = { listed: 0, found: 0 };
  let start = 0;
  while (start <= length) {
    let low = 0;
    let high = 0;
    let end = start;
    for (; end < length; end++) {
      const code = bytes[end]!;
      if (code === COMMA) break;
      const k = end - start;
      if (k < 4) low |= code << (k * 8);
      else if (k < PACKED_UNITS) high |= code << ((k - 4) * 8);
    }
    const plain = end > start && isPlain(bytes[start]!) && isPlain(bytes[end - 1]!);
    takeEntry(list, start, end, plain, low, high, end - start <= PACKED_UNITS, slots, out, invalid, reading);
    start = end + 1;
  }
  return reading;
}

/** `readUseridList` by UTF-16 code units, for a list with any non-ASCII character. */
function readUnits(list: string, slots: UserSlots, out: Uint32Array, invalid: Set<string>): ListReading {
  const length = list.length;
  const reading: ListReading = { listed: 0, found: 0 };
  let start = 0;
  while (start <= length) {
    let low = 0;
    let high = 0;
    let wide = false;
    let end = start;
    for (; end < length; end++) {
      const code = list.charCodeAt(end);
      if (code === COMMA) break;
      const k = end - start;
      if (k < 4) low |= code << (k * 8);
      else if (k < PACKED_UNITS) high |= code << ((k - 4) * 8);
      if (code > 0xff) wide = true;
    }
    const plain = end > start && isPlain(list.charCodeAt(start)) && isPlain(list.charCodeAt(end - 1));
    takeEntry(list, start, end, plain, low, high, !wide && end - start <= PACKED_UNITS, slots, out, invalid, reading);
    start = end + 1;
  }
  return reading;
}

/**
 * One entry, `list[start, end)`, found by either loop: its slot to `out` once,
 * an unknown id to `invalid`. `plain`: neither end is anything trim() would
 * remove (the common case, looked up from `low` and `high`, which hold the
 * whole entry when `packedWhole`); otherwise it is trimmed first.
 */
function takeEntry(
  list: string,
  start: number,
  end: number,
  plain: boolean,
  low: number,
  high: number,
  packedWhole: boolean,
  slots: UserSlots,
  out: Uint32Array,
  invalid: Set<string>,
  reading: ListReading,
): void {
  if (plain) {
    reading.listed += 1;
    const slot = slots.slotOfPackedRange(list, start, end, low, high, packedWhole);
    if (slot < 0) invalid.add(list.slice(start, end));
    else if (slots.mark(slot)) out[reading.found++] = slot;
    return;
  }
  const slot = readPadded(list, start, end, slots, invalid);
  if (slot !== BLANK) reading.listed += 1;
  if (slot >= 0 && slots.mark(slot)) out[reading.found++] = slot;
}

/** An entry that is blank, or padded with what trim() removes: the rare case, read as splitList does. Its slot, -1 if unknown (then in `invalid`), or BLANK. */
function readPadded(list: string, start: number, end: number, slots: UserSlots, invalid: Set<string>): number {
  const trimmed = list.slice(start, end).trim();
  if (trimmed === "") return BLANK;
  const slot = slots.slotOf(trimmed);
  if (slot < 0) invalid.add(trimmed);
  return slot;
}

/** A character trim() never removes: every whitespace and line terminator it knows is ≤ U+0020 or ≥ U+00A0. */
function isPlain(code: number): boolean {
  return code > 32 && code < 160;
}
