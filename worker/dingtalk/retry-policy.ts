import { DingTalkApiError, DingTalkTransportError } from "./errors.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The vendor asks QPS-limited callers to wait a second. */
  qpsLimitDelayMs: number;
}

/** The vendor documents "retry up to 3 times" for -1; three attempts in all keeps a send under a few seconds. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  qpsLimitDelayMs: 1_000,
};

export function isRetryable(error: unknown): boolean {
  return (error instanceof DingTalkApiError || error instanceof DingTalkTransportError) && error.retryable;
}

/**
 * Exponential backoff with full jitter (a random delay up to the exponential
 * bound), so callers that failed together do not retry together. A QPS refusal
 * waits at least the second the vendor asks for.
 */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * bound);
  if (error instanceof DingTalkApiError && (error.code === 90018 || error.code === 90002)) {
    return policy.qpsLimitDelayMs + jittered;
  }
  return jittered;
}
