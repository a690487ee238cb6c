import type { EmployeeDay, QuotaStore, Reservation, WindowEntry } from "../quota/quota-store.ts";
/**
 * The employees a statement is about, bound as one JSON array: a 1,000-recipient
 * send is then one statement per rule instead of one per 33–99 employees (the
 * 100-parameter limit), and each statement costs far more than the rows it touches.
 */
const EACH_USERID = "(SELECT value FROM json_each(?))";
/** The small id of a content on a day (bind the day, then the fingerprint): NULL when it has none. */
const CONTENT_ID = "(SELECT id FROM day_contents WHERE day = ? AND fingerprint = ?)";

/** The quota rules' storage, over the object's SQLite. Callers wrap admissions in transactionSync. */
export class SqlQuotaStore implements QuotaStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  windowEntries(sinceMs: number): WindowEntry[] {
    return this.#sql
      .exec<{ at_ms: number; recipients: number; in_flight: number }>(
        // Two indexed reads rather than one OR, which would scan every row the window still keeps.
        `SELECT at_ms, recipients, in_flight FROM minute_window WHERE at_ms >= ?
         UNION ALL
         SELECT at_ms, recipients, in_flight FROM minute_window WHERE in_flight = 1 AND at_ms < ?
         ORDER BY at_ms`,
        sinceMs,
        sinceMs,
      )
      .toArray()
      .map((row) => (row.in_flight ? { atMs: row.at_ms, recipients: row.recipients, inFlight: true } : { atMs: row.at_ms, recipients: row.recipients }));
  }

  recipientsInWindow(sinceMs: number): number {
    // The settled sends from the first whole second on come summed per second (minute_window_seconds,
    // kept by triggers); only the rest of the second `sinceMs` falls in is read row by row, and the
    // sends in flight, which count wherever their at_ms is. A sum of every row of a busy minute read
    // thousands of rows on every send.
    const firstWholeSecond = Math.floor(sinceMs / 1000) + 1;
    return this.#sql
      .exec<{ n: number }>(
        `SELECT (SELECT COALESCE(SUM(recipients), 0) FROM minute_window_seconds WHERE second >= ?)
              + (SELECT COALESCE(SUM(recipients), 0) FROM minute_window WHERE at_ms >= ? AND at_ms < ? AND in_flight = 0)
              + (SELECT COALESCE(SUM(recipients), 0) FROM minute_window WHERE in_flight = 1) AS n`,
        firstWholeSecond,
        sinceMs,
        firstWholeSecond * 1000,
      )
      .one().n;
  }

  employeeDays(day: string, fingerprint: string, userids: readonly string[]): Map<string, EmployeeDay> {
    const days = new Map<string, EmployeeDay>();
    // Counts and the content in one statement: the content's id is looked up once, inside it (NULL,
    // so never seen, when nobody got it that day).
    const rows = this.#sql.exec<{ userid: string; messages: number; seen: number | null }>(
      `SELECT userid, messages, instr(contents, ',' || ${CONTENT_ID} || ',') > 0 AS seen
       FROM employee_day WHERE day = ? AND userid IN ${EACH_USERID}`,
      day,
      fingerprint,
      day,
      JSON.stringify(userids),
    );
    for (const row of rows) {
      if (row.messages > 0 || row.seen === 1) days.set(row.userid, { messages: row.messages, seen: row.seen === 1 });
    }
    return days;
  }

  reserve(reservation: Reservation): void {
    const { reservationId, atMs, day, fingerprint, ledgerUserids: userids } = reservation;
    this.#sql.exec("INSERT INTO minute_window (reservation_id, at_ms, recipients, in_flight) VALUES (?, ?, ?, 1)", reservationId, atMs, reservation.recipients);
    if (userids.length === 0) return;
    // The content's small id, made on first use; the two statements after it look it up themselves
    // (one index probe each) rather than it being read into JS first.
    this.#sql.exec("INSERT OR IGNORE INTO day_contents (day, fingerprint) VALUES (?, ?)", day, fingerprint);
    // One row per employee and day: the count goes up and the content's id joins the list. ("WHERE true"
    // is SQLite's way of telling an upsert's ON CONFLICT from a join's ON after INSERT … SELECT.)
    this.#sql.exec(
      `INSERT INTO employee_day (day, userid, messages, contents) SELECT ?, value, 1, ',' || ${CONTENT_ID} || ',' FROM json_each(?) WHERE true
       ON CONFLICT (day, userid) DO UPDATE SET messages = messages + 1, contents = contents || substr(excluded.contents, 2)`,
      day,
      day,
      fingerprint,
      JSON.stringify(userids),
    );
    this.#sql.exec(
      `INSERT INTO reservations (reservation_id, day, content_id, userids) VALUES (?, ?, ${CONTENT_ID}, ?)`,
      reservationId,
      day,
      day,
      fingerprint,
      `,${userids.join(",")},`,
    );
  }

  settle(reservationId: string, atMs: number): void {
    this.#sql.exec("UPDATE minute_window SET at_ms = MAX(at_ms, ?), in_flight = 0 WHERE reservation_id = ?", atMs, reservationId);
  }

  /** After a restart: sends that were in flight when the object stopped were counted, if at all, before now. */
  settleAllInFlight(atMs: number): void {
    this.#sql.exec("UPDATE minute_window SET at_ms = MAX(at_ms, ?), in_flight = 0 WHERE in_flight = 1", atMs);
  }

  releaseEmployees(reservationId: string, userids: readonly string[]): void {
    const reservation = this.#reservation(reservationId);
    if (!reservation) return;
    // Only employees this reservation still holds: a second release changes nothing.
    const holding = new Set(reservation.userids.split(",").filter((userid) => userid !== ""));
    const held = [...new Set(userids)].filter((userid) => holding.has(userid));
    if (held.length === 0) return;
    const entry = `,${reservation.contentId},`;
    this.#sql.exec(
      `UPDATE employee_day SET messages = messages - 1, contents = replace(contents, ?, ',')
       WHERE day = ? AND instr(contents, ?) > 0 AND userid IN ${EACH_USERID}`,
      entry,
      reservation.day,
      entry,
      JSON.stringify(held),
    );
    for (const userid of held) holding.delete(userid);
    if (holding.size === 0) this.#sql.exec("DELETE FROM reservations WHERE reservation_id = ?", reservationId);
    else this.#sql.exec("UPDATE reservations SET userids = ? WHERE reservation_id = ?", `,${[...holding].join(",")},`, reservationId);
  }

  release(reservationId: string, options: { keepWindow?: boolean } = {}): void {
    const reservation = this.#reservation(reservationId);
    if (reservation) this.releaseEmployees(reservationId, reservation.userids.split(",").filter((userid) => userid !== ""));
    if (!options.keepWindow) this.#sql.exec("DELETE FROM minute_window WHERE reservation_id = ?", reservationId);
  }

  #reservation(reservationId: string): { day: string; contentId: number; userids: string } | undefined {
    const row = this.#sql
      .exec<{ day: string; content_id: number; userids: string }>("SELECT day, content_id, userids FROM reservations WHERE reservation_id = ?", reservationId)
      .toArray()[0];
    return row && { day: row.day, contentId: row.content_id, userids: row.userids };
  }

  /** Forgets what no rule can read again: window rows past a minute, ledger rows of past days. */
  prune(nowMs: number, today: string, windowMs: number): void {
    const before = nowMs - 2 * windowMs;
    this.#sql.exec("DELETE FROM minute_window WHERE at_ms < ? AND in_flight = 0", before);
    // Their triggers brought these seconds to 0: every settled send of them was just deleted.
    this.#sql.exec("DELETE FROM minute_window_seconds WHERE second < ?", Math.floor(before / 1000));
    this.#sql.exec("DELETE FROM employee_day WHERE day < ?", today);
    this.#sql.exec("DELETE FROM day_contents WHERE day < ?", today);
    this.#sql.exec("DELETE FROM reservations WHERE day < ?", today);
  }
}
