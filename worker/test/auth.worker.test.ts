import { exports } from "cloudflare:workers";
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { SCOPED_KEY, TEST_WEBHOOK_SENDERS } from "./credentials.ts";
import { postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

const body = JSON.stringify({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "signed", name2: "" } });
const standard = new Webhook(TEST_WEBHOOK_SENDERS[0].secret);

function post(headers: Record<string, string>, payload = body) {
  return exports.default.fetch("http://worker/v1/notifications", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });
}

function signedHeaders(id: string, at: Date, payload = body): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": standard.sign(id, at, payload) };
}

describe("authentication: every failure sends nothing", () => {
  const world = useMockDingTalk();

  async function expectNothingSent(): Promise<void> {
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(0);
  }

  it.each([
    ["no credential", {}],
    ["a bad API key", { authorization: "Bearer not-a-key" }],
    ["a bad signature", signedHeaders("msg_1", new Date("2026-11-25T02:00:00Z"), "{}")],
  ])("answers 401 problem+json for %s", async (_, headers) => {
    const response = await post(headers as Record<string, string>);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    // RFC 9110 §11.6.1: every 401 names a scheme the caller can answer with.
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="dingtalk-edge"/);
    expect(((await response.json()) as { code: string }).code).toBe("unauthenticated");
    await expectNothingSent();
  });

  it("tells a caller with a wrong API key that the token is invalid (RFC 6750)", async () => {
    const response = await post({ authorization: "Bearer not-a-key" });
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="dingtalk-edge", error="invalid_token"');
    const anonymous = await post({});
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="dingtalk-edge"');
  });

  it("answers 401 for a signature older than 5 minutes", async () => {
    const stale = new Date(Date.parse("2026-11-25T02:00:00Z") - 5 * 60_000 - 1000);
    const response = await post(signedHeaders("msg_stale", stale));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toContain("5-minute");
    await expectNothingSent();
  });

  it("answers 403 out-of-scope for a template or app the key may not use", async () => {
    const wrongTemplate = await postNotification({ templateId: "tpl-pending", userIds: ["123"] }, { authorization: `Bearer ${SCOPED_KEY}` });
    expect(wrongTemplate.status).toBe(403);
    expect(wrongTemplate.body).toMatchObject({ code: "out-of-scope", errors: [{ path: "body.templateId" }] });
    const wrongApp = await postNotification({ corpId: "dingdemocorp", agentId: 123, templateId: TEMPLATE_ID, userIds: ["123"] }, { authorization: `Bearer ${SCOPED_KEY}` });
    expect(wrongApp.status).toBe(403);
    expect(wrongApp.body.errors[0].path).toBe("body.agentId");
    await expectNothingSent();
  });

  it("sends for a valid Standard Webhooks signature, and a replay of it sends nothing again", async () => {
    const headers = signedHeaders("msg_replay", new Date("2026-11-25T02:00:00Z"));
    const first = await post(headers);
    expect(first.status).toBe(201);
    const replayed = await post(headers);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("idempotency-replayed")).toBe("true");
    expect(await replayed.json()).toEqual(await first.json());
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
  });

  it("accepts GitHub's X-Hub-Signature-256 within its scope", async () => {
    const signature = `sha256=${createHmac("sha256", TEST_WEBHOOK_SENDERS[1].secret).update(body).digest("hex")}`;
    const accepted = await post({ "x-hub-signature-256": signature, "x-github-delivery": "d-1" });
    expect(accepted.status).toBe(201);
    const tampered = await post({ "x-hub-signature-256": signature }, body.replace("signed", "forged"));
    expect(tampered.status).toBe(401);
  });
});

describe("CORS", () => {
  useMockDingTalk();

  it("answers a preflight from an allowed origin and ignores others", async () => {
    const preflight = (origin: string) =>
      exports.default.fetch("http://worker/v1/notifications", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, idempotency-key" },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    const other = await preflight("https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets an allowed origin read the answer and its headers; other callers get no CORS headers", async () => {
    const get = (headers: Record<string, string>) => exports.default.fetch("http://worker/v1/notifications/unknown", { headers });
    const allowed = await get({ origin: "https://app.example.com" });
    expect(allowed.status).toBe(401);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-expose-headers")).toContain("retry-after");
    for (const headers of [{ origin: "https://evil.example.com" }, {}] as Record<string, string>[]) {
      const answer = await get(headers);
      expect(answer.status).toBe(401);
      expect([...answer.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    }
  });
});
