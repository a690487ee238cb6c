import type { MockState } from "./engine/mock-state.ts";

/**
 * What every route of one simulated DingTalk gets with its request: the world
 * it answers for. One Hono app serves every world, so routes never close over
 * a state; the host that picked the world passes it in `c.env`.
 */
export interface WorldBindings {
  world: MockState;
  /** Where this world is mounted, "" for the root or "/w/<name>"; problem details name the full path. */
  basePath: string;
}

export type WorldEnv = { Bindings: WorldBindings };
