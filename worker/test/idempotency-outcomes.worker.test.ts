import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { requestFingerprint } from "../http/idempotent.ts";
import { ALL_APPS_KEY, TEST_WEBHOOK_SENDERS } from "./credentials.ts";
import { onRealTime, postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

const SEND = "http://worker/topapi/message/corpconversation/sendbytemplate";

async function dropIn(body: unknown, headers: Record<string, string> = {}): Promise<{ headers: Headers; body: Record<string, any> }> {
  const response = await exports.default.fetch(`${SEND}?access_token=${ALL_APPS_KEY}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return { headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const vendorSend = (userid_list: string, name = "once") => ({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list, data: JSON.stringify({ name, name2: "" }) });

describe("Idempotency-Key on the drop-in route: decided by what happened, not by the HTTP status", () => {
  const world = useMockDingTalk();
  const sends = async () => (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.length;

  it("answers the first answer again for the same key and body, with one vendor call", async () => {
    const first = await dropIn(vendorSend("123,456"), { "idempotency-key": "d-1" });
    const again = await dropIn(vendorSend("123,456"), { "idempotency-key": "d-1" });
    expect(first.body).toMatchObject({ errcode: 0 });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    expect(await sends()).toBe(1);
  });

  it("does not remember a full minute window (88/90018): the retry after the window frees sends", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 5000), data: { name: "fill", name2: "" } });
    const full = await dropIn(vendorSend("u09999"), { "idempotency-key": "d-2" });
    expect(full.body).toMatchObject({ errcode: 88, sub_code: "90018" });
    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    const retried = await dropIn(vendorSend("u09999"), { "idempotency-key": "d-2" });
    expect(retried.headers.get("idempotency-replayed")).toBeNull();
    expect(retried.body).toMatchObject({ errcode: 0 });
    expect((await world.mock.admin.inbox("u09999")).messages).toHaveLength(1);
  });

  it("does not remember a busy vendor (-1): the retry sends", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", errcode: -1, times: 3 });
    const busy = await dropIn(vendorSend("123"), { "idempotency-key": "d-3" });
    expect(busy.body.errcode).toBe(-1);
    const retried = await dropIn(vendorSend("123"), { "idempotency-key": "d-3" });
    expect(retried.body).toMatchObject({ errcode: 0 });
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });

  it("remembers a refusal that a retry would meet again (885001)", async () => {
    const refused = await dropIn({ ...vendorSend("123"), template_id: "no-such-template" }, { "idempotency-key": "d-4" });
    expect(refused.body.errcode).toBe(885001);
    const again = await dropIn({ ...vendorSend("123"), template_id: "no-such-template" }, { "idempotency-key": "d-4" });
    expect(again.headers.get("idempotency-replayed")).toBe("true");
    expect(await sends()).toBe(1);
  });

  it("tells a reused key (40035 naming it) from one still in progress (-1, which SDKs retry)", async () => {
    await dropIn(vendorSend("123"), { "idempotency-key": "d-5" });
    const reused = await dropIn(vendorSend("456"), { "idempotency-key": "d-5" });
    expect(reused.body).toMatchObject({ errcode: 40035, dingtalk_edge: { problem: "idempotency-key-reused" } });
    expect(reused.body.errmsg).toContain("Idempotency-Key");

    const body = vendorSend("u00001");
    const request = new Request(`${SEND}?access_token=${ALL_APPS_KEY}`, { method: "POST", body: JSON.stringify(body) });
    const keys = env.IDEMPOTENCY_KEYS.getByName("api-key:test-all");
    await keys.begin("d-6", await requestFingerprint(request, JSON.stringify(body)));
    await onRealTime(() => evictDurableObject(keys)); // the first request's object restarted: nobody is left to wait for
    const inProgress = await dropIn(body, { "idempotency-key": "d-6" });
    expect(inProgress.body).toMatchObject({ errcode: -1, dingtalk_edge: { problem: "idempotency-key-in-progress" } });
    expect((await world.mock.admin.inbox("u00001")).messages).toHaveLength(0);
  });
});

describe("Idempotency-Key on /v1", () => {
  const world = useMockDingTalk();

  it("answers 409 problem+json while the first request with the key is still in progress, and sends nothing", async () => {
    const body = { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "in progress", name2: "" } };
    const request = new Request("http://worker/v1/notifications", { method: "POST", body: JSON.stringify(body) });
    const keys = env.IDEMPOTENCY_KEYS.getByName("api-key:test-all");
    await keys.begin("v-1", await requestFingerprint(request, JSON.stringify(body)));
    await onRealTime(() => evictDurableObject(keys));
    const answer = await postNotification(body, { "idempotency-key": "v-1" });
    expect(answer.status).toBe(409);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body).toMatchObject({ code: "idempotency-key-in-progress" });
    // The first request claimed the key just now (the clock is frozen): it is taken over after two minutes.
    expect(answer.headers.get("retry-after")).toBe("120");
    expect(answer.body.detail).toContain("retry in 120 s");
    await world.mock.admin.advanceClock(90_000);
    expect((await postNotification(body, { "idempotency-key": "v-1" })).headers.get("retry-after")).toBe("30");
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("keeps a signed webhook's delivery id as its key even when the replay adds its own Idempotency-Key", async () => {
    const payload = JSON.stringify({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "webhook", name2: "" } });
    const at = new Date("2026-11-25T02:00:00Z");
    const signed = { "webhook-id": "msg_keyed", "webhook-timestamp": String(at.getTime() / 1000), "webhook-signature": new Webhook(TEST_WEBHOOK_SENDERS[0].secret).sign("msg_keyed", at, payload) };
    const post = (idempotencyKey: string) =>
      exports.default.fetch("http://worker/v1/notifications", { method: "POST", headers: { "content-type": "application/json", ...signed, "idempotency-key": idempotencyKey }, body: payload });
    expect((await post("first")).status).toBe(201);
    const replay = await post("a-fresh-key");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });

  it("remembers an answer too large for one stored value by its notification, and a retry gets it at once", async () => {
    // 25,000 ids of 64 characters: the answer is about 2.5 MB, past what one SQLite value holds.
    const longIds = Array.from({ length: 25_000 }, (_, i) => `${"x".repeat(58)}${String(i).padStart(6, "0")}`);
    const body = { templateId: TEMPLATE_ID, userIds: longIds, data: { name: "large", name2: "" } };
    const headers = { prefer: "respond-async", "idempotency-key": "v-large" };
    const first = await postNotification(body, headers);
    expect(first.status).toBe(202);
    expect(first.body.summary.recipients).toBe(25_000);
    const retry = await postNotification(body, headers);
    expect(retry.status).toBe(202);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(retry.headers.get("location")).toBe(`/v1/notifications/${first.body.id}`);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.recipients).toHaveLength(25_000);
    const stored = await runInDurableObject(env.IDEMPOTENCY_KEYS.getByName("api-key:test-all"), (_, state) =>
      state.storage.sql.exec<{ bytes: number }>("SELECT length(response) AS bytes FROM idempotency_keys WHERE key = 'v-large'").one().bytes,
    );
    expect(stored).toBeLessThan(1024);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(5);
  }, 60_000);

  it("answers a retry after the first request was cut short with the notification the first one created, and sends nothing again", async () => {
    const body = { templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "cut short", name2: "" } };
    const first = await postNotification(body, { "idempotency-key": "crash-1" });
    expect(first.status).toBe(201);
    // As a crash leaves it: the key taken more than two minutes ago, no answer stored, the notification named.
    const keys = env.IDEMPOTENCY_KEYS.getByName("api-key:test-all");
    await runInDurableObject(keys, (_, state) => {
      state.storage.sql.exec("UPDATE idempotency_keys SET response = NULL, created_at_ms = created_at_ms - 180000 WHERE key = 'crash-1'");
    });
    await onRealTime(() => evictDurableObject(keys));
    const retry = await postNotification(body, { "idempotency-key": "crash-1" });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(retry.body.recipients.map((r: { status: string }) => r.status)).toEqual(["sent", "sent"]);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
    // Remembered from now on, like any answer.
    expect((await postNotification(body, { "idempotency-key": "crash-1" })).body.id).toBe(first.body.id);

    // Cut short before the object stored anything: the retry runs it, once.
    const other = { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "never stored", name2: "" } };
    const fingerprint = await requestFingerprint(new Request("http://worker/v1/notifications", { method: "POST" }), JSON.stringify(other));
    const never = first.body.id.replace(/[0-9a-f]{8}-/, "00000000-");
    await runInDurableObject(keys, (_, state) => {
      state.storage.sql.exec("INSERT INTO idempotency_keys (key, request_hash, created_at_ms, response, notification_id) VALUES ('crash-2', ?, ?, NULL, ?)", fingerprint, Date.now() - 180_000, never);
    });
    const ran = await postNotification(other, { "idempotency-key": "crash-2" });
    expect(ran.status).toBe(201);
    expect(ran.body.id).not.toBe(never);
    expect(ran.headers.get("idempotency-replayed")).toBeNull();
    expect((await world.mock.admin.inbox("123")).messages.map((m) => m.data.name)).toEqual(["cut short", "never stored"]);
  });

  it("lets the requests waiting on a key go when the first answer cannot be stored, instead of holding them forever", async () => {
    const keys = env.IDEMPOTENCY_KEYS.getByName("api-key:waiters");
    expect(await keys.begin("w-1", "fingerprint")).toEqual({ kind: "proceed" });
    const waiting = keys.begin("w-1", "fingerprint");
    // Past what one SQLite value holds: the store fails.
    expect(await keys.complete("w-1", { status: 202, headers: {}, body: "x".repeat(16 * 1024 * 1024) })).toBe(false);
    const settled = await Promise.race([waiting, new Promise((resolve) => setTimeout(() => resolve("still waiting"), 3_000))]);
    expect(settled).toEqual({ kind: "in-progress", retryAfterMs: 120_000 });
  });
});
