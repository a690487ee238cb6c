import * as z from "../../protocol/zod.ts";
import { ProblemError } from "../../protocol/problem-details.ts";
import type { Env } from "../env.ts";
import { ApiKeysConfig, authenticateApiKey } from "./api-keys.ts";
import type { Principal } from "./principal.ts";
import { verifyWebhook, WebhookSendersConfig } from "./signed-webhooks.ts";

/**
 * Who is calling: an API key (`Authorization: Bearer <key>`, or `access_token`
 * in the query for the drop-in vendor routes, where SDKs put their token), or a
 * signed webhook. Anything else is 401 and sends nothing.
 */
export async function authenticate(
  request: Request,
  body: string,
  env: Env,
  options: { tokenInQuery?: boolean; tokenFrom?: Record<string, unknown> } = {},
): Promise<Principal> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  // The drop-in routes read `access_token` wherever the vendor does: the query, or a form body.
  const token = options.tokenFrom?.access_token;
  const queryToken = options.tokenInQuery ? (typeof token === "string" ? token : undefined) : undefined;
  const key = bearer ?? queryToken;
  if (key !== undefined) {
    const principal = await authenticateApiKey(parseConfig("API_KEYS", env.API_KEYS, ApiKeysConfig), key);
    if (!principal) throw unauthenticated("the API key is not valid", 'Bearer realm="dingtalk-edge", error="invalid_token"');
    return principal;
  }
  const verdict = await verifyWebhook(parseConfig("WEBHOOK_SENDERS", env.WEBHOOK_SENDERS, WebhookSendersConfig), request.headers, body);
  if (verdict?.ok) return verdict.principal;
  if (verdict) throw unauthenticated(verdict.reason);
  throw unauthenticated("send an API key (Authorization: Bearer …) or a signed webhook (Standard Webhooks or X-Hub-Signature-256)");
}

/**
 * A 401 carries a challenge (RFC 9110 §11.6.1): the API key, as a bearer
 * token (RFC 6750). Signed webhooks have no challenge scheme of their own;
 * their detail says what was wrong.
 */
function unauthenticated(detail: string, challenge = 'Bearer realm="dingtalk-edge"'): ProblemError {
  return new ProblemError(401, "unauthenticated", detail, [], { "www-authenticate": challenge });
}

const parsed = new Map<string, unknown>();

/** Parses a JSON secret once per isolate; a broken one is a 503 that names the setting, never its value. */
function parseConfig<T extends z.core.$ZodType>(name: string, json: string | undefined, schema: T): z.output<T> {
  const text = json ?? "[]";
  const cacheKey = `${name}\u0000${text}`;
  if (parsed.has(cacheKey)) return parsed.get(cacheKey) as z.output<T>;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProblemError(503, "misconfigured", `${name} is not valid JSON`);
  }
  const result = z.safeParse(schema, raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ProblemError(503, "misconfigured", `${name}.${issue.path.join(".")}: ${issue.code}`);
  }
  parsed.set(cacheKey, result.data);
  return result.data;
}
