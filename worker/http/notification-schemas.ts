import * as z from "../../protocol/zod.ts";
import { MAX_DEPT_IDS_PER_SEND, MAX_USERIDS_PER_SEND_LIST } from "../../protocol/index.ts";
import { invalidJson, ProblemError, validate } from "../../protocol/problem-details.ts";
import { AgentId, CorpId, DeptId, TemplateId, TemplateVariables, UserId } from "./send-fields.ts";

/** POST /v1/notifications: malformed input is refused here, before any object or vendor sees it. */
export const NotificationBody = z
  .strictObject({
    /** The organisation; with agentId, picks the app. Both omitted: the configured default app. */
    corpId: z.optional(CorpId),
    agentId: z.optional(AgentId),
    templateId: TemplateId,
    /** How many depends on the mode (see parseNotificationBody); each id as the drop-in route reads it. */
    userIds: z.optional(z.array(UserId)),
    deptIds: z.optional(z.array(DeptId).check(z.maxLength(MAX_DEPT_IDS_PER_SEND))),
    /** Template variables: string keys, string values, as the vendor requires. */
    data: z.optional(TemplateVariables),
    /** Overrides VERIFY_DELIVERY for this request: read getsendresult for its tasks (sent in chunks of 100) or not. */
    verifyDelivery: z.optional(z.boolean()),
  })
  .check(
    z.refine((body) => (body.userIds?.length ?? 0) + (body.deptIds?.length ?? 0) > 0, {
      message: "name at least one recipient in userIds or deptIds",
      path: ["userIds"],
    }),
  );
export type NotificationBody = z.output<typeof NotificationBody>;

/**
 * The body, with the count of userIds checked first: a synchronous request
 * names at most the vendor's 5,000 per list, a queued one at most
 * `maxQueuedUserIds` (MAX_QUEUED_RECIPIENTS). Counting before validating each
 * id keeps a huge list from costing more than its refusal.
 */
export function parseNotificationBody(text: string, options: { async: boolean; maxQueuedUserIds: number }): NotificationBody {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  const count = typeof raw === "object" && raw !== null && Array.isArray((raw as { userIds?: unknown }).userIds) ? (raw as { userIds: unknown[] }).userIds.length : 0;
  const limit = options.async ? options.maxQueuedUserIds : MAX_USERIDS_PER_SEND_LIST;
  if (count > limit) {
    const message = options.async ? `at most ${limit} user ids in one queued request` : `at most ${limit} user ids in one synchronous request; more need Prefer: respond-async`;
    throw new ProblemError(400, "invalid-request", `body.userIds: ${message}`, [{ path: "body.userIds", message }]);
  }
  return validate(NotificationBody, raw, "body");
}

export const SuiteTicketBody = z.strictObject({ suiteTicket: z.string().check(z.minLength(1), z.maxLength(512)) });
