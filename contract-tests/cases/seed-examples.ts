import { VendorPath } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, call, isVendorRefusal, sendResult } from "../contract-target.ts";

/**
 * The seed page's request examples, replayed as their authors wrote them (with
 * a real token and, where the page's own values cannot work anywhere, the
 * target's agent). Each says what the vendor would answer and why.
 */
const SEED = "docs/dingtalk-api.md § Request examples on the sendbytemplate page";

export const seedExampleCases: ContractCase[] = [
  {
    id: "seed.curl-as-written",
    title: "the page's curl, byte for byte: template \"xxxx\" does not exist, so 885001",
    source: SEED,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      // The page's body: its data and lists are double-escaped ("%5C%22" is \"), and template_id is a placeholder.
      const body = `access_token=${token}&agent_id=${target.app.agentId}&data=%7B%5C%22Name%5C%22%3A%5C%22John%5C%22%7D&dept_id_list=%5C%22123%2C456%5C%22&template_id=xxxx&userid_list=%5C%22123%2C456%5C%22`;
      const { answer } = await call(target, VendorPath.sendByTemplate, { rawBody: body, contentType: "application/x-www-form-urlencoded;charset=utf-8" });
      // The template is checked before the malformed data and lists, as the vendor's error table orders it.
      check.equal(answer.errcode, 885001, "errcode");
    },
  },
  {
    id: "seed.java-sample",
    title: "the Java sample's fields (data a JSON string, lists comma-separated) succeed with a real template",
    source: SEED,
    known: true,
    async run(target, check) {
      const token = await accessToken(target);
      const { answer } = await call(target, VendorPath.sendByTemplate, {
        query: { access_token: token },
        body: {
          agent_id: target.app.agentId,
          dept_id_list: String(target.fixtures.deptId),
          userid_list: target.fixtures.userIds.slice(0, 2).join(","),
          template_id: target.fixtures.approvedTemplateId,
          data: JSON.stringify({ ...target.fixtures.data, sample: `java-${Date.now()}` }),
        },
      });
      check.equal(answer.errcode, 0, "errcode");
    },
  },
  {
    id: "seed.python-php-csharp-quoted-lists",
    title: "the Python, PHP and C# samples quote the lists (\"\\\"123,456\\\"\"): the quoted ids name nobody, and the quoted department list is not a list of ids",
    source: SEED,
    known: false,
    async run(target, check) {
      const token = await accessToken(target);
      const { status, answer } = await call(target, VendorPath.sendByTemplate, {
        query: { access_token: token },
        body: { agent_id: target.app.agentId, userid_list: '"123,456"', dept_id_list: '"123,456"', template_id: target.fixtures.approvedTemplateId, data: '{"Name":"John"}' },
      });
      // Unknown: whether the vendor refuses the quoted department list (the mock answers 40035) or reports it invalid.
      if (answer.errcode !== 0) {
        check.ok(isVendorRefusal({ status, answer }), `refused the vendor's way: HTTP 200, a non-zero errcode, a request_id (got HTTP ${status}: ${JSON.stringify(answer)})`);
        return;
      }
      // Known: ids with the quotes in them name nobody, so they are invalid rather than delivered.
      const result = await sendResult(target, token, answer.task_id);
      check.equal(result.answer.send_result?.invalid_user_id_list, ['"123', '456"'], "the quoted ids are invalid");
    },
  },
];
