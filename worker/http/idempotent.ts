import { ProblemError } from "../../protocol/problem-details.ts";
import { sha256Hex } from "../auth/api-keys.ts";
import type { Principal } from "../auth/principal.ts";
import type { Env } from "../env.ts";
import type { StoredResponse } from "../idempotency/idempotency-keys.ts";

/**
 * The IETF Idempotency-Key draft: the same key with the same request within
 * 24 h answers the first answer again and does nothing; the same key with
 * another request is 422; while the first is still running, the others wait
 * for it. A signed webhook's delivery id serves as its key (Standard Webhooks
 * asks receivers to deduplicate on it), so a redelivery sends nothing twice.
 */
export async function idempotent(
  env: Env,
  principal: Principal,
  key: string | undefined,
  requestText: string,
  run: () => Promise<Response>,
): Promise<Response> {
  if (key === undefined) return run();
  if (key.length === 0 || key.length > 255) {
    throw new ProblemError(400, "invalid-idempotency-key", "Idempotency-Key must be 1 to 255 characters", [{ path: "header.Idempotency-Key", message: "1 to 255 characters" }]);
  }
  const keys = env.IDEMPOTENCY_KEYS.getByName(`${principal.kind}:${principal.id}`);
  const begin = await keys.begin(key, await sha256Hex(requestText));
  if (begin.kind === "mismatch") {
    throw new ProblemError(422, "idempotency-key-reused", "this Idempotency-Key was used with a different request in the last 24 h", [
      { path: "header.Idempotency-Key", message: "already used for another request" },
    ]);
  }
  if (begin.kind === "in-progress") {
    throw new ProblemError(409, "idempotency-key-in-progress", "a request with this Idempotency-Key is still being processed; retry later");
  }
  if (begin.kind === "replay") return replay(begin.response);

  let response: Response;
  try {
    response = await run();
  } catch (error) {
    await keys.abandon(key);
    throw error;
  }
  // A refusal that a later retry could overcome is not remembered.
  if (response.status === 429 || response.status >= 500) {
    await keys.abandon(key);
    return response;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const stored: StoredResponse = { status: response.status, headers, body: await response.clone().text() };
  await keys.complete(key, stored);
  return response;
}

function replay(stored: StoredResponse): Response {
  const headers = new Headers(stored.headers);
  headers.set("idempotency-replayed", "true");
  return new Response(stored.body, { status: stored.status, headers });
}
