import type { TemplateData } from "../../protocol/index.ts";
import type { NotificationRecord, RecipientOutcome } from "../send/notification-record.ts";
import { summarise } from "../send/notification-record.ts";
import { batches } from "./sql-batches.ts";

export interface NotificationHeader {
  id: string;
  createdAtMs: number;
  templateId: string;
  data: TemplateData;
  fingerprint: string;
  invalidDepartments: number[];
}

export interface QueuedRecipient {
  seq: number;
  notificationId: string;
  userid: string;
  attempts: number;
  /** The China-time day of an earlier attempt whose answer was lost, if any. */
  uncertainDay: string | undefined;
}

/**
 * Every request and the state of each of its recipients. Rows in status
 * 'queued' are the durable send queue, drained in `seq` order by the alarm.
 */
export class NotificationLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  create(header: NotificationHeader, recipients: readonly RecipientOutcome[]): void {
    this.#sql.exec(
      "INSERT INTO notifications (id, created_at_ms, template_id, data, fingerprint, invalid_departments) VALUES (?, ?, ?, ?, ?, ?)",
      header.id,
      header.createdAtMs,
      header.templateId,
      JSON.stringify(header.data),
      header.fingerprint,
      JSON.stringify(header.invalidDepartments),
    );
    for (const batch of batches(recipients, 9)) {
      this.#sql.exec(
        `INSERT INTO notification_recipients (notification_id, userid, status, reason, detail, task_id, error_code, error_message, attempts)
         VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        ...batch.flatMap((outcome) => [header.id, ...columns(outcome)]),
      );
    }
  }

  header(id: string): NotificationHeader | undefined {
    const row = this.#sql
      .exec<{ created_at_ms: number; template_id: string; data: string; fingerprint: string; invalid_departments: string }>(
        "SELECT created_at_ms, template_id, data, fingerprint, invalid_departments FROM notifications WHERE id = ?",
        id,
      )
      .toArray()[0];
    if (!row) return undefined;
    return {
      id,
      createdAtMs: row.created_at_ms,
      templateId: row.template_id,
      data: JSON.parse(row.data),
      fingerprint: row.fingerprint,
      invalidDepartments: JSON.parse(row.invalid_departments),
    };
  }

  update(notificationId: string, outcomes: readonly RecipientOutcome[], notBeforeMs = 0): void {
    // Outcomes that differ only by userid (a chunk's "sent" with one task id) share one statement per batch.
    const groups = new Map<string, { values: (string | number | null)[]; userids: string[] }>();
    for (const outcome of outcomes) {
      const [userid, ...values] = columns(outcome);
      const key = JSON.stringify(values);
      const group = groups.get(key) ?? { values, userids: [] };
      group.userids.push(userid);
      groups.set(key, group);
    }
    for (const { values, userids } of groups.values()) {
      const [status, reason, detail, taskId, errorCode, errorMessage, attempts] = values;
      for (const batch of batches(userids, 1, 9)) {
        this.#sql.exec(
          `UPDATE notification_recipients SET status = ?, reason = ?, detail = ?, task_id = ?, error_code = ?, error_message = ?, attempts = ?, not_before_ms = ?
           WHERE notification_id = ? AND userid IN (${batch.map(() => "?").join(", ")})`,
          status, reason, detail, taskId, errorCode, errorMessage, attempts, notBeforeMs, notificationId, ...batch,
        );
      }
    }
  }

  markSending(notificationId: string, userids: readonly string[], reservationId: string): void {
    for (const batch of batches(userids, 1, 2)) {
      this.#sql.exec(
        `UPDATE notification_recipients SET status = 'sending', reason = ? WHERE notification_id = ? AND userid IN (${batch.map(() => "?").join(", ")})`,
        reservationId,
        notificationId,
        ...batch,
      );
    }
  }

  /**
   * Recipients a drain was sending when the object stopped: the reservations
   * they held, after putting them back in the queue. Only safe to call when no
   * drain runs (at start-up).
   */
  requeueInterrupted(): string[] {
    const reservations = this.#sql
      .exec<{ reason: string }>("SELECT DISTINCT reason FROM notification_recipients WHERE status = 'sending'")
      .toArray()
      .map((row) => row.reason);
    this.#sql.exec("UPDATE notification_recipients SET status = 'queued', reason = NULL WHERE status = 'sending'");
    return reservations;
  }

  addTask(notificationId: string, taskId: number, recipients: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO notification_tasks (notification_id, task_id, recipients) VALUES (?, ?, ?)", notificationId, taskId, recipients);
  }

  /** The head of the queue: recipients due at `nowMs`, oldest first. */
  queued(limit: number, nowMs: number): QueuedRecipient[] {
    if (limit <= 0) return [];
    return this.#sql
      .exec<{ seq: number; notification_id: string; userid: string; attempts: number; uncertain_day: string | null }>(
        "SELECT seq, notification_id, userid, attempts, uncertain_day FROM notification_recipients WHERE status = 'queued' AND not_before_ms <= ? ORDER BY seq LIMIT ?",
        nowMs,
        limit,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, notificationId: row.notification_id, userid: row.userid, attempts: row.attempts, uncertainDay: row.uncertain_day ?? undefined }));
  }

  /** Remembers that these recipients' last send may have been delivered on `day`. */
  markUncertain(notificationId: string, userids: readonly string[], day: string): void {
    for (const batch of batches(userids, 1, 2)) {
      this.#sql.exec(
        `UPDATE notification_recipients SET uncertain_day = COALESCE(uncertain_day, ?) WHERE notification_id = ? AND userid IN (${batch.map(() => "?").join(", ")})`,
        day,
        notificationId,
        ...batch,
      );
    }
  }

  /** When the next queued recipient is due: undefined when the queue is empty. */
  nextQueuedAt(): number | undefined {
    const row = this.#sql.exec<{ at: number | null }>("SELECT MIN(not_before_ms) AS at FROM notification_recipients WHERE status = 'queued'").one();
    return row.at ?? undefined;
  }

  record(id: string, owner: { corpId: string; agentId: number }): NotificationRecord | undefined {
    const header = this.header(id);
    if (!header) return undefined;
    const recipients = this.#sql
      .exec<RecipientRow>(
        "SELECT userid, status, reason, detail, task_id, error_code, error_message, attempts FROM notification_recipients WHERE notification_id = ? ORDER BY seq",
        id,
      )
      .toArray()
      .map(outcomeOf);
    const tasks = this.#sql
      .exec<{ task_id: number; recipients: number }>("SELECT task_id, recipients FROM notification_tasks WHERE notification_id = ? ORDER BY rowid", id)
      .toArray()
      .map((row) => ({ taskId: row.task_id, recipients: row.recipients }));
    return {
      id,
      ...owner,
      templateId: header.templateId,
      createdAt: new Date(header.createdAtMs).toISOString(),
      summary: summarise(recipients, header.invalidDepartments),
      tasks,
      recipients,
      invalidDepartments: header.invalidDepartments,
    };
  }

  /** Forgets notifications past retention, except those with recipients still queued. */
  prune(olderThanMs: number): void {
    const old = `SELECT id FROM notifications WHERE created_at_ms < ? AND id NOT IN (SELECT notification_id FROM notification_recipients WHERE status IN ('queued', 'sending'))`;
    this.#sql.exec(`DELETE FROM notification_recipients WHERE notification_id IN (${old})`, olderThanMs);
    this.#sql.exec(`DELETE FROM notification_tasks WHERE notification_id IN (${old})`, olderThanMs);
    this.#sql.exec(`DELETE FROM notifications WHERE id IN (${old})`, olderThanMs);
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notifications").one().n;
  }
}

type RecipientRow = {
  userid: string;
  status: RecipientOutcome["status"] | "sending";
  reason: string | null;
  detail: string | null;
  task_id: number | null;
  error_code: number | null;
  error_message: string | null;
  attempts: number;
};

function columns(outcome: RecipientOutcome): [string, string, string | null, string | null, number | null, number | null, string | null, number] {
  switch (outcome.status) {
    case "sent":
      return [outcome.userid, "sent", null, null, outcome.taskId, null, null, 0];
    case "queued":
      return [outcome.userid, "queued", null, null, null, null, null, outcome.attempts ?? 0];
    case "suppressed":
      return [outcome.userid, "suppressed", outcome.reason, outcome.detail, null, null, null, 0];
    case "failed":
      return [outcome.userid, "failed", null, null, null, outcome.error.code ?? null, outcome.error.message, 0];
  }
}

function outcomeOf(row: RecipientRow): RecipientOutcome {
  switch (row.status) {
    case "sent":
      return { userid: row.userid, status: "sent", taskId: row.task_id! };
    case "queued":
    case "sending":
      return row.attempts > 0 ? { userid: row.userid, status: "queued", attempts: row.attempts } : { userid: row.userid, status: "queued" };
    case "suppressed":
      return { userid: row.userid, status: "suppressed", reason: row.reason as "duplicate-content" | "daily-cap", detail: row.detail ?? "" };
    case "failed":
      return { userid: row.userid, status: "failed", error: { ...(row.error_code !== null ? { code: row.error_code } : {}), message: row.error_message ?? "" } };
  }
}
