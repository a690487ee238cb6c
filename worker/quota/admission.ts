import { chinaDay } from "../../protocol/index.ts";
import { checkEmployees, type LedgerSuppression } from "./employee-ledger.ts";
import { msUntilRoomFor, recipientsInWindow, windowStart } from "./minute-window.ts";
import type { QuotaLimits, QuotaStore } from "./quota-store.ts";

export interface AdmissionRequest {
  /** Prefix of the reservation ids; chunk i is reserved as `${reservationId}/${i}`. */
  reservationId: string;
  /** Distinct employees, in the order they should be sent to. */
  userids: readonly string[];
  fingerprint: string;
  nowMs: number;
}

export type Admission =
  | {
      kind: "admitted";
      day: string;
      /** What to send now: one vendor call per chunk, each under its own reservation. */
      chunks: { reservationId: string; userids: string[] }[];
      suppressed: LedgerSuppression[];
    }
  | {
      kind: "window-full";
      /** Recipients the window already holds, and those this send needs. */
      inWindow: number;
      needed: number;
      retryAfterMs: number;
      suppressed: LedgerSuppression[];
    };

/**
 * Decides a whole send at once: the per-employee rules drop who must not
 * receive; if the rest does not fit the minute window, nothing is reserved.
 * Callers run it inside one storage transaction, so concurrent sends never
 * exceed a limit together and nobody is counted twice.
 */
export function admitSend(store: QuotaStore, limits: QuotaLimits, request: AdmissionRequest): Admission {
  const day = chinaDay(request.nowMs);
  const { allowed, suppressed } = checkEmployees(store, day, request.fingerprint, request.userids, limits.dailyMessagesPerEmployee);
  const entries = store.windowEntries(windowStart(request.nowMs));
  const inWindow = recipientsInWindow(entries);
  if (inWindow + allowed.length > limits.recipientsPerMinute) {
    return {
      kind: "window-full",
      inWindow,
      needed: allowed.length,
      retryAfterMs: msUntilRoomFor(entries, request.nowMs, allowed.length, limits.recipientsPerMinute),
      suppressed,
    };
  }
  const chunks: { reservationId: string; userids: string[] }[] = [];
  for (let start = 0; start < allowed.length; start += limits.recipientsPerSend) {
    const userids = allowed.slice(start, start + limits.recipientsPerSend);
    const reservationId = `${request.reservationId}/${chunks.length}`;
    store.reserve({ reservationId, atMs: request.nowMs, day, fingerprint: request.fingerprint, userids });
    chunks.push({ reservationId, userids });
  }
  return { kind: "admitted", day, chunks, suppressed };
}
