import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { ErrCode, VendorPath } from "../../protocol/index.ts";
import type { InboxView } from "../admin-client.ts";
import { MockClock } from "../clock.ts";
import type { JournalEntry } from "../engine/journal.ts";
import { MockState, type MockSnapshot } from "../engine/mock-state.ts";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP } from "../world/default-world.ts";

/** Any host reaches the Worker; it forwards everything to the one Durable Object named "default". */
const BASE = "http://mock-dingtalk.test";
const MORNING = "2026-11-25T02:00:00.000Z";
const TOKEN_PATH = `${VendorPath.getToken}?appkey=${DEFAULT_INTERNAL_APP.appKey}&appsecret=${DEFAULT_INTERNAL_APP.appSecret}`;

type Json = Record<string, any>;

function call(path: string, init?: { method?: string; body?: unknown }): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method: init?.method ?? "GET",
    ...(init?.body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  });
}

async function callJson<T = Json>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await call(path, init);
  expect(response.ok, `${init?.method ?? "GET"} ${path} answered ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

const token = async () => (await callJson(TOKEN_PATH)).access_token as string;

function send(accessToken: string, userids: string[]): Promise<Json> {
  return callJson(`${VendorPath.sendByTemplate}?access_token=${accessToken}`, {
    method: "POST",
    body: { agent_id: DEFAULT_INTERNAL_APP.agentId, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: userids.join(","), data: JSON.stringify({ name: "Ada", name2: "https://x" }) },
  });
}

const mockObject = () => env.MOCK_DINGTALK.get(env.MOCK_DINGTALK.idFromName("default"));

beforeEach(async () => {
  // The Durable Object outlives a test; start each from the default world on a frozen clock.
  await callJson("/__admin/reset", { method: "POST" });
  await callJson("/__admin/clock", { method: "POST", body: { frozen: true } });
  await callJson("/__admin/clock", { method: "POST", body: { now: MORNING } });
});

describe("the mock as a Worker with a Durable Object", () => {
  it("issues a token, sends, and shows the message in the inbox", async () => {
    const accessToken = await token();
    expect(accessToken).toMatch(/^[0-9a-f]{32}$/);
    const sent = await send(accessToken, ["123", "456"]);
    expect(sent).toMatchObject({ errcode: 0, task_id: expect.any(Number) });

    const inbox = await callJson<InboxView>("/__admin/inbox/123");
    expect(inbox.messages.map((m) => [m.taskId, m.text])).toEqual([[sent.task_id, "Hello Ada, your order is ready: https://x"]]);
    const journal = await callJson<{ entries: JournalEntry[] }>("/__admin/journal");
    expect(journal.entries.map((e) => e.endpoint)).toEqual(["getToken", "sendByTemplate"]);
  });

  it("keeps tokens, tasks, inboxes, settings, faults and the clock across an eviction", async () => {
    const accessToken = await token();
    const sent = await send(accessToken, ["123"]);
    await callJson("/__admin/settings", { method: "PUT", body: { tokenTtlSeconds: 600 } });
    await callJson("/__admin/faults", { method: "POST", body: { endpoint: "getSendProgress", errcode: ErrCode.SYSTEM_BUSY, times: 1 } });
    await callJson("/__admin/clock", { method: "POST", body: { advanceMs: 90_000 } });

    await runInDurableObject(mockObject(), (instance) => void Object.assign(instance, { marker: "before eviction" }));
    await evictDurableObject(mockObject());
    const marker = await runInDurableObject(mockObject(), (instance) => (instance as unknown as { marker?: string }).marker);
    expect(marker).toBeUndefined();

    expect((await callJson<InboxView>("/__admin/inbox/123")).messages.map((m) => m.taskId)).toEqual([sent.task_id]);
    expect((await callJson("/__admin/clock")).now).toBe("2026-11-25T02:01:30.000Z");
    expect((await callJson("/__admin/settings")).tokenTtlSeconds).toBe(600);
    const progressPath = `${VendorPath.getSendProgress}?access_token=${accessToken}`;
    const progress = { method: "POST", body: { agent_id: DEFAULT_INTERNAL_APP.agentId, task_id: sent.task_id } };
    expect((await callJson(progressPath, progress)).errcode).toBe(ErrCode.SYSTEM_BUSY);
    expect((await callJson(progressPath, progress)).errcode).toBe(0);
    // The token issued before the eviction is still valid, and the vendor hands the same one out again.
    expect((await send(accessToken, ["456"])).errcode).toBe(0);
    expect(await token()).toBe(accessToken);
    const journal = await callJson<{ entries: JournalEntry[] }>("/__admin/journal");
    expect(journal.entries.map((e) => e.endpoint)).toEqual(["getToken", "sendByTemplate", "getSendProgress", "getSendProgress", "sendByTemplate", "getToken"]);
  });

  it("stores the state as SQLite snapshot chunks that a fresh MockState restores", async () => {
    const sent = await send(await token(), ["123"]);
    const chunks = await runInDurableObject(mockObject(), (_, state) =>
      state.storage.sql.exec<{ data: string }>("SELECT data FROM snapshot_chunks ORDER BY idx").toArray().map((row) => row.data),
    );
    expect(chunks.length).toBeGreaterThan(0);

    const restored = new MockState({ clock: new MockClock() });
    restored.restore(JSON.parse(chunks.join("")) as MockSnapshot);
    expect(restored.inbox.of("123").map((m) => m.taskId)).toEqual([sent.task_id]);
    expect(restored.tasks.get(sent.task_id)?.delivered).toEqual(["123"]);
    expect(restored.clock.now()).toBe(Date.parse(MORNING));
    expect(restored.journal.list().map((e) => e.endpoint)).toEqual(["getToken", "sendByTemplate"]);
  });

  it("rewrites the snapshot after vendor calls and admin changes, not after admin reads", async () => {
    await send(await token(), ["123"]);
    // A sentinel row survives only as long as nothing rewrites the snapshot table.
    const plantSentinel = () => runInDurableObject(mockObject(), (_, state) => void state.storage.sql.exec("INSERT INTO snapshot_chunks (idx, data) VALUES (999999, '')"));
    const sentinelKept = () =>
      runInDurableObject(mockObject(), (_, state) => state.storage.sql.exec("SELECT idx FROM snapshot_chunks WHERE idx = 999999").toArray().length === 1);

    await plantSentinel();
    await callJson("/__admin/journal");
    await callJson("/__admin/inbox/123");
    await callJson("/openapi.json");
    expect(await sentinelKept()).toBe(true);

    await callJson(TOKEN_PATH);
    expect(await sentinelKept()).toBe(false);
    await plantSentinel();
    await callJson("/__admin/clock", { method: "POST", body: { advanceMs: 1 } });
    expect(await sentinelKept()).toBe(false);
  });

  it("answers a dropped connection with a body that fails to read", async () => {
    await callJson("/__admin/faults", { method: "POST", body: { endpoint: "/gettoken", drop: true, times: 1 } });
    const response = await call(TOKEN_PATH);
    await expect(response.text()).rejects.toThrow();
    expect(await token()).toMatch(/^[0-9a-f]{32}$/);
    const journal = await callJson<{ entries: JournalEntry[] }>("/__admin/journal");
    expect(journal.entries.map((e) => [e.endpoint, e.status])).toEqual([
      ["getToken", 0],
      ["getToken", 200],
    ]);
  });
});
