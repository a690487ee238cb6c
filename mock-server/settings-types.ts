import { MockSettings as MockSettingsSchema, MockSettingsPatch as MockSettingsPatchSchema } from "./settings.ts";

/**
 * The mock's behaviour switches, as `GET /__admin/settings` answers them and
 * `PUT /__admin/settings` or `createMockDingTalk({ settings })` takes them.
 * Every default is the vendor's documented value or, where the vendor is
 * silent, the pick the README explains ("Where the vendor is silent").
 *
 * Written out rather than inferred from the zod schema, so that the package's
 * `.d.ts` carries these comments; settings.ts checks that the two agree.
 */
export interface MockSettings {
  /** Recipients per minute per (corp, app); the excess is dropped silently (143103/143203). Default 5,000. */
  recipientsPerMinute: number;
  /**
   * Whether "per minute" is a sliding 60 s window or the calendar minute: the
   * vendor does not say. Default "sliding", the stricter reading, so a client
   * that passes here passes there.
   */
  minuteWindow: "sliding" | "calendar";
  /** Length of the vendor's per-minute window in ms; 60,000 as documented. A testing knob: shorten it to run window tests in seconds. */
  minuteWindowMs: number;
  /** Messages per employee per app per China-time day (143105/143205). Default 100; one vendor page says 50. */
  dailyMessagesPerEmployee: number;
  /** The same template and data to the same employee once per China-time day (143106/143206). Default true. */
  duplicateContentOncePerDay: boolean;
  /** The documented maximum of recipients one send reaches. Default 1,000. */
  recipientsPerSend: number;
  /**
   * What a send to more than `recipientsPerSend` recipients does (the vendor
   * does not say): "reject" (default) answers `overRecipientsPerSendErrcode`
   * and sends nothing; "deliver-first" delivers the first ones and lists the
   * rest under `failed_user_id_list`.
   */
  overRecipientsPerSend: "reject" | "deliver-first";
  /** The errcode of that refusal. Default 40035. */
  overRecipientsPerSendErrcode: number;
  /** Ids `userid_list` may hold. Default 5,000, as documented. */
  maxUseridsPerList: number;
  /** The errcode when `userid_list` holds more. Default 40035. */
  tooManyUseridsErrcode: number;
  /** Ids `dept_id_list` may hold. Default 500, as documented. */
  maxDeptIdsPerList: number;
  /** The errcode when `dept_id_list` holds more. Default 40035. */
  tooManyDeptIdsErrcode: number;
  /** The errcode of a send with both lists empty; unconfirmed for sendbytemplate. Default 1430000, the vendor's "receivers are empty". */
  noReceiversErrcode: number;
  /**
   * What happens when `data` lacks a template variable or has extra keys (the
   * vendor does not say): "lenient" (default) renders missing ones empty and
   * notes it in the journal; "strict" answers 40035.
   */
  templateVariables: "lenient" | "strict";
  /**
   * Calls per second per app per API, on the mock's clock (90018 wrapped in
   * 88); `null` turns the limit off. Default 20. With a frozen clock every
   * call falls in the same second, so a loop of more than 20 calls meets it:
   * set `null` for such tests.
   */
  qpsPerAppPerApi: number | null;
  /** Lifetime of a token in seconds. Default 7,200, as documented. */
  tokenTtlSeconds: number;
  /** Whether an expired token (42001) comes wrapped in errcode 88 on /topapi; unconfirmed. Default true. */
  expiredTokenWrapped: boolean;
  /** Whether a token asked for again while valid is the same one, its life extended (the vendor's way; default true), or a fresh one. */
  reuseValidToken: boolean;
  /** How far a get_corp_token timestamp may be from the mock's clock, in ms. Default 15 minutes. */
  suiteTimestampToleranceMs: number;
  /** getsendresult refuses tasks with more recipients, as the vendor does. Default 100. */
  sendResultMaxRecipients: number;
  /** The errcode of that refusal (the vendor answers a timeout). Default 500. */
  sendResultTooLargeErrcode: number;
  /** getsendresult and recall reach only tasks this young, in ms. Default 24 hours. */
  taskQueryWindowMs: number;
  /** Mock time a task takes from "running" to "done" in getsendprogress, in ms; 0 (default) means done at once. */
  taskCompletionMs: number;
  /** Journal entries kept per world; the oldest are dropped first and counted. About 1 KB each. Default 1,000. */
  journalLimit: number;
  /** Messages kept per employee inbox; the oldest are dropped first. Default 500. */
  inboxLimitPerUser: number;
  /** Send tasks kept (each holds its recipient lists), besides a week of mock time; the oldest are dropped first. Default 10,000. */
  taskLimit: number;
  /**
   * Memory budget of one world, in bytes, as the world accounts them (tasks,
   * inboxes, day ledger, journal, minute window: `GET /__admin/worlds/:name`
   * shows the figures). Over it, the oldest send tasks are dropped first
   * (counted; a dropped task is answered as unknown), never the newest one.
   * Inboxes, journal and ledger keep their own bounds. Default 268,435,456 (256 MiB).
   */
  worldMemoryBudgetBytes: number;
}

/** The zod schema of `MockSettings`: every switch, strictly (an unknown one is refused). */
export const MockSettings = MockSettingsSchema;

/** Only the switches named change; the rest keep their values. */
export type MockSettingsPatch = Partial<MockSettings>;

/** The zod schema of `MockSettingsPatch`. */
export const MockSettingsPatch = MockSettingsPatchSchema;
