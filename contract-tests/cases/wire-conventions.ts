import { VendorPath } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, call, send } from "../contract-target.ts";

const WIRE = "docs/dingtalk-api.md § Wire conventions";

export const wireConventionCases: ContractCase[] = [
  {
    id: "wire.errors-are-http-200",
    title: "errors come back as HTTP 200 with a non-zero errcode",
    source: WIRE,
    known: true,
    async run(target, check) {
      const { status, answer } = await send(target, "not-a-token", { userids: target.fixtures.userIds });
      check.equal(status, 200, "HTTP status of a refused call");
      check.ok(Number.isInteger(answer.errcode) && answer.errcode !== 0, `a refused call has a non-zero errcode (got ${answer.errcode})`);
    },
  },
  {
    id: "wire.auth-failures-wrapped-in-88",
    title: "an invalid token on /topapi is wrapped: errcode 88, sub_code \"40014\"",
    source: WIRE,
    known: true,
    async run(target, check) {
      const { answer } = await send(target, "not-a-token", { userids: target.fixtures.userIds });
      check.equal(answer.errcode, 88, "errcode");
      check.equal(answer.sub_code, "40014", "sub_code (a string)");
      check.ok(typeof answer.sub_msg === "string", "sub_msg is a string");
    },
  },
  {
    id: "wire.unknown-topapi-path-is-22",
    title: "an unknown /topapi path answers errcode 22, not 404",
    source: WIRE,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { status, answer } = await call(target, "/topapi/message/corpconversation/nosuchapi", { query: { access_token: token }, body: {} });
      check.equal(status, 200, "HTTP status");
      check.equal(answer.errcode, 22, "errcode");
    },
  },
  {
    id: "wire.request-id-everywhere",
    title: "every answer carries a request_id, success or error",
    source: WIRE,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const ok = await send(target, token, { userids: [target.fixtures.userIds[0]], data: unique(target, "request-id") });
      const refused = await send(target, token, { userids: [target.fixtures.userIds[0]], templateId: "no-such-template-for-contract" });
      check.ok(typeof ok.answer.request_id === "string" && ok.answer.request_id !== "", "request_id on a success");
      check.ok(typeof refused.answer.request_id === "string" && refused.answer.request_id !== "", "request_id on an error");
    },
  },
  {
    id: "wire.form-body-with-token-in-body",
    title: "a form-encoded body with the token in the body is accepted (the seed's curl)",
    source: `${WIRE}; § Request examples on the sendbytemplate page`,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const body = new URLSearchParams({
        access_token: token,
        agent_id: String(target.app.agentId),
        template_id: target.fixtures.approvedTemplateId,
        userid_list: target.fixtures.userIds[0],
        data: JSON.stringify(unique(target, "form")),
      });
      const { answer } = await call(target, VendorPath.sendByTemplate, { rawBody: body, contentType: "application/x-www-form-urlencoded;charset=utf-8" });
      check.equal(answer.errcode, 0, "errcode");
      check.ok(Number.isInteger(answer.task_id), "task_id is an integer");
    },
  },
  {
    id: "wire.data-as-object",
    title: "data as a nested object is accepted (what the Java SDK sends)",
    source: WIRE,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await call(target, VendorPath.sendByTemplate, {
        query: { access_token: token },
        body: { agent_id: target.app.agentId, template_id: target.fixtures.approvedTemplateId, userid_list: target.fixtures.userIds[0], data: unique(target, "object") },
      });
      check.equal(answer.errcode, 0, "errcode");
    },
  },
];

/** Data that fills the template and differs per case, so the once-a-day rule never interferes. */
export function unique(target: { fixtures: { data: Record<string, string> } }, tag: string): Record<string, string> {
  const [first] = Object.keys(target.fixtures.data);
  const stamp = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return first ? { ...target.fixtures.data, [first]: `${target.fixtures.data[first]} ${stamp}` } : { contract: stamp };
}
