import { ErrCode, errmsgFor } from "../../protocol/index.ts";

/**
 * The vendor's answer bodies, before the HTTP layer adds `request_id`. Every
 * refusal also carries a note for the journal: the vendor's text is terse, the
 * note says which rule and which numbers.
 */
export interface VendorOutcome {
  body: Record<string, unknown>;
  notes: string[];
}

export function success(fields: Record<string, unknown> = {}, notes: string[] = []): VendorOutcome {
  return { body: { errcode: ErrCode.OK, errmsg: "ok", ...fields }, notes };
}

export function failure(errcode: number, detail?: string, note?: string): VendorOutcome {
  const errmsg = detail ? `${errmsgFor(errcode)}: ${detail}` : errmsgFor(errcode);
  return { body: { errcode, errmsg }, notes: [note ?? errmsg] };
}

/** The /topapi envelope for auth and flow-control failures: errcode 88, real code in sub_code. */
export function wrappedFailure(subCode: number, note?: string): VendorOutcome {
  const subMsg = errmsgFor(subCode);
  return {
    body: {
      errcode: ErrCode.WRAPPED,
      sub_code: String(subCode),
      sub_msg: subMsg,
      errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]`,
    },
    notes: [note ?? subMsg],
  };
}

/** Auth and flow-control codes are wrapped on /topapi, bare elsewhere. */
export function authFailure(code: number, onTopapi: boolean, note?: string): VendorOutcome {
  return onTopapi ? wrappedFailure(code, note) : failure(code, undefined, note);
}
