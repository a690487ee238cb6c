import { ProblemError } from "../../protocol/problem-details.ts";
import { sha256Hex } from "../auth/api-keys.ts";
import type { Principal } from "../auth/principal.ts";
import type { Env } from "../env.ts";
import type { StoredResponse } from "../idempotency/idempotency-keys.ts";
import { utf8Length } from "./send-fields.ts";

/** Answers up to this size are remembered whole; larger ones by the notification they describe (one SQLite value holds at most 2 MB). */
export const MAX_INLINE_ANSWER_BYTES = 64 * 1024;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** What a request's work produced, and whether a retry should get it again. */
export interface IdempotentOutcome {
  response: Response;
  /**
   * False when a retry could be answered differently (a full minute window,
   * a busy vendor, a misconfiguration): such answers are not remembered.
   * Decided from what happened, not from the HTTP status, which the drop-in
   * route keeps at 200 for everything.
   */
  final: boolean;
  /** The notification the answer describes, so a large answer is remembered by reference. */
  notificationId?: string;
}

export interface IdempotencyOptions {
  /** The answer again, for a remembered answer too large to have been kept whole. */
  replayReference(stored: StoredResponse & { notificationId: string }): Promise<Response>;
  /** The notification the run will create: the key remembers it before the run, so a retry after a crash finds it. */
  notificationId?: string;
  /**
   * The answer for a notification an earlier request with this key created
   * before it was cut short (a crash, an eviction); undefined when it never
   * got that far, and the request runs again.
   */
  resume?(notificationId: string): Promise<IdempotentOutcome | undefined>;
}

/**
 * The key a request is deduplicated on. A signed webhook's delivery id is
 * covered by its signature, so it wins over an `Idempotency-Key` header,
 * which is not: a replayed delivery with a fresh header must still be caught.
 */
export function idempotencyKeyOf(principal: Principal, header: string | undefined): string | undefined {
  return principal.deliveryId ?? header;
}

/** The request as the key remembers it: route, mode and body, so one key cannot replay another route's answer. */
export async function requestFingerprint(request: Request, body: string): Promise<string> {
  const mode = /\brespond-async\b/i.test(request.headers.get("prefer") ?? "") ? "async" : "sync";
  return sha256Hex(`${request.method} ${new URL(request.url).pathname} ${mode}\n${body}`);
}

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
  /** The request's fingerprint (requestFingerprint), computed only when there is a key to remember it under. */
  fingerprint: () => Promise<string>,
  run: () => Promise<IdempotentOutcome>,
  options: IdempotencyOptions,
): Promise<Response> {
  if (key === undefined) return (await run()).response;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ProblemError(400, "invalid-idempotency-key", `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, [
      { path: "header.Idempotency-Key", message: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
    ]);
  }
  const keys = env.IDEMPOTENCY_KEYS.getByName(`${principal.kind}:${principal.id}`);
  const begin = await keys.begin(key, await fingerprint(), options.notificationId);
  if (begin.kind === "mismatch") {
    throw new ProblemError(422, "idempotency-key-reused", "this Idempotency-Key was used with a different request in the last 24 h", [
      { path: "header.Idempotency-Key", message: "already used for another request" },
    ]);
  }
  if (begin.kind === "in-progress") {
    const retryAfterS = Math.ceil(begin.retryAfterMs / 1000);
    throw new ProblemError(
      409,
      "idempotency-key-in-progress",
      `a request with this Idempotency-Key is still being processed; retry in ${retryAfterS} s, when it is either answered or taken over`,
      [{ path: "header.Idempotency-Key", message: "the first request with this key has not finished" }],
      { "retry-after": String(retryAfterS) },
    );
  }
  if (begin.kind === "replay") return replay(begin.response, options);

  let outcome: IdempotentOutcome;
  let resumed = false;
  try {
    // The first request's work stands: its notification is answered, nothing is sent again.
    const earlier = begin.earlier !== undefined && options.resume ? await options.resume(begin.earlier) : undefined;
    resumed = earlier !== undefined;
    outcome = earlier ?? (await run());
  } catch (error) {
    await keys.abandon(key);
    throw error;
  }
  if (!outcome.final) {
    await keys.abandon(key);
    return outcome.response;
  }
  const stored = await storable(outcome);
  if (!stored) {
    // Neither small nor a notification: nothing to replay it from. A retry runs again (a refusal is all that is that large).
    await keys.abandon(key);
    return outcome.response;
  }
  // The work is done and its answer is ready: the caller gets it, even if it could not be remembered.
  if (!(await keys.complete(key, stored))) console.error("idempotency: the answer could not be stored");
  return resumed ? markedReplayed(outcome.response) : outcome.response;
}

async function storable(outcome: IdempotentOutcome): Promise<StoredResponse | undefined> {
  const headers: Record<string, string> = {};
  outcome.response.headers.forEach((value, name) => (headers[name] = value));
  const body = await outcome.response.clone().text();
  const base = { status: outcome.response.status, headers };
  if (utf8Length(body) <= MAX_INLINE_ANSWER_BYTES) return { ...base, body, ...(outcome.notificationId ? { notificationId: outcome.notificationId } : {}) };
  return outcome.notificationId ? { ...base, notificationId: outcome.notificationId } : undefined;
}

async function replay(stored: StoredResponse, options: IdempotencyOptions): Promise<Response> {
  let response: Response;
  if (stored.body !== undefined) {
    response = new Response(stored.body, { status: stored.status, headers: stored.headers });
  } else if (stored.notificationId !== undefined) {
    response = await options.replayReference({ ...stored, notificationId: stored.notificationId });
  } else {
    throw new ProblemError(500, "internal-error", "a remembered answer holds neither a body nor a notification");
  }
  return markedReplayed(response);
}

function markedReplayed(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("idempotency-replayed", "true");
  return new Response(response.body, { status: response.status, headers });
}
