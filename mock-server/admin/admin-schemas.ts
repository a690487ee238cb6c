import { z } from "zod";

/** `POST /__admin/clock`: one move at a time, so the intent is never ambiguous. */
export const ClockCommand = z.union([
  z.object({ advanceMs: z.number().int().nonnegative() }).strict(),
  z.object({ now: z.iso.datetime({ offset: true }) }).strict(),
  z.object({ frozen: z.boolean() }).strict(),
]);
export type ClockCommand = z.infer<typeof ClockCommand>;

export const ClockView = z.object({
  now: z.string(),
  nowMs: z.number(),
  frozen: z.boolean(),
  chinaDay: z.string(),
  nextChinaMidnight: z.string(),
});

export const JournalQuery = z.object({
  endpoint: z.string().optional(),
  errcode: z.coerce.number().int().optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
});

export const InboxQuery = z.object({ corpId: z.string().optional() });

export const TaskIdParam = z.object({ taskId: z.coerce.number().int().positive() });

export const WorldSummary = z.object({
  corps: z.array(
    z.object({ corpId: z.string(), name: z.string(), departments: z.number(), users: z.number() }),
  ),
  apps: z.array(z.object({ kind: z.string(), corpId: z.string(), agentId: z.number(), name: z.string() })),
  templates: z.array(z.object({ templateId: z.string(), status: z.string(), title: z.string() })),
});
