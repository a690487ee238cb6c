import { describe, expect, it } from "vitest";
import { ErrCode, TokenAnswer, VendorPath, WrappedAnswer } from "../../protocol/index.ts";
import {
  corpTokenQuery,
  DEFAULT_CORP_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_THIRD_PARTY_AGENT_ID,
  frozenMock,
  getJson,
  internalToken,
  postJson,
  send,
  thirdPartyToken,
} from "./harness.ts";

describe("GET /gettoken (internal apps)", () => {
  it("trades the app key and secret for a 7,200 s token", async () => {
    const mock = frozenMock();
    const answer = await getJson(mock, `${VendorPath.getToken}?appkey=app-demo-key&appsecret=app-demo-secret`);
    expect(TokenAnswer.parse(answer)).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(answer.request_id).toMatch(/^[0-9a-z]{12,13}$/);
  });

  it("refuses a wrong secret with 40096 (bare: /gettoken is not /topapi)", async () => {
    const mock = frozenMock();
    const answer = await getJson(mock, `${VendorPath.getToken}?appkey=app-demo-key&appsecret=wrong`);
    expect(answer).toMatchObject({ errcode: ErrCode.INVALID_APP_KEY_OR_SECRET });
    expect(answer.access_token).toBeUndefined();
  });

  it("names the missing parameter with 40035", async () => {
    const answer = await getJson(frozenMock(), `${VendorPath.getToken}?appkey=app-demo-key`);
    expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(answer.errmsg).toContain("appsecret");
  });

  it("returns the same token while it is valid, and extends its life", async () => {
    const mock = frozenMock();
    const first = await internalToken(mock);
    await mock.admin.advanceClock(7000 * 1000);
    expect(await internalToken(mock)).toBe(first);
    // Renewed at 7,000 s, so still valid at 7,000 + 7,199 s.
    await mock.admin.advanceClock(7199 * 1000);
    expect((await send(mock, first, { userids: ["123"] })).errcode).toBe(0);
  });

  it("issues a fresh token each time when reuse is switched off", async () => {
    const mock = frozenMock({ settings: { reuseValidToken: false } });
    expect(await internalToken(mock)).not.toBe(await internalToken(mock));
  });
});

describe("token lifetime on /topapi", () => {
  it("accepts a token at 7,199 s and answers 88/42001 at 7,201 s", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await mock.admin.advanceClock(7199 * 1000);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(0);
    await mock.admin.advanceClock(2 * 1000);
    const expired = await send(mock, token, { userids: ["456"] });
    expect(WrappedAnswer.parse(expired)).toMatchObject({ errcode: 88, sub_code: "42001" });
    expect(expired.errmsg).toBe(`ding talk error[subcode=42001,submsg=${expired.sub_msg}]`);
    expect((await mock.admin.inbox("456")).messages).toHaveLength(0);
  });

  it("answers a bare 42001 when expiredTokenWrapped is off", async () => {
    const mock = frozenMock({ settings: { expiredTokenWrapped: false } });
    const token = await internalToken(mock);
    await mock.admin.advanceClock(7200 * 1000);
    const answer = await send(mock, token, { userids: ["123"] });
    expect(answer.errcode).toBe(ErrCode.ACCESS_TOKEN_EXPIRED);
    expect(answer.sub_code).toBeUndefined();
  });

  it("wraps an unknown or missing token as 88/40014", async () => {
    const mock = frozenMock();
    const unknown = await send(mock, "not-a-token", { userids: ["123"] });
    expect(unknown).toMatchObject({ errcode: 88, sub_code: "40014" });
    const missing = await postJson(mock, VendorPath.sendByTemplate, { agent_id: 123, template_id: "x", userid_list: "123" });
    expect(missing).toMatchObject({ errcode: 88, sub_code: "40014" });
  });
});

describe("POST /service/get_corp_token (third-party apps)", () => {
  it("verifies the HMAC-SHA256 signature and issues a corp token", async () => {
    const mock = frozenMock();
    const token = await thirdPartyToken(mock);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const sent = await send(mock, token, { agentId: DEFAULT_THIRD_PARTY_AGENT_ID, userids: ["123"] });
    expect(sent.errcode).toBe(0);
  });

  it("refuses a signature made with the wrong secret", async () => {
    const mock = frozenMock();
    const query = await corpTokenQuery(mock, { suiteSecret: "not-the-secret" });
    const answer = await postJson(mock, `${VendorPath.getCorpToken}?${query}`, { auth_corpid: DEFAULT_CORP_ID });
    expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(answer.errmsg).toContain("signature");
  });

  it("refuses a wrong suite ticket with 853005", async () => {
    const mock = frozenMock();
    const query = await corpTokenQuery(mock, { suiteTicket: "stale-ticket" });
    const answer = await postJson(mock, `${VendorPath.getCorpToken}?${query}`, { auth_corpid: DEFAULT_CORP_ID });
    expect(answer.errcode).toBe(ErrCode.INVALID_SUITE_TICKET);
  });

  it("refuses a timestamp more than 15 minutes from the mock's clock", async () => {
    const mock = frozenMock();
    const now = mock.state.clock.now();
    const within = await corpTokenQuery(mock, { timestamp: String(now - 15 * 60 * 1000) });
    expect((await postJson(mock, `${VendorPath.getCorpToken}?${within}`, { auth_corpid: DEFAULT_CORP_ID })).errcode).toBe(0);
    const stale = await corpTokenQuery(mock, { timestamp: String(now - 15 * 60 * 1000 - 1) });
    const answer = await postJson(mock, `${VendorPath.getCorpToken}?${stale}`, { auth_corpid: DEFAULT_CORP_ID });
    expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(answer.errmsg).toContain("timestamp");
  });

  it("refuses a corp that has not authorised the suite", async () => {
    const mock = frozenMock();
    const query = await corpTokenQuery(mock);
    const answer = await postJson(mock, `${VendorPath.getCorpToken}?${query}`, { auth_corpid: "someothercorp" });
    expect(answer.errcode).toBe(ErrCode.INVALID_PARAMETER);
    expect(answer.errmsg).toContain("auth_corpid");
  });

  it("lets a token send only as the agents of its own credential (400002 otherwise)", async () => {
    const mock = frozenMock();
    const suiteToken = await thirdPartyToken(mock);
    const asInternal = await send(mock, suiteToken, { agentId: DEFAULT_INTERNAL_APP.agentId, userids: ["123"] });
    expect(asInternal.errcode).toBe(ErrCode.INVALID_AGENT_ID);
    const internal = await internalToken(mock);
    const asSuite = await send(mock, internal, { agentId: DEFAULT_THIRD_PARTY_AGENT_ID, userids: ["123"] });
    expect(asSuite.errcode).toBe(ErrCode.INVALID_AGENT_ID);
  });
});
