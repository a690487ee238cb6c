import { describe, expect, it } from "vitest";
import { ErrCode, VendorPath } from "../../protocol/index.ts";
import type { TaskView } from "../admin-client.ts";
import { VENDOR_ENDPOINTS, vendorPathOf } from "../vendor/vendor-endpoints.ts";
import { worldApp } from "../world-app.ts";
import { DEFAULT_DEMO_DEPT_ID, DEFAULT_SUITE } from "../world/default-world.ts";
import { adminCall, expectProblem, getToken } from "./admin-helpers.ts";
import {
  corpTokenQuery,
  DEFAULT_CORP_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_THIRD_PARTY_AGENT_ID,
  frozenMock,
  internalToken,
  MORNING,
  postJson,
  send,
  sendResult,
  thirdPartyToken,
} from "./harness.ts";

const AGENT = DEFAULT_INTERNAL_APP.agentId;

describe("the journal", () => {
  it("records every vendor call with its endpoint, method and path, newest last", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await thirdPartyToken(mock);
    const { task_id } = await send(mock, token, { userids: ["123"] });
    await postJson(mock, VendorPath.getSendProgress, { agent_id: AGENT, task_id }, token);
    await sendResult(mock, token, task_id);
    await postJson(mock, VendorPath.recall, { agent_id: AGENT, msg_task_id: task_id }, token);
    await postJson(mock, VendorPath.listSubDepartments, { dept_id: 1 }, token);
    await postJson(mock, VendorPath.listDepartmentUsers, { dept_id: DEFAULT_DEMO_DEPT_ID }, token);
    expect((await postJson(mock, "/topapi/no/such/api", {}, token)).errcode).toBe(ErrCode.INVALID_API_NAME);

    const { entries, size, dropped } = await mock.admin.journal();
    const seen = entries.map((entry) => [entry.endpoint, entry.method, entry.path]);
    const expected = VENDOR_ENDPOINTS.map((endpoint) => [endpoint.name, endpoint.method, vendorPathOf(endpoint)]);
    expect(seen).toEqual([...expected, ["unknown", "POST", "/topapi/no/such/api"]]);
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((entry) => entry.at === MORNING && entry.status === 200)).toBe(true);
    expect({ size, dropped }).toEqual({ size: expected.length + 1, dropped: 0 });
  });

  it("never shows a secret, a suite ticket, a signature or a whole access token", async () => {
    const mock = frozenMock();
    const internal = await internalToken(mock);
    const thirdParty = await thirdPartyToken(mock);
    const signature = (await corpTokenQuery(mock)).get("signature")!;
    await getToken(mock, DEFAULT_INTERNAL_APP.appKey, "not-the-secret");
    await postJson(mock, `${VendorPath.getCorpToken}?${await corpTokenQuery(mock, { signature: "forged" })}`, { auth_corpid: DEFAULT_CORP_ID });
    await send(mock, internal, { userids: ["123"] });
    // The third-party token travels in a form body, as the vendor's curl examples send it.
    const form = new URLSearchParams({ access_token: thirdParty, agent_id: String(DEFAULT_THIRD_PARTY_AGENT_ID), task_id: "1" });
    await mock.fetch(`${mock.baseUrl}${VendorPath.getSendResult}`, { method: "POST", body: form });
    await postJson(mock, "/topapi/no/such/api", {}, internal);
    // A fault after the call: the token is issued, the answer replaced, and neither is journalled in full.
    await mock.admin.addFault({ endpoint: "getToken", errcode: ErrCode.SYSTEM_BUSY, phase: "after", times: 1 });
    await internalToken(mock).catch(() => undefined);

    const journal = JSON.stringify(await mock.admin.journal());
    for (const secret of [DEFAULT_INTERNAL_APP.appSecret, "not-the-secret", DEFAULT_SUITE.suiteSecret, DEFAULT_SUITE.suiteTicket, signature, internal, thirdParty]) {
      expect(journal).not.toContain(secret);
    }
    // The masks are there: the checks above are not passing on an empty journal.
    expect(journal).toContain(`"access_token":"${internal.slice(0, 4)}***"`);
    expect(journal).toContain(`"access_token":"${thirdParty.slice(0, 4)}***"`);
    expect(journal).toContain(`"appsecret":"***"`);
    expect(journal).toContain(`"suiteTicket":"***"`);
    expect((await mock.admin.journal()).size).toBe(8);
  });

  it("filters by endpoint name or path, by errcode (the sub_code of an 88), since a seq, and keeps the last N", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await internalToken(mock);
    await getToken(mock, DEFAULT_INTERNAL_APP.appKey, "wrong");
    await send(mock, token, { userids: ["123"] });
    await send(mock, "never-issued-token", { userids: ["123"] });
    const { entries: all } = await mock.admin.journal();
    expect(all).toHaveLength(5);

    for (const endpoint of ["getToken", VendorPath.getToken]) {
      expect((await mock.admin.journal({ endpoint })).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    }
    expect((await mock.admin.journal({ errcode: ErrCode.INVALID_APP_KEY_OR_SECRET })).entries.map((e) => e.seq)).toEqual([3]);
    const wrapped = (await mock.admin.journal({ errcode: ErrCode.INVALID_ACCESS_TOKEN })).entries;
    expect(wrapped).toHaveLength(1);
    expect(wrapped[0]).toMatchObject({ seq: 5, endpoint: "sendByTemplate", answer: { errcode: 88, sub_code: "40014" } });
    expect((await mock.admin.journal({ endpoint: "sendByTemplate", errcode: 0 })).entries.map((e) => e.seq)).toEqual([4]);
    expect((await mock.admin.journal({ since: 3 })).entries.map((e) => e.seq)).toEqual([4, 5]);
    expect((await mock.admin.journal({ limit: 2 })).entries.map((e) => e.seq)).toEqual([4, 5]);

    await expectProblem(await adminCall(mock, "GET", "/__admin/journal?errcode=abc"), 400, "invalid-request", "query.errcode");
  });

  it("keeps only journalLimit entries, dropping and counting the oldest", async () => {
    const mock = frozenMock();
    await mock.admin.updateSettings({ journalLimit: 10, qpsPerAppPerApi: null });
    for (let i = 0; i < 25; i++) await internalToken(mock);
    const { entries, size, dropped } = await mock.admin.journal();
    expect({ size, dropped }).toEqual({ size: 10, dropped: 15 });
    expect(entries.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect((await mock.admin.journal({ since: 1 })).entries[0]!.seq).toBe(16);
  });
});

describe("GET /__admin/tasks", () => {
  it("shows one task: who got it, who was invalid, and its recall", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const { task_id } = await send(mock, token, { userids: ["123", "456", "nobody"] });

    const task = await mock.admin.task(task_id);
    expect(task).toMatchObject({
      taskId: task_id,
      corpId: DEFAULT_CORP_ID,
      agentId: AGENT,
      createdAt: MORNING,
      delivered: ["123", "456"],
      invalidUserIds: ["nobody"],
      counts: { recipients: 2, delivered: 2, forbidden: 0, invalidUsers: 1, invalidDepartments: 0, failed: 0 },
      recalled: false,
    } satisfies Partial<TaskView>);
    const list = (await (await adminCall(mock, "GET", "/__admin/tasks")).json()) as { tasks: { taskId: number }[] };
    expect(list.tasks.map((t) => t.taskId)).toEqual([task_id]);

    expect((await postJson(mock, VendorPath.recall, { agent_id: AGENT, msg_task_id: task_id }, token)).errcode).toBe(0);
    expect((await mock.admin.task(task_id)).recalled).toBe(true);
    expect((await mock.admin.inbox("456")).messages[0]!.recalled).toBe(true);
  });

  it("answers a 404 problem for an unknown task and a 400 naming a malformed id", async () => {
    const mock = frozenMock();
    const problem = await expectProblem(await adminCall(mock, "GET", "/__admin/tasks/424242"), 404, "task-not-found");
    expect(problem.detail).toContain("424242");
    await expectProblem(await adminCall(mock, "GET", "/__admin/tasks/abc"), 400, "invalid-request", "path.taskId");
  });
});

describe("GET /__admin/inbox", () => {
  it("marks a message read once, and getsendresult reports it read", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const { task_id } = await send(mock, token, { userids: ["123", "456"] });
    const [message] = (await mock.admin.inbox("123")).messages;
    expect(message).toMatchObject({ taskId: task_id, read: false, receivedAt: MORNING });
    expect(message!.readAtMs).toBeUndefined();

    const { nowMs: readAt } = await mock.admin.advanceClock(300_000);
    await mock.admin.markRead("123", message!.messageId);
    await mock.admin.advanceClock(60_000);
    await mock.admin.markRead("123", message!.messageId);
    expect((await mock.admin.inbox("123")).messages[0]).toMatchObject({ read: true, readAtMs: readAt });
    expect((await mock.admin.inbox("456")).messages[0]!.read).toBe(false);

    const { send_result } = await sendResult(mock, token, task_id);
    expect(send_result).toMatchObject({ read_user_id_list: ["123"], unread_user_id_list: ["456"] });
  });

  it("answers a 404 problem for a message the employee does not have, and filters by corp", async () => {
    const mock = frozenMock();
    await send(mock, await internalToken(mock), { userids: ["123"] });
    const [message] = (await mock.admin.inbox("123")).messages;
    await expectProblem(await adminCall(mock, "POST", `/__admin/inbox/456/${message!.messageId}/read`), 404, "message-not-found");
    await expectProblem(await adminCall(mock, "POST", "/__admin/inbox/123/no-such-message/read"), 404, "message-not-found");
    expect((await mock.admin.inbox("123", DEFAULT_CORP_ID)).messages).toHaveLength(1);
    expect((await mock.admin.inbox("123", "another-corp")).messages).toHaveLength(0);
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1.0 and documents every vendor path and every /__admin route", async () => {
    const mock = frozenMock();
    const response = await adminCall(mock, "GET", "/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe("3.1.0");

    for (const endpoint of VENDOR_ENDPOINTS) {
      expect(document.paths[vendorPathOf(endpoint)]?.[endpoint.method.toLowerCase()], endpoint.name).toBeDefined();
    }
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(Object.values(VendorPath)));

    const adminRoutes = [...worldApp().app.routes, ...mock.app.routes].filter((route) => route.path.startsWith("/__admin/") && route.path !== "/__admin/openapi.json");
    expect(adminRoutes.length).toBeGreaterThanOrEqual(20);
    for (const route of adminRoutes) {
      const documented = route.path.replace(/:(\w+)/g, "{$1}");
      expect(document.paths[documented]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/__admin/world", "/__admin/reset", "/__admin/settings", "/__admin/clock", "/__admin/faults/{faultId}", "/__admin/journal", "/__admin/inbox/{userid}/{messageId}/read", "/__admin/tasks/{taskId}", "/__admin/quota/{corpId}/{agentId}/{userid}", "/__admin/worlds", "/__admin/worlds/{name}"]),
    );
    expect(await (await adminCall(mock, "GET", "/__admin/openapi.json")).json()).toEqual(document);
  });
});
