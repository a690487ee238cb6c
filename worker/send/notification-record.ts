/** What happened to each recipient of one request: the answer of POST /v1/notifications and the core of its story. */
export type RecipientOutcome =
  | { userid: string; status: "sent"; taskId: number }
  | { userid: string; status: "queued"; attempts?: number }
  | { userid: string; status: "suppressed"; reason: "duplicate-content" | "daily-cap"; detail: string }
  | { userid: string; status: "failed"; error: { code?: number; message: string } };

export type RecipientStatus = RecipientOutcome["status"];

export interface NotificationRecord {
  id: string;
  corpId: string;
  agentId: number;
  templateId: string;
  createdAt: string;
  summary: Record<"recipients" | RecipientStatus | "invalidDepartments", number>;
  /** One vendor send per chunk of at most 1,000 recipients. */
  tasks: { taskId: number; recipients: number }[];
  recipients: RecipientOutcome[];
  /** Requested departments the vendor does not know. */
  invalidDepartments: number[];
}

export function summarise(recipients: readonly RecipientOutcome[], invalidDepartments: readonly number[]): NotificationRecord["summary"] {
  const summary = { recipients: recipients.length, sent: 0, queued: 0, suppressed: 0, failed: 0, invalidDepartments: invalidDepartments.length };
  for (const recipient of recipients) summary[recipient.status] += 1;
  return summary;
}
