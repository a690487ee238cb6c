/**
 * One (corp, app) object's send path on a clock the caller moves: the
 * object's own modules (worker/send/send-notification.ts, the SQL quota store
 * and the notification log of worker/durable/) over any `SqlStorage`, with a
 * vendor that answers every send at once. `npm run bench:storage` runs it on
 * node:sqlite, where a clock advances during CPU work;
 * worker/test/history-cost.worker.test.ts runs it on a real object's SQLite
 * in workerd, where what a statement reads and writes is counted. Each send
 * is what the object does for a synchronous one: admit, send, record, and
 * read the record back for the answer.
 */
import type { DingTalkClient } from "../worker/dingtalk/client.ts";
import { NotificationLog } from "../worker/durable/notification-log.ts";
import { migrate } from "../worker/durable/schema.ts";
import { SqlQuotaStore } from "../worker/durable/sql-quota-store.ts";
import { admitSend } from "../worker/quota/admission.ts";
import type { QuotaLimits } from "../worker/quota/quota-store.ts";
import { acceptNotification, type SendDependencies } from "../worker/send/send-notification.ts";

/** 00:00 China time: a day of sends a minute apart fits before the next midnight. */
export const DAY_START_MS = Date.parse("2026-11-24T16:00:00Z");
/** The vendor's limits, but a minute that never fills: every send takes the normal path. */
export const OPEN_MINUTE_LIMITS: QuotaLimits = { recipientsPerMinute: 1_000_000_000, dailyMessagesPerEmployee: 100, recipientsPerSend: 1_000, windowMs: 60_000, clockSkewGuardMs: 2_000 };
/** Every table a send writes. */
export const SEND_TABLES = ["minute_window", "employee_day", "day_contents", "reservations", "notifications", "recipient_groups", "notification_tasks"] as const;
/** A minute and a second: sends this far apart never share a minute window. */
export const MINUTE_APART_MS = 61_000;

export type TransactionSync = <T>(closure: () => T) => T;

export const benchUsers = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `u${String(from + i).padStart(6, "0")}`);

export class ObjectSendPath {
  readonly #quota: SqlQuotaStore;
  readonly #log: NotificationLog;
  readonly #sql: SqlStorage;
  readonly #transaction: TransactionSync;
  readonly #name: string;
  nowMs = DAY_START_MS;
  /** How far the clock moves per send. */
  stepMs = 1;
  #taskId = 1;
  #sends = 0;

  /** `name` keeps notification ids apart when two paths share a database. */
  constructor(sql: SqlStorage, transaction: TransactionSync, name = "bench") {
    this.#sql = sql;
    this.#transaction = transaction;
    this.#name = name;
    migrate(sql);
    this.#quota = new SqlQuotaStore(sql);
    this.#log = new NotificationLog(sql);
  }

  async send(userIds: readonly string[], verifyDelivery = false): Promise<void> {
    const id = `${this.#name}-${++this.#sends}`;
    const client = { sendByTemplate: async () => ({ errcode: 0, errmsg: "ok", task_id: this.#taskId++ }) } as unknown as DingTalkClient;
    const tx = this.#transaction;
    const limits = OPEN_MINUTE_LIMITS;
    const deps: SendDependencies = {
      client,
      quota: this.#quota,
      admit: (admission, stored) =>
        tx(() => {
          const admitted = admitSend(this.#quota, limits, admission);
          if (admitted.kind === "admitted") stored(admitted);
          return admitted;
        }),
      release: (reservationId) => tx(() => this.#quota.release(reservationId)),
      settle: (reservationId) => tx(() => this.#quota.settle(reservationId, this.nowMs + limits.clockSkewGuardMs)),
      // One send at a time here: nothing to share a commit with. Grouping moves writes between commits, not what they are.
      writeTurn: () => Promise.resolve(),
      expandDepartments: async () => ({ userids: [], invalidDeptIds: [] }),
      create: (header, recipients, sending) => this.#log.create({ id, templateId: "tpl", data: { n: String(this.#sends) }, ...header }, recipients, sending),
      transaction: tx,
      record: (outcomes, options = {}) =>
        tx(() => {
          if (options.task) this.#log.addTask(id, options.task);
          this.#log.update(id, outcomes, options);
        }),
      clockSkewGuardMs: limits.clockSkewGuardMs,
      vendorTimeoutMs: 10_000,
      now: () => this.nowMs,
      dailyCap: limits.dailyMessagesPerEmployee,
      appKind: "internal",
      recipientsPerMinute: limits.recipientsPerMinute,
      maxQueuedRecipients: 100_000,
      verifyDelivery,
      verifyAfterMs: 5_000,
      retryDelayMs: () => 5_000,
    };
    const outcome = await acceptNotification(deps, { id, corpId: "c", agentId: 1, templateId: "tpl", userIds, deptIds: [], data: { n: String(this.#sends) }, async: false });
    if (outcome.kind !== "accepted") throw new Error(`send ${id} was ${outcome.kind}`);
    // The object reads the record back for its answer.
    if (!this.#log.record(id, { corpId: "c", agentId: 1 })) throw new Error(`send ${id} left no record`);
    this.nowMs += this.stepMs;
  }

  /** What the alarm does every few minutes, outside any send: window rows past two minutes go. */
  prune(): void {
    this.#transaction(() => this.#quota.prune(this.nowMs, "0000-00-00", OPEN_MINUTE_LIMITS.windowMs));
  }

  /** Rows in every table a send writes. */
  rows(): number {
    return SEND_TABLES.reduce((sum, name) => sum + this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${name}`).one().n, 0);
  }
}
