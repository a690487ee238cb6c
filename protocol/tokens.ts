import * as z from "./zod.ts";
import { VendorAnswer } from "./envelope.ts";

/** The vendor's token lifetime; it advises refreshing about 10 minutes early. */
export const TOKEN_TTL_SECONDS = 7200;

/** `GET /gettoken?appkey=&appsecret=` (internal apps). */
export const GetTokenQuery = z.object({
  appkey: z.string().check(z.minLength(1)),
  appsecret: z.string().check(z.minLength(1)),
});
export type GetTokenQuery = z.infer<typeof GetTokenQuery>;

/** `POST /service/get_corp_token?accessKey=&timestamp=&suiteTicket=&signature=` (third-party apps). */
export const CorpTokenQuery = z.object({
  accessKey: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.regex(/^\d+$/, "must be milliseconds since the epoch")),
  suiteTicket: z.string().check(z.minLength(1)),
  signature: z.string().check(z.minLength(1)),
});
export type CorpTokenQuery = z.infer<typeof CorpTokenQuery>;

export const CorpTokenBody = z.object({
  auth_corpid: z.string().check(z.minLength(1)),
});
export type CorpTokenBody = z.infer<typeof CorpTokenBody>;

export const TokenAnswer = z.extend(VendorAnswer, {
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.int().check(z.positive()),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;
