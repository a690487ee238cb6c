import { DurableObject } from "cloudflare:workers";
import { chinaDay } from "../../protocol/index.ts";
import { AppRegistry, type AppConfig } from "../config/app-registry.ts";
import { workerSettings, type WorkerSettings } from "../config/worker-settings.ts";
import { DingTalkClient } from "../dingtalk/client.ts";
import { internalAppTokenFetcher, suiteCorpTokenFetcher } from "../dingtalk/token-fetchers.ts";
import { TokenProvider } from "../dingtalk/token-provider.ts";
import type { Env } from "../env.ts";
import { admitSend } from "../quota/admission.ts";
import { expandDepartments } from "../send/department-directory.ts";
import { notificationStory, type NotificationStory } from "../send/notification-story.ts";
import { sendNotification, type NotificationRequest, type SendOutcome } from "../send/send-notification.ts";
import { migrate } from "./schema.ts";
import { SqlDepartmentCache } from "./sql-department-cache.ts";
import { SqlQuotaStore } from "./sql-quota-store.ts";
import { SqlTokenCache } from "./sql-token-cache.ts";
import { NotificationLog } from "./notification-log.ts";

/** How often the alarm prunes while anything is stored. */
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * One (corp, app): the vendor's unit of quota. A thin shell over the quota
 * rules, the token cache, the department cache and the notification log,
 * each a module of its own over this object's SQLite.
 */
export class CorpAppSender extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #quota: SqlQuotaStore;
  readonly #departments: SqlDepartmentCache;
  readonly #log: NotificationLog;
  readonly #settings: WorkerSettings;
  #client: { app: AppConfig; client: DingTalkClient } | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#quota = new SqlQuotaStore(this.#sql);
    this.#departments = new SqlDepartmentCache(this.#sql);
    this.#log = new NotificationLog(this.#sql);
    this.#settings = workerSettings(env);
    ctx.blockConcurrencyWhile(async () => migrate(this.#sql));
  }

  async send(request: NotificationRequest): Promise<SendOutcome> {
    try {
      return await this.#send(request);
    } catch (error) {
      if (error instanceof MissingSuiteTicketError) return { kind: "misconfigured", message: error.message };
      throw error;
    }
  }

  async #send(request: NotificationRequest): Promise<SendOutcome> {
    const { client } = this.#clientFor(request.corpId, request.agentId);
    const settings = this.#settings;
    const outcome = await sendNotification(
      {
        client,
        admit: (admission) =>
          this.ctx.storage.transactionSync(() =>
            admitSend(this.#quota, {
              recipientsPerMinute: settings.recipientsPerMinute,
              dailyMessagesPerEmployee: settings.dailyMessagesPerEmployee,
              recipientsPerSend: settings.recipientsPerSend,
            }, admission),
          ),
        release: (reservationId) => this.ctx.storage.transactionSync(() => this.#quota.release(reservationId)),
        expandDepartments: (deptIds) =>
          expandDepartments(client, this.#departments, deptIds, {
            nowMs: Date.now(),
            ttlMs: settings.departmentCacheTtlSeconds * 1000,
            maxDepartments: settings.maxDepartmentsPerSend,
          }),
        now: () => Date.now(),
        dailyCap: settings.dailyMessagesPerEmployee,
        recipientsPerMinute: settings.recipientsPerMinute,
      },
      request,
    );
    if (outcome.kind === "sent") {
      this.#log.save(outcome.record, Date.now());
      await this.#armPruning();
    }
    return outcome;
  }

  async story(id: string, corpId: string, agentId: number): Promise<NotificationStory | undefined> {
    const record = this.#log.get(id);
    if (!record) return undefined;
    return notificationStory(this.#clientFor(corpId, agentId).client, record);
  }

  /** The suite ticket the vendor pushed most recently; it replaces the configured one. */
  async setSuiteTicket(ticket: string): Promise<void> {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('suite_ticket', ?)", ticket);
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.#quota.prune(nowMs, chinaDay(nowMs));
      this.#departments.prune(nowMs - this.#settings.departmentCacheTtlSeconds * 1000);
      this.#log.prune(nowMs - this.#settings.notificationRetentionDays * 24 * 60 * 60 * 1000);
    });
    await this.#armPruning();
  }

  /** One alarm per object: while anything is stored, it comes back to prune. */
  async #armPruning(): Promise<void> {
    const remaining = this.#sql
      .exec<{ n: number }>(
        "SELECT (SELECT COUNT(*) FROM minute_window) + (SELECT COUNT(*) FROM employee_day) + (SELECT COUNT(*) FROM notifications) + (SELECT COUNT(*) FROM department_cache) AS n",
      )
      .one().n;
    if (remaining === 0) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRUNE_INTERVAL_MS);
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
    const tokens = new TokenProvider(fetchToken, { cache: new SqlTokenCache(this.#sql, credentialKey) });
    this.#client = { app, client: new DingTalkClient({ tokens, baseUrl: settings.baseUrl, fetch: vendorFetch, timeoutMs: settings.vendorTimeoutMs }) };
    return this.#client;
  }

  #suiteTicket(app: AppConfig & { kind: "thirdParty" }): string {
    const stored = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'suite_ticket'").toArray()[0]?.value;
    const ticket = stored ?? app.suiteTicket;
    if (!ticket) throw new MissingSuiteTicketError(`no suite ticket for ${app.suiteKey} yet: configure one or PUT /v1/suite-tickets/${app.suiteKey}`);
    return ticket;
  }
}

class MissingSuiteTicketError extends Error {}
