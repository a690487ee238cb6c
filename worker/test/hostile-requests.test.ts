/**
 * The worker as deployed (`wrangler dev`, real HTTP, the Node mock as its
 * DingTalk, loopback only) under a seeded stream of requests it must refuse,
 * on `/v1` and on the drop-in vendor routes: no 5xx, every `/v1` refusal is
 * problem+json, every drop-in refusal is the vendor's shape, and DingTalk hears
 * of none of them. Then two answers that must match what happened: a queued
 * request above 100,000 recipients when MAX_QUEUED_RECIPIENTS allows it, and a
 * third-party app without a suite ticket.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, type RunningMockServer } from "../../mock-server/node-server.ts";
import { startWorkerDev, type RunningWorkerDev } from "../../scripts/wrangler-dev-launcher.ts";
import { DEV_APPS } from "../dev-apps.ts";
import { MAX_REQUEST_BODY_BYTES } from "../http/bounded-body.ts";
import { hostileRequests, oversizedRequests, TEMPLATE_ID, type HostileKeys, type HostileRequest } from "./hostile-requests.ts";

const REQUESTS = 6_000;
const SEED = 13;
const CONCURRENCY = 6;
const MAX_QUEUED_RECIPIENTS = 150_000;
const TICKETLESS = { kind: "thirdParty", corpId: "ticketlesscorp", agentId: 948060599, suiteKey: "suite-without-ticket", suiteSecret: "suite-without-ticket-secret" } as const;

const keys: HostileKeys = { all: fresh(), internalApp: fresh(), otherTemplate: fresh(), otherCorp: fresh() };
const API_KEYS = JSON.stringify([
  { id: "fuzz-all", key: keys.all, scope: {} },
  { id: "fuzz-internal-app", key: keys.internalApp, scope: { agents: [123] } },
  { id: "fuzz-other-template", key: keys.otherTemplate, scope: { templates: ["tpl-other"] } },
  { id: "fuzz-other-corp", key: keys.otherCorp, scope: { corps: ["othercorp"] } },
].map(({ id, key, scope }) => ({ id, sha256: createHash("sha256").update(key).digest("hex"), scope })));

function fresh(): string {
  return randomBytes(24).toString("hex");
}

interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown> | undefined;
}

describe("hostile requests against the worker in wrangler dev", () => {
  let mock: RunningMockServer | undefined;
  let worker: RunningWorkerDev | undefined;

  beforeAll(async () => {
    mock = await startMockServer({ port: 0, settings: { qpsPerAppPerApi: null } });
    worker = await startWorkerDev({
      dingtalkBaseUrl: mock.url,
      apiKeys: API_KEYS,
      apps: { ...DEV_APPS, apps: [...DEV_APPS.apps, TICKETLESS] },
      // No background reads of getsendresult (delivery verification, where the worker has it): the journal must hear only of requests.
      vars: { MAX_QUEUED_RECIPIENTS: String(MAX_QUEUED_RECIPIENTS), VERIFY_DELIVERY: "false" },
      startupTimeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled([worker?.stop(), mock?.close()]);
  }, 20_000);

  async function send(request: Omit<HostileRequest, "route" | "family">): Promise<Answer> {
    const response = await fetch(`${worker!.url}${request.path}`, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", body };
  }

  const journal = async () => {
    const page = await mock!.mock.admin.journal({ limit: 1000 });
    return { size: page.size, dropped: page.dropped, endpoints: page.entries.map((entry) => entry.endpoint) };
  };

  /** Why an answer is not the refusal its route owes, or undefined when it is. */
  function notARefusal(request: HostileRequest, answer: Answer): string | undefined {
    if (answer.status >= 500) return `answered ${answer.status}`;
    if (request.route === "v1") {
      if (answer.status < 400) return `accepted with ${answer.status}`;
      if (answer.contentType !== "application/problem+json") return `content-type ${answer.contentType}`;
      if (answer.body?.status !== answer.status || typeof answer.body.code !== "string" || typeof answer.body.detail !== "string") return "not RFC 9457";
      return undefined;
    }
    if (answer.status !== 200) return `HTTP ${answer.status}, where the vendor always answers 200`;
    if (!answer.contentType.includes("application/json")) return `content-type ${answer.contentType}`;
    const { errcode, errmsg, request_id } = answer.body ?? {};
    if (typeof errcode !== "number" || typeof errmsg !== "string" || typeof request_id !== "string") return "not vendor-shaped";
    if (errcode === 0) return "accepted with errcode 0";
    return undefined;
  }

  it("works for a good request first, so the refusals below are the requests' fault", async () => {
    const sent = await send({ method: "POST", path: "/v1/notifications", headers: { authorization: `Bearer ${keys.all}`, "content-type": "application/json" }, body: JSON.stringify({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "fuzz", name2: "" } }) });
    expect(sent.status).toBe(201);
    const dropIn = await send({ method: "POST", path: `/topapi/message/corpconversation/sendbytemplate?access_token=${keys.all}`, headers: { "content-type": "application/json" }, body: JSON.stringify({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "456", data: JSON.stringify({ name: "fuzz", name2: "" }) }) });
    expect(dropIn.body).toMatchObject({ errcode: 0 });
  }, 30_000);

  it(`refuses ${REQUESTS} generated bad requests and more: no 5xx, the right shape on each route, and no call reaches DingTalk`, async () => {
    const task = await send({ method: "POST", path: `/topapi/message/corpconversation/sendbytemplate?access_token=${keys.all}`, headers: { "content-type": "application/json" }, body: JSON.stringify({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "u00001", data: "{}" }) });
    const taskId = task.body?.task_id as number;
    expect(taskId).toBeGreaterThan(0);
    const before = await journal();

    const requests = [...hostileRequests(REQUESTS, SEED, keys, taskId), ...oversizedRequests(keys, MAX_REQUEST_BODY_BYTES)];
    const problems: string[] = [];
    const byFamily = new Map<string, number>();
    const byRoute = { v1: 0, "drop-in": 0 };
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const answer = await send(request);
          const problem = notARefusal(request, answer);
          if (problem) problems.push(`${request.family} ${request.method} ${request.path.slice(0, 80)} ${(request.body ?? "").slice(0, 120)}: ${problem} ${JSON.stringify(answer.body)?.slice(0, 200)}`);
          byFamily.set(request.family, (byFamily.get(request.family) ?? 0) + 1);
          byRoute[request.route]++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.info(`hostile requests: ${requests.length} in ${seconds.toFixed(1)} s (${JSON.stringify(byRoute)}); by family ${JSON.stringify(Object.fromEntries(byFamily))}`);

    expect(problems.slice(0, 20)).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(5_000);
    expect(byRoute.v1).toBeGreaterThan(1_000);
    expect(byRoute["drop-in"]).toBeGreaterThan(1_000);
    expect(byFamily.size).toBe(12);
    // The journal keeps every call the mock got: the refusals added none, not even a token or directory call.
    const after = await journal();
    expect(after).toEqual(before);
  }, 170_000);

  it("answers 503 misconfigured for a third-party app without a suite ticket, vendor-shaped on the drop-in route, and sends nothing", async () => {
    const before = await journal();
    const v1 = await send({
      method: "POST",
      path: "/v1/notifications",
      headers: { authorization: `Bearer ${keys.all}`, "content-type": "application/json" },
      body: JSON.stringify({ corpId: TICKETLESS.corpId, agentId: TICKETLESS.agentId, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } }),
    });
    expect(v1.status).toBe(503);
    expect(v1.contentType).toBe("application/problem+json");
    expect(v1.body).toMatchObject({ code: "misconfigured" });
    expect(v1.body?.detail).toContain("Nothing was sent");
    const dropIn = await send({
      method: "POST",
      path: `/topapi/message/corpconversation/sendbytemplate?access_token=${keys.all}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: TICKETLESS.agentId, template_id: TEMPLATE_ID, userid_list: "123" }),
    });
    expect(dropIn.status).toBe(200);
    expect(dropIn.body).toMatchObject({ errcode: 500, dingtalk_edge: { problem: "misconfigured" } });
    expect(await journal()).toEqual(before);
  }, 30_000);
  it("queues more than 100,000 recipients when MAX_QUEUED_RECIPIENTS allows it", async () => {
    const userIds = Array.from({ length: 120_000 }, (_, i) => `q${i}`);
    const answer = await send({
      method: "POST",
      path: "/v1/notifications",
      headers: { authorization: `Bearer ${keys.all}`, "content-type": "application/json", prefer: "respond-async" },
      body: JSON.stringify({ corpId: "dingdemocorp", agentId: 123, templateId: TEMPLATE_ID, userIds, data: { name: "many", name2: "" } }),
    });
    expect(answer.status).toBe(202);
    expect(answer.body?.summary).toMatchObject({ recipients: 120_000 });
  }, 60_000);

});
