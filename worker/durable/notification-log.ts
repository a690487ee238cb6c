import type { TemplateData } from "../../protocol/index.ts";
import type { DropReason, NotificationRecord, RecipientOutcome, TaskSummary } from "../send/notification-record.ts";
import { summarise } from "../send/notification-record.ts";
import type { PendingVerification, TaskRecipient } from "../send/delivery-verification.ts";
import type { QueuedRecipient } from "../send/queue-drain.ts";
import type { SentTask } from "../send/send-notification.ts";
import { batches } from "./sql-batches.ts";

export interface NotificationHeader {
  id: string;
  createdAtMs: number;
  templateId: string;
  data: TemplateData;
  fingerprint: string;
  invalidDepartments: number[];
  /** Whether getsendresult is read for this request's tasks (chunks of at most 100). */
  verify: boolean;
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

  /**
   * Stores a request and its recipients' first states; `sending` marks the
   * chunks' recipients as being sent on `day` under their reservations (as a
   * drain does), so a restart finds them.
   */
  create(
    header: NotificationHeader,
    recipients: readonly RecipientOutcome[],
    sending?: { chunks: readonly { reservationId: string; userids: readonly string[] }[]; day: string },
  ): void {
    this.#sql.exec(
      "INSERT INTO notifications (id, created_at_ms, template_id, data, fingerprint, invalid_departments, verify) VALUES (?, ?, ?, ?, ?, ?, ?)",
      header.id,
      header.createdAtMs,
      header.templateId,
      JSON.stringify(header.data),
      header.fingerprint,
      JSON.stringify(header.invalidDepartments),
      header.verify ? 1 : 0,
    );
    // Recipients being sent go in as such (one write each, not an insert and an update).
    const reservationOf = new Map<string, string>();
    for (const chunk of sending?.chunks ?? []) for (const userid of chunk.userids) reservationOf.set(userid, chunk.reservationId);
    for (const batch of batches(recipients, 11)) {
      this.#sql.exec(
        `INSERT INTO notification_recipients (notification_id, userid, status, reason, detail, task_id, error_code, error_message, attempts, verified_at_ms, attempt_day)
         VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, ?)").join(", ")}`,
        ...batch.flatMap((outcome) => {
          const reservationId = reservationOf.get(outcome.userid);
          const [userid, status, reason, ...rest] = columns(outcome);
          return reservationId === undefined
            ? [header.id, userid, status, reason, ...rest, null]
            : [header.id, userid, "sending", reservationId, ...rest, sending!.day];
        }),
      );
    }
  }

  header(id: string): NotificationHeader | undefined {
    const row = this.#sql
      .exec<{ created_at_ms: number; template_id: string; data: string; fingerprint: string; invalid_departments: string; verify: number }>(
        "SELECT created_at_ms, template_id, data, fingerprint, invalid_departments, verify FROM notifications WHERE id = ?",
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
      verify: row.verify === 1,
    };
  }

  /**
   * Moves recipients to new states. `notBeforeMs` is when queued ones are due;
   * `uncertainDay` marks them as retries of a send whose answer was lost that day.
   */
  update(notificationId: string, outcomes: readonly RecipientOutcome[], options: { notBeforeMs?: number; uncertainDay?: string } = {}): void {
    const notBeforeMs = options.notBeforeMs ?? 0;
    const uncertainDay = options.uncertainDay ?? null;
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
      const [status, reason, detail, taskId, errorCode, errorMessage, attempts, verifiedAtMs] = values;
      for (const batch of batches(userids, 1, 11)) {
        this.#sql.exec(
          `UPDATE notification_recipients SET status = ?, reason = ?, detail = ?, task_id = ?, error_code = ?, error_message = ?, attempts = COALESCE(?, attempts),
             verified_at_ms = ?, not_before_ms = ?, uncertain_day = COALESCE(uncertain_day, ?)
           WHERE notification_id = ? AND userid IN (${batch.map(() => "?").join(", ")})`,
          status, reason, detail, taskId, errorCode, errorMessage, attempts, verifiedAtMs, notBeforeMs, uncertainDay, notificationId, ...batch,
        );
      }
    }
  }

  /** Marks recipients as being sent on `day` (China time) under a reservation, so no other drain takes them. */
  markSending(notificationId: string, userids: readonly string[], reservationId: string, day: string): void {
    for (const batch of batches(userids, 1, 3)) {
      this.#sql.exec(
        `UPDATE notification_recipients SET status = 'sending', reason = ?, attempt_day = ? WHERE notification_id = ? AND userid IN (${batch.map(() => "?").join(", ")})`,
        reservationId,
        day,
        notificationId,
        ...batch,
      );
    }
  }

  /**
   * Recipients a drain was sending when the object stopped go back to the
   * queue as possibly delivered on the day of that send: their retry relies on
   * the vendor's same-day duplicate rule, like any lost answer. Only safe to
   * call when no drain runs (at start-up). Returns how many there were.
   */
  requeueInterrupted(today: string): number {
    const { n } = this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notification_recipients WHERE status = 'sending'").one();
    if (n > 0) {
      this.#sql.exec(
        // An attempt all the same: a send that brings the object down each time is not retried forever.
        "UPDATE notification_recipients SET status = 'queued', reason = NULL, attempts = attempts + 1, uncertain_day = COALESCE(uncertain_day, attempt_day, ?) WHERE status = 'sending'",
        today,
      );
    }
    return n;
  }

  /** A vendor task of this request; `verifyAtMs` schedules its delivery check. */
  addTask(notificationId: string, task: SentTask): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO notification_tasks (notification_id, task_id, recipients, reservation_id, sent_at_ms, verify_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
      notificationId,
      task.taskId,
      task.recipients,
      task.reservationId,
      task.sentAtMs,
      task.verifyAtMs ?? null,
    );
  }

  /** The template of the request a task belongs to. */
  taskTemplate(taskId: number): string | undefined {
    return this.#sql
      .exec<{ template_id: string }>(
        "SELECT n.template_id FROM notification_tasks t JOIN notifications n ON n.id = t.notification_id WHERE t.task_id = ? LIMIT 1",
        taskId,
      )
      .toArray()[0]?.template_id;
  }

  /** Tasks whose delivery check is due, earliest first. */
  dueVerifications(nowMs: number, limit: number): PendingVerification[] {
    return this.#sql
      .exec<{ notification_id: string; task_id: number; reservation_id: string | null; verify_attempts: number; sent_at_ms: number | null }>(
        "SELECT notification_id, task_id, reservation_id, verify_attempts, sent_at_ms FROM notification_tasks WHERE verify_at_ms <= ? ORDER BY verify_at_ms LIMIT ?",
        nowMs,
        limit,
      )
      .toArray()
      .map((row) => ({
        notificationId: row.notification_id,
        taskId: row.task_id,
        reservationId: row.reservation_id ?? undefined,
        attempts: row.verify_attempts,
        sentAtMs: row.sent_at_ms ?? 0,
      }));
  }

  /** When the next delivery check is due: undefined when none is pending. */
  nextVerificationAt(): number | undefined {
    const row = this.#sql.exec<{ at: number | null }>("SELECT MIN(verify_at_ms) AS at FROM notification_tasks WHERE verify_at_ms IS NOT NULL").one();
    return row.at ?? undefined;
  }

  /** The task's recipients still reported `sent`: the ones its result has yet to settle. */
  unverifiedRecipients(taskId: number): TaskRecipient[] {
    return this.#sql
      .exec<{ notification_id: string; userid: string; attempts: number; uncertain_day: string | null }>(
        "SELECT notification_id, userid, attempts, uncertain_day FROM notification_recipients WHERE task_id = ? AND status = 'sent'",
        taskId,
      )
      .toArray()
      .map((row) => ({ notificationId: row.notification_id, userid: row.userid, attempts: row.attempts, uncertainDay: row.uncertain_day ?? undefined }));
  }

  /** Checks the task again at `atMs`; `error` says why the last check did not settle it. */
  retryVerification(notificationId: string, taskId: number, atMs: number, error: string): void {
    this.#sql.exec(
      "UPDATE notification_tasks SET verify_at_ms = ?, verify_attempts = verify_attempts + 1, verify_error = ? WHERE notification_id = ? AND task_id = ?",
      atMs,
      error,
      notificationId,
      taskId,
    );
  }

  /** No more checks of this task: it was verified at `atMs`, or (with `error`) it never can be. */
  finishVerification(notificationId: string, taskId: number, atMs: number, error?: string): void {
    this.#sql.exec(
      "UPDATE notification_tasks SET verify_at_ms = NULL, verify_attempts = verify_attempts + 1, verified_at_ms = ?, verify_error = ? WHERE notification_id = ? AND task_id = ?",
      atMs,
      error ?? null,
      notificationId,
      taskId,
    );
  }

  /** The head of the queue: recipients due at `nowMs`, oldest first. */
  queued(limit: number, nowMs: number): QueuedRecipient[] {
    if (limit <= 0) return [];
    return this.#sql
      .exec<{ seq: number; notification_id: string; userid: string; attempts: number; uncertain_day: string | null }>(
        // In queue order, walking the queue's own index: the due-time index would sort every due row first.
        "SELECT seq, notification_id, userid, attempts, uncertain_day FROM notification_recipients INDEXED BY notification_recipients_queue WHERE status = 'queued' AND not_before_ms <= ? ORDER BY seq LIMIT ?",
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
        "SELECT userid, status, reason, detail, task_id, error_code, error_message, attempts, uncertain_day, verified_at_ms FROM notification_recipients WHERE notification_id = ? ORDER BY seq",
        id,
      )
      .toArray()
      .map(outcomeOf);
    const tasks = this.#sql
      .exec<TaskRow>(
        "SELECT task_id, recipients, sent_at_ms, verify_at_ms, verified_at_ms, verify_error FROM notification_tasks WHERE notification_id = ? ORDER BY rowid",
        id,
      )
      .toArray()
      .map((row) => taskSummary(row, header.verify));
    return {
      id,
      ...owner,
      templateId: header.templateId,
      createdAt: new Date(header.createdAtMs).toISOString(),
      verifyDelivery: header.verify,
      summary: summarise(recipients, header.invalidDepartments),
      tasks,
      recipients,
      invalidDepartments: header.invalidDepartments,
    };
  }

  /**
   * Forgets notifications past retention, except those with recipients still
   * queued or being sent. Only the old ones are looked at, each through its
   * own recipients: the cost follows what is pruned, not what is stored.
   */
  prune(olderThanMs: number): void {
    const old = this.#sql
      .exec<{ id: string }>(
        `SELECT id FROM notifications WHERE created_at_ms < ?
           AND NOT EXISTS (SELECT 1 FROM notification_recipients r WHERE r.notification_id = notifications.id AND r.status IN ('queued', 'sending'))`,
        olderThanMs,
      )
      .toArray();
    for (const { id } of old) {
      this.#sql.exec("DELETE FROM notification_recipients WHERE notification_id = ?", id);
      this.#sql.exec("DELETE FROM notification_tasks WHERE notification_id = ?", id);
      this.#sql.exec("DELETE FROM notifications WHERE id = ?", id);
    }
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
  uncertain_day: string | null;
  verified_at_ms: number | null;
};

type TaskRow = {
  task_id: number;
  recipients: number;
  sent_at_ms: number | null;
  verify_at_ms: number | null;
  verified_at_ms: number | null;
  verify_error: string | null;
};

function taskSummary(row: TaskRow, verify: boolean): TaskSummary {
  const summary: TaskSummary = { taskId: row.task_id, recipients: row.recipients };
  if (row.sent_at_ms !== null) summary.sentAt = new Date(row.sent_at_ms).toISOString();
  if (!verify) return summary;
  if (row.verify_at_ms !== null) summary.verification = { state: "pending", ...(row.verify_error ? { error: row.verify_error } : {}) };
  else if (row.verified_at_ms !== null) {
    const at = new Date(row.verified_at_ms).toISOString();
    summary.verification = row.verify_error ? { state: "unavailable", at, error: row.verify_error } : { state: "verified", at };
  }
  return summary;
}

/** The attempt count is null where an outcome does not say it: the stored count is kept (it bounds re-sends of vendor drops). */
type Columns = [string, string, string | null, string | null, number | null, number | null, string | null, number | null, number | null];

/** userid, status, reason, detail, task_id, error_code, error_message, attempts, verified_at_ms */
function columns(outcome: RecipientOutcome): Columns {
  switch (outcome.status) {
    case "queued":
      return [outcome.userid, "queued", null, null, null, outcome.lastError?.code ?? null, outcome.lastError?.message ?? null, outcome.attempts ?? 0, null];
    case "sent":
      return [outcome.userid, "sent", null, outcome.verification ?? null, outcome.taskId, null, null, null, null];
    case "delivered":
      return [outcome.userid, "delivered", outcome.read ? "read" : "unread", outcome.detail ?? null, outcome.taskId, null, null, null, Date.parse(outcome.verifiedAt)];
    case "dropped":
      // The vendor's code is text ("143103", or "failed"/"invalid" for its other lists): kept in error_message.
      return [outcome.userid, "dropped", outcome.reason, outcome.detail, outcome.taskId, null, outcome.code, null, Date.parse(outcome.verifiedAt)];
    case "suppressed":
      return [outcome.userid, "suppressed", outcome.reason, outcome.detail, null, null, null, null, null];
    case "failed":
      return [outcome.userid, "failed", null, null, null, outcome.error.code ?? null, outcome.error.message, null, null];
    case "uncertain":
      return [outcome.userid, "uncertain", null, null, null, null, outcome.error.message, null, null];
  }
}

function outcomeOf(row: RecipientRow): RecipientOutcome {
  const verifiedAt = row.verified_at_ms !== null ? new Date(row.verified_at_ms).toISOString() : "";
  switch (row.status) {
    case "queued":
    case "sending": {
      const outcome: RecipientOutcome = { userid: row.userid, status: "queued" };
      if (row.attempts > 0) outcome.attempts = row.attempts;
      if (row.uncertain_day !== null) outcome.mayHaveBeenSent = true;
      if (row.error_message !== null) outcome.lastError = { ...(row.error_code !== null ? { code: row.error_code } : {}), message: row.error_message };
      return outcome;
    }
    case "sent":
      return row.detail !== null ? { userid: row.userid, status: "sent", taskId: row.task_id!, verification: row.detail } : { userid: row.userid, status: "sent", taskId: row.task_id! };
    case "delivered":
      return { userid: row.userid, status: "delivered", taskId: row.task_id!, read: row.reason === "read", verifiedAt, ...(row.detail !== null ? { detail: row.detail } : {}) };
    case "dropped":
      return { userid: row.userid, status: "dropped", taskId: row.task_id!, code: row.error_message ?? "", reason: row.reason as DropReason, detail: row.detail ?? "", verifiedAt };
    case "suppressed":
      return { userid: row.userid, status: "suppressed", reason: row.reason as "duplicate-content" | "daily-cap", detail: row.detail ?? "" };
    case "failed":
      return { userid: row.userid, status: "failed", error: { ...(row.error_code !== null ? { code: row.error_code } : {}), message: row.error_message ?? "" } };
    case "uncertain":
      return { userid: row.userid, status: "uncertain", error: { message: row.error_message ?? "" } };
  }
}
