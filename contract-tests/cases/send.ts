import { SendByTemplateAnswer } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, forbiddenCodes, isVendorRefusal, send, sendResult, type ContractTarget } from "../contract-target.ts";
import { unique } from "./wire-conventions.ts";

const SEND = "docs/dingtalk-api.md § sendbytemplate";

export const sendCases: ContractCase[] = [
  {
    id: "send.success",
    title: "a send answers errcode 0, errmsg \"ok\", a numeric task_id and a request_id",
    source: SEND,
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
    source: SEND,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: [target.fixtures.userIds[0]], templateId: "contract-no-such-template" });
      check.equal(answer.errcode, 885001, "errcode");
    },
  },
  {
    id: "send.unapproved-template-885006",
    title: "a template not yet approved answers 885006",
    source: SEND,
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
    source: SEND,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, await accessToken(target), { userids: [target.fixtures.userIds[0]], agentId: 1 });
      check.equal(answer.errcode, 400002, "errcode");
    },
  },
  {
    id: "send.no-receivers",
    title: "both recipient lists empty is refused (the code is unconfirmed: 1430000 most likely)",
    source: `${SEND}; § Unknowns`,
    known: false,
    async run(target, check) {
      const refused = await send(target, await accessToken(target), { data: unique(target, "empty") });
      check.ok(isVendorRefusal(refused), `refused the vendor's way: HTTP 200, a non-zero errcode, a request_id (got HTTP ${refused.status}: ${refused.text.slice(0, 160)})`);
      check.equal(refused.answer.task_id, undefined, "no task_id");
    },
  },
  {
    id: "send.unknown-users-invalid",
    title: "unknown user ids are reported in invalid_user_id_list, the others still receive",
    source: "docs/dingtalk-api.md § getsendresult",
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
    source: "docs/dingtalk-api.md § Silent limits; § Unknowns",
    known: false,
    needs: "control",
    async run(target, check) {
      const token = await accessToken(target);
      const userids = target.control!.bulkUserIds(1001);
      const data = unique(target, "1001");
      const sent = await send(target, token, { userids, data });
      // Refused or accepted, both are possible; either way it is one of the vendor's answers.
      check.ok(sent.answer.errcode === 0 ? Number.isInteger(sent.answer.task_id) : isVendorRefusal(sent), `a task_id or a vendor refusal (got HTTP ${sent.status}: ${sent.text.slice(0, 160)})`);
      // getsendresult refuses tasks over 100 recipients, so ask the employees instead: whoever got it has the same content again dropped as a duplicate.
      const reached = await alreadyReceived(target, token, userids, data);
      check.ok(reached.length <= 1000, `at most 1,000 reached (got ${reached.length})`);
    },
  },
];

/**
 * Which of `userids` already received `data` today: the same content again is
 * dropped as a duplicate for exactly those. Asked in sends of 100, which
 * getsendresult answers.
 */
async function alreadyReceived(target: ContractTarget, token: string, userids: readonly string[], data: Record<string, string>): Promise<string[]> {
  const duplicate = forbiddenCodes(target.app).duplicate;
  const received: string[] = [];
  for (let start = 0; start < userids.length; start += 100) {
    const probe = await send(target, token, { userids: userids.slice(start, start + 100), data });
    if (probe.answer.errcode !== 0) throw new Error(`probe send failed: ${probe.text.slice(0, 160)}`);
    const result = await sendResult(target, token, probe.answer.task_id);
    if (result.answer.errcode !== 0) throw new Error(`getsendresult of a 100-recipient probe failed: ${result.text.slice(0, 160)}`);
    for (const entry of result.answer.send_result.forbidden_list as { code: string; userid: string }[]) if (duplicate.includes(entry.code)) received.push(entry.userid);
  }
  return received;
}
