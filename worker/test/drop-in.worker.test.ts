import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GetSendResultAnswer, SendByTemplateAnswer } from "../../protocol/index.ts";
import { ALL_APPS_KEY, SCOPED_KEY } from "./credentials.ts";
import { TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

const SEND = "http://worker/topapi/message/corpconversation/sendbytemplate";

/** The seed page's curl: form-encoded, the token (here our API key) in the body. */
function formSend(fields: Record<string, string>) {
  return exports.default.fetch(SEND, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: new URLSearchParams(fields),
  });
}

/** What the official SDKs send: JSON, the token in the query. */
function jsonSend(body: unknown, key: string = ALL_APPS_KEY, path = SEND) {
  return exports.default.fetch(`${path}?access_token=${encodeURIComponent(key)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("the drop-in vendor routes", () => {
  const world = useMockDingTalk();

  it("takes the vendor's JSON request and answers task_id, with the per-recipient outcome added", async () => {
    const response = await jsonSend({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "123,456", data: JSON.stringify({ name: "sdk", name2: "" }) });
    expect(response.status).toBe(200);
    const answer = SendByTemplateAnswer.parse(await response.json());
    expect(answer.task_id).toBeGreaterThan(0);
    expect(answer.request_id).toBeTruthy();
    expect((answer as Record<string, any>).dingtalk_edge.summary).toMatchObject({ sent: 2 });
    expect((await world.mock.admin.inbox("456")).messages[0]?.taskId).toBe(answer.task_id);

    const result = await jsonSend({ agent_id: 948060598, task_id: answer.task_id }, ALL_APPS_KEY, "http://worker/topapi/message/corpconversation/getsendresult");
    expect(GetSendResultAnswer.parse(await result.json()).send_result.unread_user_id_list.sort()).toEqual(["123", "456"]);
  });

  it("takes the seed's form-encoded request with the key in the body, data as an object or a string", async () => {
    const response = await formSend({
      access_token: ALL_APPS_KEY,
      agent_id: "948060598",
      template_id: TEMPLATE_ID,
      dept_id_list: "421897262",
      data: JSON.stringify({ name: "Taobao 6", name2: "http://www.taobao.com" }),
    });
    const answer = (await response.json()) as Record<string, any>;
    expect(answer).toMatchObject({ errcode: 0, errmsg: "ok" });
    expect(answer.dingtalk_edge.recipients.map((r: { userid: string }) => r.userid).sort()).toEqual(["123", "456"]);
  });

  it("answers a vendor token error for a bad key and sends nothing", async () => {
    const answer = (await (await jsonSend({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "123" }, "a-vendor-token")).json()) as Record<string, any>;
    expect(answer).toMatchObject({ errcode: 88, sub_code: "40014" });
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("answers 400002 for an agent outside the key's scope, and 40035 naming a bad field", async () => {
    const outOfScope = (await (await jsonSend({ agent_id: 123, template_id: TEMPLATE_ID, userid_list: "123" }, SCOPED_KEY)).json()) as Record<string, any>;
    expect(outOfScope.errcode).toBe(400002);
    const bad = (await (await jsonSend({ agent_id: "x", template_id: TEMPLATE_ID })).json()) as Record<string, any>;
    expect(bad.errcode).toBe(40035);
    expect(bad.errmsg).toContain("agent_id");
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("answers 1430000 when the departments reach nobody, as the vendor answers an empty receiver list", async () => {
    const answer = (await (await formSend({ access_token: ALL_APPS_KEY, agent_id: "948060598", template_id: TEMPLATE_ID, dept_id_list: "777" })).json()) as Record<string, any>;
    expect(answer).toMatchObject({ errcode: 1430000, dingtalk_edge: { problem: "no-recipients" } });
    expect(answer.errmsg).toContain("777");
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("refuses a __proto__ template variable, in data as an object or as a string, sending nothing", async () => {
    // Built from JSON text: a "__proto__" key written in an object literal would set its prototype instead.
    const asObject = JSON.parse('{"__proto__": {"name": "polluted"}}') as Record<string, unknown>;
    for (const data of [asObject, '{"__proto__": "x", "name": "y"}']) {
      const answer = (await (await jsonSend({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "123", data })).json()) as Record<string, any>;
      expect(answer.errcode).toBe(40035);
      expect(answer.errmsg).toContain("__proto__");
    }
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("reports a full minute window as the vendor's flow-control envelope", async () => {
    await jsonSend({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: users(1, 5000).join(","), data: "{}" });
    const answer = (await (await jsonSend({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "u09999", data: "{}" })).json()) as Record<string, any>;
    expect(answer).toMatchObject({ errcode: 88, sub_code: "90018", dingtalk_edge: { problem: "minute-window-full", retryAfterSeconds: WINDOW_AND_GUARD_MS / 1000 } });
  });
});
