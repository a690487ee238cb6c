import { DurableObject } from "cloudflare:workers";
import { chinaDay, ErrCode } from "../../protocol/index.ts";
import { AppRegistry, type AppConfig } from "../config/app-registry.ts";
import { workerSettings, type WorkerSettings } from "../config/worker-settings.ts";
import { CallPacer } from "../dingtalk/call-pacer.ts";
import { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import { internalAppTokenFetcher, suiteCorpTokenFetcher } from "../dingtalk/token-fetchers.ts";
import { TokenProvider } from "../dingtalk/token-provider.ts";
import type { Env } from "../env.ts";
import { admitSend } from "../quota/admission.ts";
import { msUntilRoomBehind, msUntilRoomFor, windowStart } from "../quota/minute-window.ts";
import type { QuotaLimits } from "../quota/quota-store.ts";
import { expandDepartments } from "../send/department-directory.ts";
import type { NotificationRecord } from "../send/notification-record.ts";
import { verifyDueTasks } from "../send/delivery-verification.ts";
import { notificationStory, type NotificationStory } from "../send/notification-story.ts";
import { drainQueue } from "../send/queue-drain.ts";
import type { ChunkDependencies } from "../send/vendor-chunks.ts";
import type { SenderAnswer } from "../send/sender-answer.ts";
import { acceptNotification, type NotificationRequest, type SendOutcome } from "../send/send-notification.ts";
import { CommitGroup } from "./commit-group.ts";
import { NotificationLog } from "./notification-log.ts";
import { migrate } from "./schema.ts";
import { SqlDepartmentCache } from "./sql-department-cache.ts";
import { SqlQuotaStore } from "./sql-quota-store.ts";
import { SqlTokenCache } from "./sql-token-cache.ts";

/** How many queued groups a refused send's Retry-After counts at most (bounded work on the refusal's path). */
const MAX_GROUPS_COUNTED_AHEAD = 5_000;
/** How often the alarm prunes while anything is stored and nothing is queued. */
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;
const MAX_QUEUE_RETRY_DELAY_MS = 10 * 60 * 1000;
/** How long the queue and the checks wait after finding no suite ticket; a pushed ticket ends the wait. */
const MISSING_TICKET_RETRY_MS = 60 * 1000;

/**
 * One (corp, app): the vendor's unit of quota. A thin shell over the quota
 * rules, the send queue, the token cache, the department cache and the
 * notification log, each a module of its own over this object's SQLite. Its
 * one alarm drains the queue as the minute window frees, checks delivery with
 * the vendor's getsendresult, and prunes.
 */
export class CorpAppSender extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #quota: SqlQuotaStore;
  readonly #departments: SqlDepartmentCache;
  readonly #log: NotificationLog;
  /** Sends in flight write in one commit, not one each (commit-group.ts). */
  readonly #commitGroup = new CommitGroup();
  readonly #settings: WorkerSettings;
  #client: { app: AppConfig; client: DingTalkClient } | undefined;
  /** The owner this instance has already seen stored, as "corpId/agentId". */
  #ownerKnown: string | undefined;
  /** No vendor work before this: the suite ticket was missing (in memory: a restart tries once at once). */
  #waitForTicketUntil = 0;
  /** The pushed suite ticket as stored; `null` when none was pushed, undefined until read. */
  #storedTicket: string | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#quota = new SqlQuotaStore(this.#sql);
    this.#departments = new SqlDepartmentCache(this.#sql);
    this.#log = new NotificationLog(this.#sql);
    this.#settings = workerSettings(env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.transactionSync(() => {
        migrate(this.#sql);
        // Sends in flight when the object stopped never got an answer: the vendor may
        // have counted them, or may yet, so they hold their window places a window
        // past now. Their recipients go back to the queue as possibly delivered, with
        // their ledger entries; a retry goes only on the same vendor day, when the
        // vendor drops a repeat of the same content.
        const nowMs = Date.now();
        this.#quota.settleAllInFlight(nowMs + this.#settings.clockSkewGuardMs + this.#settings.minuteWindowMs);
        this.#log.requeueInterrupted(chinaDay(nowMs));
      });
      // Whatever was queued or awaiting verification gets its alarm, even if the one set before was lost.
      await this.#arm();
    });
  }

  get #limits(): QuotaLimits {
    return {
      recipientsPerMinute: this.#settings.recipientsPerMinute,
      dailyMessagesPerEmployee: this.#settings.dailyMessagesPerEmployee,
      recipientsPerSend: this.#settings.recipientsPerSend,
      windowMs: this.#settings.minuteWindowMs,
      clockSkewGuardMs: this.#settings.clockSkewGuardMs,
    };
  }

  async send(request: NotificationRequest): Promise<SenderAnswer> {
    try {
      // Refused before anything is stored: a request that cannot be sent is not kept half-done.
      const { app } = this.#clientFor(request.corpId, request.agentId);
      if (app.kind === "thirdParty") this.#suiteTicket(app);
      const outcome = await this.#accept(request);
      if (outcome.kind === "window-full") return { ...outcome, retryAfterMs: this.#retryBehindQueue(outcome.retryAfterMs, outcome.needed) };
      if (outcome.kind !== "accepted") return outcome;
      if (request.async) await this.#drain();
      const record = this.#log.record(request.id, { corpId: request.corpId, agentId: request.agentId })!;
      // A synchronous send that left nothing queued and nothing to verify can only need the prune
      // alarm, which is set unless this is the object's first send: #arm's three reads are spared.
      if (request.async || record.summary.queued > 0 || record.verifyDelivery || (await this.ctx.storage.getAlarm()) === null) await this.#arm();
      return { kind: "recorded", record };
    } catch (error) {
      if (error instanceof MissingSuiteTicketError) return { kind: "misconfigured", message: error.message };
      throw error;
    }
  }

  /** The record as stored: no vendor call. */
  async record(id: string, corpId: string, agentId: number): Promise<NotificationRecord | undefined> {
    return this.#log.record(id, { corpId, agentId });
  }

  /** The template a task of this app sent, for scope checks; undefined for a task this object did not send. */
  async taskTemplate(taskId: number): Promise<string | undefined> {
    return this.#log.taskTemplate(taskId);
  }

  async story(id: string, corpId: string, agentId: number): Promise<NotificationStory | NotificationRecord | undefined> {
    const record = this.#log.record(id, { corpId, agentId });
    if (!record) return undefined;
    // Verified requests carry the vendor's word in the record: no call per read.
    if (record.verifyDelivery) return record;
    return notificationStory(this.#clientFor(corpId, agentId).client, record);
  }

  /**
   * getsendprogress / getsendresult for the drop-in vendor routes: the vendor's
   * own answer, or its error in the vendor's shape.
   */
  async taskQuery(kind: "progress" | "result", corpId: string, agentId: number, taskId: number): Promise<Record<string, unknown>> {
    const { client } = this.#clientFor(corpId, agentId);
    try {
      return kind === "progress" ? await client.getSendProgress(agentId, taskId) : await client.getSendResult(agentId, taskId);
    } catch (error) {
      if (error instanceof DingTalkApiError) {
        return { errcode: error.errcode, errmsg: error.message, ...(error.subCode ? { sub_code: error.subCode } : {}) };
      }
      if (error instanceof DingTalkTransportError) return { errcode: ErrCode.SYSTEM_BUSY, errmsg: `system busy: ${error.message}` };
      throw error;
    }
  }

  /** The suite ticket the vendor pushed most recently; it replaces the configured one. */
  async setSuiteTicket(ticket: string): Promise<void> {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('suite_ticket', ?)", ticket);
    this.#storedTicket = ticket;
    this.#waitForTicketUntil = 0;
    await this.#arm();
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.#quota.prune(nowMs, chinaDay(nowMs), this.#settings.minuteWindowMs);
      this.#departments.prune(nowMs - this.#settings.departmentCacheTtlSeconds * 1000);
      this.#log.prune(nowMs - this.#settings.notificationRetentionDays * 24 * 60 * 60 * 1000);
    });
    const owner = this.#owner();
    if (owner && this.#log.nextQueuedAt() !== undefined) {
      try {
        await this.#drain(owner);
      } catch (error) {
        // A missing suite ticket, say: keep the queue and come back later rather than spin.
        if (!(error instanceof MissingSuiteTicketError)) throw error;
        this.#waitForTicketUntil = Date.now() + MISSING_TICKET_RETRY_MS;
      }
    }
    const verification = this.#log.nextVerificationAt();
    if (owner && verification !== undefined && verification <= Date.now()) {
      try {
        await this.#verify(owner);
      } catch (error) {
        if (!(error instanceof MissingSuiteTicketError)) throw error;
        this.#waitForTicketUntil = Date.now() + MISSING_TICKET_RETRY_MS;
      }
    }
    await this.#arm();
  }

  async #accept(request: NotificationRequest): Promise<SendOutcome> {
    // Written once: every send would otherwise rewrite the same row.
    if (this.#ownerKnown !== `${request.corpId}/${request.agentId}`) {
      const owner = this.#owner();
      if (owner?.corpId !== request.corpId || owner.agentId !== request.agentId) {
        this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner', ?)", JSON.stringify({ corpId: request.corpId, agentId: request.agentId }));
      }
      this.#ownerKnown = `${request.corpId}/${request.agentId}`;
    }
    const { app, client } = this.#clientFor(request.corpId, request.agentId);
    const settings = this.#settings;
    return acceptNotification(
      {
        ...this.#chunkDependencies(client),
        quota: this.#quota,
        admit: (admission, stored) =>
          this.ctx.storage.transactionSync(() => {
            const admitted = admitSend(this.#quota, this.#limits, admission);
            if (admitted.kind === "admitted") stored(admitted);
            return admitted;
          }),
        expandDepartments: (deptIds) =>
          expandDepartments(client, this.#departments, deptIds, {
            nowMs: Date.now(),
            ttlMs: settings.departmentCacheTtlSeconds * 1000,
            maxDepartments: settings.maxDepartmentsPerSend,
          }),
        create: (header, recipients, sending) =>
          this.#log.create({ id: request.id, templateId: request.templateId, data: request.data, ...header }, recipients, sending),
        record: (outcomes, options = {}) =>
          this.ctx.storage.transactionSync(() => {
            if (options.task) this.#log.addTask(request.id, options.task);
            this.#log.update(request.id, outcomes, options);
          }),
        dailyCap: settings.dailyMessagesPerEmployee,
        appKind: app.kind,
        recipientsPerMinute: settings.recipientsPerMinute,
        maxQueuedRecipients: settings.maxQueuedRecipients,
        verifyDelivery: settings.verifyDelivery,
        verifyAfterMs: settings.verifyAfterMs,
        retryDelayMs: (attempt) => this.#queueRetryDelayMs(attempt),
      },
      request,
    );
  }

  async #drain(owner = this.#owner()): Promise<void> {
    if (!owner) return;
    // One attempt per call: the queue itself retries, durably and with backoff,
    // instead of holding the object in a sleep between attempts.
    const { app, client: ownerClient } = this.#clientFor(owner.corpId, owner.agentId);
    const client = ownerClient.withRetry({ maxAttempts: 1 });
    const settings = this.#settings;
    await drainQueue({
      ...this.#chunkDependencies(client),
      agentId: owner.agentId,
      appKind: app.kind,
      quota: this.#quota,
      queue: this.#log,
      limits: this.#limits,
      maxSendsPerDrain: settings.maxSendsPerDrain,
      maxAttempts: settings.maxQueueAttempts,
      retryDelayMs: (attempt) => this.#queueRetryDelayMs(attempt),
      verifyAfterMs: settings.verifyAfterMs,
    });
  }

  /** What sending chunks needs, for a synchronous send and for the drain alike. */
  #chunkDependencies(client: DingTalkClient): ChunkDependencies & { transaction<T>(fn: () => T): T } {
    return {
      client,
      release: (reservationId) => this.ctx.storage.transactionSync(() => this.#quota.release(reservationId)),
      // One statement (its triggers included), atomic by itself: no savepoint around it.
      settle: (reservationId, unanswered) => this.#quota.settle(reservationId, this.#settledAt(unanswered)),
      writeTurn: () => this.#commitGroup.turn(),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
      now: () => Date.now(),
      clockSkewGuardMs: this.#settings.clockSkewGuardMs,
      vendorTimeoutMs: this.#settings.vendorTimeoutMs,
    };
  }

  /** Reads getsendresult for the tasks whose check is due; the alarm calls it. */
  async #verify(owner: { corpId: string; agentId: number }): Promise<void> {
    const client = this.#clientFor(owner.corpId, owner.agentId).client.withRetry({ maxAttempts: 1 });
    const settings = this.#settings;
    await verifyDueTasks({
      client,
      agentId: owner.agentId,
      store: this.#log,
      releaseEmployees: (reservationId, userids) => this.#quota.releaseEmployees(reservationId, userids),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
      now: () => Date.now(),
      maxTasks: settings.maxVerificationsPerAlarm,
      verifyAfterMs: settings.verifyAfterMs,
      windowMs: settings.minuteWindowMs,
      maxAttempts: settings.maxQueueAttempts,
    });
  }

  /**
   * A refused synchronous send's Retry-After: the window's own answer, or
   * later when queued recipients are due, because the alarm gives them the
   * room as it frees and a caller who came back sooner would be refused again.
   */
  #retryBehindQueue(retryAfterMs: number, needed: number): number {
    const nowMs = Date.now();
    const ahead = this.#log.queuedDue(nowMs, MAX_GROUPS_COUNTED_AHEAD);
    if (ahead === 0) return retryAfterMs;
    const { minuteWindowMs, recipientsPerMinute, clockSkewGuardMs } = this.#settings;
    const entries = this.#quota.windowEntries(windowStart(nowMs, minuteWindowMs));
    return Math.max(retryAfterMs, msUntilRoomBehind(entries, nowMs, ahead, needed, recipientsPerMinute, minuteWindowMs, minuteWindowMs + clockSkewGuardMs));
  }

  /** When a chunk's window place counts from: its answer plus the guard, or a window later when no answer came. */
  #settledAt(unanswered = false): number {
    return Date.now() + this.#settings.clockSkewGuardMs + (unanswered ? this.#settings.minuteWindowMs : 0);
  }

  #queueRetryDelayMs(attempt: number): number {
    return Math.min(MAX_QUEUE_RETRY_DELAY_MS, this.#settings.queueRetryDelayMs * 2 ** (attempt - 1));
  }

  /**
   * One alarm per object: for the queue, when the window next has room (or a
   * retry is due); otherwise, while anything is stored, to prune.
   */
  async #arm(): Promise<void> {
    const nowMs = Date.now();
    const candidates: number[] = [];
    const nextQueued = this.#log.nextQueuedAt();
    if (nextQueued !== undefined) {
      const { minuteWindowMs, recipientsPerMinute } = this.#settings;
      const room = msUntilRoomFor(this.#quota.windowEntries(windowStart(nowMs, minuteWindowMs)), nowMs, 1, recipientsPerMinute, minuteWindowMs);
      candidates.push(Math.max(nextQueued, nowMs + room, this.#waitForTicketUntil));
    }
    const nextVerification = this.#log.nextVerificationAt();
    if (nextVerification !== undefined) candidates.push(Math.max(nextVerification, this.#waitForTicketUntil));
    let due: number | undefined = candidates.length > 0 ? Math.min(...candidates) : undefined;
    if (due === undefined && this.#hasRows()) due = nowMs + PRUNE_INTERVAL_MS;
    if (due === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /** Whether anything is left to prune: one indexed probe per table, however much is stored. */
  #hasRows(): boolean {
    return (
      this.#sql
        .exec<{ any: number }>(
          `SELECT EXISTS (SELECT 1 FROM minute_window) OR EXISTS (SELECT 1 FROM employee_day) OR EXISTS (SELECT 1 FROM notifications)
             OR EXISTS (SELECT 1 FROM department_cache) AS any`,
        )
        .one().any === 1
    );
  }

  /** The (corp, app) this object serves, learnt from its first request; the alarm has no request to read it from. */
  #owner(): { corpId: string; agentId: number } | undefined {
    const value = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'owner'").toArray()[0]?.value;
    return value ? (JSON.parse(value) as { corpId: string; agentId: number }) : undefined;
  }

  #clientFor(corpId: string, agentId: number): { app: AppConfig; client: DingTalkClient } {
    if (this.#client && this.#client.app.corpId === corpId && this.#client.app.agentId === agentId) return this.#client;
    const app = AppRegistry.fromJson(this.env.DINGTALK_APPS).find(corpId, agentId);
    if (!app) throw new Error(`no app ${agentId} in ${corpId} is configured`);
    const settings = this.#settings;
    const binding = this.env.DINGTALK_API;
    const vendorFetch: typeof fetch = binding ? (input, init) => binding.fetch(input, init) : (input, init) => fetch(input, init);
    const fetcherOptions = { baseUrl: settings.baseUrl, fetch: vendorFetch, timeoutMs: settings.vendorTimeoutMs };
    const fetchToken =
      app.kind === "internal"
        ? internalAppTokenFetcher(app, fetcherOptions)
        : suiteCorpTokenFetcher(
            { suiteKey: app.suiteKey, suiteSecret: app.suiteSecret, corpId: app.corpId, suiteTicket: () => this.#suiteTicket(app) },
            fetcherOptions,
          );
    const credentialKey = app.kind === "internal" ? app.appKey : app.suiteKey;
    const pacer = new CallPacer(settings.vendorCallsPerSecond);
    const tokens = new TokenProvider(fetchToken, { cache: new SqlTokenCache(this.#sql, credentialKey) });
    const client = new DingTalkClient({
      tokens,
      baseUrl: settings.baseUrl,
      fetch: vendorFetch,
      timeoutMs: settings.vendorTimeoutMs,
      retry: { baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: settings.retryMaxDelayMs, qpsLimitDelayMs: settings.qpsRetryDelayMs },
      pacer,
    });
    this.#client = { app, client };
    return this.#client;
  }

  #suiteTicket(app: AppConfig & { kind: "thirdParty" }): string {
    // Every send checks it; only setSuiteTicket writes it, so it is read once per instance. (Not `??=`:
    // that read it again on every send while no ticket had been pushed, its `null` counting as unread.)
    if (this.#storedTicket === undefined) {
      this.#storedTicket = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'suite_ticket'").toArray()[0]?.value ?? null;
    }
    const ticket = this.#storedTicket ?? app.suiteTicket;
    if (!ticket) throw new MissingSuiteTicketError(`no suite ticket for ${app.suiteKey} yet: configure one or PUT /v1/suite-tickets/${app.suiteKey}`);
    return ticket;
  }
}

class MissingSuiteTicketError extends Error {}
