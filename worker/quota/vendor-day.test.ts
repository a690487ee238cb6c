import { describe, expect, it } from "vitest";
import { lostSendDay, retryStaysOnDay, STRADDLES_MIDNIGHT } from "./vendor-day.ts";

/** 00:00 China time on 2026-11-26. */
const MIDNIGHT = Date.parse("2026-11-25T16:00:00Z");

describe("the vendor's day of a lost send and of its retry", () => {
  it("is the send's day when the send and the loss are far from midnight", () => {
    expect(lostSendDay(MIDNIGHT - 60_000, MIDNIGHT - 50_000, 2_000)).toBe("2026-11-25");
  });

  it("cannot be told when the send or its loss comes within the guard of midnight", () => {
    expect(lostSendDay(MIDNIGHT - 5_000, MIDNIGHT - 1_000, 2_000)).toBe(STRADDLES_MIDNIGHT);
    expect(lostSendDay(MIDNIGHT + 1_000, MIDNIGHT + 3_000, 2_000)).toBe(STRADDLES_MIDNIGHT);
    expect(lostSendDay(MIDNIGHT + 2_000, MIDNIGHT + 3_000, 2_000)).toBe("2026-11-26");
  });

  it("lets a retry go only if it lands on that day even late and skewed", () => {
    expect(retryStaysOnDay("2026-11-25", MIDNIGHT - 60_000, 2_000, 10_000)).toBe(true);
    // Leaves before our midnight, but may arrive after the vendor's.
    expect(retryStaysOnDay("2026-11-25", MIDNIGHT - 11_000, 2_000, 10_000)).toBe(false);
    expect(retryStaysOnDay("2026-11-25", MIDNIGHT + 60_000, 2_000, 10_000)).toBe(false);
    expect(retryStaysOnDay(STRADDLES_MIDNIGHT, MIDNIGHT - 60_000, 2_000, 10_000)).toBe(false);
  });
});
