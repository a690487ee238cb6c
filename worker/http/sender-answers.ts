import { ErrCode } from "../../protocol/index.ts";
import { ProblemError, problemResponse } from "../../protocol/problem-details.ts";
import type { SenderAnswer } from "../send/sender-answer.ts";
import type { NotificationRecord } from "../send/notification-record.ts";

/**
 * What the worker answers for a send, as a Response (so an Idempotency-Key can
 * store it whole): 201 with the record, 202 when recipients wait in the queue,
 * or problem details that say why nothing was sent.
 */
export function answerForSend(answer: SenderAnswer, instance: string, preferredAsync = false): Response {
  switch (answer.kind) {
    case "recorded":
      return recordAnswer(answer.record, preferredAsync);
    case "too-many-recipients":
      return problemResponse(
        new ProblemError(
          422,
          "too-many-recipients",
          `the request reaches ${answer.recipients} employees; at most ${answer.limit} per request`,
          answer.fields.map((field) => ({ path: `body.${field}`, message: `at most ${answer.limit} distinct recipients, userIds and departments' members together` })),
        ),
        instance,
      );
    case "too-many-departments":
      return problemResponse(
        new ProblemError(422, "too-many-departments", `the departments expand to more than ${answer.limit} departments`, [
          { path: "body.deptIds", message: `at most ${answer.limit} departments, sub-departments included` },
        ]),
        instance,
      );
    case "no-recipients": {
      const unknown = answer.invalidDeptIds;
      return problemResponse(
        new ProblemError(422, "no-recipients", `the request reaches no employee: ${whyNoRecipients(unknown)}. Nothing was sent or stored.`, [
          { path: "body.deptIds", message: unknown.length > 0 ? `unknown departments: ${unknown.join(", ")}` : "no members, sub-departments included" },
        ]),
        instance,
      );
    }
    case "directory-unavailable":
      return problemResponse(new ProblemError(502, "directory-unavailable", `expanding the departments failed: ${answer.message}. Nothing was sent.`), instance);
    case "misconfigured":
      return problemResponse(new ProblemError(503, "misconfigured", `${answer.message}. Nothing was sent.`), instance);
    case "window-full":
      return problemResponse(
        new ProblemError(
          429,
          "minute-window-full",
          `${answer.inWindow} of ${answer.limit} recipients already sent this minute; this request needs ${answer.needed} more. Nothing was sent; send it again later, or with Prefer: respond-async to have it queued.`,
          [],
          { "retry-after": String(Math.max(1, Math.ceil(answer.retryAfterMs / 1000))) },
        ),
        instance,
      );
    case "accepted":
      throw new Error("an accepted send is always answered with its record");
  }
}

/** `preferredAsync`: the caller sent Prefer: respond-async (a synchronous send may still queue a retry of a lost answer). */
function recordAnswer(record: NotificationRecord, preferredAsync: boolean): Response {
  const { summary } = record;
  if (summary.sent === 0 && summary.queued === 0 && summary.failed > 0) {
    // Nothing went out: the status says why; the record is still kept for GET.
    const failure = record.recipients.find((r) => r.status === "failed");
    const error = failure?.status === "failed" ? failure.error : { message: "the vendor did not take the send" };
    const problem =
      error.code !== undefined
        ? new ProblemError(422, "vendor-refused", `${error.message} (notification ${record.id})`)
        : new ProblemError(502, "vendor-unavailable", `${error.message} (notification ${record.id})`);
    return problemResponse(problem, `/v1/notifications/${record.id}`);
  }
  const queued = summary.queued > 0;
  return new Response(JSON.stringify(record), {
    status: queued ? 202 : 201,
    headers: {
      "content-type": "application/json",
      location: `/v1/notifications/${record.id}`,
      ...(queued && preferredAsync ? { "preference-applied": "respond-async" } : {}),
    },
  });
}

/**
 * Codes after which the vendor may well take the same send later: busy, a
 * system error, a QPS limit (the client's retryable set, worker/dingtalk/errors.ts).
 * A failure without a code never got an answer at all.
 */
const PASSING_VENDOR_CODES: ReadonlySet<number> = new Set([ErrCode.SYSTEM_BUSY, ErrCode.SYSTEM_ERROR, ErrCode.APP_API_QPS_EXCEEDED, ErrCode.GLOBAL_API_QPS_EXCEEDED]);

/**
 * Whether a retry of the same request must get this answer again. Not when
 * nothing went out for a reason that passes (a full minute window, a busy or
 * unreachable vendor or directory, a misconfiguration the operator will fix):
 * a retry then should try again. Both routes ask this of the outcome itself,
 * whatever status or errcode they answer it with.
 */
/** Why departments reached nobody, for both routes' answers. */
export function whyNoRecipients(invalidDeptIds: readonly number[]): string {
  return invalidDeptIds.length > 0 ? `no department of ${invalidDeptIds.join(", ")} exists` : "the departments have no members";
}

export function isFinalAnswer(answer: SenderAnswer): boolean {
  switch (answer.kind) {
    case "window-full":
    case "directory-unavailable":
    case "misconfigured":
      return false;
    case "recorded": {
      const { summary, recipients } = answer.record;
      if (summary.sent > 0 || summary.queued > 0 || summary.failed === 0) return true;
      return !recipients.some((r) => r.status === "failed" && (r.error.code === undefined || PASSING_VENDOR_CODES.has(r.error.code)));
    }
    default:
      return true;
  }
}
