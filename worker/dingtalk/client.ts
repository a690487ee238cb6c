import type * as z from "../../protocol/zod.ts";
import {
  DEFAULT_VENDOR_BASE_URL,
  GetSendProgressAnswer,
  GetSendResultAnswer,
  ListDepartmentUsersAnswer,
  ListSubDepartmentsAnswer,
  SendByTemplateAnswer,
  VendorAnswer,
  VendorPath,
  type SendByTemplateRequest,
} from "../../protocol/index.ts";
import { DingTalkApiError, DingTalkTransportError } from "./errors.ts";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from "./retry-policy.ts";
import type { TokenProvider } from "./token-provider.ts";
import type { CallPacer } from "./call-pacer.ts";
import { callVendor } from "./vendor-call.ts";

export interface DingTalkClientOptions {
  tokens: TokenProvider;
  /** https://oapi.dingtalk.com unless pointed elsewhere (the mock, in dev and tests). */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; tests replace it to run without real delays. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Spaces calls to each API to the vendor's rate; shared by every client of one app. */
  pacer?: CallPacer;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * DingTalk's work-notification API over `fetch` alone: JSON requests, every
 * answer parsed with the shared schemas, errcode 88 unwrapped, bounded
 * retries with jitter, and one token refresh when the vendor refuses a token.
 */
export class DingTalkClient {
  readonly #tokens: TokenProvider;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #options: DingTalkClientOptions;

  constructor(options: DingTalkClientOptions) {
    this.#options = options;
    this.#tokens = options.tokens;
    this.#baseUrl = options.baseUrl ?? DEFAULT_VENDOR_BASE_URL;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  /** The same client (same token cache) with another retry policy. */
  withRetry(retry: Partial<RetryPolicy>): DingTalkClient {
    return new DingTalkClient({ ...this.#options, retry: { ...this.#retry, ...retry } });
  }

  sendByTemplate(request: SendByTemplateRequest): Promise<SendByTemplateAnswer> {
    return this.#call(VendorPath.sendByTemplate, request, SendByTemplateAnswer);
  }

  getSendProgress(agentId: number, taskId: number): Promise<GetSendProgressAnswer> {
    return this.#call(VendorPath.getSendProgress, { agent_id: agentId, task_id: taskId }, GetSendProgressAnswer);
  }

  getSendResult(agentId: number, taskId: number): Promise<GetSendResultAnswer> {
    return this.#call(VendorPath.getSendResult, { agent_id: agentId, task_id: taskId }, GetSendResultAnswer);
  }

  recall(agentId: number, taskId: number): Promise<VendorAnswer> {
    return this.#call(VendorPath.recall, { agent_id: agentId, msg_task_id: taskId }, VendorAnswer);
  }

  listSubDepartments(deptId: number): Promise<ListSubDepartmentsAnswer> {
    return this.#call(VendorPath.listSubDepartments, { dept_id: deptId }, ListSubDepartmentsAnswer);
  }

  listDepartmentUsers(deptId: number): Promise<ListDepartmentUsersAnswer> {
    return this.#call(VendorPath.listDepartmentUsers, { dept_id: deptId }, ListDepartmentUsersAnswer);
  }

  async #call<T extends z.core.$ZodType>(path: string, body: unknown, answer: T): Promise<z.output<T>> {
    let token = await this.#tokens.token();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#options.pacer?.turn(path);
        return await callVendor({
          fetch: this.#fetch,
          baseUrl: this.#baseUrl,
          path,
          method: "POST",
          query: { access_token: token },
          body,
          answer,
          timeoutMs: this.#timeoutMs,
        });
      } catch (error) {
        if (error instanceof DingTalkApiError && error.tokenRejected && !refreshed) {
          // Once only: a second refusal of a fresh token is not a caching problem.
          refreshed = true;
          token = await this.#tokens.token(token);
          attempt -= 1;
          continue;
        }
        if (!isRetryable(error) || attempt >= this.#retry.maxAttempts) throw error;
        // A send whose answer was lost may have been delivered: the caller must know, so it is not retried
        // here (a silent retry would hide it, and the vendor's 143106 would then read as a drop).
        if (path === VendorPath.sendByTemplate && error instanceof DingTalkTransportError && error.mayHaveReachedVendor) throw error;
        await this.#sleep(retryDelayMs(error, attempt, this.#retry, this.#random));
      }
    }
  }
}
