import type { WindowEntry } from "./quota-store.ts";

/**
 * The per-(corp, app) minute window, read as a sliding 60 s: the strictest
 * reading of "5,000 recipients per minute", so sends that pass it also pass a
 * calendar-minute rule.
 */
export const WINDOW_MS = 60_000;

/** The first instant still inside the window that ends at `nowMs`. */
export function windowStart(nowMs: number): number {
  return nowMs - WINDOW_MS + 1;
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
export function msUntilRoomFor(entries: readonly WindowEntry[], nowMs: number, needed: number, limit: number): number {
  if (needed > limit) return Number.POSITIVE_INFINITY;
  let used = recipientsInWindow(entries);
  if (used + needed <= limit) return 0;
  for (const entry of entries) {
    used -= entry.recipients;
    if (used + needed <= limit) return Math.max(0, entry.atMs + WINDOW_MS - nowMs);
  }
  return 0;
}
