import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BODY_BYTES } from "../http/bounded-body.ts";
import { MAX_TEMPLATE_DATA_BYTES } from "../http/send-fields.ts";
import { ALL_APPS_KEY } from "./credentials.ts";
import { postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

const SEND = `http://worker/topapi/message/corpconversation/sendbytemplate?access_token=${ALL_APPS_KEY}`;

async function dropIn(body: string, contentType = "application/json"): Promise<Record<string, any>> {
  const response = await exports.default.fetch(SEND, { method: "POST", headers: { "content-type": contentType }, body });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

const vendorSend = (fields: Record<string, unknown>) => JSON.stringify({ agent_id: 948060598, template_id: TEMPLATE_ID, userid_list: "123", ...fields });

describe("sizes are bounded and ids well-formed, on /v1 and on the drop-in route alike", () => {
  const world = useMockDingTalk();

  async function expectNothingTouched(): Promise<void> {
    expect((await world.mock.admin.journal()).entries).toEqual([]);
    expect(await listDurableObjectIds(env.CORP_APP_SENDER)).toHaveLength(0);
  }

  it("refuses 8 MB of data with 413 naming the limit, before any object or vendor sees it", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "x".repeat(8 * 1024 * 1024), name2: "" } });
    expect(answer.status).toBe(413);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body).toMatchObject({ code: "request-too-large", errors: [{ path: "body", message: `at most ${MAX_REQUEST_BODY_BYTES} bytes` }] });
    expect((await dropIn(vendorSend({ data: JSON.stringify({ name: "x".repeat(8 * 1024 * 1024) }) }))).errmsg).toContain(`body: the request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
    await expectNothingTouched();
  });

  it("refuses data past its own limit with 400 naming body.data (40035 naming data on the drop-in route)", async () => {
    const big = { name: "x".repeat(MAX_TEMPLATE_DATA_BYTES), name2: "" };
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: big });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toEqual({ path: "body.data", message: expect.stringContaining(`at most ${MAX_TEMPLATE_DATA_BYTES} bytes`) });
    const vendor = await dropIn(vendorSend({ data: JSON.stringify(big) }));
    expect(vendor.errcode).toBe(40035);
    expect(vendor.errmsg).toContain("data: at most");
    await expectNothingTouched();
  });

  it.each([
    ["a userid with a space inside", { userid_list: "123,a b" }, "userid_list[1]"],
    ["a userid of 300 KB", { userid_list: "u".repeat(300 * 1024) }, "userid_list[0]"],
    ["a department id past 2^53", { dept_id_list: "9007199254740993" }, "dept_id_list[0]"],
    ["a lone surrogate in a userid", { userid_list: "\ud800" }, "userid_list[0]"],
    ["a lone surrogate in a variable", { data: JSON.stringify({ name: "\udc00" }) }, "data.name"],
    ["__proto__ as a variable", { data: '{"__proto__":{"name":"x"}}' }, "data.__proto__"],
  ])("drop-in: refuses %s with 40035 naming it, before any vendor call", async (_, fields, named) => {
    const answer = await dropIn(vendorSend(fields));
    expect(answer).toMatchObject({ errcode: 40035, request_id: expect.any(String) });
    expect(answer.errmsg).toContain(`${named}:`);
    await expectNothingTouched();
  });

  it("drop-in: a JSON body whose fields hide behind __proto__ is not a request", async () => {
    const answer = await dropIn(`{"__proto__":${vendorSend({})}}`);
    expect(answer.errcode).toBe(40035);
    expect(answer.errmsg).toContain("agent_id");
    await expectNothingTouched();
  });

  it("drop-in: answers 43009 for a body that is not JSON, even with a valid key in the query", async () => {
    const answer = await dropIn("{not json");
    expect(answer).toMatchObject({ errcode: 43009 });
    await expectNothingTouched();
  });

  it("/v1: refuses a lone surrogate in a userid with 400, however often it is sent", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["\ud800"], data: { name: "a", name2: "" } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0]).toEqual({ path: "body.userIds.0", message: expect.stringContaining("well-formed Unicode") });
    }
    await expectNothingTouched();
  });

  it.each([
    ["in the template id", { templateId: "tpl\udc00", userIds: ["123"] }, "body.templateId"],
    ["in a variable", { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "\ud83d" } }, "body.data.name"],
    ["in the corp id", { corpId: "\ud800corp", templateId: TEMPLATE_ID, userIds: ["123"] }, "body.corpId"],
  ])("/v1: refuses a lone surrogate %s with 400 naming it", async (_, body, path) => {
    const answer = await postNotification(body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].path).toBe(path);
    await expectNothingTouched();
  });

  it("/v1: refuses __proto__ as a variable name instead of dropping it silently", async () => {
    const answer = await postNotification(`{"templateId":"${TEMPLATE_ID}","userIds":["123"],"data":{"__proto__":"x","name":"a"}}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].path).toBe("body.data.__proto__");
    await expectNothingTouched();
  });
});
