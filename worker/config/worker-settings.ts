import * as z from "../../protocol/zod.ts";
import {
  DEFAULT_DAILY_MESSAGES_PER_EMPLOYEE,
  DEFAULT_VENDOR_BASE_URL,
  MAX_RECIPIENTS_PER_MINUTE,
  MAX_RECIPIENTS_PER_SEND,
} from "../../protocol/index.ts";
import type { Env } from "../env.ts";

/** A whole number from a string var, above zero (or from zero on), with its default. */
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const nonNegativeInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.nonnegative()), fallback);

/** Tunables from plain vars in wrangler.toml; every one has the vendor's documented value as default. */
const Settings = z.object({
  baseUrl: z._default(z.url(), DEFAULT_VENDOR_BASE_URL),
  vendorTimeoutMs: positiveInt(10_000),
  departmentCacheTtlSeconds: nonNegativeInt(300),
  maxDepartmentsPerSend: positiveInt(200),
  recipientsPerMinute: positiveInt(MAX_RECIPIENTS_PER_MINUTE),
  recipientsPerSend: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(MAX_RECIPIENTS_PER_SEND)), MAX_RECIPIENTS_PER_SEND),
  dailyMessagesPerEmployee: positiveInt(DEFAULT_DAILY_MESSAGES_PER_EMPLOYEE),
  notificationRetentionDays: positiveInt(7),
  /** Recipients one `Prefer: respond-async` request may queue, departments expanded. */
  maxQueuedRecipients: positiveInt(100_000),
  /** Vendor sends one drain may make before the alarm comes back (subrequests, vendor QPS). */
  maxSendsPerDrain: positiveInt(20),
  /** Attempts a queued recipient gets before it is failed for good. */
  maxQueueAttempts: positiveInt(8),
  /** First delay before a queued recipient is tried again; it doubles per attempt, up to 10 minutes. */
  queueRetryDelayMs: nonNegativeInt(5_000),
  /** The client's backoff between retries of one call. */
  retryBaseDelayMs: nonNegativeInt(200),
  retryMaxDelayMs: nonNegativeInt(2_000),
  qpsRetryDelayMs: nonNegativeInt(1_000),
  /**
   * The vendor's "minute", 60,000 ms. A testing knob: shortened together with the
   * mock's `minuteWindowMs`, several windows pass in seconds.
   */
  minuteWindowMs: positiveInt(60_000),
  /**
   * Added to the moment a send's answer arrived before its recipients leave the
   * window: covers clock skew and the time between the vendor counting a send and us hearing of it.
   */
  clockSkewGuardMs: nonNegativeInt(2_000),
  /** Read every task's getsendresult and move its recipients from `sent` to `delivered` or `dropped`. */
  verifyDelivery: z.pipe(z._default(z.enum(["true", "false"]), "true"), z.transform((value) => value === "true")),
  /** How long after a send its task is first checked; later checks back off. */
  verifyAfterMs: nonNegativeInt(5_000),
  /** Tasks one alarm checks (two vendor calls each): the subrequest budget of one invocation. */
  maxVerificationsPerAlarm: positiveInt(10),
  /** Calls per second per vendor API this object makes at most: the vendor allows 20 per app (90018 beyond). */
  vendorCallsPerSecond: positiveInt(20),
});
export type WorkerSettings = z.output<typeof Settings>;

/** The settings last parsed and the vars they came from: every request an isolate serves reads the same ones. */
let lastParsed: { key: string; settings: Readonly<WorkerSettings> } | undefined;

/** The tunables, parsed once per set of values (the schema costs a request about 17 µs); throws on a broken one. */
export function workerSettings(env: Env): Readonly<WorkerSettings> {
  const input = {
    baseUrl: env.DINGTALK_BASE_URL || undefined,
    vendorTimeoutMs: env.VENDOR_TIMEOUT_MS || undefined,
    departmentCacheTtlSeconds: env.DEPARTMENT_CACHE_TTL_SECONDS || undefined,
    maxDepartmentsPerSend: env.MAX_DEPARTMENTS_PER_SEND || undefined,
    recipientsPerMinute: env.RECIPIENTS_PER_MINUTE || undefined,
    recipientsPerSend: env.RECIPIENTS_PER_SEND || undefined,
    dailyMessagesPerEmployee: env.DAILY_MESSAGES_PER_EMPLOYEE || undefined,
    notificationRetentionDays: env.NOTIFICATION_RETENTION_DAYS || undefined,
    maxQueuedRecipients: env.MAX_QUEUED_RECIPIENTS || undefined,
    maxSendsPerDrain: env.MAX_SENDS_PER_DRAIN || undefined,
    maxQueueAttempts: env.MAX_QUEUE_ATTEMPTS || undefined,
    queueRetryDelayMs: env.QUEUE_RETRY_DELAY_MS || undefined,
    retryBaseDelayMs: env.RETRY_BASE_DELAY_MS || undefined,
    retryMaxDelayMs: env.RETRY_MAX_DELAY_MS || undefined,
    qpsRetryDelayMs: env.QPS_RETRY_DELAY_MS || undefined,
    minuteWindowMs: env.MINUTE_WINDOW_MS || undefined,
    clockSkewGuardMs: env.CLOCK_SKEW_GUARD_MS || undefined,
    verifyDelivery: env.VERIFY_DELIVERY || undefined,
    verifyAfterMs: env.VERIFY_AFTER_MS || undefined,
    maxVerificationsPerAlarm: env.MAX_VERIFICATIONS_PER_ALARM || undefined,
    vendorCallsPerSecond: env.VENDOR_CALLS_PER_SECOND || undefined,
  };
  const key = Object.values(input).join("\u0000");
  if (lastParsed?.key === key) return lastParsed.settings;
  const parsed = Settings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`worker setting ${issue.path.join(".")}: ${issue.message}`);
  }
  lastParsed = { key, settings: Object.freeze(parsed.data) };
  return lastParsed.settings;
}
