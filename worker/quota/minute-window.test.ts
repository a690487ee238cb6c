import { describe, expect, it } from "vitest";
import { msUntilRoomBehind, msUntilRoomFor } from "./minute-window.ts";

const T0 = Date.UTC(2026, 10, 25, 2);
const LIMIT = 5_000;
const WINDOW = 60_000;
const CYCLE = 62_000;

describe("msUntilRoomBehind: when a send fits behind the queue", () => {
  // A window filled at T0 (answers plus the guard), read 10 s later.
  const full = [{ atMs: T0, recipients: LIMIT }];
  const now = T0 + 10_000;

  it("is the window's own answer when nothing is queued", () => {
    expect(msUntilRoomBehind(full, now, 0, 1, LIMIT, WINDOW, CYCLE)).toBe(msUntilRoomFor(full, now, 1, LIMIT, WINDOW));
    expect(msUntilRoomBehind([], now, 0, 1, LIMIT, WINDOW, CYCLE)).toBe(0);
  });

  it("waits for room for the queue and the send together while both fit in one window", () => {
    // 3,000 queued take the room that frees at T0 + 60 s first; the send fits beside them.
    expect(msUntilRoomBehind(full, now, 3_000, 1, LIMIT, WINDOW, CYCLE)).toBe(50_000);
    // Half the window free now: 2,000 queued and 500 more fit at once.
    const half = [{ atMs: T0, recipients: 2_500 }];
    expect(msUntilRoomBehind(half, now, 2_000, 500, LIMIT, WINDOW, CYCLE)).toBe(0);
    expect(msUntilRoomBehind(half, now, 2_000, 501, LIMIT, WINDOW, CYCLE)).toBe(50_000);
  });

  it("adds a cycle per full window the queue needs before the send fits", () => {
    // 100,000 queued: the window empties in 50 s, then 20 full windows of the queue go before the send.
    expect(msUntilRoomBehind(full, now, 100_000, 1, LIMIT, WINDOW, CYCLE)).toBe(50_000 + 20 * CYCLE);
    // Exactly one window of queue plus the send: one cycle after the window empties.
    expect(msUntilRoomBehind(full, now, 5_000, 1, LIMIT, WINDOW, CYCLE)).toBe(50_000 + CYCLE);
    expect(msUntilRoomBehind(full, now, 4_999, 1, LIMIT, WINDOW, CYCLE)).toBe(50_000);
  });

  it("is never, for a send larger than the window", () => {
    expect(msUntilRoomBehind([], now, 0, LIMIT + 1, LIMIT, WINDOW, CYCLE)).toBe(Number.POSITIVE_INFINITY);
  });
});
