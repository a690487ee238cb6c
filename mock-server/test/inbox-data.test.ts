import { describe, expect, it } from "vitest";
import { frozenMock, internalToken, send } from "./harness.ts";

describe("the data behind the web inbox", () => {
  it("serves the page itself with no external resources", async () => {
    const mock = frozenMock();
    const response = await mock.fetch(`${mock.baseUrl}/__inbox`);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain('EventSource(base + "/__admin/events")');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it("streams a call event for each vendor call, with the task of a send", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const response = await mock.fetch(`${mock.baseUrl}/__admin/events`);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value);
    };
    await readUntil("event: hello");
    const answer = await send(mock, token, { userids: ["123"] });
    await readUntil(`"taskId":${answer.task_id}`);
    expect(text).toMatch(/event: call\ndata: \{"type":"call","seq":\d+,"endpoint":"sendByTemplate","errcode":0,"taskId":\d+\}\nid: \d+/);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mock.state.events.size).toBe(0);
  });

  it("counts unread notifications per department and per employee", async () => {
    const mock = frozenMock();
    await send(mock, await internalToken(mock), { deptIds: [421897262] });
    const directory = (await (await mock.fetch(`${mock.baseUrl}/__admin/directory`)).json()) as { corps: { departments: { deptId: number; unread: number; members: number }[] }[] };
    expect(directory.corps[0]!.departments.find((d) => d.deptId === 421897262)).toMatchObject({ members: 2, unread: 2 });
    const inbox = await mock.admin.inbox("123");
    await mock.admin.markRead("123", inbox.messages[0]!.messageId);
    const dept = (await (await mock.fetch(`${mock.baseUrl}/__admin/directory/dingdemocorp/departments/421897262`)).json()) as { users: { userid: string; unread: number; received: number }[] };
    expect(dept.users).toEqual([
      { userid: "123", name: "Zhang San", received: 1, unread: 0 },
      { userid: "456", name: "Li Si", received: 1, unread: 1 },
    ]);
  });

  it("shows an employee what was withheld, with the code and the rule", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await send(mock, token, { userids: ["123"], data: { name: "same", name2: "" } });
    const again = await send(mock, token, { userids: ["123"], data: { name: "same", name2: "" } });
    const inbox = (await mock.admin.inbox("123")) as Awaited<ReturnType<typeof mock.admin.inbox>> & { withheld: { taskId: number; code: string; meaning: string }[] };
    expect(inbox.withheld).toEqual([expect.objectContaining({ taskId: again.task_id, code: "143106", meaning: "same content already sent to this employee today" })]);
  });

  it("reports the minute window per app and today's busiest employees, and a task's raw call", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123", "456"] });
    const quotas = (await (await mock.fetch(`${mock.baseUrl}/__admin/quotas`)).json()) as { apps: { agentId: number; minute: { used: number; limit: number } }[]; employees: { userid: string; used: number; limit: number }[] };
    expect(quotas.apps.find((a) => a.agentId === 123)?.minute).toMatchObject({ used: 2, limit: 5000 });
    expect(quotas.employees).toContainEqual({ userid: "123", agentId: 123, used: 1, limit: 100 });
    const task = (await mock.admin.task(answer.task_id)) as Awaited<ReturnType<typeof mock.admin.task>> & { call: { params: Record<string, unknown> } };
    expect(task.call.params.userid_list).toBe("123,456");
    expect(String(task.call.params.access_token)).toMatch(/^\w{4}\*\*\*$/);
  });
});
