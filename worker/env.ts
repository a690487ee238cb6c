import type { CorpAppSender } from "./durable/corp-app-sender.ts";
import type { IdempotencyKeys } from "./idempotency/idempotency-keys.ts";

export interface Env {
  /** One object per (corp, app): the vendor's unit of quota. */
  CORP_APP_SENDER: DurableObjectNamespace<CorpAppSender>;
  /** One object per caller: its Idempotency-Keys and their answers. */
  IDEMPOTENCY_KEYS: DurableObjectNamespace<IdempotencyKeys>;
  /** JSON list of API keys by SHA-256, each with a scope (a secret; see worker/auth/api-keys.ts). */
  API_KEYS?: string;
  /** JSON list of webhook senders with their signing secrets and scopes (a secret). */
  WEBHOOK_SENDERS?: string;
  /** Comma-separated browser origins allowed by CORS, e.g. "https://app.example.com". */
  CORS_ORIGINS?: string;
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
  MAX_QUEUED_RECIPIENTS?: string;
  MAX_SENDS_PER_DRAIN?: string;
  MAX_QUEUE_ATTEMPTS?: string;
  QUEUE_RETRY_DELAY_MS?: string;
  RETRY_BASE_DELAY_MS?: string;
  RETRY_MAX_DELAY_MS?: string;
  QPS_RETRY_DELAY_MS?: string;
  MINUTE_WINDOW_MS?: string;
  CLOCK_SKEW_GUARD_MS?: string;
  VERIFY_DELIVERY?: string;
  VERIFY_AFTER_MS?: string;
  MAX_VERIFICATIONS_PER_ALARM?: string;
  VENDOR_CALLS_PER_SECOND?: string;
}
