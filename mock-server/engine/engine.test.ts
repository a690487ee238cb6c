import { describe, expect, it } from "vitest";
import { chinaDay, MockClock, nextChinaMidnight } from "../clock.ts";
import { contentFingerprint } from "./content-fingerprint.ts";
import { EmployeeLedger } from "./employee-ledger.ts";
import { journalTime } from "./journal.ts";
import { MinuteWindow } from "./minute-window.ts";
import { newRequestId } from "./seeded-random.ts";

describe("China-time day", () => {
  it("turns at 16:00 UTC", () => {
    expect(chinaDay(Date.parse("2026-11-25T15:59:59.999Z"))).toBe("2026-11-25");
    expect(chinaDay(Date.parse("2026-11-25T16:00:00.000Z"))).toBe("2026-11-26");
    expect(new Date(nextChinaMidnight(Date.parse("2026-11-25T02:00:00Z"))).toISOString()).toBe("2026-11-25T16:00:00.000Z");
    expect(new Date(nextChinaMidnight(Date.parse("2026-11-25T16:00:00Z"))).toISOString()).toBe("2026-11-26T16:00:00.000Z");
  });

  it("answers right when asked about the same day again and about other days in between (it remembers the last one)", () => {
    const start = Date.parse("2026-11-24T15:00:00.000Z");
    for (let ms = start; ms < start + 3 * 86_400_000; ms += 3_599_999) {
      for (const at of [ms, ms + 1, ms - 86_400_000, ms]) {
        expect(chinaDay(at)).toBe(new Date(at + 8 * 3_600_000).toISOString().slice(0, 10));
      }
    }
    expect(chinaDay(Date.parse("1969-12-31T15:59:59.999Z"))).toBe("1969-12-31");
    expect(chinaDay(Date.parse("1969-12-31T16:00:00.000Z"))).toBe("1970-01-01");
    expect(() => chinaDay(Number.NaN)).toThrow(RangeError);
  });
});

describe("newRequestId", () => {
  it("gives 13 base-36 characters, fresh each time, across refills of its random buffer", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const id = newRequestId();
      expect(id).toMatch(/^[0-9a-z]{13}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(2_000);
  });
});

describe("journalTime", () => {
  it("formats as toISOString, remembering only the last instant", () => {
    for (const ms of [0, 0, 1, 1_764_036_000_000, 1_764_036_000_000, 1, -1, 1_764_036_000_001]) {
      expect(journalTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => journalTime(Number.NaN)).toThrow(RangeError);
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
  const rules = { dailyCap: 2, dedupe: true };

  it("caps per day and forgets the cap on a new day", () => {
    const ledger = new EmployeeLedger();
    const app = ledger.of("corp/1");
    expect(app.admit("k", "2026-11-25", 1, rules, false).kind).toBe("ok");
    expect(app.admit("k", "2026-11-25", 1, rules, false).kind).toBe("duplicateContent");
    expect(app.admit("k", "2026-11-25", 2, rules, false).kind).toBe("ok");
    expect(app.admit("k", "2026-11-25", 3, rules, false)).toEqual({ kind: "dailyCap", day: "2026-11-25", count: 2 });
    expect(ledger.count("corp/1", "k", "2026-11-25")).toBe(2);
    expect(app.admit("k", "2026-11-26", 1, rules, false).kind).toBe("ok");
    expect(ledger.count("corp/1", "k", "2026-11-26")).toBe(1);
    expect(ledger.count("corp/1", "k", "2026-11-25")).toBe(0);
  });

  it("checks duplicates and the cap before the minute window, and records nothing when the window is full", () => {
    const ledger = new EmployeeLedger();
    const app = ledger.of("corp/1");
    expect(app.admit("k", "2026-11-25", 1, rules, true).kind).toBe("windowFull");
    expect(ledger.count("corp/1", "k", "2026-11-25")).toBe(0);
    app.admit("k", "2026-11-25", 1, rules, false);
    expect(app.admit("k", "2026-11-25", 1, rules, true).kind).toBe("duplicateContent");
    expect(app.admit("k", "2026-11-25", 2, rules, true).kind).toBe("windowFull");
    app.admit("k", "2026-11-25", 2, rules, false);
    expect(app.admit("k", "2026-11-25", 3, rules, true).kind).toBe("dailyCap");
    // Off, the same content goes through again (and still counts).
    expect(app.admit("k", "2026-11-25", 1, { dailyCap: 3, dedupe: false }, false).kind).toBe("ok");
    expect(ledger.count("corp/1", "k", "2026-11-25")).toBe(3);
  });

  it("keeps apps apart and survives a JSON snapshot", () => {
    const ledger = new EmployeeLedger();
    ledger.of("corp/1").admit("k", "2026-11-25", 1, rules, false);
    ledger.of("corp/2").admit("k", "2026-11-25", 2, rules, false);
    ledger.of("corp/2").admit("k", "2026-11-25", 3, rules, false);
    expect(ledger.count("corp/1", "k", "2026-11-25")).toBe(1);
    expect(ledger.count("corp/3", "k", "2026-11-25")).toBe(0);

    const restored = new EmployeeLedger();
    restored.restore(JSON.parse(JSON.stringify(ledger.snapshot())));
    expect(restored.snapshot()).toEqual(ledger.snapshot());
    expect(restored.count("corp/2", "k", "2026-11-25")).toBe(2);
    expect(restored.of("corp/2").admit("k", "2026-11-25", 2, { dailyCap: 9, dedupe: true }, false).kind).toBe("duplicateContent");
  });

  it("reads the fingerprints of snapshots written before they were numbers", () => {
    const fingerprint = contentFingerprint("tpl", { name: "Ada" });
    const restored = new EmployeeLedger();
    restored.restore([["corp/1", [["k", { day: "2026-11-25", count: 1, fingerprints: [`tpl:${fingerprint.toString(36)}`] }]]]]);
    expect(restored.of("corp/1").admit("k", "2026-11-25", fingerprint, { dailyCap: 9, dedupe: true }, false).kind).toBe("duplicateContent");
    expect(restored.of("corp/1").admit("k", "2026-11-25", contentFingerprint("tpl", { name: "Bo" }), { dailyCap: 9, dedupe: true }, false).kind).toBe("ok");
  });
});
