/**
 * Every employee's inbox as a ring of (handle, offset) pairs (see
 * DeliveryTable), all rings in one slab of 32-bit integers and their heads,
 * counts and sizes in typed arrays indexed by ring number. A delivery then
 * touches a few integers in arrays a send walks in order and one pair in the
 * slab, where an object and a typed array per employee cost two more cache
 * misses per recipient, and nothing here is for the garbage collector to
 * trace. Rings hold a power of two of pairs and grow by doubling; a ring
 * outgrown goes on a free list for the next ring of its size.
 */
export class InboxRings {
  /** Empty until the first ring: a world that never delivers pays nothing for it. */
  #slab = new Int32Array(0);
  /** Pairs of the slab handed out so far; beyond it the slab is unused. */
  #top = 0;
  /** Rings given back, by size (pairs), as slab positions (pairs). */
  #free = new Map<number, number[]>();
  #base = new Int32Array(16);
  #size = new Int32Array(16);
  #head = new Int32Array(16);
  #count = new Int32Array(16);
  #rings = 0;
  /** Pairs held by rings in use, for the accounted bytes. */
  #pairs = 0;

  /** A new empty ring of `pairs` (a power of two); its number. */
  add(pairs: number): number {
    const ring = this.#rings++;
    if (ring === this.#base.length) {
      this.#base = grown(this.#base);
      this.#size = grown(this.#size);
      this.#head = grown(this.#head);
      this.#count = grown(this.#count);
    }
    this.#base[ring] = this.#take(pairs);
    this.#size[ring] = pairs;
    return ring;
  }

  count(ring: number): number {
    return this.#count[ring]!;
  }

  size(ring: number): number {
    return this.#size[ring]!;
  }

  /** The `i`-th pair (0 = oldest) of a ring: its handle, and its offset. */
  handleAt(ring: number, i: number): number {
    return this.#slab[(this.#base[ring]! + ((this.#head[ring]! + i) & (this.#size[ring]! - 1))) * 2]!;
  }

  offsetAt(ring: number, i: number): number {
    return this.#slab[(this.#base[ring]! + ((this.#head[ring]! + i) & (this.#size[ring]! - 1))) * 2 + 1]!;
  }

  /** Adds a pair as the newest; a full ring first moves to one twice its size. */
  push(ring: number, handle: number, offset: number): void {
    const count = this.#count[ring]!;
    if (count === this.#size[ring]) this.resize(ring, count * 2);
    const at = (this.#base[ring]! + ((this.#head[ring]! + count) & (this.#size[ring]! - 1))) * 2;
    this.#slab[at] = handle;
    this.#slab[at + 1] = offset;
    this.#count[ring] = count + 1;
  }

  /**
   * `dropOldest` then `push`, for a ring at its limit (what most deliveries
   * meet once inboxes fill): the new pair goes where the ring's next pair
   * goes, which is the oldest's own place when the ring is full, and the
   * count stays.
   */
  replaceOldest(ring: number, handle: number, offset: number): void {
    const mask = this.#size[ring]! - 1;
    const head = this.#head[ring]!;
    const at = (this.#base[ring]! + ((head + this.#count[ring]!) & mask)) * 2;
    this.#slab[at] = handle;
    this.#slab[at + 1] = offset;
    this.#head[ring] = (head + 1) & mask;
  }

  /** Sets `held[handle]` to 1 for the handle of every pair of every ring: one pass over the slab's rings in ring order. */
  markHandles(held: Uint8Array): void {
    const slab = this.#slab;
    for (let ring = 0; ring < this.#rings; ring++) {
      const base = this.#base[ring]!;
      const mask = this.#size[ring]! - 1;
      const head = this.#head[ring]!;
      const count = this.#count[ring]!;
      for (let i = 0; i < count; i++) held[slab[(base + ((head + i) & mask)) * 2]!] = 1;
    }
  }

  dropOldest(ring: number): void {
    this.#head[ring] = (this.#head[ring]! + 1) & (this.#size[ring]! - 1);
    this.#count[ring] = this.#count[ring]! - 1;
  }

  /** Moves a ring's pairs, oldest first, into a ring of `pairs` (a power of two, at least its count). */
  resize(ring: number, pairs: number): void {
    const count = this.#count[ring]!;
    const base = this.#take(pairs);
    // #take may have replaced the slab: read it after.
    const slab = this.#slab;
    for (let i = 0; i < count; i++) {
      const from = (this.#base[ring]! + ((this.#head[ring]! + i) & (this.#size[ring]! - 1))) * 2;
      slab[(base + i) * 2] = slab[from]!;
      slab[(base + i) * 2 + 1] = slab[from + 1]!;
    }
    const old = this.#base[ring]!;
    const oldPairs = this.#size[ring]!;
    this.#base[ring] = base;
    this.#size[ring] = pairs;
    this.#head[ring] = 0;
    this.#give(old, oldPairs);
  }

  /** Pairs held by the rings (their sizes, not their counts). */
  get pairs(): number {
    return this.#pairs;
  }

  /** Pairs the slab has room for: the rings, the outgrown ones not yet packed away, and its spare room. */
  get slabPairs(): number {
    return this.#slab.length / 2;
  }

  #take(pairs: number): number {
    this.#pairs += pairs;
    const reused = this.#free.get(pairs)?.pop();
    if (reused !== undefined) return reused;
    const base = this.#top;
    this.#top += pairs;
    if (this.#top * 2 > this.#slab.length) {
      // By half, not double: the slab is most of an inbox's memory, and the old one lives on until the next GC.
      let length = Math.max(FIRST_SLAB_LENGTH, Math.ceil(this.#slab.length * 1.5));
      while (length < this.#top * 2) length = Math.ceil(length * 1.5);
      const slab = new Int32Array(length);
      slab.set(this.#slab.subarray(0, base * 2));
      this.#slab = slab;
    }
    return base;
  }

  #give(base: number, pairs: number): void {
    this.#pairs -= pairs;
    let list = this.#free.get(pairs);
    if (!list) this.#free.set(pairs, (list = []));
    list.push(base);
    // Rings outgrown are rarely reused (rings grow alike, so the small ones pile up): past a fifth of the slab, pack it.
    if (this.#top > MIN_PACKED_PAIRS && (this.#top - this.#pairs) * 4 > this.#pairs) this.#pack();
  }

  /** Moves every ring to the start of a new slab, end to end; no free rings are left. */
  #pack(): void {
    // A quarter to spare, so the next rings to grow need not grow the slab at once.
    const slab = new Int32Array(Math.ceil(this.#pairs * 1.25) * 2 + 1024);
    let top = 0;
    for (let ring = 0; ring < this.#rings; ring++) {
      const base = this.#base[ring]!;
      const pairs = this.#size[ring]!;
      slab.set(this.#slab.subarray(base * 2, (base + pairs) * 2), top * 2);
      this.#base[ring] = top;
      top += pairs;
    }
    this.#slab = slab;
    this.#top = top;
    this.#free = new Map();
  }
}

/** The slab's first length, in integers: room for 512 pairs. */
const FIRST_SLAB_LENGTH = 1024;
/** Below this many pairs the slab is never packed. */
const MIN_PACKED_PAIRS = 65_536;

/** The smallest power of two at least `n` (and at least 1). */
export function powerOfTwoAtLeast(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
