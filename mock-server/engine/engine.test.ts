import { describe, expect, it } from "vitest";
import { chinaDay, MockClock, nextChinaMidnight } from "../clock.ts";
import { contentFingerprint } from "./content-fingerprint.ts";
import { EmployeeLedger } from "./employee-ledger.ts";
import { MinuteWindow } from "./minute-window.ts";

describe("China-time day", () => {
  it("turns at 16:00 UTC", () => {
    expect(chinaDay(Date.parse("2026-11-25T15:59:59.999Z"))).toBe("2026-11-25");
    expect(chinaDay(Date.parse("2026-11-25T16:00:00.000Z"))).toBe("2026-11-26");
    expect(new Date(nextChinaMidnight(Date.parse("2026-11-25T02:00:00Z"))).toISOString()).toBe("2026-11-25T16:00:00.000Z");
    expect(new Date(nextChinaMidnight(Date.parse("2026-11-25T16:00:00Z"))).toISOString()).toBe("2026-11-26T16:00:00.000Z");
  });
});

describe("MockClock", () => {
  it("runs with real time, freezes, and keeps its offset across a snapshot", () => {
    let real = 1_000;
    const clock = new MockClock({ startMs: 50_000, realNow: () => real });
    real += 500;
    expect(clock.now()).toBe(50_500);
    clock.setFrozen(true);
    real += 10_000;
    expect(clock.now()).toBe(50_500);
    clock.setFrozen(false);
    const saved = clock.snapshot();
    real += 2_000;
    const restored = new MockClock({ realNow: () => real });
    restored.restore(saved);
    expect(restored.now()).toBe(52_500);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe("contentFingerprint", () => {
  it("ignores key order and tells templates and values apart", () => {
    expect(contentFingerprint("t", { a: "1", b: "2" })).toBe(contentFingerprint("t", { b: "2", a: "1" }));
    expect(contentFingerprint("t", { a: "1" })).not.toBe(contentFingerprint("u", { a: "1" }));
    expect(contentFingerprint("t", { a: "1" })).not.toBe(contentFingerprint("t", { a: "2" }));
  });
});

describe("MinuteWindow", () => {
  it("sums a sliding 60 s window and forgets what left it", () => {
    const window = new MinuteWindow();
    window.record("app", 0, 3);
    window.record("app", 30_000, 2);
    expect(window.use("app", 59_999, "sliding").used).toBe(5);
    expect(window.use("app", 60_000, "sliding").used).toBe(2);
    expect(window.use("app", 200_000, "sliding").used).toBe(0);
    expect(window.snapshot()[0]?.[1]).toHaveLength(0);
  });

  it("resets at the calendar minute", () => {
    const window = new MinuteWindow();
    window.record("app", 59_000, 4);
    expect(window.use("app", 59_999, "calendar")).toEqual({ used: 4, windowStartMs: 0 });
    expect(window.use("app", 60_000, "calendar")).toEqual({ used: 0, windowStartMs: 60_000 });
  });
});

describe("EmployeeLedger", () => {
  it("caps per day and forgets the cap on a new day", () => {
    const ledger = new EmployeeLedger();
    const options = { dailyCap: 2, dedupe: true };
    ledger.record("k", "2026-11-25", "a");
    expect(ledger.check("k", "2026-11-25", "a", options).kind).toBe("duplicateContent");
    ledger.record("k", "2026-11-25", "b");
    expect(ledger.check("k", "2026-11-25", "c", options).kind).toBe("dailyCap");
    expect(ledger.check("k", "2026-11-26", "a", options).kind).toBe("ok");
  });
});
