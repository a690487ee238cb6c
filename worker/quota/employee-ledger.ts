import type { QuotaStore } from "./quota-store.ts";

export type LedgerSuppression =
  | { userid: string; reason: "duplicate-content" }
  | { userid: string; reason: "daily-cap"; messagesToday: number };

/**
 * The per-employee rules of one China-time day: the same content once, and at
 * most `dailyCap` messages. Returns who may receive and who may not, and why.
 */
export function checkEmployees(
  store: QuotaStore,
  day: string,
  fingerprint: string,
  userids: readonly string[],
  dailyCap: number,
): { allowed: string[]; suppressed: LedgerSuppression[] } {
  const days = store.employeeDays(day, fingerprint, userids);
  const allowed: string[] = [];
  const suppressed: LedgerSuppression[] = [];
  for (const userid of userids) {
    const employeeDay = days.get(userid);
    const messagesToday = employeeDay?.messages ?? 0;
    if (employeeDay?.seen) suppressed.push({ userid, reason: "duplicate-content" });
    else if (messagesToday >= dailyCap) suppressed.push({ userid, reason: "daily-cap", messagesToday });
    else allowed.push(userid);
  }
  return { allowed, suppressed };
}
