import { describe, expect, it } from "vitest";
import {
  ErrCode,
  GetSendProgressAnswer,
  GetSendResultAnswer,
  ListDepartmentUsersAnswer,
  ListSubDepartmentsAnswer,
  VendorPath,
} from "../../protocol/index.ts";
import { frozenMock, generatedUsers, internalToken, postJson, send, sendResult } from "./harness.ts";

describe("getsendresult", () => {
  it("answers every list of the documented shape, with read and unread", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123", "456"] });
    const inbox = await mock.admin.inbox("123");
    await mock.admin.markRead("123", inbox.messages[0]!.messageId);
    const result = GetSendResultAnswer.parse(await sendResult(mock, token, answer.task_id)).send_result;
    expect(result).toEqual({
      invalid_user_id_list: [],
      forbidden_user_id_list: [],
      failed_user_id_list: [],
      read_user_id_list: ["123"],
      unread_user_id_list: ["456"],
      invalid_dept_id_list: [],
      forbidden_list: [],
    });
  });

  it("answers for a task of 100 recipients and refuses one of 101 (the vendor's timeout)", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const hundred = await send(mock, token, { userids: generatedUsers(1, 100) });
    expect((await sendResult(mock, token, hundred.task_id)).errcode).toBe(0);
    const hundredOne = await send(mock, token, { userids: generatedUsers(101, 101) });
    const refused = await sendResult(mock, token, hundredOne.task_id);
    expect(refused.errcode).toBe(ErrCode.SYSTEM_ERROR);
    expect(refused.errmsg).toContain("timeout");
  });

  it("answers within 24 h of the send and refuses after", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123"] });
    await mock.admin.advanceClock(24 * 3600 * 1000);
    const fresh = await internalToken(mock);
    expect((await sendResult(mock, fresh, answer.task_id)).errcode).toBe(0);
    await mock.admin.advanceClock(1);
    expect((await sendResult(mock, fresh, answer.task_id)).errcode).toBe(ErrCode.INVALID_PARAMETER);
  });

  it("answers 40035 for an unknown task and 400002 for another app's agent", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    expect((await sendResult(mock, token, 1)).errcode).toBe(ErrCode.INVALID_PARAMETER);
    const answer = await send(mock, token, { userids: ["123"] });
    expect((await sendResult(mock, token, answer.task_id, 948060598)).errcode).toBe(ErrCode.INVALID_AGENT_ID);
  });
});

describe("getsendprogress", () => {
  it("reports done at once by default", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123"] });
    const progress = GetSendProgressAnswer.parse(await postJson(mock, VendorPath.getSendProgress, { agent_id: 123, task_id: answer.task_id }, token));
    expect(progress.progress).toEqual({ progress_in_percent: 100, status: 2 });
  });

  it("runs for taskCompletionMs of mock time when configured", async () => {
    const mock = frozenMock({ settings: { taskCompletionMs: 10_000 } });
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123"] });
    await mock.admin.advanceClock(2500);
    const running = await postJson(mock, VendorPath.getSendProgress, { agent_id: 123, task_id: answer.task_id }, token);
    expect(running.progress).toEqual({ progress_in_percent: 25, status: 1 });
    await mock.admin.advanceClock(7500);
    const done = await postJson(mock, VendorPath.getSendProgress, { agent_id: 123, task_id: answer.task_id }, token);
    expect(done.progress).toEqual({ progress_in_percent: 100, status: 2 });
  });
});

describe("recall", () => {
  it("takes msg_task_id and marks the message recalled in every inbox", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const answer = await send(mock, token, { userids: ["123", "456"] });
    const recalled = await postJson(mock, VendorPath.recall, { agent_id: 123, msg_task_id: answer.task_id }, token);
    expect(recalled.errcode).toBe(0);
    expect((await mock.admin.inbox("456")).messages[0]?.recalled).toBe(true);
    expect((await mock.admin.task(answer.task_id)).recalled).toBe(true);
  });

  it("answers 400002 for an unknown task, for task_id instead of msg_task_id, and after 24 h", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    expect((await postJson(mock, VendorPath.recall, { agent_id: 123, msg_task_id: 42 }, token)).errcode).toBe(ErrCode.INVALID_AGENT_ID);
    const answer = await send(mock, token, { userids: ["123"] });
    const wrongName = await postJson(mock, VendorPath.recall, { agent_id: 123, task_id: answer.task_id }, token);
    expect(wrongName.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(wrongName.errmsg).toContain("msg_task_id");
    await mock.admin.advanceClock(24 * 3600 * 1000 + 1);
    const late = await postJson(mock, VendorPath.recall, { agent_id: 123, msg_task_id: answer.task_id }, await internalToken(mock));
    expect(late.errcode).toBe(ErrCode.INVALID_AGENT_ID);
    expect((await mock.admin.inbox("123")).messages[0]?.recalled).toBe(false);
  });
});

describe("directory calls a client needs to expand departments", () => {
  it("lists direct sub-departments and direct members", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const subs = ListSubDepartmentsAnswer.parse(await postJson(mock, VendorPath.listSubDepartments, { dept_id: 2001 }, token));
    expect(subs.result.dept_id_list).toEqual([2101]);
    const root = await postJson(mock, VendorPath.listSubDepartments, { dept_id: 1 }, token);
    expect(root.result.dept_id_list).toEqual([421897262, 2000]);
    const users = ListDepartmentUsersAnswer.parse(await postJson(mock, VendorPath.listDepartmentUsers, { dept_id: 421897262 }, token));
    expect(users.result.userid_list).toEqual(["123", "456"]);
  });

  it("answers 60003 for an unknown department and 88/40014 without a token", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    expect((await postJson(mock, VendorPath.listDepartmentUsers, { dept_id: 5 }, token)).errcode).toBe(ErrCode.DEPARTMENT_NOT_FOUND);
    expect(await postJson(mock, VendorPath.listSubDepartments, { dept_id: 1 })).toMatchObject({ errcode: 88, sub_code: "40014" });
  });
});
