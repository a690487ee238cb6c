import { DurableObject } from "cloudflare:workers";
import type { MockEnv } from "./durable-worlds.ts";
import { DEFAULT_WORLD_NAME } from "./world-names.ts";

/**
 * Under wrangler, the names of the worlds that exist (each world is its own
 * Durable Object, and a namespace cannot list its objects). A world registers
 * when it is created and unregisters when dropped; the cap is checked here, in
 * one place, so two worlds created at once cannot both take the last slot.
 */
export class MockWorldRegistry extends DurableObject<MockEnv> {
  constructor(ctx: DurableObjectState, env: MockEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS worlds (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL)");
  }

  /** True if the world is (now) registered; false if `maxWorlds` named worlds are already. "default" is always let in. */
  register(name: string, createdAtMs: number, maxWorlds: number): boolean {
    if (this.has(name)) return true;
    if (name !== DEFAULT_WORLD_NAME && this.count() >= maxWorlds) return false;
    this.ctx.storage.sql.exec("INSERT INTO worlds (name, created_at) VALUES (?, ?)", name, createdAtMs);
    return true;
  }

  has(name: string): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM worlds WHERE name = ?", name).toArray().length > 0;
  }

  unregister(name: string): void {
    this.ctx.storage.sql.exec("DELETE FROM worlds WHERE name = ?", name);
  }

  list(): { name: string; createdAtMs: number }[] {
    return this.ctx.storage.sql
      .exec<{ name: string; created_at: number }>("SELECT name, created_at FROM worlds ORDER BY created_at, name")
      .toArray()
      .map((row) => ({ name: row.name, createdAtMs: row.created_at }));
  }

  /** Named worlds, the ones the cap counts. */
  count(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM worlds WHERE name != ?", DEFAULT_WORLD_NAME).one().n;
  }
}
