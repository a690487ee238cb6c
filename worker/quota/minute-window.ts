import type { WindowEntry } from "./quota-store.ts";

/**
 * The per-(corp, app) minute window, read as a sliding 60 s: the strictest
 * reading of "5,000 recipients per minute", so sends that pass it also pass a
 * calendar-minute rule.
 *
 * A send occupies the window from when the vendor counted it, which we only
 * bound from above: the moment its answer arrived, plus a guard for clock
 * skew. A send not yet answered occupies it from "now" for as long as it is
 * in flight. Time taken before the call would free the window too early by
 * the call's latency, and the vendor would drop the difference silently.
 */
export const WINDOW_MS = 60_000;

/** The first instant still inside the window that ends at `nowMs`. */
export function windowStart(nowMs: number, windowMs: number = WINDOW_MS): number {
  return nowMs - windowMs + 1;
}

/** When the entry counts from, as seen at `nowMs`: an unanswered send may still be counted at any moment. */
export function countedFrom(entry: WindowEntry, nowMs: number): number {
  return entry.inFlight ? Math.max(entry.atMs, nowMs) : entry.atMs;
}

export function recipientsInWindow(entries: readonly WindowEntry[]): number {
  let total = 0;
  for (const entry of entries) total += entry.recipients;
  return total;
}

/**
 * How long until `needed` more recipients fit, as entries age out of the
 * window; 0 when they fit now, Infinity when they never can.
 */
export function msUntilRoomFor(entries: readonly WindowEntry[], nowMs: number, needed: number, limit: number, windowMs: number = WINDOW_MS): number {
  if (needed > limit) return Number.POSITIVE_INFINITY;
  let used = recipientsInWindow(entries);
  if (used + needed <= limit) return 0;
  const byAge = entries.map((entry) => ({ from: countedFrom(entry, nowMs), recipients: entry.recipients })).sort((a, b) => a.from - b.from);
  for (const entry of byAge) {
    used -= entry.recipients;
    if (used + needed <= limit) return Math.max(0, entry.from + windowMs - nowMs);
  }
  return 0;
}

/**
 * How long until `needed` more recipients fit behind `ahead` recipients that
 * take the window's room first (the queue, which the alarm drains as room
 * frees). While they fit in one window, that is when room for all of them
 * appears; beyond, the window must empty once and then carry a full window
 * of the queue per cycle (`cycleMs`: the window plus what each send adds to
 * it, the skew guard) until what is left fits. An estimate: the queue may
 * grow, and sends of other callers take room too.
 */
export function msUntilRoomBehind(
  entries: readonly WindowEntry[],
  nowMs: number,
  ahead: number,
  needed: number,
  limit: number,
  windowMs: number = WINDOW_MS,
  cycleMs: number = windowMs,
): number {
  if (needed > limit) return Number.POSITIVE_INFINITY;
  const total = ahead + needed;
  if (total <= limit) return msUntilRoomFor(entries, nowMs, total, limit, windowMs);
  return msUntilRoomFor(entries, nowMs, limit, limit, windowMs) + Math.floor((total - 1) / limit) * cycleMs;
}
