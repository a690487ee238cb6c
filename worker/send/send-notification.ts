import { canonicalContent, chinaDay, ForbiddenCode, MAX_RECIPIENTS_FOR_SEND_RESULT, type AppKind, type TemplateData } from "../../protocol/index.ts";
import { sha256Hex } from "../auth/api-keys.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import type { Admission, AdmissionRequest } from "../quota/admission.ts";
import { checkEmployees, type LedgerSuppression } from "../quota/employee-ledger.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import { TooManyDepartmentsError, type ExpandedDepartments } from "./department-directory.ts";
import type { RecipientOutcome, RecipientSource } from "./notification-record.ts";
import { attemptDay, sendChunks, type ChunkDependencies, type ChunkResult } from "./vendor-chunks.ts";

export interface NotificationRequest {
  id: string;
  corpId: string;
  agentId: number;
  templateId: string;
  userIds: readonly string[];
  deptIds: readonly number[];
  data: TemplateData;
  /** `Prefer: respond-async`: send what fits now, queue the rest. */
  async: boolean;
  /** Overrides VERIFY_DELIVERY for this request. */
  verifyDelivery?: boolean;
}

/** A vendor task as the record keeps it. */
export interface SentTask {
  taskId: number;
  recipients: number;
  reservationId: string;
  sentAtMs: number;
  /** When to read its getsendresult; absent when delivery is not verified. */
  verifyAtMs?: number;
}

export interface SendDependencies extends ChunkDependencies {
  /**
   * Runs the admission inside one storage transaction; when it admits,
   * `stored` runs in that same transaction, so no reservation exists without
   * the recipients that hold it.
   */
  admit(request: AdmissionRequest, stored: (admission: Admission & { kind: "admitted" }) => void): Admission;
  /** Read-only view of the quotas, for the suppressions an async request reports at once. */
  quota: QuotaStore;
  expandDepartments(deptIds: readonly number[]): Promise<ExpandedDepartments>;
  /**
   * Stores the request and its recipients' first states; `sending` marks the
   * chunks' recipients as being sent (a restart finds them). Called within
   * `admit`'s transaction, or in a transaction of its own for a queued request.
   */
  create(
    header: { fingerprint: string; invalidDepartments: number[]; createdAtMs: number; verify: boolean },
    recipients: RecipientOutcome[],
    sending?: { chunks: readonly { reservationId: string; userids: readonly string[] }[]; day: string },
  ): void;
  /** Runs `fn` in one storage transaction. */
  transaction<T>(fn: () => T): T;
  /** Moves recipients on and records a task, in one transaction, as each chunk's answer comes. */
  record(outcomes: readonly RecipientOutcome[], options?: { task?: SentTask; notBeforeMs?: number; uncertainDay?: string; from?: RecipientSource }): void;
  dailyCap: number;
  /** Whose error codes a suppression quotes: the app's kind. */
  appKind: AppKind;
  recipientsPerMinute: number;
  maxQueuedRecipients: number;
  /** VERIFY_DELIVERY, unless the request says otherwise. */
  verifyDelivery: boolean;
  verifyAfterMs: number;
  /** When a recipient is tried again after its `attempt`-th attempt. */
  retryDelayMs(attempt: number): number;
}

export type SendOutcome =
  | { kind: "accepted" }
  | { kind: "too-many-departments"; limit: number }
  /** The departments reached nobody (and no userIds were given): nothing to send, so nothing is stored. */
  | { kind: "no-recipients"; invalidDeptIds: number[] }
  | { kind: "directory-unavailable"; message: string }
  | { kind: "misconfigured"; message: string }
  | { kind: "window-full"; retryAfterMs: number; inWindow: number; needed: number; limit: number }
  /** `fields`: where the recipients came from, `userIds` and/or `deptIds`, for the answer to name. */
  | { kind: "too-many-recipients"; recipients: number; limit: number; fields: ("userIds" | "deptIds")[] };

/**
 * One request: resolve who it reaches, then either admit it whole against
 * every limit in one transaction and send it (sync), or record it with its
 * recipients queued for the drain (async). The record is stored either way.
 * A chunk whose answer was lost goes to the queue for a same-day retry: it
 * may have been delivered, and only the vendor can say.
 */
export async function acceptNotification(deps: SendDependencies, request: NotificationRequest): Promise<SendOutcome> {
  let expanded: ExpandedDepartments = { userids: [], invalidDeptIds: [] };
  try {
    if (request.deptIds.length > 0) expanded = await deps.expandDepartments(request.deptIds);
  } catch (error) {
    if (error instanceof TooManyDepartmentsError) return { kind: "too-many-departments", limit: error.limit };
    if (error instanceof DingTalkApiError || error instanceof DingTalkTransportError) return { kind: "directory-unavailable", message: error.message };
    throw error;
  }
  const userids = [...new Set([...request.userIds, ...expanded.userids])];
  if (userids.length === 0) return { kind: "no-recipients", invalidDeptIds: expanded.invalidDeptIds };
  const limit = request.async ? deps.maxQueuedRecipients : deps.recipientsPerMinute;
  if (userids.length > limit) {
    const fields = (["userIds", "deptIds"] as const).filter((field) => request[field].length > 0);
    return { kind: "too-many-recipients", recipients: userids.length, limit, fields };
  }

  const verify = request.verifyDelivery ?? deps.verifyDelivery;
  const fingerprint = await contentFingerprint(request.templateId, request.data);
  // The admission and the record are written synchronously after this: in the commit of this turn.
  await deps.writeTurn();
  const nowMs = deps.now();
  const header = { fingerprint, invalidDepartments: expanded.invalidDeptIds, createdAtMs: nowMs, verify };

  if (request.async) {
    // Suppressions are known now and reported now; the drain checks again when it sends.
    const { allowed, suppressed } = checkEmployees(deps.quota, chinaDay(nowMs), fingerprint, userids, deps.dailyCap);
    const queued = new Set(allowed);
    const byUser = new Map(suppressed.map((s) => [s.userid, suppressedOutcome(s, deps.dailyCap, deps.appKind)]));
    deps.transaction(() => deps.create(header, userids.map((userid) => (queued.has(userid) ? { userid, status: "queued" } : byUser.get(userid)!))));
    return { kind: "accepted" };
  }

  const admission = deps.admit(
    {
      reservationId: request.id,
      userids,
      fingerprint,
      nowMs,
      ...(verify ? { recipientsPerSend: MAX_RECIPIENTS_FOR_SEND_RESULT } : {}),
    },
    // Stored before any vendor call: a crash mid-send leaves recipients "sending", which a restart retries.
    (admitted) => {
      const suppressed = new Map(admitted.suppressed.map((s) => [s.userid, suppressedOutcome(s, deps.dailyCap, deps.appKind)]));
      deps.create(
        header,
        userids.map((userid) => suppressed.get(userid) ?? { userid, status: "queued" }),
        { chunks: admitted.chunks, day: attemptDay(deps, nowMs) },
      );
    },
  );
  if (admission.kind === "window-full") {
    return { kind: "window-full", retryAfterMs: admission.retryAfterMs, inWindow: admission.inWindow, needed: admission.needed, limit: deps.recipientsPerMinute };
  }
  const recorded = new Set<string>();
  const sending = sendChunks(deps, request, admission.chunks, (result) => {
    recorded.add(result.reservationId);
    const outcomes = result.userids.map((userid) => chunkOutcome(userid, result));
    const from = { reservationId: result.reservationId };
    if (result.kind === "sent") {
      const task: SentTask = {
        taskId: result.taskId,
        recipients: result.userids.length,
        reservationId: result.reservationId,
        sentAtMs: result.sentAtMs,
        ...(verify ? { verifyAtMs: result.sentAtMs + deps.verifyAfterMs } : {}),
      };
      deps.record(outcomes, { task, from });
    } else if (result.kind === "uncertain") {
      deps.record(outcomes, { notBeforeMs: deps.now() + deps.retryDelayMs(1), uncertainDay: result.uncertainDay, from });
    } else {
      deps.record(outcomes, { from });
    }
  });
  try {
    await sending;
  } catch (error) {
    // Not the vendor's answer (sendChunks gave back what was not sent): say so for the chunks not yet recorded.
    const message = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    const unsent = admission.chunks.filter((chunk) => !recorded.has(chunk.reservationId)).flatMap((chunk) => chunk.userids);
    deps.record(unsent.map((userid): RecipientOutcome => ({ userid, status: "failed", error: { message } })));
    throw error;
  }
  return { kind: "accepted" };
}

function chunkOutcome(userid: string, result: ChunkResult): RecipientOutcome {
  switch (result.kind) {
    case "sent":
      return { userid, status: "sent", taskId: result.taskId };
    case "uncertain":
      return { userid, status: "queued", attempts: 1, mayHaveBeenSent: true, lastError: { message: mayHaveBeenSent(result.message) } };
    case "failed":
      return { userid, status: "failed", error: result.error };
    case "withheld": // only the drain holds chunks back; here for completeness
      return { userid, status: "failed", error: { message: "not sent" } };
  }
}

/** What a lost answer means, in the record. */
export function mayHaveBeenSent(cause: string): string {
  return `${cause}: the answer was lost after the request left, so it may have been sent; it is retried the same day (China time), when DingTalk drops a repeat of the same content, so nobody gets it twice`;
}

/** A suppression as the record says it, quoting the code the vendor would drop it with for this kind of app (1431xx internal, 1432xx third-party). */
export function suppressedOutcome(suppression: LedgerSuppression, dailyCap: number, appKind: AppKind): RecipientOutcome {
  const codes = ForbiddenCode[appKind];
  return suppression.reason === "duplicate-content"
    ? {
        userid: suppression.userid,
        status: "suppressed",
        reason: "duplicate-content",
        detail: `the same template and data already went to this employee today (China time); DingTalk would drop it silently (${codes.duplicateContent})`,
      }
    : {
        userid: suppression.userid,
        status: "suppressed",
        reason: "daily-cap",
        detail: `${suppression.messagesToday} of ${dailyCap} messages from this app already went to this employee today (China time); DingTalk would drop it silently (${codes.dailyCap})`,
      };
}

/** SHA-256 of the canonical content: what "the same content" means for the once-a-day rule. */
export async function contentFingerprint(templateId: string, data: TemplateData): Promise<string> {
  return sha256Hex(canonicalContent(templateId, data));
}
