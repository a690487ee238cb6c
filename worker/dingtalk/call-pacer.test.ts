import { describe, expect, it } from "vitest";
import { CallPacer } from "./call-pacer.ts";

/** A clock that only moves when the pacer sleeps, so waits are exact. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

describe("CallPacer", () => {
  it("lets 20 calls to an API through at once and makes the 21st wait until the oldest has left the pacing window", async () => {
    const time = fakeTime();
    const pacer = new CallPacer(20, time);
    const started: number[] = [];
    for (let i = 0; i < 41; i++) {
      await pacer.turn("/topapi/message/corpconversation/sendbytemplate");
      started.push(time.now());
    }
    expect(started.slice(0, 20).every((t) => t === 1_000_000)).toBe(true);
    expect(started[20]).toBe(1_000_000 + 1_101);
    expect(started[40]).toBe(1_000_000 + 2 * 1_101);
    // No second of ours ever holds more than 20 starts.
    for (const t of started) expect(started.filter((s) => s > t - 1_000 && s <= t).length).toBeLessThanOrEqual(20);
  });

  it("counts each API on its own, as the vendor does", async () => {
    const time = fakeTime();
    const pacer = new CallPacer(2, time);
    await pacer.turn("a");
    await pacer.turn("a");
    await pacer.turn("b");
    await pacer.turn("b");
    expect(time.sleeps).toEqual([]);
    await pacer.turn("a");
    expect(time.sleeps).toEqual([1_101]);
  });

  it("does not wait once the earlier calls are more than the pacing window old", async () => {
    const time = fakeTime();
    const pacer = new CallPacer(1, time);
    await pacer.turn("a");
    time.advance(1_101);
    await pacer.turn("a");
    expect(time.sleeps).toEqual([]);
  });
});
