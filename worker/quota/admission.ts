import { chinaDay } from "../../protocol/index.ts";
import { checkEmployees, type LedgerSuppression } from "./employee-ledger.ts";
import { msUntilRoomFor, windowStart } from "./minute-window.ts";
import type { QuotaLimits, QuotaStore } from "./quota-store.ts";

export interface AdmissionRequest {
  /** Prefix of the reservation ids; chunk i is reserved as `${reservationId}/${i}`. */
  reservationId: string;
  /** Distinct employees, in the order they should be sent to. */
  userids: readonly string[];
  fingerprint: string;
  nowMs: number;
  /**
   * Employees retried after a lost answer: they already hold their day ledger
   * entries (the first send may have been delivered), so the ledger rules are
   * not applied to them again; they still take their place in the window.
   */
  held?: ReadonlySet<string>;
  /** Recipients per vendor call when smaller than the vendor's maximum (100 when delivery is verified). */
  recipientsPerSend?: number;
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
  const held = request.held ?? new Set<string>();
  const fresh = held.size === 0 ? request.userids : request.userids.filter((userid) => !held.has(userid));
  const checked = checkEmployees(store, day, request.fingerprint, fresh, limits.dailyMessagesPerEmployee);
  const admitted = new Set(checked.allowed);
  const allowed = held.size === 0 ? checked.allowed : request.userids.filter((userid) => held.has(userid) || admitted.has(userid));
  const { suppressed } = checked;
  const since = windowStart(request.nowMs, limits.windowMs);
  const inWindow = store.recipientsInWindow(since);
  if (inWindow + allowed.length > limits.recipientsPerMinute) {
    // Only a refusal needs the entries themselves, to say when there will be room.
    const entries = store.windowEntries(since);
    return {
      kind: "window-full",
      inWindow,
      needed: allowed.length,
      retryAfterMs: msUntilRoomFor(entries, request.nowMs, allowed.length, limits.recipientsPerMinute, limits.windowMs),
      suppressed,
    };
  }
  const perSend = Math.min(limits.recipientsPerSend, request.recipientsPerSend ?? limits.recipientsPerSend);
  const chunks: { reservationId: string; userids: string[] }[] = [];
  for (let start = 0; start < allowed.length; start += perSend) {
    const userids = allowed.slice(start, start + perSend);
    const reservationId = `${request.reservationId}/${chunks.length}`;
    store.reserve({
      reservationId,
      atMs: request.nowMs + limits.clockSkewGuardMs,
      day,
      fingerprint: request.fingerprint,
      recipients: userids.length,
      ledgerUserids: held.size === 0 ? userids : userids.filter((userid) => !held.has(userid)),
    });
    chunks.push({ reservationId, userids });
  }
  return { kind: "admitted", day, chunks, suppressed };
}
