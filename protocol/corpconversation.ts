import * as z from "./zod.ts";
import { IntegerLike, VendorAnswer } from "./envelope.ts";

/** The documented per-list maxima of sendbytemplate. */
export const MAX_USERIDS_PER_SEND_LIST = 5000;
export const MAX_DEPT_IDS_PER_SEND = 500;
/** The documented maximum number of recipients one send reaches. */
export const MAX_RECIPIENTS_PER_SEND = 1000;
/** The documented per-(corp, app) rate: recipients per minute. */
export const MAX_RECIPIENTS_PER_MINUTE = 5000;
/** The documented per-employee, per-app daily cap (one vendor page says 50). */
export const DEFAULT_DAILY_MESSAGES_PER_EMPLOYEE = 100;
/** getsendresult only answers for tasks with at most this many recipients. */
export const MAX_RECIPIENTS_FOR_SEND_RESULT = 100;
/** getsendresult and recall only reach tasks this young. */
export const TASK_QUERY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Template variables: keys and values must both be strings. */
export const TemplateData = z.record(z.string(), z.string());
export type TemplateData = z.infer<typeof TemplateData>;

/**
 * sendbytemplate as a well-behaved client sends it (JSON, token in the query).
 * `data` is the JSON *string* of the variables; the lists are comma-separated.
 */
export const SendByTemplateRequest = z.object({
  agent_id: z.int(),
  template_id: z.string().check(z.minLength(1)),
  userid_list: z.optional(z.string()),
  dept_id_list: z.optional(z.string()),
  data: z.optional(z.string()),
});
export type SendByTemplateRequest = z.infer<typeof SendByTemplateRequest>;

/**
 * sendbytemplate as the vendor accepts it: form bodies carry numbers as strings,
 * and the official Java SDK sends `data` as an object instead of a string.
 */
export const SendByTemplateWire = z.object({
  agent_id: IntegerLike,
  template_id: z.string().check(z.minLength(1)),
  userid_list: z.optional(z.string()),
  dept_id_list: z.optional(z.union([z.string(), z.pipe(z.int(), z.transform(String))])),
  // The object passes through as it came: a record schema would copy it and drop a "__proto__" key,
  // sending the rest as if it had never been there; parseTemplateData refuses that key by name.
  data: z.optional(z.union([z.string(), z.custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null && !Array.isArray(value))])),
});
export type SendByTemplateWire = z.infer<typeof SendByTemplateWire>;

export const SendByTemplateAnswer = z.extend(VendorAnswer, {
  task_id: z.int(),
});
export type SendByTemplateAnswer = z.infer<typeof SendByTemplateAnswer>;

export const TaskQueryRequest = z.object({
  agent_id: IntegerLike,
  task_id: IntegerLike,
});
export type TaskQueryRequest = z.input<typeof TaskQueryRequest>;

/** `status`: 0 not started, 1 running, 2 done. */
export const SendProgress = z.object({
  progress_in_percent: z.int().check(z.minimum(0), z.maximum(100)),
  status: z.union([z.literal(0), z.literal(1), z.literal(2)]),
});
export type SendProgress = z.infer<typeof SendProgress>;

export const GetSendProgressAnswer = z.extend(VendorAnswer, {
  progress: SendProgress,
});
export type GetSendProgressAnswer = z.infer<typeof GetSendProgressAnswer>;

/** One silently dropped recipient: `code` is a 1431xx/1432xx string, `count` the threshold hit. */
export const ForbiddenEntry = z.object({
  code: z.string(),
  count: z.int(),
  userid: z.string(),
});
export type ForbiddenEntry = z.infer<typeof ForbiddenEntry>;

export const SendResult = z.object({
  invalid_user_id_list: z.array(z.string()),
  forbidden_user_id_list: z.array(z.string()),
  failed_user_id_list: z.array(z.string()),
  read_user_id_list: z.array(z.string()),
  unread_user_id_list: z.array(z.string()),
  invalid_dept_id_list: z.array(z.int()),
  forbidden_list: z.array(ForbiddenEntry),
});
export type SendResult = z.infer<typeof SendResult>;

export const GetSendResultAnswer = z.extend(VendorAnswer, {
  send_result: SendResult,
});
export type GetSendResultAnswer = z.infer<typeof GetSendResultAnswer>;

/** recall names the task `msg_task_id`, unlike its neighbours. */
export const RecallRequest = z.object({
  agent_id: IntegerLike,
  msg_task_id: IntegerLike,
});
export type RecallRequest = z.input<typeof RecallRequest>;
