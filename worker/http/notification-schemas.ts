import { z } from "zod";
import { MAX_DEPT_IDS_PER_SEND, MAX_USERIDS_PER_SEND_LIST, TemplateData } from "../../protocol/index.ts";

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
    userIds: z.array(UserId).max(MAX_USERIDS_PER_SEND_LIST).optional(),
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
