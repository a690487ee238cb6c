import { canonicalContent, type TemplateData } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import type { Admission, AdmissionRequest } from "../quota/admission.ts";
import { checkEmployees, type LedgerSuppression } from "../quota/employee-ledger.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import { TooManyDepartmentsError, type ExpandedDepartments } from "./department-directory.ts";
import type { RecipientOutcome } from "./notification-record.ts";
import { sendChunks } from "./vendor-chunks.ts";
import { chinaDay } from "../../protocol/index.ts";

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
}

export interface SendDependencies {
  client: DingTalkClient;
  /** Runs the admission inside one storage transaction. */
  admit(request: AdmissionRequest): Admission;
  release(reservationId: string, options?: { keepWindow?: boolean }): void;
  /** Read-only view of the quotas, for the suppressions an async request reports at once. */
  quota: QuotaStore;
  expandDepartments(deptIds: readonly number[]): Promise<ExpandedDepartments>;
  /** Stores the request and its recipients' first states (one transaction). */
  create(header: { fingerprint: string; invalidDepartments: number[]; createdAtMs: number }, recipients: RecipientOutcome[]): void;
  addTasks(tasks: { taskId: number; recipients: number }[]): void;
  now(): number;
  dailyCap: number;
  recipientsPerMinute: number;
  maxQueuedRecipients: number;
}

export type SendOutcome =
  | { kind: "accepted" }
  | { kind: "too-many-departments"; limit: number }
  | { kind: "directory-unavailable"; message: string }
  | { kind: "misconfigured"; message: string }
  | { kind: "window-full"; retryAfterMs: number; inWindow: number; needed: number; limit: number }
  | { kind: "too-many-recipients"; recipients: number; limit: number };

/**
 * One request: resolve who it reaches, then either admit it whole against
 * every limit in one transaction and send it (sync), or record it with its
 * recipients queued for the drain (async). The record is stored either way.
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
  const limit = request.async ? deps.maxQueuedRecipients : deps.recipientsPerMinute;
  if (userids.length > limit) return { kind: "too-many-recipients", recipients: userids.length, limit };

  const fingerprint = await contentFingerprint(request.templateId, request.data);
  const nowMs = deps.now();
  const header = { fingerprint, invalidDepartments: expanded.invalidDeptIds, createdAtMs: nowMs };

  if (request.async) {
    // Suppressions are known now and reported now; the drain checks again when it sends.
    const { allowed, suppressed } = checkEmployees(deps.quota, chinaDay(nowMs), fingerprint, userids, deps.dailyCap);
    const queued = new Set(allowed);
    const byUser = new Map(suppressed.map((s) => [s.userid, suppressedOutcome(s, deps.dailyCap)]));
    deps.create(header, userids.map((userid) => (queued.has(userid) ? { userid, status: "queued" } : byUser.get(userid)!)));
    return { kind: "accepted" };
  }

  const admission = deps.admit({ reservationId: request.id, userids, fingerprint, nowMs });
  if (admission.kind === "window-full") {
    return { kind: "window-full", retryAfterMs: admission.retryAfterMs, inWindow: admission.inWindow, needed: admission.needed, limit: deps.recipientsPerMinute };
  }
  const sent = await sendChunks(deps, request, admission.chunks);
  const outcomes = new Map<string, RecipientOutcome>();
  for (const suppression of admission.suppressed) outcomes.set(suppression.userid, suppressedOutcome(suppression, deps.dailyCap));
  for (const outcome of sent.outcomes) outcomes.set(outcome.userid, outcome);
  deps.create(header, userids.map((userid) => outcomes.get(userid)!));
  deps.addTasks(sent.tasks);
  return { kind: "accepted" };
}

export function suppressedOutcome(suppression: LedgerSuppression, dailyCap: number): RecipientOutcome {
  return suppression.reason === "duplicate-content"
    ? { userid: suppression.userid, status: "suppressed", reason: "duplicate-content", detail: "the same template and data already went to this employee today (China time); DingTalk would drop it silently (143106)" }
    : { userid: suppression.userid, status: "suppressed", reason: "daily-cap", detail: `${suppression.messagesToday} of ${dailyCap} messages from this app already went to this employee today (China time); DingTalk would drop it silently (143105)` };
}

/** SHA-256 of the canonical content: what "the same content" means for the once-a-day rule. */
export async function contentFingerprint(templateId: string, data: TemplateData): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalContent(templateId, data)));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
