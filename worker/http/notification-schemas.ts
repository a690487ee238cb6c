import { z } from "zod";
import { MAX_DEPT_IDS_PER_SEND, TemplateData } from "../../protocol/index.ts";

/** The most user ids one request may name at all; the per-request limits of each mode are checked after expansion. */
export const MAX_QUEUED_USERIDS = 100_000;

/** A DingTalk userid: opaque, but never blank and never holding the vendor's list separator. */
const UserId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^,\s]+$/, "must not contain commas or white space");

/** POST /v1/notifications: malformed input is refused here, before any object or vendor sees it. */
export const NotificationBody = z
  .object({
    /** The organisation; with agentId, picks the app. Both omitted: the configured default app. */
    corpId: z.string().min(1).optional(),
    agentId: z.number().int().positive().optional(),
    templateId: z.string().min(1).max(128),
    /** At most 5,000 in a synchronous request (the vendor's per-list maximum); queued requests may name more. */
    userIds: z.array(UserId).max(MAX_QUEUED_USERIDS).optional(),
    deptIds: z.array(z.number().int().positive()).max(MAX_DEPT_IDS_PER_SEND).optional(),
    /** Template variables: string keys, string values, as the vendor requires. */
    data: TemplateData.default({}),
  })
  .strict()
  .refine((body) => (body.userIds?.length ?? 0) + (body.deptIds?.length ?? 0) > 0, {
    message: "name at least one recipient in userIds or deptIds",
    path: ["userIds"],
  });
export type NotificationBody = z.output<typeof NotificationBody>;

export const SuiteTicketBody = z.object({ suiteTicket: z.string().min(1).max(512) }).strict();
