import { CorpTokenBody, signSuiteRequest, TokenAnswer, VendorPath } from "../../protocol/index.ts";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs } from "./retry-policy.ts";
import type { TokenFetcher } from "./token-provider.ts";
import { callVendor } from "./vendor-call.ts";

interface FetcherOptions {
  baseUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** `GET /gettoken` for an app an organisation built for itself. */
export function internalAppTokenFetcher(app: { appKey: string; appSecret: string }, options: FetcherOptions): TokenFetcher {
  return () =>
    withRetries(options, () =>
      callVendor({
        fetch: options.fetch,
        baseUrl: options.baseUrl,
        path: VendorPath.getToken,
        method: "GET",
        query: { appkey: app.appKey, appsecret: app.appSecret },
        answer: TokenAnswer,
        timeoutMs: options.timeoutMs,
      }),
    );
}

/**
 * `POST /service/get_corp_token` for a third-party suite: the request is
 * signed with the suite secret over timestamp + "\n" + suiteTicket.
 */
export function suiteCorpTokenFetcher(
  suite: { suiteKey: string; suiteSecret: string; corpId: string; suiteTicket: () => Promise<string> | string },
  options: FetcherOptions,
): TokenFetcher {
  return () =>
    withRetries(options, async () => {
      const timestamp = String((options.now ?? Date.now)());
      const suiteTicket = await suite.suiteTicket();
      const signature = await signSuiteRequest(suite.suiteSecret, timestamp, suiteTicket);
      const body: CorpTokenBody = { auth_corpid: suite.corpId };
      return callVendor({
        fetch: options.fetch,
        baseUrl: options.baseUrl,
        path: VendorPath.getCorpToken,
        method: "POST",
        query: { accessKey: suite.suiteKey, timestamp, suiteTicket, signature },
        body,
        answer: TokenAnswer,
        timeoutMs: options.timeoutMs,
      });
    });
}

async function withRetries(options: FetcherOptions, call: () => Promise<TokenAnswer>): Promise<{ token: string; expiresInSeconds: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await call();
      return { token: answer.access_token, expiresInSeconds: answer.expires_in };
    } catch (error) {
      // Asking for a token twice is harmless, so every retryable failure is retried.
      if (!isRetryable(error) || attempt >= DEFAULT_RETRY_POLICY.maxAttempts) throw error;
      await sleep(retryDelayMs(error, attempt, DEFAULT_RETRY_POLICY));
    }
  }
}
