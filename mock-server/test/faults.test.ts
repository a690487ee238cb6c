import { describe, expect, it } from "vitest";
import { ErrCode, VendorPath } from "../../protocol/index.ts";
import type { MockDingTalk } from "../create-mock.ts";
import { adminCall, expectProblem, getToken } from "./admin-helpers.ts";
import { DEFAULT_INTERNAL_APP, frozenMock, internalToken, send } from "./harness.ts";

const demoToken = (mock: MockDingTalk) => getToken(mock, DEFAULT_INTERNAL_APP.appKey, DEFAULT_INTERNAL_APP.appSecret);

/** A mock with the QPS limit off, so many calls on a frozen clock are all answered normally. */
function unlimitedMock(): MockDingTalk {
  return frozenMock({ settings: { qpsPerAppPerApi: null } });
}

describe("errcode faults", () => {
  it("answer the errcode for the next N calls, then retire", async () => {
    const mock = unlimitedMock();
    const rule = await mock.admin.addFault({ endpoint: "/gettoken", errcode: ErrCode.SYSTEM_BUSY, errmsg: "busy, try later", times: 2 });
    expect(rule).toMatchObject({ id: expect.any(String), hits: 0, times: 2, phase: "before" });

    for (let call = 1; call <= 2; call++) {
      const answer = await demoToken(mock);
      expect(answer).toMatchObject({ errcode: ErrCode.SYSTEM_BUSY, errmsg: "busy, try later", request_id: expect.any(String) });
      expect(answer.access_token).toBeUndefined();
    }
    expect((await demoToken(mock)).errcode).toBe(0);
    expect(await mock.admin.faults()).toEqual([]);
  });

  it("wrap a code in errcode 88 with sub_code, as /topapi does, and send nothing", async () => {
    const mock = unlimitedMock();
    const token = await internalToken(mock);
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: ErrCode.WRAPPED, subCode: String(ErrCode.APP_API_QPS_EXCEEDED), times: 1 });
    const answer = await send(mock, token, { userids: ["123"] });
    expect(answer).toMatchObject({ errcode: 88, sub_code: "90018", sub_msg: expect.any(String) });
    expect(answer.errmsg).toContain("subcode=90018");
    expect(answer.task_id).toBeUndefined();
    expect((await mock.admin.inbox("123")).messages).toHaveLength(0);
  });
});

describe("transport faults", () => {
  it("answer an HTTP status with a body that is not JSON", async () => {
    const mock = unlimitedMock();
    await mock.admin.addFault({ endpoint: "/gettoken", httpStatus: 502, times: 1 });
    const response = await mock.fetch(`${mock.baseUrl}${VendorPath.getToken}?appkey=app-demo-key&appsecret=app-demo-secret`);
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).not.toContain("json");
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
    expect((await demoToken(mock)).errcode).toBe(0);
  });

  it("delay the answer by latencyMs and otherwise answer normally", async () => {
    const mock = unlimitedMock();
    const latencyMs = 60;
    await mock.admin.addFault({ endpoint: "/gettoken", latencyMs, times: 1 });
    const started = performance.now();
    const answer = await demoToken(mock);
    const elapsed = performance.now() - started;
    // Node timers may fire up to 1 ms early against performance.now().
    expect(elapsed).toBeGreaterThanOrEqual(latencyMs - 1);
    expect(answer.errcode).toBe(0);
  });

  it("drop the connection: the in-process fetch rejects with a TypeError, as fetch does", async () => {
    const mock = unlimitedMock();
    await mock.admin.addFault({ endpoint: "/gettoken", drop: true, times: 1 });
    await expect(demoToken(mock)).rejects.toBeInstanceOf(TypeError);
    expect((await demoToken(mock)).errcode).toBe(0);
  });
});

describe("probability faults", () => {
  async function hitSequence(seed: number, probability: number, calls: number): Promise<boolean[]> {
    const mock = unlimitedMock();
    await mock.admin.addFault({ endpoint: "/gettoken", errcode: ErrCode.SYSTEM_BUSY, probability, seed });
    const hits: boolean[] = [];
    for (let i = 0; i < calls; i++) hits.push((await demoToken(mock)).errcode === ErrCode.SYSTEM_BUSY);
    const [rule] = await mock.admin.faults();
    expect(rule).toMatchObject({ draws: calls, hits: hits.filter(Boolean).length });
    return hits;
  }

  it("fire on the same calls for the same seed, about as often as the probability says", async () => {
    const first = await hitSequence(42, 0.3, 50);
    const second = await hitSequence(42, 0.3, 50);
    expect(second).toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThanOrEqual(5);
    expect(hits).toBeLessThanOrEqual(25);
    expect(await hitSequence(7, 0.3, 50)).not.toEqual(first);
  });

  it("never fire at probability 0 and always at 1", async () => {
    expect((await hitSequence(1, 0, 10)).some(Boolean)).toBe(false);
    expect((await hitSequence(1, 1, 10)).every(Boolean)).toBe(true);
  });
});

describe("fault phase", () => {
  it.each([
    ["before", 0],
    ["after", 1],
  ] as const)("a dropped send in phase %s leaves %i message in the inbox", async (phase, delivered) => {
    const mock = unlimitedMock();
    const token = await internalToken(mock);
    await mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, phase, times: 1 });
    await expect(send(mock, token, { userids: ["123"] })).rejects.toBeInstanceOf(TypeError);
    const inbox = await mock.admin.inbox("123");
    expect(inbox.messages).toHaveLength(delivered);
    const [entry] = (await mock.admin.journal({ endpoint: "sendByTemplate" })).entries;
    expect(entry).toMatchObject({ status: 0, answer: null, faultId: expect.any(String) });
  });

  it("an errcode in phase after hides a send that happened", async () => {
    const mock = unlimitedMock();
    const token = await internalToken(mock);
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: ErrCode.SYSTEM_BUSY, phase: "after", times: 1 });
    expect((await send(mock, token, { userids: ["456"] })).errcode).toBe(ErrCode.SYSTEM_BUSY);
    expect((await mock.admin.inbox("456")).messages).toHaveLength(1);
  });
});

describe("matching and managing rules", () => {
  it.each([
    ["its path", VendorPath.sendByTemplate],
    ["its name", "sendByTemplate"],
  ])("matches an endpoint by %s, and no other endpoint", async (_, endpoint) => {
    const mock = unlimitedMock();
    const token = await internalToken(mock);
    await mock.admin.addFault({ endpoint, errcode: ErrCode.SYSTEM_ERROR });
    expect((await demoToken(mock)).errcode).toBe(0);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(ErrCode.SYSTEM_ERROR);
    expect((await send(mock, token, { userids: ["456"] })).errcode).toBe(ErrCode.SYSTEM_ERROR);
  });

  it('matches every vendor call with "*" (the default)', async () => {
    const mock = unlimitedMock();
    await mock.admin.addFault({ errcode: ErrCode.SYSTEM_ERROR });
    expect((await demoToken(mock)).errcode).toBe(ErrCode.SYSTEM_ERROR);
    expect((await send(mock, "any-token", { userids: ["123"] })).errcode).toBe(ErrCode.SYSTEM_ERROR);
  });

  it("removes one rule by id, then all of them", async () => {
    const mock = unlimitedMock();
    const token = await internalToken(mock);
    const tokenRule = await mock.admin.addFault({ endpoint: "getToken", errcode: ErrCode.SYSTEM_BUSY });
    const sendRule = await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: ErrCode.SYSTEM_ERROR });

    expect((await adminCall(mock, "DELETE", `/__admin/faults/${tokenRule.id}`)).status).toBe(204);
    expect((await mock.admin.faults()).map((rule) => rule.id)).toEqual([sendRule.id]);
    expect((await demoToken(mock)).errcode).toBe(0);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(ErrCode.SYSTEM_ERROR);
    await expectProblem(await adminCall(mock, "DELETE", `/__admin/faults/${tokenRule.id}`), 404, "fault-not-found");

    await mock.admin.addFault({ endpoint: "getToken", errcode: ErrCode.SYSTEM_BUSY });
    expect((await adminCall(mock, "DELETE", "/__admin/faults")).status).toBe(204);
    expect(await mock.admin.faults()).toEqual([]);
    expect((await demoToken(mock)).errcode).toBe(0);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(0);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a rule with no effect", { endpoint: "/gettoken", times: 1 }, "body.errcode"],
    ["a drop with an errcode", { drop: true, errcode: ErrCode.SYSTEM_BUSY }, "body.drop"],
    ["a drop with an HTTP status", { drop: true, httpStatus: 503 }, "body.drop"],
    ["a probability above 1", { errcode: ErrCode.SYSTEM_BUSY, probability: 1.5 }, "body.probability"],
    ["zero times", { errcode: ErrCode.SYSTEM_BUSY, times: 0 }, "body.times"],
    ["an unknown phase", { errcode: ErrCode.SYSTEM_BUSY, phase: "during" }, "body.phase"],
    // Each would match no call and never fire.
    ["an endpoint in the wrong case", { endpoint: "SendByTemplate", errcode: ErrCode.SYSTEM_BUSY }, "body.endpoint"],
    ["the last segment of a path", { endpoint: "sendbytemplate", errcode: ErrCode.SYSTEM_BUSY }, "body.endpoint"],
    ["a path without its leading slash", { endpoint: "topapi/message/corpconversation/sendbytemplate", errcode: ErrCode.SYSTEM_BUSY }, "body.endpoint"],
    ["a path with a trailing slash", { endpoint: "/gettoken/", errcode: ErrCode.SYSTEM_BUSY }, "body.endpoint"],
  ])("refuses %s with a problem naming the field, and adds nothing", async (_, rule, field) => {
    const mock = unlimitedMock();
    await expectProblem(await adminCall(mock, "POST", "/__admin/faults", rule), 400, "invalid-request", field);
    expect(await mock.admin.faults()).toEqual([]);
    expect((await demoToken(mock)).errcode).toBe(0);
  });
});
