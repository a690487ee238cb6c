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
  /** Open addressing, linear probing: slot + 1 at each hash position, 0 for empty. */
  readonly #table: Int32Array;
  readonly #mask: number;
  /** Per-slot marks for `mark` (one send's de-duplication); a new epoch clears them all at once. */
  readonly #marks: Uint32Array;
  #epoch = 0;

  constructor(userids: readonly string[]) {
    this.#userids = userids;
    // At most half full, so a miss ends after a probe or two.
    let size = 16;
    while (size < userids.length * 2) size *= 2;
    this.#table = new Int32Array(size);
    this.#mask = size - 1;
    this.#marks = new Uint32Array(userids.length);
    for (let slot = 0; slot < userids.length; slot++) {
      const userid = userids[slot]!;
      let at = hashRange(userid, 0, userid.length) & this.#mask;
      while (this.#table[at] !== 0) {
        if (this.#userids[this.#table[at]! - 1] === userid) throw new Error(`userid "${userid}" appears twice`);
        at = (at + 1) & this.#mask;
      }
      this.#table[at] = slot + 1;
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
    let at = hashRange(text, start, end) & this.#mask;
    for (;;) {
      const entry = this.#table[at]!;
      if (entry === 0) return -1;
      const userid = this.#userids[entry - 1]!;
      if (userid.length === length && text.startsWith(userid, start)) return entry - 1;
      at = (at + 1) & this.#mask;
    }
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

/** FNV-1a over UTF-16 code units; only the low bits pick a table position. */
function hashRange(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  // Mix the high bits down: userids often differ only in their last characters.
  return (hash ^ (hash >>> 15)) >>> 0;
}
