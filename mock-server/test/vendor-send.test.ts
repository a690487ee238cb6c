import { describe, expect, it } from "vitest";
import { ErrCode, SendByTemplateAnswer, VendorPath } from "../../protocol/index.ts";
import {
  DEFAULT_APPROVED_TEMPLATE_ID,
  frozenMock,
  generatedUsers,
  internalToken,
  postJson,
  send,
  sendResult,
  type Answer,
} from "./harness.ts";

describe("sendbytemplate: documented refusals", () => {
  it("delivers to named users and answers task_id + request_id", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = SendByTemplateAnswer.parse(await send(mock, token, { userids: ["123", "456"], data: { name: "Ada", name2: "https://x" } }));
    expect(answer).toMatchObject({ errcode: 0, errmsg: "ok" });
    const inbox = await mock.admin.inbox("123");
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.messages[0]).toMatchObject({ taskId: answer.task_id, text: "Hello Ada, your order is ready: https://x", title: "Order update", read: false });
  });

  it.each([
    ["400002 for an agent the token does not own", { agentId: 999 }, ErrCode.INVALID_AGENT_ID],
    ["885001 for an unknown template", { templateId: "no-such-template" }, ErrCode.TEMPLATE_NOT_FOUND],
    ["885006 for a template awaiting approval", { templateId: "tpl-pending" }, ErrCode.TEMPLATE_UNUSABLE],
    ["1430000 when both lists are empty", { userids: [] as string[] }, ErrCode.NO_RECEIVERS],
  ])("answers %s and delivers nothing", async (_, options, errcode) => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123"], ...options });
    expect(answer.errcode).toBe(errcode);
    expect(answer.task_id).toBeUndefined();
    expect((await mock.admin.inbox("123")).messages).toHaveLength(0);
  });

  it("refuses data that is not a JSON object of strings with 40035 naming data", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const proto = '{"__proto__":{"name":"polluted"}}';
    for (const data of ["{not json", JSON.stringify({ name: 1 }), JSON.stringify(["a"]), proto, '{"__proto__":"x","name":"y"}', JSON.parse(`{"data":${proto}}`).data]) {
      const answer = await postJson(mock, VendorPath.sendByTemplate, { agent_id: 123, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: "123", data }, token);
      expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
      expect(answer.errmsg).toContain("data");
    }
  });

  it("names a missing required field", async () => {
    const mock = frozenMock();
    const answer = await postJson(mock, VendorPath.sendByTemplate, { agent_id: 123, userid_list: "123" }, await internalToken(mock));
    expect(answer).toMatchObject({ errcode: ErrCode.INVALID_PARAMETER, errmsg: "invalid parameter: template_id is required" });
  });

  it("refuses more than 5,000 user ids and more than 500 department ids (40035, configurable)", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const tooManyUsers = await send(mock, token, { userids: generatedUsers(1, 5001) });
    expect(tooManyUsers.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(tooManyUsers.errmsg).toContain("userid_list");
    const tooManyDepts = await send(mock, token, { deptIds: Array.from({ length: 501 }, (_, i) => 900000 + i) });
    expect(tooManyDepts.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(tooManyDepts.errmsg).toContain("dept_id_list");
    await mock.admin.updateSettings({ tooManyUseridsErrcode: 1430003 });
    expect((await send(mock, token, { userids: generatedUsers(1, 5001) })).errcode).toBe(1430003);
  });

  it("accepts 1,000 recipients and refuses 1,001 by default", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    expect((await send(mock, token, { userids: generatedUsers(1, 1000) })).errcode).toBe(0);
    const over = await send(mock, token, { userids: generatedUsers(2001, 1001) });
    expect(over.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(over.errmsg).toContain("1001 recipients");
    expect((await mock.admin.inbox("u02001")).messages).toHaveLength(0);
  });

  it("delivers the first 1,000 and fails the rest under overRecipientsPerSend: deliver-first", async () => {
    const mock = frozenMock({ settings: { overRecipientsPerSend: "deliver-first" } });
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: generatedUsers(1, 1001) });
    expect(answer.errcode).toBe(0);
    const task = await mock.admin.task(answer.task_id);
    expect(task.counts).toMatchObject({ delivered: 1000, failed: 1 });
    expect(task.failed).toEqual(["u01001"]);
  });
});

describe("sendbytemplate: recipients", () => {
  it("reports unknown users and departments and still delivers to the rest", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123", "ghost"], deptIds: [777] });
    expect(answer.errcode).toBe(0);
    const result = (await sendResult(mock, token, answer.task_id)).send_result;
    expect(result).toMatchObject({ invalid_user_id_list: ["ghost"], invalid_dept_id_list: [777], unread_user_id_list: ["123"] });
  });

  it("expands a department with sub-departments, each employee counted once", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    // Team 2001 holds u00001…u01000; its sub-department 2101 holds u00001…u00020 again.
    const answer = await send(mock, token, { userids: ["u00001", "u00002"], deptIds: [2001, 2101] });
    const task = await mock.admin.task(answer.task_id);
    expect(task.counts.recipients).toBe(1000);
    expect(new Set(task.recipients).size).toBe(1000);
    expect((await mock.admin.inbox("u00001")).messages).toHaveLength(1);
  });

  it("expands the demo department to users 123 and 456", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { deptIds: [421897262] });
    expect((await mock.admin.task(answer.task_id)).delivered.sort()).toEqual(["123", "456"]);
  });

  it("refuses a department id that is not a number (40035)", async () => {
    const mock = frozenMock();
    const answer = await postJson(mock, VendorPath.sendByTemplate, { agent_id: 123, template_id: DEFAULT_APPROVED_TEMPLATE_ID, dept_id_list: '"123,456"' }, await internalToken(mock));
    expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(answer.errmsg).toContain("dept_id_list");
  });
});

describe("sendbytemplate: wire conventions", () => {
  it("accepts the seed's form-encoded body with the token in the body", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const body = new URLSearchParams({
      access_token: token,
      agent_id: "123",
      template_id: DEFAULT_APPROVED_TEMPLATE_ID,
      userid_list: "123,456",
      data: JSON.stringify({ name: "Taobao 6", name2: "http://www.taobao.com" }),
    });
    const response = await mock.fetch(`${mock.baseUrl}${VendorPath.sendByTemplate}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
      body,
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Answer;
    expect(answer.errcode).toBe(0);
    expect((await mock.admin.inbox("456")).messages[0]?.text).toBe("Hello Taobao 6, your order is ready: http://www.taobao.com");
  });

  it("accepts data as a nested object, as the Java SDK sends it", async () => {
    const mock = frozenMock();
    const answer = await postJson(mock, VendorPath.sendByTemplate, { agent_id: 123, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: "123", data: { name: "A", name2: "B" } }, await internalToken(mock));
    expect(answer.errcode).toBe(0);
  });

  it("answers errors with HTTP 200, as the vendor does", async () => {
    const mock = frozenMock();
    const response = await mock.fetch(`${mock.baseUrl}${VendorPath.sendByTemplate}?access_token=nope`, { method: "POST", body: "{}" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Answer).errcode).toBe(88);
  });

  it("answers 43009 for a body that is neither JSON nor a form", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const response = await mock.fetch(`${mock.baseUrl}${VendorPath.sendByTemplate}?access_token=${token}`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(((await response.json()) as Answer).errcode).toBe(ErrCode.BODY_NOT_JSON);
  });

  it("answers errcode 22 for an unknown /topapi path, never 404", async () => {
    const mock = frozenMock();
    const response = await mock.fetch(`${mock.baseUrl}/topapi/message/corpconversation/sendbysomething`, { method: "POST", body: "{}" });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Answer;
    expect(answer.errcode).toBe(ErrCode.INVALID_API_NAME);
    expect(answer.request_id).toBeTruthy();
  });

  it("limits each app to 20 calls per API per second (88/90018), per mock second", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answers: Answer[] = [];
    for (let i = 0; i < 21; i++) answers.push(await send(mock, token, { userids: ["123"], data: { name: String(i), name2: "" } }));
    expect(answers.slice(0, 20).every((a) => a.errcode === 0)).toBe(true);
    expect(answers[20]).toMatchObject({ errcode: 88, sub_code: "90018" });
    await mock.admin.advanceClock(1000);
    expect((await send(mock, token, { userids: ["123"], data: { name: "next", name2: "" } })).errcode).toBe(0);
  });

  it("renders missing variables empty by default and refuses them under templateVariables: strict", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    expect((await send(mock, token, { userids: ["123"], data: { name: "A" } })).errcode).toBe(0);
    expect((await mock.admin.inbox("123")).messages[0]?.text).toBe("Hello A, your order is ready: ");
    await mock.admin.updateSettings({ templateVariables: "strict" });
    const strict = await send(mock, token, { userids: ["456"], data: { name: "A" } });
    expect(strict.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(strict.errmsg).toContain("name2");
  });
});
