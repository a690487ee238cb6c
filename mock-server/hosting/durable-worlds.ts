import type { WorldCatalog, WorldInfo, WorldLimits, WorldList, WorldOptions } from "./world-catalog.ts";
import { DEFAULT_WORLD_LIMITS } from "./world-catalog.ts";
import { worldLimitProblem } from "./world-info.ts";
import { worldBasePath } from "./world-names.ts";
import type { MockDingTalkObject } from "./world-object.ts";
import type { MockWorldRegistry } from "./world-registry-object.ts";

/** The mock Worker's bindings (mock-server/wrangler.toml). */
export interface MockEnv {
  /** One object per world, named by the world's name. */
  MOCK_DINGTALK: DurableObjectNamespace<MockDingTalkObject>;
  /** One object, "registry": which worlds exist. */
  MOCK_WORLDS: DurableObjectNamespace<MockWorldRegistry>;
  MOCK_MAX_WORLDS?: string;
  MOCK_WORLD_IDLE_MS?: string;
}

/** The Worker tells each world object who it is and where it is mounted. */
export const WORLD_NAME_HEADER = "x-mock-world";
export const WORLD_BASE_HEADER = "x-mock-world-base";

/** What a world object answers to `create`; a refusal travels as data, not as an RPC exception. */
export type CreateOutcome = { ok: true; info: WorldInfo; replaced: boolean } | { ok: false; count: number; maxWorlds: number };

export function limitsFromEnv(env: MockEnv): WorldLimits {
  const read = (value: string | undefined, fallback: number) => (value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback);
  return {
    maxWorlds: read(env.MOCK_MAX_WORLDS, DEFAULT_WORLD_LIMITS.maxWorlds),
    idleMs: read(env.MOCK_WORLD_IDLE_MS, DEFAULT_WORLD_LIMITS.idleMs),
  };
}

export function worldRegistry(env: MockEnv): DurableObjectStub<MockWorldRegistry> {
  return env.MOCK_WORLDS.get(env.MOCK_WORLDS.idFromName("registry"));
}

/** Under wrangler: every world is a Durable Object named after it, so its state survives restarts and deploys. */
export class DurableWorlds implements WorldCatalog {
  readonly limits: WorldLimits;
  readonly #env: MockEnv;

  constructor(env: MockEnv) {
    this.#env = env;
    this.limits = limitsFromEnv(env);
  }

  async list(): Promise<WorldList["worlds"]> {
    const rows = await worldRegistry(this.#env).list();
    return rows.map((row) => ({ name: row.name, basePath: worldBasePath(row.name), createdAt: new Date(row.createdAtMs).toISOString() }));
  }

  /** Asks the registry first, so looking up a world that does not exist leaves no object behind. */
  async describe(name: string): Promise<WorldInfo | undefined> {
    if (!(await worldRegistry(this.#env).has(name))) return undefined;
    return (await this.#world(name).describe()) ?? undefined;
  }

  async create(name: string, options: WorldOptions): Promise<{ info: WorldInfo; replaced: boolean }> {
    const outcome = await this.#world(name).create(name, options);
    if (!outcome.ok) throw worldLimitProblem(name, outcome.count, outcome.maxWorlds);
    return { info: outcome.info, replaced: outcome.replaced };
  }

  async drop(name: string): Promise<boolean> {
    if (!(await worldRegistry(this.#env).has(name))) return false;
    return this.#world(name).drop();
  }

  forward(name: string, basePath: string, request: Request): Promise<Response> {
    const headers = new Headers(request.headers);
    headers.set(WORLD_NAME_HEADER, name);
    headers.set(WORLD_BASE_HEADER, basePath);
    return this.#world(name).fetch(new Request(request, { headers }));
  }

  #world(name: string): DurableObjectStub<MockDingTalkObject> {
    return this.#env.MOCK_DINGTALK.get(this.#env.MOCK_DINGTALK.idFromName(name));
  }
}
