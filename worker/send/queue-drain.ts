import { chinaDay } from "../../protocol/index.ts";
import { admitSend } from "../quota/admission.ts";
import { recipientsInWindow, windowStart } from "../quota/minute-window.ts";
import type { QuotaLimits, QuotaStore } from "../quota/quota-store.ts";
import type { NotificationHeader, QueuedRecipient } from "../durable/notification-log.ts";
import type { RecipientOutcome } from "./notification-record.ts";
import { suppressedOutcome } from "./send-notification.ts";
import { sendChunks, type ChunkDependencies } from "./vendor-chunks.ts";

/** The queue as the drain sees it; the Durable Object backs it with SQLite. */
export interface QueueStore {
  queued(limit: number, nowMs: number): QueuedRecipient[];
  header(id: string): NotificationHeader | undefined;
  /** Marks recipients as being sent under a reservation, so no other drain takes them. */
  markSending(notificationId: string, userids: readonly string[], reservationId: string): void;
  markUncertain(notificationId: string, userids: readonly string[], day: string): void;
  update(notificationId: string, outcomes: readonly RecipientOutcome[], notBeforeMs?: number): void;
  addTask(notificationId: string, taskId: number, recipients: number): void;
}

export interface DrainDependencies extends ChunkDependencies {
  /** The app this queue sends as. */
  agentId: number;
  quota: QuotaStore;
  queue: QueueStore;
  limits: QuotaLimits;
  /** Runs `fn` in one storage transaction. */
  transaction<T>(fn: () => T): T;
  now(): number;
  /** Vendor sends one drain may make: the subrequest budget of one invocation, and the vendor's QPS. */
  maxSendsPerDrain: number;
  /** After this many failed attempts a queued recipient is failed for good. */
  maxAttempts: number;
  retryDelayMs(attempt: number): number;
}

interface TakenGroup {
  notificationId: string;
  header: NotificationHeader;
  attempts: Map<string, number>;
  chunks: { reservationId: string; userids: string[] }[];
}

/**
 * Sends the head of the queue, in order, as far as the minute window allows
 * now. Each step takes what fits and reserves it in one transaction, then
 * sends; a recipient the vendor could not take goes back to the queue with a
 * backoff. Returns how many recipients it sent.
 */
export async function drainQueue(deps: DrainDependencies): Promise<number> {
  let sendsLeft = deps.maxSendsPerDrain;
  let sent = 0;
  while (sendsLeft > 0) {
    const nowMs = deps.now();
    const groups = deps.transaction(() => takeFittingHead(deps, nowMs, sendsLeft));
    if (groups.length === 0) break;
    for (const group of groups) {
      sendsLeft -= group.chunks.length;
      const message = { agentId: deps.agentId, templateId: group.header.templateId, data: group.header.data };
      const result = await sendChunks(deps, message, group.chunks);
      sent += result.tasks.reduce((sum, task) => sum + task.recipients, 0);
      deps.transaction(() => {
        if (result.uncertain.length > 0) deps.queue.markUncertain(group.notificationId, result.uncertain, chinaDay(nowMs));
        recordResults(deps, group, result.outcomes, new Set(result.transient), result.tasks);
      });
    }
  }
  return sent;
}

function takeFittingHead(deps: DrainDependencies, nowMs: number, sendsLeft: number): TakenGroup[] {
  const { limits } = deps;
  const room = limits.recipientsPerMinute - recipientsInWindow(deps.quota.windowEntries(windowStart(nowMs)));
  const rows = deps.queue.queued(Math.min(room, sendsLeft * limits.recipientsPerSend), nowMs);
  const groups: TakenGroup[] = [];
  let budget = sendsLeft;
  for (let start = 0; start < rows.length && budget > 0; ) {
    const notificationId = rows[start]!.notificationId;
    let end = start;
    while (end < rows.length && rows[end]!.notificationId === notificationId) end++;
    let slice = rows.slice(start, end);
    start = end;
    const header = deps.queue.header(notificationId);
    if (!header) continue;
    // A lost answer from an earlier day: the vendor's same-day duplicate rule no
    // longer covers a retry, which could deliver twice. Say so instead of sending.
    const today = chinaDay(nowMs);
    const lapsed = slice.filter((row) => row.uncertainDay !== undefined && row.uncertainDay !== today);
    if (lapsed.length > 0) {
      deps.queue.update(notificationId, lapsed.map((row): RecipientOutcome => ({
        userid: row.userid,
        status: "failed",
        error: { message: `the answer to the send on ${row.uncertainDay} (China time) was lost; it may have been delivered, and a retry on another day could deliver it twice, so it was not retried` },
      })));
      slice = slice.filter((row) => !lapsed.includes(row));
      if (slice.length === 0) continue;
    }
    const admission = admitSend(deps.quota, limits, {
      // Unique per attempt: a retried chunk may still hold its old place in the window.
      reservationId: `${notificationId}#${slice[0]!.seq}.${crypto.randomUUID().slice(0, 8)}`,
      userids: slice.map((row) => row.userid),
      fingerprint: header.fingerprint,
      nowMs,
    });
    if (admission.kind !== "admitted") break; // cannot happen: the rows were taken to fit the room
    if (admission.suppressed.length > 0) {
      deps.queue.update(notificationId, admission.suppressed.map((s) => suppressedOutcome(s, limits.dailyMessagesPerEmployee)));
    }
    const chunks = admission.chunks.slice(0, budget);
    for (const dropped of admission.chunks.slice(budget)) deps.quota.release(dropped.reservationId);
    budget -= chunks.length;
    for (const chunk of chunks) deps.queue.markSending(notificationId, chunk.userids, chunk.reservationId);
    if (chunks.length > 0) groups.push({ notificationId, header, attempts: new Map(slice.map((row) => [row.userid, row.attempts])), chunks });
  }
  return groups;
}

function recordResults(
  deps: DrainDependencies,
  group: TakenGroup,
  outcomes: readonly RecipientOutcome[],
  transient: ReadonlySet<string>,
  tasks: readonly { taskId: number; recipients: number }[],
): void {
  for (const task of tasks) deps.queue.addTask(group.notificationId, task.taskId, task.recipients);
  const done: RecipientOutcome[] = [];
  const retry = new Map<number, RecipientOutcome[]>();
  for (const outcome of outcomes) {
    const attempts = (group.attempts.get(outcome.userid) ?? 0) + 1;
    if (transient.has(outcome.userid) && attempts < deps.maxAttempts) {
      const list = retry.get(attempts) ?? [];
      list.push({ userid: outcome.userid, status: "queued", attempts });
      retry.set(attempts, list);
    } else done.push(outcome);
  }
  deps.queue.update(group.notificationId, done);
  const nowMs = deps.now();
  for (const [attempts, list] of retry) deps.queue.update(group.notificationId, list, nowMs + deps.retryDelayMs(attempts));
}
