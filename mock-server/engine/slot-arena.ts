/**
 * The recipients (directory slots) of every task a store keeps, end to end in
 * one ring buffer of 32-bit integers, oldest first. Tasks are kept and
 * dropped in about the order they were sent, so a ring fits: a task is a
 * run (start, length) of positions that only ever grow, and dropping the
 * oldest moves the ring's tail. One buffer instead of a typed array per task
 * means no allocation per send that outlives it, and nothing left for the
 * garbage collector to find among the old tasks; it grows and shrinks by
 * copying the runs held, keeping a quarter to spare, so it holds at most
 * about four times them (just after the oldest runs go) and usually 1.25×.
 */
export class SlotArena {
  #buffer = new Uint32Array(0);
  /** Position (not index: positions only grow) of the oldest run still held, and one past the newest. */
  #tail = 0;
  #head = 0;
  /** Runs dropped while an older one was still held, by start: the tail passes them when it gets there. */
  #dropped = new Map<number, number>();

  /** `firstPosition`: where positions start (a long-running store's positions pass 2^32; tests start there). */
  constructor(firstPosition = 0) {
    this.#tail = this.#head = firstPosition;
  }

  /** Copies `slots` in as the newest run; its start. */
  append(slots: Uint32Array): number {
    const start = this.#head;
    if (this.#head + slots.length - this.#tail > this.#buffer.length) this.#resize(this.#head + slots.length - this.#tail);
    this.#write(this.#buffer, start, slots);
    this.#head += slots.length;
    return start;
  }

  /** The `i`-th slot of the run at `start`. */
  at(start: number, i: number): number {
    return this.#buffer[(start + i) % this.#buffer.length]!;
  }

  /** Lets go of a run; its room comes back once every older run is let go too. */
  drop(start: number, length: number): void {
    if (length === 0) return;
    if (start !== this.#tail) {
      this.#dropped.set(start, length);
      return;
    }
    this.#tail += length;
    for (let next = this.#dropped.get(this.#tail); next !== undefined; next = this.#dropped.get(this.#tail)) {
      this.#dropped.delete(this.#tail);
      this.#tail += next;
    }
    if (this.#buffer.length > MIN_LENGTH && (this.#head - this.#tail) * 4 < this.#buffer.length) this.#resize(this.#head - this.#tail);
  }

  /** Positions held, runs dropped out of order but not yet passed included. */
  get held(): number {
    return this.#head - this.#tail;
  }

  /** Integers the buffer has room for. */
  get capacity(): number {
    return this.#buffer.length;
  }

  /** A buffer of room for a quarter more than `needed` (at least MIN_LENGTH), the held positions copied to the same places modulo its length. */
  #resize(needed: number): void {
    const length = Math.max(MIN_LENGTH, Math.ceil((needed * 1.25) / MIN_LENGTH) * MIN_LENGTH);
    const buffer = new Uint32Array(length);
    if (this.#head > this.#tail) this.#write(buffer, this.#tail, this.#read(this.#tail, this.#head - this.#tail));
    this.#buffer = buffer;
  }

  /** Writes `slots` at `position` on, wrapping around the buffer's end. */
  #write(buffer: Uint32Array, position: number, slots: Uint32Array): void {
    const at = position % buffer.length;
    const first = Math.min(slots.length, buffer.length - at);
    buffer.set(slots.subarray(0, first), at);
    if (first < slots.length) buffer.set(slots.subarray(first), 0);
  }

  /** A copy of `length` positions from `position` on. */
  #read(position: number, length: number): Uint32Array {
    const out = new Uint32Array(length);
    const at = position % this.#buffer.length;
    const first = Math.min(length, this.#buffer.length - at);
    out.set(this.#buffer.subarray(at, at + first));
    if (first < length) out.set(this.#buffer.subarray(0, length - first), first);
    return out;
  }
}

/** The smallest buffer, in integers: 16 KB. */
const MIN_LENGTH = 4096;
