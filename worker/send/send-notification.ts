import { canonicalContent, type TemplateData } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import type { Admission, AdmissionRequest } from "../quota/admission.ts";
import type { LedgerSuppression } from "../quota/employee-ledger.ts";
import { TooManyDepartmentsError, type ExpandedDepartments } from "./department-directory.ts";
import { summarise, type NotificationRecord, type RecipientOutcome } from "./notification-record.ts";

export interface NotificationRequest {
  id: string;
  corpId: string;
  agentId: number;
  templateId: string;
  userIds: readonly string[];
  deptIds: readonly number[];
  data: TemplateData;
}

export interface SendDependencies {
  client: DingTalkClient;
  /** Runs the admission inside one storage transaction. */
  admit(request: AdmissionRequest): Admission;
  release(reservationId: string): void;
  expandDepartments(deptIds: readonly number[]): Promise<ExpandedDepartments>;
  now(): number;
  dailyCap: number;
  recipientsPerMinute: number;
}

export type SendOutcome =
  | { kind: "sent"; record: NotificationRecord }
  | { kind: "too-many-departments"; limit: number }
  | { kind: "directory-unavailable"; message: string }
  | { kind: "misconfigured"; message: string }
  | { kind: "window-full"; retryAfterMs: number; inWindow: number; needed: number; limit: number }
  | { kind: "too-many-recipients"; recipients: number; limit: number };

/**
 * One request, end to end: resolve who it reaches, admit it against every
 * limit in one transaction, send what was admitted in vendor-sized chunks, and
 * give back what a chunk the vendor refused for good had reserved.
 */
export async function sendNotification(deps: SendDependencies, request: NotificationRequest): Promise<SendOutcome> {
  let expanded: ExpandedDepartments = { userids: [], invalidDeptIds: [] };
  try {
    if (request.deptIds.length > 0) expanded = await deps.expandDepartments(request.deptIds);
  } catch (error) {
    if (error instanceof TooManyDepartmentsError) return { kind: "too-many-departments", limit: error.limit };
    if (error instanceof DingTalkApiError || error instanceof DingTalkTransportError) return { kind: "directory-unavailable", message: error.message };
    throw error;
  }
  const userids = [...new Set([...request.userIds, ...expanded.userids])];
  // More than a minute's worth can never be sent at once; queueing it is the async API's job.
  if (userids.length > deps.recipientsPerMinute) {
    return { kind: "too-many-recipients", recipients: userids.length, limit: deps.recipientsPerMinute };
  }
  const fingerprint = await sha256Hex(canonicalContent(request.templateId, request.data));
  const nowMs = deps.now();
  const admission = deps.admit({ reservationId: request.id, userids, fingerprint, nowMs });
  if (admission.kind === "window-full") {
    return { kind: "window-full", retryAfterMs: admission.retryAfterMs, inWindow: admission.inWindow, needed: admission.needed, limit: deps.recipientsPerMinute };
  }

  const outcomes = new Map<string, RecipientOutcome>();
  for (const suppression of admission.suppressed) outcomes.set(suppression.userid, suppressedOutcome(suppression, deps.dailyCap));
  const tasks: NotificationRecord["tasks"] = [];
  let permanentFailure: (RecipientOutcome & { status: "failed" }) | undefined;
  for (const [index, chunk] of admission.chunks.entries()) {
    if (permanentFailure) {
      // The vendor refused the request itself (template, agent…): the other chunks would be refused alike.
      deps.release(chunk.reservationId);
      for (const userid of chunk.userids) outcomes.set(userid, { ...permanentFailure, userid });
      continue;
    }
    try {
      const answer = await deps.client.sendByTemplate({
        agent_id: request.agentId,
        template_id: request.templateId,
        userid_list: chunk.userids.join(","),
        data: JSON.stringify(request.data),
      });
      tasks.push({ taskId: answer.task_id, recipients: chunk.userids.length });
      for (const userid of chunk.userids) outcomes.set(userid, { userid, status: "sent", taskId: answer.task_id });
    } catch (error) {
      // Failed for good, after the client's retries: give the quota back. If the
      // vendor did take it after all, a retry of the same content is one it drops
      // as a same-day duplicate, so releasing can never cause a second delivery.
      deps.release(chunk.reservationId);
      if (!(error instanceof DingTalkApiError || error instanceof DingTalkTransportError)) {
        // Not the vendor's answer (a missing suite ticket, say): nothing else will be sent either.
        for (const rest of admission.chunks.slice(index + 1)) deps.release(rest.reservationId);
        throw error;
      }
      const failed = failedOutcome(error);
      for (const userid of chunk.userids) outcomes.set(userid, { ...failed, userid });
      if (error instanceof DingTalkApiError) permanentFailure = failed;
    }
  }

  const recipients = userids.map((userid) => outcomes.get(userid)!);
  return {
    kind: "sent",
    record: {
      id: request.id,
      corpId: request.corpId,
      agentId: request.agentId,
      templateId: request.templateId,
      createdAt: new Date(nowMs).toISOString(),
      summary: summarise(recipients, expanded.invalidDeptIds),
      tasks,
      recipients,
      invalidDepartments: expanded.invalidDeptIds,
    },
  };
}

function suppressedOutcome(suppression: LedgerSuppression, dailyCap: number): RecipientOutcome {
  return suppression.reason === "duplicate-content"
    ? { userid: suppression.userid, status: "suppressed", reason: "duplicate-content", detail: "the same template and data already went to this employee today (China time); DingTalk would drop it silently (143106)" }
    : { userid: suppression.userid, status: "suppressed", reason: "daily-cap", detail: `${suppression.messagesToday} of ${dailyCap} messages from this app already went to this employee today (China time); DingTalk would drop it silently (143105)` };
}

function failedOutcome(error: DingTalkApiError | DingTalkTransportError): RecipientOutcome & { status: "failed" } {
  if (error instanceof DingTalkApiError) return { userid: "", status: "failed", error: { code: error.code, message: error.message } };
  const message = error.mayHaveReachedVendor ? `${error.message} (the vendor may still have delivered it)` : error.message;
  return { userid: "", status: "failed", error: { message } };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
