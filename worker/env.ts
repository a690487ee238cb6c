import type { CorpAppSender } from "./durable/corp-app-sender.ts";

export interface Env {
  /** One object per (corp, app): the vendor's unit of quota. */
  CORP_APP_SENDER: DurableObjectNamespace<CorpAppSender>;
  /** JSON of the apps and their credentials (a secret: `wrangler secret put DINGTALK_APPS`). */
  DINGTALK_APPS: string;
  /** https://oapi.dingtalk.com in production; the mock's URL in dev. */
  DINGTALK_BASE_URL?: string;
  /** Optional service binding to a DingTalk double; when set, vendor calls go through it. */
  DINGTALK_API?: Fetcher;
  /** Bearer token of PUT /v1/suite-tickets/:suiteKey (a secret). */
  SUITE_TICKET_TOKEN?: string;
  VENDOR_TIMEOUT_MS?: string;
  DEPARTMENT_CACHE_TTL_SECONDS?: string;
  MAX_DEPARTMENTS_PER_SEND?: string;
  RECIPIENTS_PER_MINUTE?: string;
  RECIPIENTS_PER_SEND?: string;
  DAILY_MESSAGES_PER_EMPLOYEE?: string;
  NOTIFICATION_RETENTION_DAYS?: string;
}
