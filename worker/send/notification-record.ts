/** Why the vendor did not deliver a recipient it took, as `getsendresult` tells. */
export type DropReason = "minute-window" | "daily-cap" | "duplicate-content" | "flow-control" | "failed" | "invalid-user";

/**
 * What happened to each recipient of one request: the answer of POST
 * /v1/notifications and the core of its story.
 *
 * - `queued`: waiting for the minute window or a retry; `mayHaveBeenSent` when
 *   an earlier send's answer was lost (the retry is safe: the vendor drops a
 *   same-day duplicate).
 * - `sent`: the vendor took the call (its `task_id`); whether it delivered is
 *   only known once `getsendresult` says so (`verification` when it never will).
 *   `afterLostAnswer` when an earlier send's answer was lost: if that one was
 *   delivered, the vendor dropped this same-day repeat (143106 in the task's result).
 * - `delivered` / `dropped`: what the vendor's `getsendresult` reported.
 * - `suppressed`: not sent, because the vendor would have dropped it silently.
 * - `failed`: the vendor refused it, or never received it; nothing was delivered.
 * - `uncertain`: the answer was lost and no retry could settle it: it may have been delivered.
 */
export type RecipientOutcome =
  | { userid: string; status: "queued"; attempts?: number; mayHaveBeenSent?: true; lastError?: { code?: number; message: string } }
  | { userid: string; status: "sent"; taskId: number; verification?: string; afterLostAnswer?: true }
  | { userid: string; status: "delivered"; taskId: number; read: boolean; verifiedAt: string; detail?: string }
  | { userid: string; status: "dropped"; taskId: number; code: string; reason: DropReason; detail: string; verifiedAt: string }
  | { userid: string; status: "suppressed"; reason: "duplicate-content" | "daily-cap"; detail: string }
  | { userid: string; status: "failed"; error: { code?: number; message: string } }
  | { userid: string; status: "uncertain"; error: { message: string } };

export type RecipientStatus = RecipientOutcome["status"];

/**
 * Where the recipients an update moves are found: the chunk they are being
 * sent in (its reservation id), the vendor task that took them, or the queue
 * groups a drain read them from. It keeps an update to the rows it touches,
 * however large the request.
 */
export type RecipientSource = { reservationId: string } | { taskId: number } | { groups: readonly number[] };

export interface TaskSummary {
  taskId: number;
  recipients: number;
  /** When the vendor's answer with this task id arrived. */
  sentAt?: string;
  /** Delivery verification of this task: pending, done, or why it could not be. */
  verification?: { state: "pending" | "verified" | "unavailable"; at?: string; error?: string };
}

export interface NotificationRecord {
  id: string;
  corpId: string;
  agentId: number;
  templateId: string;
  createdAt: string;
  /** Whether the vendor's getsendresult is read for every task of this request. */
  verifyDelivery: boolean;
  summary: Record<"recipients" | RecipientStatus | "invalidDepartments", number>;
  /** One vendor send per chunk of at most 1,000 recipients (100 when delivery is verified). */
  tasks: TaskSummary[];
  recipients: RecipientOutcome[];
  /** Requested departments the vendor does not know. */
  invalidDepartments: number[];
}

export function summarise(recipients: readonly RecipientOutcome[], invalidDepartments: readonly number[]): NotificationRecord["summary"] {
  const summary = {
    recipients: recipients.length,
    queued: 0,
    sent: 0,
    delivered: 0,
    dropped: 0,
    suppressed: 0,
    failed: 0,
    uncertain: 0,
    invalidDepartments: invalidDepartments.length,
  };
  for (const recipient of recipients) summary[recipient.status] += 1;
  return summary;
}
