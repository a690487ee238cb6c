import { describe, expect, it } from "vitest";
import { SlotArena } from "./slot-arena.ts";
import { seededRandom } from "./seeded-random.ts";

describe("SlotArena", () => {
  it("reads back every run held while runs come and go, mostly oldest first", () => {
    const random = seededRandom(5);
    const arena = new SlotArena();
    const held = new Map<number, Uint32Array>();
    const order: number[] = [];
    let peak = 0;
    for (let step = 0; step < 3_000; step++) {
      const run = Uint32Array.from({ length: Math.floor(random() * 2_000) }, () => Math.floor(random() * 2 ** 32));
      const start = arena.append(run);
      peak = Math.max(peak, arena.held);
      held.set(start, run);
      order.push(start);
      // Drop the oldest most of the time, now and then one from the middle (a task replaced by its id).
      while (held.size > 40) {
        const index = random() < 0.9 ? 0 : Math.floor(random() * order.length);
        const [dropped] = order.splice(index, 1);
        arena.drop(dropped!, held.get(dropped!)!.length);
        held.delete(dropped!);
      }
      if (step % 100 === 0) for (const [start, run] of held) expect(Array.from(run, (_, i) => arena.at(start, i))).toEqual([...run]);
    }
    // Room for a quarter more than the most ever held (runs dropped out of order count until the oldest goes), rounded up to 4,096.
    expect(arena.capacity).toBeLessThanOrEqual(1.25 * peak + 4_096);
    for (const start of [...order]) {
      arena.drop(start, held.get(start)!.length);
      held.delete(start);
    }
    expect(arena.held).toBe(0);
    expect(arena.capacity).toBe(4_096);
  });

  it("stays right across 2^31 and 2^32 positions (positions only grow)", () => {
    for (const first of [2 ** 31 - 3_000, 2 ** 32 - 3_000, 2 ** 40 - 3_000]) {
      const arena = new SlotArena(first);
      const runs = [1_000, 5_000, 7_000].map((length, r) => Uint32Array.from({ length }, (_, i) => r * 100_000 + i));
      const starts = runs.map((run) => arena.append(run));
      expect(starts[0]).toBe(first);
      runs.forEach((run, r) => expect(Array.from(run, (_, i) => arena.at(starts[r]!, i))).toEqual([...run]));
      arena.drop(starts[0]!, runs[0]!.length);
      runs.slice(1).forEach((run, r) => expect(Array.from(run, (_, i) => arena.at(starts[r + 1]!, i))).toEqual([...run]));
    }
  });
});
