import { describe, expect, it } from "vitest";
import { admitSend } from "./admission.ts";
import { NodeSqlStorage } from "../../bench/node-sql-storage.ts";
import { migrate } from "../durable/schema.ts";
import { SqlQuotaStore } from "../durable/sql-quota-store.ts";
import { MemoryQuotaStore } from "./memory-quota-store.ts";
import type { QuotaStore } from "./quota-store.ts";
import { msUntilRoomFor, WINDOW_MS } from "./minute-window.ts";

const limits = { recipientsPerMinute: 10, dailyMessagesPerEmployee: 2, recipientsPerSend: 4, windowMs: WINDOW_MS, clockSkewGuardMs: 0 };
const T0 = Date.parse("2026-11-25T02:00:00Z");
const ids = (n: number, prefix = "u") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** The rules over both stores: the plain one, and the object's SQLite (node:sqlite here) with its migrations. */
const STORES: [string, () => QuotaStore][] = [
  ["memory", () => new MemoryQuotaStore()],
  [
    "SQLite",
    () => {
      const sql = new NodeSqlStorage().asSqlStorage();
      migrate(sql);
      return new SqlQuotaStore(sql);
    },
  ],
];

describe.each(STORES)("over the %s store", (_, newStore) => {
  describe("admitSend", () => {
    it("reserves admitted recipients in per-send chunks", () => {
      const store = newStore();
      const admission = admitSend(store, limits, { reservationId: "n1", userids: ids(10), fingerprint: "f", nowMs: T0 });
      expect(admission.kind).toBe("admitted");
      if (admission.kind !== "admitted") return;
      expect(admission.chunks.map((c) => c.userids.length)).toEqual([4, 4, 2]);
      expect(admission.chunks.map((c) => c.reservationId)).toEqual(["n1/0", "n1/1", "n1/2"]);
      expect(store.windowEntries(0).reduce((sum, e) => sum + e.recipients, 0)).toBe(10);
    });

    it("reserves nothing when the rest does not fit the window, and says when it will", () => {
      const store = newStore();
      admitSend(store, limits, { reservationId: "a", userids: ids(6, "a"), fingerprint: "f", nowMs: T0 });
      for (const id of ["a/0", "a/1"]) store.settle(id, T0);
      admitSend(store, limits, { reservationId: "b", userids: ids(3, "b"), fingerprint: "f", nowMs: T0 + 10_000 });
      store.settle("b/0", T0 + 10_000);
      const full = admitSend(store, limits, { reservationId: "c", userids: ids(5, "c"), fingerprint: "f", nowMs: T0 + 20_000 });
      expect(full).toMatchObject({ kind: "window-full", inWindow: 9, needed: 5 });
      // Room for 5 once the first 6 age out: 60 s after T0, 40 s from now.
      expect(full.kind === "window-full" && full.retryAfterMs).toBe(40_000);
      expect(store.employeeDays("2026-11-25", "f", ids(5, "c")).size).toBe(0);
    });

    it("suppresses duplicates and the daily cap before counting the window", () => {
      const store = newStore();
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
      const store = newStore();
      const first = admitSend(store, limits, { reservationId: "1", userids: ["x"], fingerprint: "f", nowMs: T0 });
      if (first.kind !== "admitted") throw new Error("expected admission");
      store.release(first.chunks[0]!.reservationId);
      expect(store.windowEntries(0)).toEqual([]);
      const again = admitSend(store, limits, { reservationId: "2", userids: ["x"], fingerprint: "f", nowMs: T0 });
      expect(again.suppressed).toEqual([]);
    });

    it("starts a new day at 00:00 China time", () => {
      const store = newStore();
      const beforeMidnight = Date.parse("2026-11-25T15:59:59.999Z");
      admitSend(store, limits, { reservationId: "1", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight });
      const sameDay = admitSend(store, limits, { reservationId: "2", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight });
      expect(sameDay.suppressed).toHaveLength(1);
      const nextDay = admitSend(store, limits, { reservationId: "3", userids: ["x"], fingerprint: "f", nowMs: beforeMidnight + 1 });
      expect(nextDay.suppressed).toHaveLength(0);
    });
  });

  describe("the window counts from the vendor's answer", () => {
    const guarded = { ...limits, clockSkewGuardMs: 2_000 };

    it("keeps an unanswered send in the window however long it is in flight", () => {
      const store = newStore();
      admitSend(store, guarded, { reservationId: "slow", userids: ids(10), fingerprint: "f", nowMs: T0 });
      // Two minutes later the answer has still not come: the vendor may count it any moment.
      const later = admitSend(store, guarded, { reservationId: "next", userids: ["x"], fingerprint: "f2", nowMs: T0 + 120_000 });
      expect(later).toMatchObject({ kind: "window-full", inWindow: 10 });
      expect(later.kind === "window-full" && later.retryAfterMs).toBe(WINDOW_MS);
    });

    it("frees the place a window after the answer arrived plus the guard, not after admission", () => {
      const store = newStore();
      admitSend(store, guarded, { reservationId: "a", userids: ids(4), fingerprint: "f", nowMs: T0 });
      admitSend(store, guarded, { reservationId: "b", userids: ids(4, "b"), fingerprint: "f", nowMs: T0 });
      // 400 ms of latency each, one after the other: the vendor counted them as late as T0+400 and T0+800.
      store.settle("a/0", T0 + 400 + 2_000);
      store.settle("b/0", T0 + 800 + 2_000);
      const atAdmissionPlusMinute = admitSend(store, guarded, { reservationId: "c", userids: ids(4, "c"), fingerprint: "f", nowMs: T0 + WINDOW_MS });
      expect(atAdmissionPlusMinute).toMatchObject({ kind: "window-full", inWindow: 8 });
      expect(atAdmissionPlusMinute.kind === "window-full" && atAdmissionPlusMinute.retryAfterMs).toBe(2_400);
      const afterTheGuard = admitSend(store, guarded, { reservationId: "d", userids: ids(4, "d"), fingerprint: "f", nowMs: T0 + WINDOW_MS + 2_400 });
      expect(afterTheGuard.kind).toBe("admitted");
    });

    it("never moves a settled place earlier", () => {
      const store = newStore();
      admitSend(store, guarded, { reservationId: "a", userids: ids(10), fingerprint: "f", nowMs: T0 });
      store.settle("a/0", T0 + 30_000);
      store.settle("a/0", T0);
      expect(store.windowEntries(0)).toEqual([{ atMs: T0 + 30_000, recipients: 4 }, { atMs: T0 + 2_000, recipients: 4, inFlight: true }, { atMs: T0 + 2_000, recipients: 2, inFlight: true }].sort((a, b) => a.atMs - b.atMs));
    });

    it("sums the window as its entries do: settled places from the window's start, in-flight ones whatever their time", () => {
      const store = newStore();
      admitSend(store, guarded, { reservationId: "old", userids: ids(3, "o"), fingerprint: "f", nowMs: T0 });
      admitSend(store, guarded, { reservationId: "stuck", userids: ids(2, "s"), fingerprint: "f", nowMs: T0 });
      admitSend(store, guarded, { reservationId: "new", userids: ids(4, "n"), fingerprint: "f", nowMs: T0 + 40_000 });
      // Answered at once: each keeps its place at admission plus the guard (T0+2 s and T0+42 s).
      store.settle("old/0", T0 + 1_000);
      store.settle("new/0", T0 + 41_000);
      // "stuck" was never answered: it still counts after the others of its time have left.
      for (const since of [0, T0 + 2_000, T0 + 2_001, T0 + 42_000, T0 + 42_001]) {
        const summed = store.windowEntries(since).reduce((sum, e) => sum + e.recipients, 0);
        expect(store.recipientsInWindow(since), `since ${since - T0}`).toBe(summed);
      }
      expect(store.recipientsInWindow(T0 + 2_001)).toBe(6);
      expect(store.recipientsInWindow(T0 + 42_001)).toBe(2);
    });

    it("sums the window as its entries do through settles, releases and pruning at any millisecond", () => {
      // The SQLite store sums settled sends per second (minute_window_seconds) and reads one second's rows: every
      // change of a row must move its second's sum, and a window may start anywhere within a second.
      const store = newStore();
      // Every send admitted: the test is about the sums, not the limit.
      const everyone = { ...guarded, recipientsPerMinute: 1_000_000 };
      // xorshift32: the same sequence every run.
      let seed = 7;
      const random = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const open: string[] = [];
      let nowMs = T0;
      for (let send = 0; send < 300; send++) {
        nowMs += random(700);
        const admitted = admitSend(store, everyone, { reservationId: `s${send}`, userids: ids(1 + random(6), `s${send}-`), fingerprint: `f${send}`, nowMs });
        if (admitted.kind === "admitted") open.push(...admitted.chunks.map((chunk) => chunk.reservationId));
        // Answers come late, some twice, some never; some sends are given back, before or after their answer.
        while (open.length > 3 || (open.length > 0 && random(3) === 0)) {
          const id = open.splice(random(open.length), 1)[0]!;
          const fate = random(10);
          // Some answers land on a whole second, where the per-second sums and the row-by-row part meet.
          const answeredMs = random(4) === 0 ? Math.ceil(nowMs / 1000) * 1000 + 1000 * random(3) : nowMs + random(3_000);
          if (fate === 0) store.release(id);
          else store.settle(id, answeredMs);
          if (fate === 1) store.settle(id, nowMs + random(5_000));
          if (fate === 2) store.release(id);
        }
        if (send % 100 === 99 && store instanceof SqlQuotaStore) store.prune(nowMs, "2026-11-25", WINDOW_MS);
        // A restart: every send in flight is settled a window later, in one statement.
        if (send === 150 && store instanceof SqlQuotaStore) store.settleAllInFlight(nowMs + WINDOW_MS);
        // The window's real start, one on a second, anywhere in the minute, and among the places just settled.
        const starts = [nowMs - WINDOW_MS + 1, Math.floor((nowMs - WINDOW_MS) / 1000) * 1000, nowMs - random(WINDOW_MS), ...ids(6).map(() => nowMs - 3_000 + random(9_000)), Math.ceil(nowMs / 1000) * 1000];
        for (const since of starts) {
          const summed = store.windowEntries(since).reduce((sum, e) => sum + e.recipients, 0);
          expect(store.recipientsInWindow(since), `send ${send}, since ${since - T0}`).toBe(summed);
        }
      }
    });
  });

  describe("retries of lost answers", () => {
    it("count in the window but not again in the ledger, and are not suppressed as their own duplicate", () => {
      const store = newStore();
      admitSend(store, limits, { reservationId: "first", userids: ["x", "y"], fingerprint: "f", nowMs: T0 });
      // The answer was lost: x and y keep their ledger entries and are retried.
      const retry = admitSend(store, limits, { reservationId: "retry", userids: ["x", "y", "z"], fingerprint: "f", nowMs: T0, held: new Set(["x", "y"]) });
      expect(retry.kind === "admitted" && retry.chunks.map((c) => c.userids)).toEqual([["x", "y", "z"]]);
      expect(retry.suppressed).toEqual([]);
      expect(store.employeeDays("2026-11-25", "f", ["x", "y", "z"])).toEqual(
        new Map([
          ["x", { messages: 1, seen: true }],
          ["y", { messages: 1, seen: true }],
          ["z", { messages: 1, seen: true }],
        ]),
      );
      expect(store.windowEntries(0).reduce((sum, e) => sum + e.recipients, 0)).toBe(5);
    });

    it("gives back one employee's ledger entries when the vendor reports them not delivered", () => {
      const store = newStore();
      admitSend(store, limits, { reservationId: "n", userids: ["x", "y"], fingerprint: "f", nowMs: T0 });
      store.releaseEmployees("n/0", ["y"]);
      expect(store.employeeDays("2026-11-25", "f", ["x", "y"])).toEqual(new Map([["x", { messages: 1, seen: true }]]));
      expect(store.employeeDays("2026-11-25", "another", ["x", "y"])).toEqual(new Map([["x", { messages: 1, seen: false }]]));
      store.releaseEmployees("n/0", ["y"]);
      expect(store.employeeDays("2026-11-25", "f", ["y"]).size).toBe(0);
    });

    it("sends in chunks of the request's size when it asks for fewer than the vendor's maximum", () => {
      const store = newStore();
      const admission = admitSend(store, limits, { reservationId: "v", userids: ids(7), fingerprint: "f", nowMs: T0, recipientsPerSend: 3 });
      expect(admission.kind === "admitted" && admission.chunks.map((c) => c.userids.length)).toEqual([3, 3, 1]);
    });
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
