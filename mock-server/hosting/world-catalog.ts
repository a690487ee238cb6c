import { z } from "zod";
import { MockSettingsPatch } from "../settings.ts";
import { WorldSeed } from "../world/world-schema.ts";

/**
 * How a world starts. Every field is optional: what is left out comes from
 * the host's template (the world, settings and clock the server was started
 * with), which is also what a world created on first use gets.
 */
export const WorldOptions = z
  .object({
    world: z.union([z.literal("default"), z.literal("empty"), WorldSeed]).optional(),
    settings: MockSettingsPatch.optional(),
    clock: z
      .object({
        start: z.iso.datetime({ offset: true }).optional(),
        frozen: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type WorldOptions = z.output<typeof WorldOptions>;
export type WorldOptionsInput = z.input<typeof WorldOptions>;

/** One world as `GET /__admin/worlds/:name` shows it. Times are real time, except `mockNow`. */
export const WorldInfo = z.object({
  name: z.string(),
  /** Give this (after the server's URL) to any client or SDK as its base URL. */
  basePath: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  mockNow: z.string(),
  journal: z.object({ size: z.number(), dropped: z.number(), limit: z.number() }),
  tasks: z.number(),
  /** Tasks dropped since the world started: beyond `taskLimit`, older than a week, or over the memory budget. */
  tasksDropped: z.object({ limit: z.number(), age: z.number(), budget: z.number() }),
  /**
   * What the world holds, in bytes as it accounts them (estimates kept up as
   * things are added and dropped; README "How far this design scales" says
   * how they compare with the measured heap), against `worldMemoryBudgetBytes`.
   */
  memory: z.object({
    budgetBytes: z.number(),
    total: z.number(),
    tasks: z.number(),
    inbox: z.number(),
    ledger: z.number(),
    journal: z.number(),
    minuteWindow: z.number(),
  }),
});
export type WorldInfo = z.output<typeof WorldInfo>;

export const WorldList = z.object({
  worlds: z.array(z.object({ name: z.string(), basePath: z.string(), createdAt: z.string() })),
  limits: z.object({ maxWorlds: z.number(), idleMs: z.number() }),
});
export type WorldList = z.output<typeof WorldList>;

/** When the host forgets worlds. */
export interface WorldLimits {
  /** Named worlds that may exist at once, besides "default" (always let in); one more is refused (503 `world-limit-reached`). */
  maxWorlds: number;
  /** Real time without a request after which a world other than "default" is forgotten; 0 keeps them. */
  idleMs: number;
}

export const DEFAULT_WORLD_LIMITS: WorldLimits = { maxWorlds: 1000, idleMs: 6 * 60 * 60 * 1000 };

/**
 * The worlds one mock host serves. Node and in-process hosts keep them in
 * memory; under wrangler each is a Durable Object. The host's routes and its
 * path routing are written once against this.
 */
export interface WorldCatalog {
  readonly limits: WorldLimits;
  list(): Promise<WorldList["worlds"]>;
  describe(name: string): Promise<WorldInfo | undefined>;
  /** Creates the world afresh from `options`, replacing one of that name. */
  create(name: string, options: WorldOptions): Promise<{ info: WorldInfo; replaced: boolean }>;
  /** Forgets the world; false if there was none. Its next use creates it anew. */
  drop(name: string): Promise<boolean>;
  /** Answers a request inside the world (created on first use); `request`'s path is already the world's. */
  forward(name: string, basePath: string, request: Request): Promise<Response>;
}
