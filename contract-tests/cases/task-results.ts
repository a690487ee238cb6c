import { GetSendProgressAnswer, GetSendResultAnswer, ListDepartmentUsersAnswer, ListSubDepartmentsAnswer, VendorPath } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, call, isVendorRefusal, send, sendResult } from "../contract-target.ts";
import { unique } from "./wire-conventions.ts";


export const taskResultCases: ContractCase[] = [
  {
    id: "tasks.progress-shape",
    title: "getsendprogress answers progress_in_percent 0–100 and status 0, 1 or 2",
    source: "docs/dingtalk-api.md § getsendprogress",
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await send(target, token, { userids: [target.fixtures.userIds[0]], data: unique(target, "progress") });
      const progress = await call(target, VendorPath.getSendProgress, { query: { access_token: token }, body: { agent_id: target.app.agentId, task_id: answer.task_id } });
      check.ok(GetSendProgressAnswer.safeParse(progress.answer).success, `the answer matches the documented shape (${progress.text.slice(0, 120)})`);
    },
  },
  {
    id: "tasks.result-shape",
    title: "getsendresult answers all seven lists of send_result",
    source: "docs/dingtalk-api.md § getsendresult",
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await send(target, token, { userids: target.fixtures.userIds.slice(0, 2), data: unique(target, "result") });
      const result = await sendResult(target, token, answer.task_id);
      check.ok(GetSendResultAnswer.safeParse(result.answer).success, `the answer matches the documented shape (${result.text.slice(0, 160)})`);
    },
  },
  {
    id: "tasks.result-refused-over-100",
    title: "getsendresult refuses a task of more than 100 recipients (the vendor answers a timeout error)",
    source: "docs/dingtalk-api.md § getsendresult; § Unknowns",
    known: false,
    needs: "control",
    async run(target, check) {
      const token = await accessToken(target);
      const sent = await send(target, token, { userids: target.control!.bulkUserIds(101), data: unique(target, "over-100") });
      check.equal(sent.answer.errcode, 0, "the 101-recipient send itself succeeds");
      const result = await sendResult(target, token, sent.answer.task_id);
      check.ok(isVendorRefusal(result), `refused the vendor's way: HTTP 200, a non-zero errcode, a request_id (got HTTP ${result.status}: ${result.text.slice(0, 160)})`);
    },
  },
  {
    id: "tasks.recall-msg-task-id",
    title: "recall takes msg_task_id (not task_id) and answers errcode 0",
    source: "docs/dingtalk-api.md § recall",
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await send(target, token, { userids: [target.fixtures.userIds[0]], data: unique(target, "recall") });
      const recalled = await call(target, VendorPath.recall, { query: { access_token: token }, body: { agent_id: target.app.agentId, msg_task_id: answer.task_id } });
      check.equal(recalled.answer.errcode, 0, "errcode");
    },
  },
  {
    id: "directory.listsubid-and-listid",
    title: "listsubid answers result.dept_id_list and listid answers result.userid_list",
    source: "docs/dingtalk-api.md § Directory calls",
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const subs = await call(target, VendorPath.listSubDepartments, { query: { access_token: token }, body: { dept_id: target.fixtures.deptId } });
      check.ok(ListSubDepartmentsAnswer.safeParse(subs.answer).success, `listsubid shape (${subs.text.slice(0, 120)})`);
      const users = await call(target, VendorPath.listDepartmentUsers, { query: { access_token: token }, body: { dept_id: target.fixtures.deptId } });
      check.ok(ListDepartmentUsersAnswer.safeParse(users.answer).success, `listid shape (${users.text.slice(0, 120)})`);
      check.ok(users.answer.result.userid_list.length > 0, "the fixture department has members");
    },
  },
];
