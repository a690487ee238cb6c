import type { TemplateData } from "../../protocol/index.ts";
import type { PendingVerification, TaskRecipient } from "../send/delivery-verification.ts";
import type { NotificationRecord, RecipientOutcome, RecipientSource, TaskSummary } from "../send/notification-record.ts";
import { summarise } from "../send/notification-record.ts";
import type { QueuedRecipient } from "../send/queue-drain.ts";
import type { SentTask } from "../send/send-notification.ts";
import { RecipientGroups, type Change, type RecipientGroup } from "./recipient-groups.ts";
import { outcomeOf, stateAfter, type StateOptions } from "./recipient-state.ts";

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
 * Every request and the state of each of its recipients, stored as groups
 * of recipients in one state (recipient-groups.ts). Queued groups are the
 * durable send queue, drained in queue order by the alarm.
 */
export class NotificationLog {
  readonly #sql: SqlStorage;
  readonly #groups: RecipientGroups;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#groups = new RecipientGroups(sql);
  }

  /**
   * Stores a request and its recipients' first states, in request order;
   * `sending` marks the chunks' recipients as being sent on `day` under their
   * reservations (as a drain does), so a restart finds them.
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
    const reservationOf = new Map<string, string>();
    for (const chunk of sending?.chunks ?? []) for (const userid of chunk.userids) reservationOf.set(userid, chunk.reservationId);
    this.#groups.insert(
      header.id,
      recipients.map((outcome, position) => {
        const state = stateAfter(outcome);
        const reservationId = reservationOf.get(outcome.userid);
        return {
          userid: outcome.userid,
          position,
          state: reservationId === undefined ? state : { ...state, status: "sending", reason: reservationId, attemptDay: sending!.day },
        };
      }),
    );
  }

  header(id: string): NotificationHeader | undefined {
    const row = this.#sql
      .exec<HeaderRow>("SELECT created_at_ms, template_id, data, fingerprint, invalid_departments, verify FROM notifications WHERE id = ?", id)
      .toArray()[0];
    return row && headerOf(id, row);
  }

  /**
   * Moves recipients to new states. `from` says where they are (the chunk,
   * the task, the queue groups read); without it every recipient of the
   * request not yet settled is looked at. `notBeforeMs` is when queued ones
   * are due; `uncertainDay` marks them as retries of a send whose answer was
   * lost that day. Recipients not found are left alone.
   */
  update(notificationId: string, outcomes: readonly RecipientOutcome[], options: StateOptions & { from?: RecipientSource } = {}): void {
    if (outcomes.length === 0) return;
    const members = membersOf(this.#groups.load(notificationId, options.from));
    const changes = new Map<string, Change>();
    for (const outcome of outcomes) {
      const member = members.get(outcome.userid);
      if (member) changes.set(outcome.userid, { ...member, state: stateAfter(outcome, member.group.state, options) });
    }
    this.#groups.apply([...changes.values()]);
  }

  /** Marks queued recipients as being sent on `day` (China time) under a reservation, so no other drain takes them. */
  markSending(notificationId: string, recipients: readonly QueuedRecipient[], reservationId: string, day: string): void {
    const members = membersOf(this.#groups.load(notificationId, { groups: [...new Set(recipients.map((r) => r.group))] }));
    const changes: Change[] = [];
    for (const recipient of recipients) {
      const member = members.get(recipient.userid);
      if (member) changes.push({ ...member, state: { ...member.group.state, status: "sending", reason: reservationId, attemptDay: day } });
    }
    this.#groups.apply(changes);
  }

  /**
   * Recipients a drain was sending when the object stopped go back to the
   * queue as possibly delivered on the day of that send: their retry relies on
   * the vendor's same-day duplicate rule, like any lost answer. Only safe to
   * call when no drain runs (at start-up). Returns how many there were.
   */
  requeueInterrupted(today: string): number {
    return this.#groups.requeueSending(today);
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
    return this.#groups.ofTask(taskId, "sent").flatMap((group) =>
      group.userids.map((userid) => ({ notificationId: group.notificationId, userid, attempts: group.state.attempts, uncertainDay: group.state.uncertainDay ?? undefined })),
    );
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
    const head: QueuedRecipient[] = [];
    if (limit <= 0) return head;
    for (const group of this.#groups.dueQueue(nowMs)) {
      for (const userid of group.userids) {
        head.push({ group: group.seq, notificationId: group.notificationId, userid, attempts: group.state.attempts, uncertainDay: group.state.uncertainDay ?? undefined });
        if (head.length === limit) return head;
      }
    }
    return head;
  }

  /** Queued recipients due at `nowMs`: what the alarm sends before anything asked later (counted over at most `maxGroups` groups). */
  queuedDue(nowMs: number, maxGroups: number): number {
    return this.#groups.dueMembers(nowMs, maxGroups);
  }

  /** When the next queued recipient is due: undefined when the queue is empty. */
  nextQueuedAt(): number | undefined {
    return this.#groups.nextDueAt();
  }

  record(id: string, owner: { corpId: string; agentId: number }): NotificationRecord | undefined {
    // The request and its tasks in one statement (a row per task, the request's columns on each), in
    // task order by rowid, sorted here: ORDER BY rowid over the tasks' index made SQLite sort in a
    // temporary b-tree, which cost a 1-recipient send's answer more than the read itself.
    const rows = this.#sql
      .exec<HeaderRow & { task_rowid: number | null } & NullableTaskRow>(
        `SELECT n.created_at_ms, n.template_id, n.data, n.fingerprint, n.invalid_departments, n.verify,
                t.rowid AS task_rowid, t.task_id, t.recipients, t.sent_at_ms, t.verify_at_ms, t.verified_at_ms, t.verify_error
         FROM notifications n LEFT JOIN notification_tasks t ON t.notification_id = n.id WHERE n.id = ?`,
        id,
      )
      .toArray();
    if (rows.length === 0) return undefined;
    const header = headerOf(id, rows[0]!);
    // Back in request order: each group knows its members' places.
    const placed: RecipientOutcome[] = [];
    for (const group of this.#groups.all(id)) {
      group.userids.forEach((userid, index) => {
        placed[group.positions[index]!] = outcomeOf(userid, group.state);
      });
    }
    const recipients = placed.filter((outcome) => outcome !== undefined);
    const tasks = rows
      .filter((row): row is HeaderRow & { task_rowid: number } & TaskRow => row.task_rowid !== null)
      .sort((a, b) => a.task_rowid - b.task_rowid)
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
           AND NOT EXISTS (SELECT 1 FROM recipient_groups g WHERE g.notification_id = notifications.id AND g.status IN ('queued', 'sending'))`,
        olderThanMs,
      )
      .toArray();
    for (const { id } of old) {
      this.#groups.remove(id);
      this.#sql.exec("DELETE FROM notification_tasks WHERE notification_id = ?", id);
      this.#sql.exec("DELETE FROM notifications WHERE id = ?", id);
    }
  }
}

/** Each member of `groups` by userid (a request names each employee once). */
function membersOf(groups: readonly RecipientGroup[]): Map<string, { group: RecipientGroup; index: number }> {
  const members = new Map<string, { group: RecipientGroup; index: number }>();
  for (const group of groups) group.userids.forEach((userid, index) => members.set(userid, { group, index }));
  return members;
}

type HeaderRow = { created_at_ms: number; template_id: string; data: string; fingerprint: string; invalid_departments: string; verify: number };

function headerOf(id: string, row: HeaderRow): NotificationHeader {
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

type TaskRow = {
  task_id: number;
  recipients: number;
  sent_at_ms: number | null;
  verify_at_ms: number | null;
  verified_at_ms: number | null;
  verify_error: string | null;
};

/** A task's columns as a LEFT JOIN gives them: all NULL for a request without tasks. */
type NullableTaskRow = { [K in keyof TaskRow]: TaskRow[K] | null };

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
