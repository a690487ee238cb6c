import * as z from "./zod.ts";
import { ErrCode } from "./error-codes.ts";

/**
 * Every oapi answer: HTTP 200, JSON, `errcode` 0 on success. Unknown fields are
 * kept (`loose`) because the vendor adds fields without notice.
 */
export const VendorAnswer = z.looseObject({
  errcode: z.int(),
  errmsg: z.string(),
  request_id: z.optional(z.string()),
});
export type VendorAnswer = z.infer<typeof VendorAnswer>;

/**
 * Auth and flow-control failures on /topapi arrive wrapped in errcode 88, with
 * the meaningful code as a *string* in `sub_code`.
 */
export const WrappedAnswer = z.extend(VendorAnswer, {
  errcode: z.literal(ErrCode.WRAPPED),
  sub_code: z.string(),
  sub_msg: z.string(),
});
export type WrappedAnswer = z.infer<typeof WrappedAnswer>;

/**
 * The code a client should branch on: `sub_code` of an errcode-88 envelope when
 * it is numeric, the bare `errcode` otherwise.
 */
export function effectiveErrcode(answer: { errcode: number; sub_code?: unknown }): number {
  if (answer.errcode === ErrCode.WRAPPED && typeof answer.sub_code === "string") {
    const sub = Number(answer.sub_code);
    if (Number.isInteger(sub)) return sub;
  }
  return answer.errcode;
}

/** Accepts a JSON integer or a decimal string of one (form bodies carry only strings). */
export const IntegerLike = z.union([
  z.int(),
  z.pipe(z.string().check(z.trim(), z.regex(/^-?\d+$/, "must be an integer")), z.transform(Number)),
]);
