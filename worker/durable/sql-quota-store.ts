import type { QuotaStore, Reservation, WindowEntry } from "../quota/quota-store.ts";
import { batches, placeholders } from "./sql-batches.ts";

/** The quota rules' storage, over the object's SQLite. Callers wrap admissions in transactionSync. */
export class SqlQuotaStore implements QuotaStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  windowEntries(sinceMs: number): WindowEntry[] {
    return this.#sql
      .exec<{ at_ms: number; recipients: number; in_flight: number }>(
        "SELECT at_ms, recipients, in_flight FROM minute_window WHERE at_ms >= ? OR in_flight = 1 ORDER BY at_ms",
        sinceMs,
      )
      .toArray()
      .map((row) => (row.in_flight ? { atMs: row.at_ms, recipients: row.recipients, inFlight: true } : { atMs: row.at_ms, recipients: row.recipients }));
  }

  dayCounts(day: string, userids: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const batch of batches(userids, 1, 1)) {
      const rows = this.#sql.exec<{ userid: string; messages: number }>(
        `SELECT userid, messages FROM employee_day WHERE day = ? AND userid IN (${placeholders(batch.length)})`,
        day,
        ...batch,
      );
      for (const row of rows) if (row.messages > 0) counts.set(row.userid, row.messages);
    }
    return counts;
  }

  contentSeen(day: string, fingerprint: string, userids: readonly string[]): Set<string> {
    const seen = new Set<string>();
    for (const batch of batches(userids, 1, 2)) {
      const rows = this.#sql.exec<{ userid: string }>(
        `SELECT userid FROM employee_content WHERE day = ? AND fingerprint = ? AND userid IN (${placeholders(batch.length)})`,
        day,
        fingerprint,
        ...batch,
      );
      for (const row of rows) seen.add(row.userid);
    }
    return seen;
  }

  reserve(reservation: Reservation): void {
    const { reservationId, atMs, day, fingerprint, ledgerUserids: userids } = reservation;
    this.#sql.exec("INSERT INTO minute_window (reservation_id, at_ms, recipients, in_flight) VALUES (?, ?, ?, 1)", reservationId, atMs, reservation.recipients);
    for (const batch of batches(userids, 2)) {
      this.#sql.exec(
        `INSERT INTO employee_day (day, userid, messages) VALUES ${batch.map(() => "(?, ?, 1)").join(", ")}
         ON CONFLICT (day, userid) DO UPDATE SET messages = messages + 1`,
        ...batch.flatMap((userid) => [day, userid]),
      );
    }
    for (const batch of batches(userids, 4)) {
      this.#sql.exec(
        `INSERT INTO employee_content (day, userid, fingerprint, reservation_id) VALUES ${batch.map(() => "(?, ?, ?, ?)").join(", ")}`,
        ...batch.flatMap((userid) => [day, userid, fingerprint, reservationId]),
      );
    }
  }

  settle(reservationId: string, atMs: number): void {
    this.#sql.exec("UPDATE minute_window SET at_ms = MAX(at_ms, ?), in_flight = 0 WHERE reservation_id = ?", atMs, reservationId);
  }

  /** After a restart: sends that were in flight when the object stopped were counted, if at all, before now. */
  settleAllInFlight(atMs: number): void {
    this.#sql.exec("UPDATE minute_window SET at_ms = MAX(at_ms, ?), in_flight = 0 WHERE in_flight = 1", atMs);
  }

  releaseEmployees(reservationId: string, userids: readonly string[]): void {
    for (const batch of batches(userids, 1, 1)) {
      const list = placeholders(batch.length);
      this.#sql.exec(
        `UPDATE employee_day SET messages = messages - 1
         WHERE (day, userid) IN (SELECT day, userid FROM employee_content WHERE reservation_id = ? AND userid IN (${list}))`,
        reservationId,
        ...batch,
      );
      this.#sql.exec(`DELETE FROM employee_content WHERE reservation_id = ? AND userid IN (${list})`, reservationId, ...batch);
    }
  }

  release(reservationId: string, options: { keepWindow?: boolean } = {}): void {
    this.#sql.exec(
      `UPDATE employee_day SET messages = messages - 1
       WHERE (day, userid) IN (SELECT day, userid FROM employee_content WHERE reservation_id = ?)`,
      reservationId,
    );
    this.#sql.exec("DELETE FROM employee_content WHERE reservation_id = ?", reservationId);
    if (!options.keepWindow) this.#sql.exec("DELETE FROM minute_window WHERE reservation_id = ?", reservationId);
  }

  /** Forgets what no rule can read again: window rows past a minute, ledger rows of past days. */
  prune(nowMs: number, today: string, windowMs: number): void {
    this.#sql.exec("DELETE FROM minute_window WHERE at_ms < ? AND in_flight = 0", nowMs - 2 * windowMs);
    this.#sql.exec("DELETE FROM employee_day WHERE day < ?", today);
    this.#sql.exec("DELETE FROM employee_content WHERE day < ?", today);
  }
}
