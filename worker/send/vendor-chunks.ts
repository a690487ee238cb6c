import { VendorPath, type TemplateData } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import { PACING_WINDOW_MS } from "../dingtalk/call-pacer.ts";
import { lostSendDay } from "../quota/vendor-day.ts";

export interface ChunkDependencies {
  client: DingTalkClient;
  /** Takes back the chunk's window place and ledger entries: the vendor refused it or never got it. */
  release(reservationId: string): void;
  /**
   * The chunk's answer arrived: it holds its window place from now (plus the
   * skew guard). `unanswered`: no answer came at all (a timeout, a reset), so
   * the vendor may still be working on it; it holds the place a window longer.
   */
  settle(reservationId: string, unanswered?: boolean): void;
  /**
   * Resolves when this object next writes for its sends in flight; what is
   * written synchronously after it shares their commit (CommitGroup).
   */
  writeTurn(): Promise<void>;
  now(): number;
  /** Skew between our clock and the vendor's: widens the moments a lost send's day is told from. */
  clockSkewGuardMs: number;
  /** How long one vendor call may take before it is given up (VENDOR_TIMEOUT_MS). */
  vendorTimeoutMs: number;
}

/**
 * How long after it is decided a send may reach the vendor: a token call and
 * the send, each up to the timeout, and a wait for the pacer's turn.
 */
export function latestArrivalMs(deps: Pick<ChunkDependencies, "vendorTimeoutMs">): number {
  return 2 * deps.vendorTimeoutMs + PACING_WINDOW_MS;
}

/**
 * The day a send leaving at `nowMs` is made on for the vendor, as stored for
 * its recipients while it is under way: a restart that finds them retries
 * only on that day, and never when it is STRADDLES_MIDNIGHT.
 */
export function attemptDay(deps: Pick<ChunkDependencies, "vendorTimeoutMs" | "clockSkewGuardMs">, nowMs: number): string {
  return lostSendDay(nowMs, nowMs + latestArrivalMs(deps), deps.clockSkewGuardMs);
}

/** What became of one admitted chunk. */
export type ChunkResult =
  | { kind: "sent"; reservationId: string; userids: readonly string[]; taskId: number; sentAtMs: number }
  /**
   * The answer was lost after the request left: it may have been delivered.
   * Window place and ledger entries are kept; `uncertainDay` is the vendor's
   * day it was sent on (STRADDLES_MIDNIGHT when that cannot be told).
   */
  | { kind: "uncertain"; reservationId: string; userids: readonly string[]; message: string; uncertainDay: string }
  /** Held back before the call (`mayLeave` said no): nothing was sent, the reservation was given back. */
  | { kind: "withheld"; reservationId: string; userids: readonly string[] }
  /** Nothing was delivered; `transient` when trying again later may succeed. Its reservation was given back. */
  | { kind: "failed"; reservationId: string; userids: readonly string[]; error: { code?: number; message: string }; transient: boolean };

/**
 * Sends admitted chunks, one vendor call each, after the client's own
 * retries. A chunk the vendor refused, or never received, gives its
 * reservation back; one that may have reached it keeps its window place and
 * its ledger entries, because the vendor may have counted and delivered it.
 */
export async function sendChunks(
  deps: ChunkDependencies,
  message: { agentId: number; templateId: string; data: TemplateData },
  chunks: readonly { reservationId: string; userids: readonly string[] }[],
  /** Called as each chunk's fate is known, so it is recorded before the next call. */
  push: (result: ChunkResult) => void,
  /** Asked right before each call, at the time it leaves: false holds the chunk back. */
  mayLeave: (chunk: { reservationId: string; userids: readonly string[] }) => boolean = () => true,
): Promise<void> {
  let refusal: DingTalkApiError | undefined;
  for (const [index, chunk] of chunks.entries()) {
    const { reservationId, userids } = chunk;
    if (refusal) {
      // The vendor refused the message itself (template, agent…): the other chunks would be refused alike.
      deps.release(reservationId);
      push({ kind: "failed", reservationId, userids, error: { code: refusal.code, message: refusal.message }, transient: false });
      continue;
    }
    if (!mayLeave(chunk)) {
      deps.release(reservationId);
      push({ kind: "withheld", reservationId, userids });
      continue;
    }
    const startedAtMs = deps.now();
    const call = await deps.client
      .sendByTemplate({
        agent_id: message.agentId,
        template_id: message.templateId,
        userid_list: userids.join(","),
        data: JSON.stringify(message.data),
      })
      .then(
        (answer): VendorCall => ({ answered: true, taskId: answer.task_id }),
        (error: unknown): VendorCall | { foreign: unknown } =>
          error instanceof DingTalkTransportError || error instanceof DingTalkApiError ? { answered: false, error } : { foreign: error },
      );
    await deps.writeTurn();
    if ("foreign" in call) {
      // Not the vendor's answer (a missing suite ticket, say): nothing else goes out either.
      for (const rest of chunks.slice(index)) deps.release(rest.reservationId);
      throw call.foreign;
    }
    try {
      const result = settleCall(deps, chunk, call, startedAtMs);
      if (!call.answered && call.error instanceof DingTalkApiError && !call.error.retryable) refusal = call.error;
      push(result);
    } catch (error) {
      // Recording this chunk's fate failed (storage full, say): it stays as the vendor left it,
      // and the chunks not yet sent give their places back rather than hold them until a restart.
      for (const rest of chunks.slice(index + 1)) deps.release(rest.reservationId);
      throw error;
    }
  }
}

/** A vendor call's end: its task, or the vendor's (or the network's) error. */
type VendorCall = { answered: true; taskId: number } | { answered: false; error: DingTalkTransportError | DingTalkApiError };

/**
 * Settles or releases the chunk's reservation by what the call came to, and
 * says what became of it. Made in the group's turn, with the other writes.
 */
function settleCall(deps: ChunkDependencies, chunk: { reservationId: string; userids: readonly string[] }, call: VendorCall, startedAtMs: number): ChunkResult {
  const { reservationId, userids } = chunk;
  if (call.answered) {
    deps.settle(reservationId);
    return { kind: "sent", reservationId, userids, taskId: call.taskId, sentAtMs: deps.now() };
  }
  const { error } = call;
  // Only the send itself can have delivered: a token call that failed on the way never reached sendbytemplate.
  if (error instanceof DingTalkTransportError && error.mayHaveReachedVendor && error.endpoint === VendorPath.sendByTemplate) {
    deps.settle(reservationId, error.status === undefined);
    return { kind: "uncertain", reservationId, userids, message: error.message, uncertainDay: lostSendDay(startedAtMs, deps.now(), deps.clockSkewGuardMs) };
  }
  deps.release(reservationId);
  return error instanceof DingTalkTransportError
    ? { kind: "failed", reservationId, userids, error: { message: error.message }, transient: error.retryable }
    : { kind: "failed", reservationId, userids, error: { code: error.code, message: error.message }, transient: error.retryable };
}
