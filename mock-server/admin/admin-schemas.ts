import { z } from "zod";

export type ClockCommand = { advanceMs: number } | { now: string } | { frozen: boolean };
const CLOCK_MOVES = ["advanceMs", "now", "frozen"] as const;

/**
 * `POST /__admin/clock`: one move at a time, so the intent is never ambiguous.
 * One object rather than a union of three, so every problem names its field
 * (a union only says "Invalid input" when two moves come together).
 */
export const ClockCommand = z
  .object({
    advanceMs: z.number().int().nonnegative().optional(),
    now: z.iso.datetime({ offset: true }).optional(),
    frozen: z.boolean().optional(),
  })
  .strict()
  .superRefine((command, ctx) => {
    const given = CLOCK_MOVES.filter((key) => command[key] !== undefined);
    if (given.length === 1) return;
    if (given.length === 0) ctx.addIssue({ code: "custom", path: [], message: "give one of advanceMs, now or frozen" });
    for (const key of given) ctx.addIssue({ code: "custom", path: [key], message: `one move at a time: ${given.join(" and ")} given together` });
  })
  .transform((command) => command as ClockCommand);

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
