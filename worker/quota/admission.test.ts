import { describe, expect, it } from "vitest";
import { admitSend } from "./admission.ts";
import { MemoryQuotaStore } from "./memory-quota-store.ts";
import { msUntilRoomFor, WINDOW_MS } from "./minute-window.ts";

const limits = { recipientsPerMinute: 10, dailyMessagesPerEmployee: 2, recipientsPerSend: 4 };
const T0 = Date.parse("2026-11-25T02:00:00Z");
const ids = (n: number, prefix = "u") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("admitSend", () => {
  it("reserves admitted recipients in per-send chunks", () => {
    const store = new MemoryQuotaStore();
    const admission = admitSend(store, limits, { reservationId: "n1", userids: ids(10), fingerprint: "f", nowMs: T0 });
    expect(admission.kind).toBe("admitted");
    if (admission.kind !== "admitted") return;
    expect(admission.chunks.map((c) => c.userids.length)).toEqual([4, 4, 2]);
    expect(admission.chunks.map((c) => c.reservationId)).toEqual(["n1/0", "n1/1", "n1/2"]);
    expect(store.windowEntries(0).reduce((sum, e) => sum + e.recipients, 0)).toBe(10);
  });

  it("reserves nothing when the rest does not fit the window, and says when it will", () => {
    const store = new MemoryQuotaStore();
    admitSend(store, limits, { reservationId: "a", userids: ids(6, "a"), fingerprint: "f", nowMs: T0 });
    admitSend(store, limits, { reservationId: "b", userids: ids(3, "b"), fingerprint: "f", nowMs: T0 + 10_000 });
    const full = admitSend(store, limits, { reservationId: "c", userids: ids(5, "c"), fingerprint: "f", nowMs: T0 + 20_000 });
    expect(full).toMatchObject({ kind: "window-full", inWindow: 9, needed: 5 });
    // Room for 5 once the first 6 age out: 60 s after T0, 40 s from now.
    expect(full.kind === "window-full" && full.retryAfterMs).toBe(40_000);
    expect(store.dayCounts("2026-11-25", ids(5, "c")).size).toBe(0);
  });

  it("suppresses duplicates and the daily cap before counting the window", () => {
    const store = new MemoryQuotaStore();
    admitSend(store, limits, { reservationId: "1", userids: ["x", "y"], fingerprint: "f1", nowMs: T0 });
    admitSend(store, limits, { reservationId: "2", userids: ["x"], fingerprint: "f2", nowMs: T0 });
    const third = admitSend(store, limits, { reservationId: "3", userids: ["x", "y", "z"], fingerprint: "f1", nowMs: T0 });
    expect(third.suppressed).toEqual([
      { userid: "x", reason: "duplicate-content" },
      { userid: "y", reason: "duplicate-content" },
    ]);
    const fourth = admitSend(store, limits, { reservationId: "4", userids: ["x"], fingerprint: "f3", nowMs: T0 });
    expect(fourth.suppressed).toEqual([{ userid: "x", reason: "daily-cap", messagesToday: 2 }]);
    expect(fourth.kind === "admitted" && fourth.chunks).toEqual([]);
  });

  it("gives everything back on release", () => {
    const store = new MemoryQuotaStore();
    const first = admitSend(store, limits, { reservationId: "1", userids: ["x"], fingerprint: "f", nowMs: T0 });
    if (first.kind !== "admitted") throw new Error("expected admission");
    store.release(first.chunks[0]!.reservationId);
    expect(store.windowEntries(0)).toEqual([]);
    const again = admitSend(store, limits, { reservationId: "2", userids: ["x"], fingerprint: "f", nowMs: T0 });
    expect(again.suppressed).toEqual([]);
  });

  it("starts a new day at 00:00 China time", () => {
    const store = new MemoryQuotaStore();
    const beforeMidnight = Date.parse("2026-11-25T15:59:59.999Z");
    admitSend(store, limits, { reservationId: "1", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight });
    const sameDay = admitSend(store, limits, { reservationId: "2", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight });
    expect(sameDay.suppressed).toHaveLength(1);
    const nextDay = admitSend(store, limits, { reservationId: "3", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight + 1 });
    expect(nextDay.suppressed).toHaveLength(0);
  });
});

describe("msUntilRoomFor", () => {
  it("is 0 with room, the age-out time without, and Infinity beyond the limit", () => {
    const entries = [
      { atMs: 0, recipients: 5 },
      { atMs: 30_000, recipients: 5 },
    ];
    expect(msUntilRoomFor(entries, 40_000, 0, 10)).toBe(0);
    expect(msUntilRoomFor(entries, 40_000, 3, 10)).toBe(WINDOW_MS - 40_000);
    expect(msUntilRoomFor(entries, 40_000, 8, 10)).toBe(30_000 + WINDOW_MS - 40_000);
    expect(msUntilRoomFor(entries, 40_000, 11, 10)).toBe(Number.POSITIVE_INFINITY);
  });
});
