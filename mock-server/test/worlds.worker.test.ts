import { env, exports } from "cloudflare:workers";
import { evictDurableObject, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { VendorPath } from "../../protocol/index.ts";
import type { InboxView } from "../admin-client.ts";
import type { WorldInfo, WorldList } from "../hosting/world-catalog.ts";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP } from "../world/default-world.ts";

const BASE = "http://mock-dingtalk.test";
const TOKEN_QUERY = `appkey=${DEFAULT_INTERNAL_APP.appKey}&appsecret=${DEFAULT_INTERNAL_APP.appSecret}`;
type Json = Record<string, any>;

async function callJson<T = Json>(path: string, init?: { method?: string; body?: unknown }, status = 200): Promise<T> {
  const response = await exports.default.fetch(`${BASE}${path}`, {
    method: init?.method ?? "GET",
    ...(init?.body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  });
  expect(response.status, `${init?.method ?? "GET"} ${path}`).toBe(status);
  return (status === 204 ? null : await response.json()) as T;
}

async function sendIn(base: string, userids: string[]): Promise<Json> {
  const { access_token } = await callJson(`${base}${VendorPath.getToken}?${TOKEN_QUERY}`);
  return callJson(`${base}${VendorPath.sendByTemplate}?access_token=${access_token}`, {
    method: "POST",
    body: { agent_id: DEFAULT_INTERNAL_APP.agentId, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: userids.join(","), data: JSON.stringify({ name: "Ada", name2: "https://x" }) },
  });
}

const worldObject = (name: string) => env.MOCK_DINGTALK.get(env.MOCK_DINGTALK.idFromName(name));

describe("worlds under wrangler: one Durable Object each", () => {
  it("keeps each world's sends, clock and journal in its own object", async () => {
    expect((await sendIn("/w/red", ["123"])).errcode).toBe(0);
    await callJson("/w/blue/__admin/clock", { method: "POST", body: { frozen: true } });
    await callJson("/w/blue/__admin/clock", { method: "POST", body: { now: "2027-01-01T00:00:00Z" } });

    expect((await callJson<InboxView>("/w/red/__admin/inbox/123")).messages).toHaveLength(1);
    expect((await callJson<InboxView>("/w/blue/__admin/inbox/123")).messages).toEqual([]);
    expect((await callJson<{ size: number }>("/w/blue/__admin/journal")).size).toBe(0);
    expect((await callJson("/w/blue/__admin/clock")).now).toBe("2027-01-01T00:00:00.000Z");
    expect((await callJson("/w/red/__admin/clock")).now).not.toBe("2027-01-01T00:00:00.000Z");

    // Each world is its own object, named after it, and the registry lists both.
    const stored = await runInDurableObject(worldObject("red"), (_, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'name'").one().value,
    );
    expect(stored).toBe("red");
    const names = (await callJson<WorldList>("/__admin/worlds")).worlds.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(["red", "blue"]));
    expect((await listDurableObjectIds(env.MOCK_DINGTALK)).length).toBeGreaterThanOrEqual(2);
  });

  it("creates a seeded world, describes it, and drops it with its storage", async () => {
    const created = await callJson<WorldInfo>(
      "/__admin/worlds/seeded",
      { method: "PUT", body: { world: "empty", settings: { journalLimit: 10 }, clock: { start: "2027-02-01T00:00:00Z", frozen: true } } },
      201,
    );
    expect(created).toMatchObject({ name: "seeded", basePath: "/w/seeded", mockNow: "2027-02-01T00:00:00.000Z", journal: { size: 0, limit: 10 } });
    expect((await callJson<{ corps: unknown[] }>("/w/seeded/__admin/world")).corps).toEqual([]);
    expect((await callJson<WorldInfo>("/__admin/worlds/seeded")).journal.limit).toBe(10);

    await callJson("/__admin/worlds/seeded", { method: "DELETE" }, 204);
    await callJson("/__admin/worlds/seeded", {}, 404);
    await callJson("/__admin/worlds/seeded", { method: "DELETE" }, 404);
    expect((await callJson<WorldList>("/__admin/worlds")).worlds.map((w) => w.name)).not.toContain("seeded");
    const tables = await runInDurableObject(worldObject("seeded"), (_, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray());
    expect(tables).toEqual([]);
    // Its next use starts it afresh from the default world.
    expect((await callJson<{ corps: unknown[] }>("/w/seeded/__admin/world")).corps.length).toBeGreaterThan(0);
  });

  it("resets a world to its own seed and settings even after an eviction", async () => {
    await callJson("/__admin/worlds/origin", { method: "PUT", body: { world: "empty", settings: { journalLimit: 5 } } }, 201);
    await callJson("/w/origin/__admin/settings", { method: "PUT", body: { journalLimit: 50 } });
    await evictDurableObject(worldObject("origin"));
    const summary = await callJson<{ corps: unknown[] }>("/w/origin/__admin/reset", { method: "POST" });
    expect(summary.corps).toEqual([]);
    expect((await callJson("/w/origin/__admin/settings")).journalLimit).toBe(5);
  });

  it("forgets a world whose idle alarm finds it unused, but never the default world", async () => {
    expect((await sendIn("/w/idle", ["123"])).errcode).toBe(0);
    expect((await sendIn("/w/busy", ["123"])).errcode).toBe(0);
    // As if idle's last request came seven hours ago (the object reads it back after an eviction).
    await runInDurableObject(worldObject("idle"), (_, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_used', ?)", String(Date.now() - 7 * 3_600_000));
    });
    await evictDurableObject(worldObject("idle"));
    expect(await runDurableObjectAlarm(worldObject("idle"))).toBe(true);
    await callJson("/__admin/worlds/idle", {}, 404);
    expect((await callJson<WorldList>("/__admin/worlds")).worlds.map((w) => w.name)).not.toContain("idle");

    // A world used just now survives its alarm, which moves on.
    expect(await runDurableObjectAlarm(worldObject("busy"))).toBe(true);
    expect((await callJson<WorldInfo>("/__admin/worlds/busy")).tasks).toBe(1);
    // The default world sets no idle alarm at all.
    expect((await sendIn("", ["123"])).errcode).toBe(0);
    expect(await runDurableObjectAlarm(worldObject("default"))).toBe(false);
  });

  it("refuses a bad world name, and looks up or drops an unknown one, without creating any object", async () => {
    const before = (await listDurableObjectIds(env.MOCK_DINGTALK)).length;
    const response = await exports.default.fetch(`${BASE}/w/bad!name/gettoken`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid-world-name" });
    await callJson("/__admin/worlds/nobody-here", {}, 404);
    await callJson("/__admin/worlds/nobody-here", { method: "DELETE" }, 404);
    expect((await listDurableObjectIds(env.MOCK_DINGTALK)).length).toBe(before);
  });
});
