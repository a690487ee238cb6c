import { SendByTemplateAnswer } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, send, sendResult } from "../contract-target.ts";
import { unique } from "./wire-conventions.ts";

const SEED = "seed page: sendbytemplate (Response, Error codes)";

export const sendCases: ContractCase[] = [
  {
    id: "send.success",
    title: "a send answers errcode 0, errmsg \"ok\", a numeric task_id and a request_id",
    source: SEED,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: target.fixtures.userIds.slice(0, 2), data: unique(target, "success") });
      const parsed = SendByTemplateAnswer.safeParse(answer);
      check.ok(parsed.success, `the answer matches the documented shape (${JSON.stringify(answer)})`);
      check.equal(answer.errmsg, "ok", "errmsg");
    },
  },
  {
    id: "send.unknown-template-885001",
    title: "an unknown template answers 885001",
    source: SEED,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: [target.fixtures.userIds[0]], templateId: "contract-no-such-template" });
      check.equal(answer.errcode, 885001, "errcode");
    },
  },
  {
    id: "send.unapproved-template-885006",
    title: "a template not yet approved answers 885006",
    source: SEED,
    known: true,
    needs: "pendingTemplate",
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: [target.fixtures.userIds[0]], templateId: target.fixtures.pendingTemplateId! });
      check.equal(answer.errcode, 885006, "errcode");
    },
  },
  {
    id: "send.invalid-agent-400002",
    title: "an agent id that is not the token's app answers 400002",
    source: SEED,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: [target.fixtures.userIds[0]], agentId: 1 });
      check.equal(answer.errcode, 400002, "errcode");
    },
  },
  {
    id: "send.no-receivers",
    title: "both recipient lists empty is refused (the code is unconfirmed: 1430000 most likely)",
    source: "seed page: dept_id_list and userid_list cannot both be empty; dingtalk-api.md (1430000 unconfirmed)",
    known: false,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { data: unique(target, "empty") });
      check.ok(answer.errcode !== 0, `refused with a non-zero errcode (got ${answer.errcode})`);
      check.equal(answer.task_id, undefined, "no task_id");
    },
  },
  {
    id: "send.unknown-users-invalid",
    title: "unknown user ids are reported in invalid_user_id_list, the others still receive",
    source: "dingtalk-api.md § Limits (Unknown ids land in invalid_user_id_list)",
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await send(target, token, { userids: [target.fixtures.userIds[0], "contract-no-such-user"], data: unique(target, "invalid") });
      check.equal(answer.errcode, 0, "the send itself succeeds");
      const result = await sendResult(target, token, answer.task_id);
      check.equal(result.answer.send_result?.invalid_user_id_list, ["contract-no-such-user"], "invalid_user_id_list");
    },
  },
  {
    id: "send.over-1000-recipients",
    title: "a send to more than 1,000 recipients never reaches more than 1,000 (whether it is refused is unknown)",
    source: "seed page: at most 1,000 recipients per send; dingtalk-api.md (above 1,000: unknown)",
    known: false,
    needs: "control",
    async run(target, check) {
      const token = await accessToken(target);
      const userids = target.control!.bulkUserIds(1001);
      const { answer } = await send(target, token, { userids, data: unique(target, "1001") });
      if (answer.errcode !== 0) return; // refused: nothing reached anyone
      // getsendresult answers only for tasks of at most 100 recipients: a refusal there leaves nothing to check.
      const result = await sendResult(target, token, answer.task_id);
      if (result.answer.errcode !== 0) return;
      const r = result.answer.send_result;
      const reached = r.read_user_id_list.length + r.unread_user_id_list.length;
      check.ok(reached <= 1000, `at most 1,000 reached (got ${reached})`);
    },
  },
];
