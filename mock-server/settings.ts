import { z } from "zod";
import { MINUTE_MS } from "./engine/minute-window.ts";
import type { MockSettings as DocumentedMockSettings } from "./settings-types.ts";
import {
  DEFAULT_DAILY_MESSAGES_PER_EMPLOYEE,
  ErrCode,
  MAX_DEPT_IDS_PER_SEND,
  MAX_RECIPIENTS_FOR_SEND_RESULT,
  MAX_RECIPIENTS_PER_MINUTE,
  MAX_RECIPIENTS_PER_SEND,
  MAX_USERIDS_PER_SEND_LIST,
  TASK_QUERY_WINDOW_MS,
  TOKEN_TTL_SECONDS,
} from "../protocol/index.ts";

/**
 * How the mock behaves where the vendor's documentation gives a number or is
 * silent. Every default is the documented value or, where the vendor's answer
 * is unknown, the pick the README explains; each one can be switched with
 * `PUT /__admin/settings` or `createMockDingTalk({ settings })`.
 */
const settingsShape = {
  /** Recipients per minute per (corp, app); excess is dropped silently (143103/143203). */
  recipientsPerMinute: z.number().int().positive(),
  /**
   * Unknown: whether "per minute" is a sliding 60 s window or the calendar minute.
   * Sliding is the stricter reading, so a client that passes here passes there.
   */
  minuteWindow: z.enum(["sliding", "calendar"]),
  /**
   * Length of that "minute" in ms: 60,000, as documented. A testing knob: shorten
   * it (with the worker's MINUTE_WINDOW_MS) to run several windows in seconds.
   */
  minuteWindowMs: z.number().int().positive(),
  /** Messages per employee per app per China-time day (143105/143205). One vendor page says 50. */
  dailyMessagesPerEmployee: z.number().int().positive(),
  /** The same template + data to the same employee once per day (143106/143206). */
  duplicateContentOncePerDay: z.boolean(),
  /** Documented maximum of recipients one send reaches. */
  recipientsPerSend: z.number().int().positive(),
  /**
   * Unknown: what the vendor does with a send that reaches more recipients than
   * `recipientsPerSend`. "reject" answers `overRecipientsPerSendErrcode` and sends
   * nothing; "deliver-first" delivers the first ones and lists the rest under
   * `failed_user_id_list`.
   */
  overRecipientsPerSend: z.enum(["reject", "deliver-first"]),
  overRecipientsPerSendErrcode: z.number().int(),
  maxUseridsPerList: z.number().int().positive(),
  tooManyUseridsErrcode: z.number().int(),
  maxDeptIdsPerList: z.number().int().positive(),
  tooManyDeptIdsErrcode: z.number().int(),
  /** Unconfirmed for sendbytemplate: the vendor's "receivers are empty" code. */
  noReceiversErrcode: z.number().int(),
  /**
   * Unknown: what happens when `data` lacks a template variable or has extra keys.
   * "lenient" renders missing ones empty (the journal notes it); "strict" answers 40035.
   */
  templateVariables: z.enum(["lenient", "strict"]),
  /** Calls per second per app per API (90018 wrapped in 88); null turns the limit off. */
  qpsPerAppPerApi: z.number().int().positive().nullable(),
  tokenTtlSeconds: z.number().int().positive(),
  /** Unconfirmed: whether an expired token (42001) comes wrapped in errcode 88 on /topapi. */
  expiredTokenWrapped: z.boolean(),
  /**
   * The vendor returns the same token while it is valid and extends its life;
   * false issues a fresh token on every call instead.
   */
  reuseValidToken: z.boolean(),
  /** How far a get_corp_token timestamp may be from the mock's clock. */
  suiteTimestampToleranceMs: z.number().int().nonnegative(),
  /** getsendresult refuses bigger tasks, as the vendor does (it answers a timeout). */
  sendResultMaxRecipients: z.number().int().positive(),
  sendResultTooLargeErrcode: z.number().int(),
  /** getsendresult and recall only reach tasks this young. */
  taskQueryWindowMs: z.number().int().positive(),
  /** Mock time a task takes from "running" to "done" in getsendprogress; 0 means done at once. */
  taskCompletionMs: z.number().int().nonnegative(),
  /** Journal entries kept per world; the oldest are dropped first and counted. About 1 KB each (bench/worlds-memory.bench.ts). */
  journalLimit: z.number().int().positive(),
  /** Messages kept per employee inbox; the oldest are dropped first. */
  inboxLimitPerUser: z.number().int().positive(),
  /** Send tasks kept (each holds its recipient lists), besides the week of mock time; the oldest are dropped first. */
  taskLimit: z.number().int().positive(),
  /** Accounted bytes one world may hold; over it the oldest tasks are dropped first (see settings-types.ts). */
  worldMemoryBudgetBytes: z.number().int().positive(),
};

export const MockSettings = z.object(settingsShape).strict();
export type MockSettings = z.output<typeof MockSettings>;

/** Fails to compile when the documented interface (settings-types.ts) and this schema disagree. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
export type SettingsDocumented = Holds<Same<MockSettings, DocumentedMockSettings>>;

/** Only the switches named change; the rest keep their values. */
export const MockSettingsPatch = z.object(settingsShape).partial().strict();
export type MockSettingsPatch = z.input<typeof MockSettingsPatch>;

/** The documented values, and for the unknowns the picks explained above. */
const DEFAULT_SETTINGS: MockSettings = {
  recipientsPerMinute: MAX_RECIPIENTS_PER_MINUTE,
  minuteWindow: "sliding",
  minuteWindowMs: MINUTE_MS,
  dailyMessagesPerEmployee: DEFAULT_DAILY_MESSAGES_PER_EMPLOYEE,
  duplicateContentOncePerDay: true,
  recipientsPerSend: MAX_RECIPIENTS_PER_SEND,
  overRecipientsPerSend: "reject",
  overRecipientsPerSendErrcode: ErrCode.INVALID_PARAMETER,
  maxUseridsPerList: MAX_USERIDS_PER_SEND_LIST,
  tooManyUseridsErrcode: ErrCode.INVALID_PARAMETER,
  maxDeptIdsPerList: MAX_DEPT_IDS_PER_SEND,
  tooManyDeptIdsErrcode: ErrCode.INVALID_PARAMETER,
  noReceiversErrcode: ErrCode.NO_RECEIVERS,
  templateVariables: "lenient",
  qpsPerAppPerApi: 20,
  tokenTtlSeconds: TOKEN_TTL_SECONDS,
  expiredTokenWrapped: true,
  reuseValidToken: true,
  suiteTimestampToleranceMs: 15 * 60 * 1000,
  sendResultMaxRecipients: MAX_RECIPIENTS_FOR_SEND_RESULT,
  sendResultTooLargeErrcode: ErrCode.SYSTEM_ERROR,
  taskQueryWindowMs: TASK_QUERY_WINDOW_MS,
  taskCompletionMs: 0,
  journalLimit: 1000,
  inboxLimitPerUser: 500,
  taskLimit: 10_000,
  worldMemoryBudgetBytes: 256 * 2 ** 20,
};

export function defaultSettings(): MockSettings {
  return { ...DEFAULT_SETTINGS };
}
