import { z } from "zod";
import { VendorAnswer } from "./envelope.ts";

/** The vendor's token lifetime; it advises refreshing about 10 minutes early. */
export const TOKEN_TTL_SECONDS = 7200;

/** `GET /gettoken?appkey=&appsecret=` (internal apps). */
export const GetTokenQuery = z.object({
  appkey: z.string().min(1),
  appsecret: z.string().min(1),
});
export type GetTokenQuery = z.infer<typeof GetTokenQuery>;

/** `POST /service/get_corp_token?accessKey=&timestamp=&suiteTicket=&signature=` (third-party apps). */
export const CorpTokenQuery = z.object({
  accessKey: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/, "must be milliseconds since the epoch"),
  suiteTicket: z.string().min(1),
  signature: z.string().min(1),
});
export type CorpTokenQuery = z.infer<typeof CorpTokenQuery>;

export const CorpTokenBody = z.object({
  auth_corpid: z.string().min(1),
});
export type CorpTokenBody = z.infer<typeof CorpTokenBody>;

export const TokenAnswer = VendorAnswer.extend({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;
