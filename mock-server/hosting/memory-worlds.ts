import type { MockState } from "../engine/mock-state.ts";
import { worldApp } from "../world-app.ts";
import { DEFAULT_WORLD_LIMITS, type WorldCatalog, type WorldInfo, type WorldLimits, type WorldList, type WorldOptions } from "./world-catalog.ts";
import { describeWorld, worldLimitProblem } from "./world-info.ts";
import type { WorldFactory } from "./world-factory.ts";
import { DEFAULT_WORLD_NAME, worldBasePath } from "./world-names.ts";

interface HeldWorld {
  state: MockState;
  createdAtMs: number;
  lastUsedMs: number;
}

/**
 * Every world of a Node or in-process mock, in one process's memory. Worlds
 * share one router and, when they start from the same seed, one directory;
 * each has its own clock, quotas, tokens, faults, journal and inboxes.
 */
export class MemoryWorlds implements WorldCatalog {
  readonly limits: WorldLimits;
  readonly #factory: WorldFactory;
  readonly #realNow: () => number;
  readonly #worlds = new Map<string, HeldWorld>();

  constructor(factory: WorldFactory, limits: Partial<WorldLimits> = {}, realNow: () => number = Date.now) {
    this.#factory = factory;
    this.limits = { ...DEFAULT_WORLD_LIMITS, ...limits };
    this.#realNow = realNow;
  }

  /** The world's state, created from the template on first use. */
  open(name: string): MockState {
    const now = this.#realNow();
    const held = this.#live(name, now);
    if (held) {
      held.lastUsedMs = now;
      return held.state;
    }
    return this.#add(name, this.#factory.create({}), now).state;
  }

  /** The world's state if it exists; never creates one. */
  peek(name: string): MockState | undefined {
    return this.#live(name, this.#realNow())?.state;
  }

  async list(): Promise<WorldList["worlds"]> {
    this.#forgetIdle(this.#realNow());
    return [...this.#worlds].map(([name, held]) => ({ name, basePath: worldBasePath(name), createdAt: new Date(held.createdAtMs).toISOString() }));
  }

  async describe(name: string): Promise<WorldInfo | undefined> {
    const held = this.#live(name, this.#realNow());
    return held && describeWorld(name, held.state, held.createdAtMs, held.lastUsedMs);
  }

  async create(name: string, options: WorldOptions): Promise<{ info: WorldInfo; replaced: boolean }> {
    const replaced = this.#forget(name, "replaced");
    const held = this.#add(name, this.#factory.create(options), this.#realNow());
    return { info: describeWorld(name, held.state, held.createdAtMs, held.lastUsedMs), replaced };
  }

  async drop(name: string): Promise<boolean> {
    return this.#forget(name);
  }

  async forward(name: string, basePath: string, request: Request): Promise<Response> {
    return worldApp().app.fetch(request, { world: this.open(name), basePath });
  }

  get size(): number {
    return this.#worlds.size;
  }

  /** The world if it exists and has not been idle too long; an idle one is forgotten here. */
  #live(name: string, now: number): HeldWorld | undefined {
    const held = this.#worlds.get(name);
    if (held && this.#isIdle(name, held, now)) {
      this.#forget(name);
      return undefined;
    }
    return held;
  }

  #isIdle(name: string, held: HeldWorld, now: number): boolean {
    return name !== DEFAULT_WORLD_NAME && this.limits.idleMs > 0 && now - held.lastUsedMs >= this.limits.idleMs;
  }

  /** The default world is always let in; the cap counts the named ones. */
  #add(name: string, state: MockState, now: number): HeldWorld {
    this.#forgetIdle(now);
    const named = this.#worlds.size - (this.#worlds.has(DEFAULT_WORLD_NAME) ? 1 : 0);
    if (name !== DEFAULT_WORLD_NAME && named >= this.limits.maxWorlds) {
      throw worldLimitProblem(name, named, this.limits.maxWorlds);
    }
    const held = { state, createdAtMs: now, lastUsedMs: now };
    this.#worlds.set(name, held);
    return held;
  }

  #forget(name: string, why: "dropped" | "replaced" = "dropped"): boolean {
    const held = this.#worlds.get(name);
    if (!held) return false;
    this.#worlds.delete(name);
    held.state.events.end(why);
    return true;
  }

  #forgetIdle(now: number): void {
    for (const [name, held] of this.#worlds) {
      if (this.#isIdle(name, held, now)) this.#forget(name);
    }
  }
}
