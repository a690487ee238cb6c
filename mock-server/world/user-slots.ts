/**
 * A corp's employees numbered 0…n-1 (their "slots", in seed order), found by
 * userid without building a string: a 1,000-recipient send reads its
 * userid_list in place, so the list is never split into 1,000 fresh strings
 * and each recipient costs one probe of an integer table instead of a Map
 * lookup that must hash a new string. Tasks, the day ledger and the inboxes
 * then index their per-employee state by slot.
 */
export class UserSlots {
  /** userid of each slot; the directory's own strings. */
  readonly #userids: readonly string[];
  /**
   * Every userid once more, end to end in one flat string, slot `s` at
   * `[#starts[s], #starts[s + 1])`: a lookup compares characters of two
   * known flat strings, where comparing with each userid's own string (of
   * whatever shape the seed gave it) cost several times as much.
   */
  readonly #all: string;
  readonly #starts: Int32Array;
  /**
   * Open addressing, linear probing, one 4-byte entry per position: slot + 1
   * in the low `#slotBits` bits (0 for empty) and the hash's top bits above
   * them, so most wrong candidates are turned away without reading their
   * characters. Kept at most 70 % full and small (64 KB for 10,000
   * employees): a lookup's one random read then mostly hits the CPU cache,
   * where a table twice the size missed it on most recipients.
   */
  readonly #table: Int32Array;
  readonly #mask: number;
  readonly #slotBits: number;
  readonly #slotMask: number;
  /**
   * Each userid of at most PACKED_UNITS code units below 256 (the usual
   * "u00001" or "manager4"), its units packed four to an integer, so a list
   * reader that packs the entry while looking for its end finds and
   * confirms it from two integers instead of reading both strings again.
   * `#packedLength` is the userid's length, or -1 for one that does not pack.
   */
  readonly #packed: Int32Array;
  readonly #packedLength: Int8Array;
  /** Per-slot marks for `mark` (one send's de-duplication); a new epoch clears them all at once. */
  readonly #marks: Uint32Array;
  #epoch = 0;

  constructor(userids: readonly string[]) {
    this.#userids = userids;
    this.#all = userids.join("");
    this.#starts = new Int32Array(userids.length + 1);
    for (let slot = 0; slot < userids.length; slot++) this.#starts[slot + 1] = this.#starts[slot]! + userids[slot]!.length;
    let size = 16;
    while (size * 0.7 < userids.length) size *= 2;
    this.#table = new Int32Array(size);
    this.#mask = size - 1;
    this.#slotBits = 32 - Math.clz32(userids.length);
    this.#slotMask = 2 ** this.#slotBits - 1;
    this.#marks = new Uint32Array(userids.length);
    this.#packed = new Int32Array(userids.length * 2);
    this.#packedLength = new Int8Array(userids.length);
    for (let slot = 0; slot < userids.length; slot++) {
      const userid = userids[slot]!;
      const packed = packUnits(userid, 0, userid.length);
      this.#packedLength[slot] = packed ? userid.length : -1;
      if (packed) {
        this.#packed[slot * 2] = packed[0];
        this.#packed[slot * 2 + 1] = packed[1];
      }
    }
    for (let slot = 0; slot < userids.length; slot++) {
      const userid = userids[slot]!;
      if (this.slotOf(userid) >= 0) throw new Error(`userid "${userid}" appears twice`);
      const hash = keyHash(userid, 0, userid.length);
      let at = hash & this.#mask;
      while (this.#table[at] !== 0) at = (at + 1) & this.#mask;
      this.#table[at] = ((hash >>> this.#slotBits) << this.#slotBits) | (slot + 1);
    }
  }

  get size(): number {
    return this.#userids.length;
  }

  useridAt(slot: number): string {
    return this.#userids[slot]!;
  }

  /** The slot of `userid`, or -1 for someone not in the corp. */
  slotOf(userid: string): number {
    return this.slotOfRange(userid, 0, userid.length);
  }

  /** The slot of the userid written at `text[start, end)`, or -1; reads the characters in place. */
  slotOfRange(text: string, start: number, end: number): number {
    return this.#slotOfHashedRange(text, start, end, keyHash(text, start, end));
  }

  #slotOfHashedRange(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const table = this.#table;
    const slotBits = this.#slotBits;
    const tag = hash >>> slotBits;
    let at = hash & this.#mask;
    for (;;) {
      const entry = table[at]!;
      if (entry === 0) return -1;
      if (entry >>> slotBits === tag) {
        const slot = (entry & this.#slotMask) - 1;
        const from = this.#starts[slot]!;
        if (this.#starts[slot + 1]! - from === length && this.#sameCharacters(text, start, from, length)) return slot;
      }
      at = (at + 1) & this.#mask;
    }
  }

  /**
   * `slotOfRange` for a range its reader packed in the same pass that found
   * its end (`low`, `high`: units 0–3 and 4–7, one byte each, as packUnits
   * writes them; `packs` false when the range is longer than PACKED_UNITS
   * or holds a unit above 255). A packed range is hashed from its two
   * integers and compared by them alone, so its characters are read once:
   * two ranges that pack are equal exactly when their lengths and packed
   * integers are. One that does not pack is read again, as slotOfRange does.
   */
  slotOfPackedRange(text: string, start: number, end: number, low: number, high: number, packs: boolean): number {
    if (!packs) return this.slotOfRange(text, start, end);
    const length = end - start;
    const hash = packedHash(low, high, length);
    const table = this.#table;
    const packed = this.#packed;
    const packedLength = this.#packedLength;
    const slotBits = this.#slotBits;
    const slotMask = this.#slotMask;
    const mask = this.#mask;
    const tag = hash >>> slotBits;
    let at = hash & mask;
    for (;;) {
      const entry = table[at]!;
      if (entry === 0) return -1;
      if (entry >>> slotBits === tag) {
        const slot = (entry & slotMask) - 1;
        if (packedLength[slot] === length && packed[slot * 2] === low && packed[slot * 2 + 1] === high) return slot;
      }
      at = (at + 1) & mask;
    }
  }

  #sameCharacters(text: string, start: number, from: number, length: number): boolean {
    const all = this.#all;
    for (let i = 0; i < length; i++) if (all.charCodeAt(from + i) !== text.charCodeAt(start + i)) return false;
    return true;
  }

  /** Starts a new round of `mark`: no slot is marked any more. */
  clearMarks(): void {
    this.#epoch += 1;
    // Once in four billion rounds the marks are wiped for real, so an old epoch never reads as current.
    if (this.#epoch === 2 ** 32) {
      this.#marks.fill(0);
      this.#epoch = 1;
    }
  }

  /**
   * Marks `slot` in the current round; false if it already was. The marks are
   * shared by every world on this directory, so a round must not span an
   * await (one send resolves its recipients synchronously).
   */
  mark(slot: number): boolean {
    if (this.#marks[slot] === this.#epoch) return false;
    this.#marks[slot] = this.#epoch;
    return true;
  }
}

/**
 * The table's hash of `text[start, end)`: packedHash of its packed units when
 * it packs, FNV-1a over its UTF-16 code units otherwise. The low bits pick a
 * table position, the top bits are the entry's tag.
 */
function keyHash(text: string, start: number, end: number): number {
  const packed = packUnits(text, start, end);
  if (packed) return packedHash(packed[0], packed[1], end - start);
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  // Mix the high bits down: userids often differ only in their last characters.
  return hash ^ (hash >>> 15);
}

/** Murmur3's finaliser over the two packed integers and the length: every unit moves the top bits (the tag) and the low ones (the position). */
function packedHash(low: number, high: number, length: number): number {
  let hash = Math.imul(low ^ Math.imul(high ^ length, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** Code units a packed key holds (see UserSlots.slotOfPackedRange): two 32-bit integers of four one-byte units. */
export const PACKED_UNITS = 8;

/** `text[start, end)` packed as slotOfPackedRange reads it, or undefined if it does not pack. */
export function packUnits(text: string, start: number, end: number): [low: number, high: number] | undefined {
  if (end - start > PACKED_UNITS) return undefined;
  let low = 0;
  let high = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return undefined;
    const k = i - start;
    if (k < 4) low |= code << (k * 8);
    else high |= code << ((k - 4) * 8);
  }
  return [low, high];
}
