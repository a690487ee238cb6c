import { describe, expect, it } from "vitest";
import { MINUTE_MS, MinuteWindow, type MinuteWindowMode, type WindowUse } from "./minute-window.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * The straightforward window the incremental one replaced: scans every burst on
 * each use and prunes what is more than a window before the window. The
 * incremental window must answer and prune exactly as it does.
 */
class ReferenceWindow {
  readonly bursts = new Map<string, { atMs: number; count: number }[]>();

  use(appKey: string, nowMs: number, mode: MinuteWindowMode): WindowUse {
    const windowStartMs = mode === "calendar" ? nowMs - (nowMs % MINUTE_MS) : nowMs - MINUTE_MS + 1;
    const bursts = this.bursts.get(appKey);
    if (!bursts) return { used: 0, windowStartMs };
    while (bursts.length > 0 && bursts[0]!.atMs < windowStartMs - MINUTE_MS) bursts.shift();
    let used = 0;
    for (const burst of bursts) if (burst.atMs >= windowStartMs && burst.atMs <= nowMs) used += burst.count;
    return { used, windowStartMs };
  }

  record(appKey: string, nowMs: number, count: number): void {
    if (count <= 0) return;
    const bursts = this.bursts.get(appKey) ?? [];
    this.bursts.set(appKey, bursts);
    const last = bursts[bursts.length - 1];
    if (last && last.atMs === nowMs) last.count += count;
    else if (!last || last.atMs < nowMs) bursts.push({ atMs: nowMs, count });
    else bursts.splice(bursts.findIndex((burst) => burst.atMs > nowMs), 0, { atMs: nowMs, count });
  }
}

describe("MinuteWindow against a brute-force reference", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees on every use and snapshot over random sends, jumps, rewinds and mode switches (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      let window = new MinuteWindow();
      const reference = new ReferenceWindow();
      let nowMs = 1_764_036_000_000 + Math.floor(random() * MINUTE_MS);
      let mode: MinuteWindowMode = "sliding";

      for (let step = 0; step < 6_000; step++) {
        const roll = random();
        if (roll < 0.6) nowMs += pick([0, 0, 1, 3, 17, 250, 999]);
        else if (roll < 0.65) nowMs += pick([MINUTE_MS - 1, MINUTE_MS, MINUTE_MS + 1, 2 * MINUTE_MS, 5 * MINUTE_MS]);
        else if (roll < 0.7) nowMs -= pick([1, 500, MINUTE_MS - 1, MINUTE_MS, MINUTE_MS + 1, 3 * MINUTE_MS]); // MockClock.set back
        else if (roll < 0.72) mode = mode === "sliding" ? "calendar" : "sliding";
        else if (roll < 0.73) {
          // A Durable Object eviction: the window comes back from its JSON snapshot.
          const restored = new MinuteWindow();
          restored.restore(JSON.parse(JSON.stringify(window.snapshot())));
          window = restored;
        }
        const appKey = pick(["corp/1", "corp/1", "corp/2"]);
        // Sends use the window and then record what they delivered, at the same instant.
        if (random() < 0.85) {
          expect(window.use(appKey, nowMs, mode), `step ${step}`).toEqual(reference.use(appKey, nowMs, mode));
        }
        if (random() < 0.8) {
          const count = pick([0, 1, 1, 1, 2, 40, 1000]);
          window.record(appKey, nowMs, count);
          reference.record(appKey, nowMs, count);
        }
        if (step % 50 === 0) expect(window.snapshot(), `step ${step}`).toEqual([...reference.bursts]);
      }
      for (const appKey of ["corp/1", "corp/2", "corp/3"]) {
        expect(window.use(appKey, nowMs, mode)).toEqual(reference.use(appKey, nowMs, mode));
      }
    });
  }

  it("stays exact over a long run of sends in one app, many in the same millisecond", () => {
    const window = new MinuteWindow();
    const reference = new ReferenceWindow();
    let nowMs = 0;
    for (let send = 0; send < 30_000; send++) {
      if (send % 3 === 0) nowMs += 7;
      const used = window.use("app", nowMs, "sliding");
      expect(used.used).toBe(reference.use("app", nowMs, "sliding").used);
      window.record("app", nowMs, 1);
      reference.record("app", nowMs, 1);
    }
    // Two minutes of history at most are kept, however long it ran.
    expect(window.snapshot()[0]![1].length).toBeLessThanOrEqual(Math.ceil((2 * MINUTE_MS) / 7) + 1);
    expect(window.snapshot()).toEqual([...reference.bursts]);
  });

  it("counts a rewound send once the clock comes back past it", () => {
    const window = new MinuteWindow();
    window.record("app", 100_000, 5);
    expect(window.use("app", 100_000, "sliding").used).toBe(5);
    window.record("app", 90_000, 2); // the clock was set back 10 s
    expect(window.use("app", 95_000, "sliding").used).toBe(2); // the later burst is in the future now
    expect(window.use("app", 100_000, "sliding").used).toBe(7);
    expect(window.use("app", 150_000, "sliding").used).toBe(5);
    expect(window.use("app", 160_000, "sliding").used).toBe(0);
  });
});
