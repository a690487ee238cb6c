import { effectiveErrcode, ErrCode } from "../../protocol/index.ts";

/** The vendor answered, with a non-zero errcode (HTTP 200, as it does for every error). */
export class DingTalkApiError extends Error {
  readonly endpoint: string;
  readonly errcode: number;
  readonly subCode: string | undefined;
  readonly requestId: string | undefined;
  /** The code to branch on: `sub_code` of an errcode-88 envelope first, then `errcode`. */
  readonly code: number;

  constructor(endpoint: string, answer: { errcode: number; errmsg: string; sub_code?: string; request_id?: string }) {
    super(`${endpoint} answered errcode ${answer.errcode}${answer.sub_code ? `/${answer.sub_code}` : ""}: ${answer.errmsg}`);
    this.name = "DingTalkApiError";
    this.endpoint = endpoint;
    this.errcode = answer.errcode;
    this.subCode = answer.sub_code;
    this.requestId = answer.request_id;
    this.code = effectiveErrcode(answer);
  }

  /** The vendor says try again: system busy, system error, or a QPS limit. */
  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }

  /** The token was refused: refresh it once and retry. */
  get tokenRejected(): boolean {
    return this.code === ErrCode.INVALID_ACCESS_TOKEN || this.code === ErrCode.ACCESS_TOKEN_EXPIRED;
  }
}

const RETRYABLE_CODES = new Set<number>([
  ErrCode.SYSTEM_BUSY,
  ErrCode.SYSTEM_ERROR,
  ErrCode.APP_API_QPS_EXCEEDED,
  ErrCode.GLOBAL_API_QPS_EXCEEDED,
]);

/**
 * No usable answer: the network failed, the call timed out, or a gateway
 * answered 5xx or something that is not the vendor's JSON.
 */
export class DingTalkTransportError extends Error {
  readonly endpoint: string;
  /** HTTP status when one arrived. */
  readonly status: number | undefined;
  /**
   * True when the request may have reached the vendor and taken effect (a
   * timeout or reset after sending): retrying a send could deliver twice.
   */
  readonly mayHaveReachedVendor: boolean;

  constructor(endpoint: string, message: string, options: { status?: number; mayHaveReachedVendor: boolean; cause?: unknown }) {
    super(`${endpoint}: ${message}`, { cause: options.cause });
    this.name = "DingTalkTransportError";
    this.endpoint = endpoint;
    this.status = options.status;
    this.mayHaveReachedVendor = options.mayHaveReachedVendor;
  }

  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }
}
