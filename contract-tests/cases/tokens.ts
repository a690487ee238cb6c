import { TokenAnswer, VendorPath } from "../../protocol/index.ts";
import type { ContractCase } from "../contract-case.ts";
import { accessToken, call, send, tokenCall } from "../contract-target.ts";
import { unique } from "./wire-conventions.ts";

const TOKENS = "docs/dingtalk-api.md § Tokens";

export const tokenCases: ContractCase[] = [
  {
    id: "token.issued-for-7200s",
    title: "a token comes with expires_in 7200",
    source: TOKENS,
    known: true,
    async run(target, check) {
      // gettoken for an internal app, get_corp_token for a third-party one: both documented at 7,200 s.
      const path = target.app.kind === "internal" ? VendorPath.getToken : VendorPath.getCorpToken;
      const { answer, text } = await tokenCall(target);
      check.ok(TokenAnswer.safeParse(answer).success, `${path} answers the token shape (${text.slice(0, 160)})`);
      check.equal(answer.expires_in, 7200, "expires_in");
    },
  },
  {
    id: "token.bad-secret-40096",
    title: "gettoken with a wrong secret answers 40096",
    source: TOKENS,
    known: true,
    async run(target, check) {
      const appKey = target.app.kind === "internal" ? target.app.appKey : "contract-unknown-app";
      const { answer } = await call(target, VendorPath.getToken, { query: { appkey: appKey, appsecret: "contract-wrong-secret" } });
      check.equal(answer.errcode, 40096, "errcode");
    },
  },
  {
    id: "token.bad-suite-ticket-853005",
    title: "get_corp_token with a wrong suite ticket answers 853005",
    source: TOKENS,
    known: true,
    needs: "thirdPartyApp",
    async run(target, check) {
      if (target.app.kind !== "thirdParty") throw new Error("unreachable: skipped for internal apps");
      const { answer, text } = await tokenCall(target, { ...target.app, suiteTicket: "contract-stale-ticket" });
      check.equal(answer.errcode, 853005, `errcode of get_corp_token with a wrong suite ticket (${text.slice(0, 160)})`);
    },
  },
  {
    id: "token.lifetime",
    title: "a token works at 7,199 s and is refused as expired (42001, wrapped or bare) at 7,201 s",
    source: TOKENS,
    known: true,
    needs: "control",
    async run(target, check) {
      const control = target.control!;
      const token = await accessToken(target);
      await control.advanceClock(7199 * 1000);
      const before = await send(target, token, { userids: [target.fixtures.userIds[0]], data: unique(target, "7199") });
      check.equal(before.answer.errcode, 0, "errcode at 7,199 s");
      await control.advanceClock(2000);
      const after = await send(target, token, { userids: [target.fixtures.userIds[0]], data: unique(target, "7201") });
      const code = after.answer.errcode === 88 ? after.answer.sub_code : String(after.answer.errcode);
      check.equal(code, "42001", "code at 7,201 s (sub_code of 88, or errcode)");
    },
  },
];
