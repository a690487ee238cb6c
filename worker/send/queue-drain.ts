import { MAX_RECIPIENTS_FOR_SEND_RESULT, type AppKind, type TemplateData } from "../../protocol/index.ts";
import { admitSend } from "../quota/admission.ts";
import { windowStart } from "../quota/minute-window.ts";
import type { QuotaLimits, QuotaStore } from "../quota/quota-store.ts";
import { retryStaysOnDay, STRADDLES_MIDNIGHT } from "../quota/vendor-day.ts";
import type { RecipientOutcome, RecipientSource } from "./notification-record.ts";
import { mayHaveBeenSent, suppressedOutcome, type SentTask } from "./send-notification.ts";
import { attemptDay, latestArrivalMs, sendChunks, type ChunkDependencies, type ChunkResult } from "./vendor-chunks.ts";

/** A request as the drain needs it. */
export interface QueuedNotification {
  templateId: string;
  data: TemplateData;
  fingerprint: string;
  /** Chunks of at most 100, so getsendresult answers for each. */
  verify: boolean;
}

/** The head of the queue, one recipient at a time, in order. */
export interface QueuedRecipient {
  /** The stored group it was read from: where the queue finds it again. */
  group: number;
  notificationId: string;
  userid: string;
  attempts: number;
  /** The China-time day of an earlier attempt whose answer was lost, if any. */
  uncertainDay: string | undefined;
}

/** The queue as the drain sees it; the Durable Object backs it with SQLite. */
export interface QueueStore {
  queued(limit: number, nowMs: number): QueuedRecipient[];
  header(id: string): QueuedNotification | undefined;
  /** Marks recipients as being sent on `day` under a reservation, so no other drain takes them. */
  markSending(notificationId: string, recipients: readonly QueuedRecipient[], reservationId: string, day: string): void;
  update(notificationId: string, outcomes: readonly RecipientOutcome[], options?: { notBeforeMs?: number; uncertainDay?: string; from?: RecipientSource }): void;
  addTask(notificationId: string, task: SentTask): void;
}

export interface DrainDependencies extends ChunkDependencies {
  /** The app this queue sends as. */
  agentId: number;
  quota: QuotaStore;
  queue: QueueStore;
  limits: QuotaLimits;
  /** Whose error codes a suppression quotes: the app's kind. */
  appKind: AppKind;
  /** Runs `fn` in one storage transaction. */
  transaction<T>(fn: () => T): T;
  /** Vendor sends one drain may make: the subrequest budget of one invocation. */
  maxSendsPerDrain: number;
  /** After this many failed attempts a queued recipient is given up. */
  maxAttempts: number;
  retryDelayMs(attempt: number): number;
  verifyAfterMs: number;
}

interface TakenGroup {
  notificationId: string;
  header: QueuedNotification;
  rows: Map<string, QueuedRecipient>;
  chunks: { reservationId: string; userids: string[] }[];
}

/**
 * Sends the head of the queue, in order, as far as the minute window allows
 * now. Each step takes what fits and reserves it in one transaction, then
 * sends; a recipient the vendor could not take goes back to the queue with a
 * backoff. Returns how many recipients the vendor took.
 */
export async function drainQueue(deps: DrainDependencies): Promise<number> {
  let sendsLeft = deps.maxSendsPerDrain;
  let sent = 0;
  while (sendsLeft > 0) {
    const nowMs = deps.now();
    const groups = deps.transaction(() => takeFittingHead(deps, nowMs, sendsLeft));
    if (groups.length === 0) break;
    for (const [index, group] of groups.entries()) {
      sendsLeft -= group.chunks.length;
      const message = { agentId: deps.agentId, templateId: group.header.templateId, data: group.header.data };
      const recorded = new Set<string>();
      const record = (result: ChunkResult) => {
        recorded.add(result.reservationId);
        if (result.kind === "sent") sent += result.userids.length;
        deps.transaction(() => recordChunk(deps, group, result));
      };
      // A retry of a lost send is checked again as it leaves: a drain of many calls can reach midnight.
      const mayLeave = (chunk: { userids: readonly string[] }) =>
        chunk.userids.every((userid) => {
          const day = group.rows.get(userid)?.uncertainDay;
          return day === undefined || retryStaysOnDay(day, deps.now(), deps.clockSkewGuardMs, latestArrivalMs(deps));
        });
      try {
        await sendChunks(deps, message, group.chunks, record, mayLeave);
      } catch (error) {
        // Not the vendor's answer (no suite ticket, say): the chunks not yet recorded were given back, so their recipients wait in the queue again.
        // The other requests' chunks this step took never left either: their reservations go back too.
        const later = groups.slice(index + 1);
        for (const other of later) for (const chunk of other.chunks) deps.release(chunk.reservationId);
        // Each found by its reservation: the request's other recipients are not read.
        deps.transaction(() => {
          for (const taken of [group, ...later]) {
            for (const chunk of taken.chunks) {
              if (taken === group && recorded.has(chunk.reservationId)) continue;
              deps.queue.update(taken.notificationId, chunk.userids.map((userid) => requeued(taken.rows.get(userid)!)), { from: { reservationId: chunk.reservationId } });
            }
          }
        });
        throw error;
      }
    }
  }
  return sent;
}

/** Back in the queue as it was, after a send that never left. */
function requeued(row: QueuedRecipient): RecipientOutcome {
  return { userid: row.userid, status: "queued", ...(row.attempts > 0 ? { attempts: row.attempts } : {}) };
}

function takeFittingHead(deps: DrainDependencies, nowMs: number, sendsLeft: number): TakenGroup[] {
  const { limits } = deps;
  const room = limits.recipientsPerMinute - deps.quota.recipientsInWindow(windowStart(nowMs, limits.windowMs));
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
    // A lost answer whose retry could land on another day than the lost send, for the
    // vendor's clock: its same-day duplicate rule would no longer cover it, and the
    // employee could get it twice. Say so instead of sending.
    const lapsed = slice.filter(
      (row) => row.uncertainDay !== undefined && !retryStaysOnDay(row.uncertainDay, nowMs, deps.clockSkewGuardMs, latestArrivalMs(deps)),
    );
    const from = { groups: [...new Set(slice.map((row) => row.group))] };
    if (lapsed.length > 0) {
      deps.queue.update(notificationId, lapsed.map((row) => lapsedOutcome(row)), { from });
      slice = slice.filter((row) => !lapsed.includes(row));
      if (slice.length === 0) continue;
    }
    const admission = admitSend(deps.quota, limits, {
      // Unique per attempt: a retried chunk may still hold its old place in the window.
      reservationId: `${notificationId}#${slice[0]!.group}.${crypto.randomUUID().slice(0, 8)}`,
      userids: slice.map((row) => row.userid),
      fingerprint: header.fingerprint,
      nowMs,
      held: new Set(slice.filter((row) => row.uncertainDay !== undefined).map((row) => row.userid)),
      ...(header.verify ? { recipientsPerSend: MAX_RECIPIENTS_FOR_SEND_RESULT } : {}),
    });
    if (admission.kind !== "admitted") break; // cannot happen: the rows were taken to fit the room
    if (admission.suppressed.length > 0) {
      deps.queue.update(notificationId, admission.suppressed.map((s) => suppressedOutcome(s, limits.dailyMessagesPerEmployee, deps.appKind)), { from });
    }
    const chunks = admission.chunks.slice(0, budget);
    for (const dropped of admission.chunks.slice(budget)) deps.quota.release(dropped.reservationId);
    budget -= chunks.length;
    const day = attemptDay(deps, nowMs);
    const byUserid = new Map(slice.map((row) => [row.userid, row]));
    for (const chunk of chunks) deps.queue.markSending(notificationId, chunk.userids.map((userid) => byUserid.get(userid)!), chunk.reservationId, day);
    if (chunks.length > 0) groups.push({ notificationId, header, rows: byUserid, chunks });
  }
  return groups;
}

function lapsedOutcome(row: QueuedRecipient): RecipientOutcome {
  const when = row.uncertainDay === STRADDLES_MIDNIGHT ? "around 00:00 (China time)" : `on ${row.uncertainDay} (China time)`;
  return {
    userid: row.userid,
    status: "uncertain",
    error: {
      message: `the answer to the send ${when} was lost; it may have been delivered, and a retry on another day could deliver it twice, so it was not retried`,
    },
  };
}

function recordChunk(deps: DrainDependencies, group: TakenGroup, result: ChunkResult): void {
  const { notificationId } = group;
  const nowMs = deps.now();
  const from = { reservationId: result.reservationId };
  if (result.kind === "sent") {
    deps.queue.addTask(notificationId, {
      taskId: result.taskId,
      recipients: result.userids.length,
      reservationId: result.reservationId,
      sentAtMs: result.sentAtMs,
      ...(group.header.verify ? { verifyAtMs: result.sentAtMs + deps.verifyAfterMs } : {}),
    });
    deps.queue.update(notificationId, result.userids.map((userid): RecipientOutcome => ({ userid, status: "sent", taskId: result.taskId })), { from });
    return;
  }
  if (result.kind === "withheld") {
    // Too close to midnight for a retry: the lost sends end uncertain, the others wait as they were.
    const rows = result.userids.map((userid) => group.rows.get(userid)!);
    deps.queue.update(notificationId, rows.filter((row) => row.uncertainDay !== undefined).map(lapsedOutcome), { from });
    deps.queue.update(notificationId, rows.filter((row) => row.uncertainDay === undefined).map(requeued), { from });
    return;
  }
  const lastError = result.kind === "uncertain" ? { message: mayHaveBeenSent(result.message) } : result.error;
  const retryable = result.kind === "uncertain" || result.transient;
  // One update per attempt count: recipients of a chunk usually share it.
  const retries = new Map<number, RecipientOutcome[]>();
  const done: RecipientOutcome[] = [];
  for (const userid of result.userids) {
    const row = group.rows.get(userid);
    const attempts = (row?.attempts ?? 0) + 1;
    const possiblyDelivered = result.kind === "uncertain" || row?.uncertainDay !== undefined;
    if (retryable && attempts < deps.maxAttempts) {
      const list = retries.get(attempts) ?? [];
      list.push({ userid, status: "queued", attempts, ...(possiblyDelivered ? { mayHaveBeenSent: true as const } : {}), lastError });
      retries.set(attempts, list);
    } else if (possiblyDelivered) {
      done.push({ userid, status: "uncertain", error: { message: `${lastError.message} (after ${attempts} attempts; an earlier one may have been delivered)` } });
    } else {
      done.push({ userid, status: "failed", error: lastError });
    }
  }
  deps.queue.update(notificationId, done, { from });
  for (const [attempts, list] of retries) {
    deps.queue.update(notificationId, list, {
      from,
      notBeforeMs: nowMs + deps.retryDelayMs(attempts),
      ...(result.kind === "uncertain" ? { uncertainDay: result.uncertainDay } : {}),
    });
  }
}
