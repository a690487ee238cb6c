export { DingTalkClient, DEFAULT_TIMEOUT_MS, type DingTalkClientOptions } from "./client.ts";
export { DingTalkApiError, DingTalkTransportError } from "./errors.ts";
export { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from "./retry-policy.ts";
export { MemoryTokenCache, TokenProvider, TOKEN_REFRESH_MARGIN_MS, type CachedToken, type TokenCache, type TokenFetcher } from "./token-provider.ts";
export { internalAppTokenFetcher, suiteCorpTokenFetcher } from "./token-fetchers.ts";
export { callVendor } from "./vendor-call.ts";
