import type { NotificationRecord } from "../send/notification-record.ts";

/** The records behind GET /v1/notifications/:id, kept for a retention period, then pruned. */
export class NotificationLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  save(record: NotificationRecord, createdAtMs: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO notifications (id, created_at_ms, record) VALUES (?, ?, ?)", record.id, createdAtMs, JSON.stringify(record));
  }

  get(id: string): NotificationRecord | undefined {
    const row = this.#sql.exec<{ record: string }>("SELECT record FROM notifications WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.record) as NotificationRecord) : undefined;
  }

  prune(olderThanMs: number): void {
    this.#sql.exec("DELETE FROM notifications WHERE created_at_ms < ?", olderThanMs);
  }
}
