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
    for (let slot = 0; slot < userids.length; slot++) {
      const userid = userids[slot]!;
      if (this.slotOf(userid) >= 0) throw new Error(`userid "${userid}" appears twice`);
      const hash = hashRange(userid, 0, userid.length);
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
    const length = end - start;
    const hash = hashRange(text, start, end);
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

/** FNV-1a over UTF-16 code units: the low bits pick a table position, the top bits are the entry's tag. */
function hashRange(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  // Mix the high bits down: userids often differ only in their last characters.
  return hash ^ (hash >>> 15);
}
