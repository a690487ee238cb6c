import { describe, expect, it } from "vitest";
import { InboxRings, powerOfTwoAtLeast } from "./inbox-rings.ts";
import { seededRandom } from "./seeded-random.ts";

function contents(rings: InboxRings, ring: number): [number, number][] {
  return Array.from({ length: rings.count(ring) }, (_, i) => [rings.handleAt(ring, i), rings.offsetAt(ring, i)]);
}

describe("InboxRings", () => {
  it("keeps each ring's pairs in order through pushes, drops, growth, shrinking and packing", () => {
    const random = seededRandom(11);
    const rings = new InboxRings();
    const reference: [number, number][][] = [];
    // Enough rings and pairs that the slab grows and is packed many times over.
    for (let step = 0; step < 400_000; step++) {
      if (reference.length === 0 || random() < 0.002) {
        expect(rings.add(4)).toBe(reference.length);
        reference.push([]);
        continue;
      }
      const ring = Math.floor(random() * reference.length);
      const list = reference[ring]!;
      const roll = random();
      if (roll < 0.6) {
        rings.push(ring, step, -step);
        list.push([step, -step]);
      } else if (roll < 0.7 && list.length > 0) {
        // At the ring's full size or below it: the newest replaces the oldest either way.
        rings.replaceOldest(ring, step, -step);
        list.shift();
        list.push([step, -step]);
      } else if (roll < 0.95 && list.length > 0) {
        rings.dropOldest(ring);
        list.shift();
      } else if (roll >= 0.95) {
        rings.resize(ring, powerOfTwoAtLeast(Math.max(list.length, 4)));
      }
    }
    reference.forEach((list, ring) => expect(contents(rings, ring)).toEqual(list));
    // markHandles sees exactly the handles the rings hold.
    const held = new Uint8Array(400_000);
    rings.markHandles(held);
    const expected = new Uint8Array(400_000);
    for (const list of reference) for (const [handle] of list) expected[handle] = 1;
    expect(held).toEqual(expected);
    const sizes = reference.reduce((sum, _, ring) => sum + rings.size(ring), 0);
    expect(rings.pairs).toBe(sizes);
    // Outgrown rings are packed away past a fifth of the slab, and the slab grows by half: it stays under twice the rings.
    expect(rings.slabPairs).toBeLessThanOrEqual(2 * rings.pairs + 1_024);
    reference.forEach((list, ring) => {
      expect(rings.size(ring)).toBeGreaterThanOrEqual(list.length);
      expect(rings.size(ring)).toBe(powerOfTwoAtLeast(rings.size(ring)));
    });
  });
});
