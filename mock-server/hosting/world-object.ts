import { DurableObject } from "cloudflare:workers";
import type { MockSnapshot, MockState } from "../engine/mock-state.ts";
import { problemResponse } from "../../protocol/problem-details.ts";
import { isDroppedConnection } from "../vendor/connection-drop.ts";
import { worldApp } from "../world-app.ts";
import type { WorldInfo, WorldOptions } from "./world-catalog.ts";
import { limitsFromEnv, WORLD_BASE_HEADER, WORLD_NAME_HEADER, worldRegistry, type CreateOutcome, type MockEnv } from "./durable-worlds.ts";
import { WorldFactory } from "./world-factory.ts";
import { describeWorld, worldLimitProblem } from "./world-info.ts";
import { DEFAULT_WORLD_NAME } from "./world-names.ts";

/** Rows stay well under the 2 MB row limit of Durable Object SQLite. */
const SNAPSHOT_CHUNK_CHARS = 512 * 1024;
/** Bump when the table layout changes. */
const SCHEMA_VERSION = 1;
/** The idle alarm moves at most this often, so a busy world does not write it on every call. */
const ALARM_SLACK_MS = 60_000;
export const DROPPED_HEADER = "x-mock-dropped-connection";

const factory = new WorldFactory();

/**
 * One world of the mock under wrangler, named after it. Its whole state is a
 * MockState kept in memory and written through to SQLite as snapshot chunks
 * after every call that changes it, so it survives eviction and restarts.
 * An idle alarm forgets a world nobody used for `MOCK_WORLD_IDLE_MS`.
 */
export class MockDingTalkObject extends DurableObject<MockEnv> {
  #state: MockState = factory.create();
  /** Set once the world exists (registered, with a creation time); unset after a drop. */
  #createdAtMs: number | undefined;
  #name: string | undefined;
  #lastUsedMs = 0;
  #lastUsedStoredMs = 0;

  constructor(ctx: DurableObjectState, env: MockEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      // Tables are made on the first write, so looking at a world that does not exist stores nothing.
      if (!this.#hasTables()) return;
      const sql = ctx.storage.sql;
      const meta = new Map(sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray().map((row) => [row.key, row.value]));
      this.#name = meta.get("name");
      this.#createdAtMs = meta.has("created_at") ? Number(meta.get("created_at")) : undefined;
      this.#lastUsedMs = this.#lastUsedStoredMs = Number(meta.get("last_used") ?? 0);
      const chunks = sql.exec<{ data: string }>("SELECT data FROM snapshot_chunks ORDER BY idx").toArray();
      if (chunks.length === 0) return;
      try {
        this.#state.restore(JSON.parse(chunks.map((row) => row.data).join("")) as MockSnapshot);
      } catch (error) {
        // A snapshot this version cannot read (an older format, say): start the world afresh rather than fail every request.
        console.warn(`mock world ${this.#name ?? "?"}: stored state unreadable, starting afresh: ${(error as Error).message}`);
        this.#state = factory.create();
      }
      // Stored before worlds had names (one object held the whole mock): it is the default world, registered on its next request.
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const name = request.headers.get(WORLD_NAME_HEADER) ?? DEFAULT_WORLD_NAME;
    const basePath = request.headers.get(WORLD_BASE_HEADER) ?? "";
    if (this.#createdAtMs === undefined) {
      const refused = await this.ctx.blockConcurrencyWhile(() => this.#register(name));
      if (refused) return problemResponse(worldLimitProblem(name, refused.count, refused.maxWorlds), basePath + new URL(request.url).pathname);
    }
    this.#touch();
    const response = await worldApp().app.fetch(request, { world: this.#state, basePath });
    if (changesState(request)) this.#persist();
    if (isDroppedConnection(response)) return new Response(null, { status: 599, headers: { [DROPPED_HEADER]: "1" } });
    return response;
  }

  /**
   * Starts the world afresh from `options`; refused (as data) when the registry is full.
   * Nothing else runs in this object meanwhile, so no call lands in the world being replaced.
   */
  create(name: string, options: WorldOptions): Promise<CreateOutcome> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const replaced = this.#createdAtMs !== undefined;
      if (!replaced) {
        const refused = await this.#register(name);
        if (refused) return { ok: false, ...refused };
      }
      this.#state.events.end(replaced ? "replaced" : "dropped");
      this.#state = factory.create(options);
      this.#createdAtMs = Date.now();
      this.#touch();
      this.#persist();
      return { ok: true, info: this.#describe(name), replaced };
    });
  }

  describe(): WorldInfo | null {
    return this.#createdAtMs === undefined || this.#name === undefined ? null : this.#describe(this.#name);
  }

  /**
   * Forgets everything: storage, alarm and registry entry. The next request starts the world anew.
   * Nothing else runs in this object meanwhile: a call cannot land in the world being dropped,
   * nor re-register it between the wipe and the unregistering.
   */
  drop(): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(() => this.#drop());
  }

  override async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.#createdAtMs === undefined || this.#name === DEFAULT_WORLD_NAME) return;
      const { idleMs } = limitsFromEnv(this.env);
      if (idleMs <= 0) return;
      const idleUntil = this.#lastUsedMs + idleMs;
      if (Date.now() >= idleUntil) await this.#drop();
      else await this.ctx.storage.setAlarm(idleUntil);
    });
  }

  async #drop(): Promise<boolean> {
    if (this.#createdAtMs === undefined) return false;
    const name = this.#name;
    // Wipe first: if the object dies before unregistering, the registry lists a world that starts afresh, never a hidden one with state.
    this.#state.events.end("dropped");
    this.#state = factory.create();
    this.#createdAtMs = undefined;
    this.#lastUsedMs = this.#lastUsedStoredMs = 0;
    await this.ctx.storage.deleteAlarm();
    // Every table with it: a dropped world leaves nothing stored.
    await this.ctx.storage.deleteAll();
    if (name !== undefined) await worldRegistry(this.env).unregister(name);
    return true;
  }

  /** null when registered; the numbers when the registry is full. */
  async #register(name: string): Promise<{ count: number; maxWorlds: number } | null> {
    const { maxWorlds } = limitsFromEnv(this.env);
    const now = Date.now();
    const registry = worldRegistry(this.env);
    if (!(await registry.register(name, now, maxWorlds))) return { count: await registry.count(), maxWorlds };
    this.#name = name;
    this.#createdAtMs = now;
    this.#persist();
    return null;
  }

  #hasTables(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
  }

  #ensureTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS snapshot_chunks (idx INTEGER PRIMARY KEY, data TEXT NOT NULL)");
  }

  #describe(name: string): WorldInfo {
    return describeWorld(name, this.#state, this.#createdAtMs ?? Date.now(), this.#lastUsedMs);
  }

  /** Records use; the stored time and the idle alarm move only when they are a minute stale. */
  #touch(): void {
    const now = Date.now();
    this.#lastUsedMs = now;
    if (now - this.#lastUsedStoredMs < ALARM_SLACK_MS) return;
    this.#lastUsedStoredMs = now;
    this.#ensureTables();
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_used', ?)", String(now));
    const { idleMs } = limitsFromEnv(this.env);
    if (this.#name !== DEFAULT_WORLD_NAME && idleMs > 0) void this.ctx.storage.setAlarm(now + idleMs + ALARM_SLACK_MS);
  }

  /** Write-through: the answer leaves only after its effects are stored (the output gate waits for the write). */
  #persist(): void {
    const json = JSON.stringify(this.#state.snapshot());
    const sql = this.ctx.storage.sql;
    this.#ensureTables();
    this.ctx.storage.transactionSync(() => {
      const setMeta = (key: string, value: string) => sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
      setMeta("schema_version", String(SCHEMA_VERSION));
      if (this.#name !== undefined) setMeta("name", this.#name);
      if (this.#createdAtMs !== undefined) setMeta("created_at", String(this.#createdAtMs));
      sql.exec("DELETE FROM snapshot_chunks");
      for (let idx = 0; idx * SNAPSHOT_CHUNK_CHARS < json.length; idx++) {
        sql.exec("INSERT INTO snapshot_chunks (idx, data) VALUES (?, ?)", idx, json.slice(idx * SNAPSHOT_CHUNK_CHARS, (idx + 1) * SNAPSHOT_CHUNK_CHARS));
      }
    });
  }
}

/** Reads of the admin API change nothing; every vendor call at least journals. */
function changesState(request: Request): boolean {
  if (request.method !== "GET") return true;
  return !new URL(request.url).pathname.startsWith("/__admin/");
}
