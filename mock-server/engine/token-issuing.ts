import {
  ErrCode,
  signSuiteRequest,
  timingSafeEqualStrings,
  type CorpTokenBody,
  type CorpTokenQuery,
  type GetTokenQuery,
} from "../../protocol/index.ts";
import type { MockState } from "./mock-state.ts";
import { newAccessToken } from "./seeded-random.ts";
import { failure, success, type VendorOutcome } from "./vendor-answers.ts";

/** `GET /gettoken`: an internal app trades its key and secret for a token. */
export function issueInternalToken(state: MockState, query: GetTokenQuery): VendorOutcome {
  const app = state.world.internalAppByKey(query.appkey);
  if (!app || !timingSafeEqualStrings(app.appSecret, query.appsecret)) {
    return failure(ErrCode.INVALID_APP_KEY_OR_SECRET, undefined, "no internal app has this appkey and appsecret");
  }
  return issue(state, { corpId: app.corpId, kind: "internal", credentialKey: app.appKey });
}

/**
 * `POST /service/get_corp_token`: a third-party suite proves it holds the
 * secret by signing timestamp + "\n" + suiteTicket, and names the corp.
 */
export async function issueCorpToken(state: MockState, query: CorpTokenQuery, body: CorpTokenBody): Promise<VendorOutcome> {
  const suite = state.world.suiteByKey(query.accessKey);
  if (!suite) return failure(ErrCode.INVALID_APP_KEY_OR_SECRET, "accessKey", `no suite has the key "${query.accessKey}"`);
  const skew = Math.abs(state.clock.now() - Number(query.timestamp));
  if (skew > state.settings.suiteTimestampToleranceMs) {
    return failure(
      ErrCode.INVALID_PARAMETER,
      "timestamp",
      `timestamp is ${Math.round(skew / 1000)} s away from the mock's clock; at most ${state.settings.suiteTimestampToleranceMs / 1000} s allowed`,
    );
  }
  if (!timingSafeEqualStrings(suite.suiteTicket, query.suiteTicket)) {
    return failure(ErrCode.INVALID_SUITE_TICKET, undefined, "the suite ticket is not the one the vendor pushed to this suite");
  }
  const expected = await signSuiteRequest(suite.suiteSecret, query.timestamp, query.suiteTicket);
  if (!timingSafeEqualStrings(expected, query.signature)) {
    return failure(ErrCode.INVALID_PARAMETER, "signature", "signature is not base64(HMAC-SHA256(suiteSecret, timestamp + \"\\n\" + suiteTicket))");
  }
  if (!suite.authorizations.some((auth) => auth.corpId === body.auth_corpid)) {
    return failure(ErrCode.INVALID_PARAMETER, "auth_corpid", `corp "${body.auth_corpid}" has not authorised suite ${suite.suiteKey}`);
  }
  return issue(state, { corpId: body.auth_corpid, kind: "thirdParty", credentialKey: suite.suiteKey });
}

function issue(state: MockState, grant: { corpId: string; kind: "internal" | "thirdParty"; credentialKey: string }): VendorOutcome {
  const { tokenTtlSeconds, reuseValidToken } = state.settings;
  const { token } = state.tokens.issue(grant, state.clock.now(), tokenTtlSeconds, { reuse: reuseValidToken, newToken: newAccessToken });
  return success({ access_token: token, expires_in: tokenTtlSeconds });
}
