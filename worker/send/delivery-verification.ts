import { FORBIDDEN_CODE_MEANINGS, ForbiddenCode, TASK_QUERY_WINDOW_MS, type SendResult } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import type { DropReason, RecipientOutcome, RecipientSource } from "./notification-record.ts";

/** A sent task waiting for the vendor to say what it delivered. */
export interface PendingVerification {
  notificationId: string;
  taskId: number;
  /** The chunk's reservation: its ledger entries are given back for recipients the vendor did not deliver. */
  reservationId: string | undefined;
  /** Checks made so far. */
  attempts: number;
  sentAtMs: number;
}

/** A recipient of a task that is still reported `sent`. */
export interface TaskRecipient {
  notificationId: string;
  userid: string;
  attempts: number;
  /** Set when this send was a retry after a lost answer on that day. */
  uncertainDay: string | undefined;
}

export interface VerificationStore {
  dueVerifications(nowMs: number, limit: number): PendingVerification[];
  unverifiedRecipients(taskId: number): TaskRecipient[];
  update(notificationId: string, outcomes: readonly RecipientOutcome[], options?: { notBeforeMs?: number; from?: RecipientSource }): void;
  retryVerification(notificationId: string, taskId: number, atMs: number, error: string): void;
  finishVerification(notificationId: string, taskId: number, atMs: number, error?: string): void;
}

export interface VerificationDependencies {
  client: DingTalkClient;
  agentId: number;
  store: VerificationStore;
  /** Gives back the ledger entries of employees the vendor did not deliver. */
  releaseEmployees(reservationId: string, userids: readonly string[]): void;
  transaction<T>(fn: () => T): T;
  now(): number;
  /** Tasks one call checks (two vendor calls each). */
  maxTasks: number;
  /** First wait between checks of a task; it doubles, up to MAX_CHECK_INTERVAL_MS. */
  verifyAfterMs: number;
  /** The vendor's minute: recipients it dropped for the minute window wait this long before they go again. */
  windowMs: number;
  /** Sends a recipient gets in all before a drop by flow control is final. */
  maxAttempts: number;
}

const MAX_CHECK_INTERVAL_MS = 5 * 60 * 1000;

/** Codes the vendor's getsendresult gives for a recipient dropped by its limits, both app families. */
const DUPLICATE_CODES = new Set<string>([ForbiddenCode.internal.duplicateContent, ForbiddenCode.thirdParty.duplicateContent]);
const DAILY_CAP_CODES = new Set<string>([ForbiddenCode.internal.dailyCap, ForbiddenCode.thirdParty.dailyCap]);
const MINUTE_CODES = new Set<string>([ForbiddenCode.internal.perMinute, "143104", ForbiddenCode.thirdParty.perMinute, "143204"]);

/** What the vendor's result says of one recipient. */
export type Verdict =
  | { kind: "delivered"; read: boolean; detail?: string }
  | { kind: "dropped"; code: string; reason: DropReason; detail: string }
  /** Dropped by the minute window or other flow control: worth sending again later. */
  | { kind: "throttled"; code: string; detail: string }
  /** Not in any list yet: the vendor is still working on it. */
  | { kind: "pending" };

/**
 * Reads one recipient's fate in a task's send result. A same-content drop of
 * a retry means the earlier send, whose answer was lost, was delivered.
 */
export function verdictFor(result: SendResult, recipient: Pick<TaskRecipient, "userid" | "uncertainDay">): Verdict {
  const { userid } = recipient;
  if (result.read_user_id_list?.includes(userid)) return { kind: "delivered", read: true };
  if (result.unread_user_id_list?.includes(userid)) return { kind: "delivered", read: false };
  const forbidden = result.forbidden_list?.find((entry) => entry.userid === userid);
  const code = forbidden ? String(forbidden.code) : result.forbidden_user_id_list?.includes(userid) ? "forbidden" : undefined;
  if (code !== undefined) {
    const meaning = FORBIDDEN_CODE_MEANINGS[code] ?? "flow control";
    if (DUPLICATE_CODES.has(code)) {
      if (recipient.uncertainDay !== undefined) {
        return { kind: "delivered", read: false, detail: `delivered by an earlier send whose answer was lost; this retry was dropped as the same content (${code})` };
      }
      return { kind: "dropped", code, reason: "duplicate-content", detail: `${meaning} (${code}): the same content reached this employee today from another sender of this app` };
    }
    if (DAILY_CAP_CODES.has(code)) return { kind: "dropped", code, reason: "daily-cap", detail: `${meaning} (${code})` };
    return { kind: "throttled", code, detail: `${meaning} (${code})${MINUTE_CODES.has(code) ? ": something else used part of this app's minute" : ""}` };
  }
  if (result.failed_user_id_list?.includes(userid)) return { kind: "dropped", code: "failed", reason: "failed", detail: "the vendor lists it under failed_user_id_list" };
  if (result.invalid_user_id_list?.includes(userid)) return { kind: "dropped", code: "invalid", reason: "invalid-user", detail: "no such employee in this organisation (invalid_user_id_list)" };
  return { kind: "pending" };
}

/**
 * Checks the tasks whose time has come: getsendprogress, then, once the
 * vendor is done, getsendresult, and moves each recipient from `sent` to
 * `delivered` or `dropped`. Recipients dropped by flow control go back to
 * the queue, a window later. Returns how many tasks it settled.
 */
export async function verifyDueTasks(deps: VerificationDependencies): Promise<number> {
  const due = deps.store.dueVerifications(deps.now(), deps.maxTasks);
  let settled = 0;
  for (const task of due) {
    const checked = await checkTask(deps, task);
    if (checked.kind === "again") {
      const nowMs = deps.now();
      if (nowMs - task.sentAtMs >= TASK_QUERY_WINDOW_MS) {
        deps.transaction(() => giveUp(deps, task, nowMs, `no result within the vendor's 24 h window: ${checked.reason}`));
        settled += 1;
      } else {
        deps.transaction(() => deps.store.retryVerification(task.notificationId, task.taskId, nextCheckAt(deps, task, nowMs), checked.reason));
      }
      continue;
    }
    const result = checked.result;
    const pendingLeft = deps.transaction(() => apply(deps, task, result));
    if (pendingLeft === 0) settled += 1;
  }
  return settled;
}

type Checked = { kind: "done"; result: SendResult } | { kind: "again"; reason: string };

async function checkTask(deps: VerificationDependencies, task: PendingVerification): Promise<Checked> {
  try {
    const { progress } = await deps.client.getSendProgress(deps.agentId, task.taskId);
    if (progress.status !== 2) return { kind: "again", reason: `the vendor is still sending (${progress.progress_in_percent} %)` };
    return { kind: "done", result: (await deps.client.getSendResult(deps.agentId, task.taskId)).send_result };
  } catch (error) {
    // Whatever the vendor or the way to it says now, it may answer later: only its 24 h result window ends the checks.
    if (error instanceof DingTalkTransportError || error instanceof DingTalkApiError) return { kind: "again", reason: error.message };
    throw error;
  }
}

/** Records what the result says; returns how many recipients it does not mention yet. */
function apply(deps: VerificationDependencies, task: PendingVerification, result: SendResult): number {
  const nowMs = deps.now();
  const verifiedAt = new Date(nowMs).toISOString();
  const recipients = deps.store.unverifiedRecipients(task.taskId);
  const settledOutcomes: RecipientOutcome[] = [];
  const requeued: RecipientOutcome[] = [];
  const notDelivered: string[] = [];
  let pending = 0;
  for (const recipient of recipients) {
    const verdict = verdictFor(result, recipient);
    switch (verdict.kind) {
      case "delivered":
        settledOutcomes.push({ userid: recipient.userid, status: "delivered", taskId: task.taskId, read: verdict.read, verifiedAt, ...(verdict.detail ? { detail: verdict.detail } : {}) });
        break;
      case "dropped":
        settledOutcomes.push({ userid: recipient.userid, status: "dropped", taskId: task.taskId, code: verdict.code, reason: verdict.reason, detail: verdict.detail, verifiedAt });
        if (verdict.reason !== "daily-cap" && verdict.reason !== "duplicate-content") notDelivered.push(recipient.userid);
        break;
      case "throttled": {
        notDelivered.push(recipient.userid);
        const attempts = recipient.attempts + 1;
        if (attempts < deps.maxAttempts) {
          requeued.push({ userid: recipient.userid, status: "queued", attempts, ...(recipient.uncertainDay ? { mayHaveBeenSent: true as const } : {}), lastError: { ...(/^\d+$/.test(verdict.code) ? { code: Number(verdict.code) } : {}), message: `dropped by DingTalk: ${verdict.detail}; sent again in a later window` } });
        } else {
          settledOutcomes.push({ userid: recipient.userid, status: "dropped", taskId: task.taskId, code: verdict.code, reason: MINUTE_CODES.has(verdict.code) ? "minute-window" : "flow-control", detail: `${verdict.detail}, ${attempts} times`, verifiedAt });
        }
        break;
      }
      case "pending":
        pending += 1;
        break;
    }
  }
  // The vendor did not deliver them: their ledger entries (count, content) go back, so a resend is admitted again.
  if (task.reservationId && notDelivered.length > 0) deps.releaseEmployees(task.reservationId, notDelivered);
  const from = { taskId: task.taskId };
  deps.store.update(task.notificationId, settledOutcomes, { from });
  if (requeued.length > 0) deps.store.update(task.notificationId, requeued, { notBeforeMs: nowMs + deps.windowMs, from });
  if (pending === 0) deps.store.finishVerification(task.notificationId, task.taskId, nowMs);
  else deps.store.retryVerification(task.notificationId, task.taskId, nextCheckAt(deps, task, nowMs), `${pending} recipients not in the result yet`);
  return pending;
}

/** When a task not settled yet is checked again: the wait doubles with each check, up to MAX_CHECK_INTERVAL_MS. */
function nextCheckAt(deps: VerificationDependencies, task: PendingVerification, nowMs: number): number {
  return nowMs + Math.min(MAX_CHECK_INTERVAL_MS, Math.max(1_000, deps.verifyAfterMs) * 2 ** task.attempts);
}

/** The task can never be verified: its recipients stay `sent`, saying why. */
function giveUp(deps: VerificationDependencies, task: PendingVerification, nowMs: number, reason: string): void {
  const recipients = deps.store.unverifiedRecipients(task.taskId);
  deps.store.update(
    task.notificationId,
    recipients.map((r): RecipientOutcome => ({ userid: r.userid, status: "sent", taskId: task.taskId, verification: `not verified: ${reason}` })),
    { from: { taskId: task.taskId } },
  );
  deps.store.finishVerification(task.notificationId, task.taskId, nowMs, reason);
}
