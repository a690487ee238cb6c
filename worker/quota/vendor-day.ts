import { chinaDay } from "../../protocol/index.ts";

/**
 * The vendor's once-a-day rule is what makes a retry of a lost send safe:
 * a repeat of the same content on the same China-time day is dropped. So both
 * the lost send and its retry must fall on one day *as the vendor's clock
 * sees it*, which ours only bounds: each moment is widened by the skew guard,
 * and a call may arrive as late as its timeout.
 */

/** uncertain_day of a lost send that may have landed on either side of midnight: no retry is safe. */
export const STRADDLES_MIDNIGHT = "midnight";

/** The day a lost send was made on, as the vendor saw it, or STRADDLES_MIDNIGHT when it cannot be told. */
export function lostSendDay(startedAtMs: number, lostAtMs: number, guardMs: number): string {
  const first = chinaDay(startedAtMs - guardMs);
  return first === chinaDay(lostAtMs + guardMs) ? first : STRADDLES_MIDNIGHT;
}

/** Whether a retry leaving now lands, for the vendor, on `day` whatever the skew and the latency. */
export function retryStaysOnDay(day: string, nowMs: number, guardMs: number, timeoutMs: number): boolean {
  return chinaDay(nowMs - guardMs) === day && chinaDay(nowMs + timeoutMs + guardMs) === day;
}
