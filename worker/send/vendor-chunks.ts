import type { TemplateData } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";

export interface ChunkDependencies {
  client: DingTalkClient;
  /** Takes back the chunk's window place and ledger entries: the vendor refused it or never got it. */
  release(reservationId: string): void;
  /** The chunk's answer arrived, or may never arrive: it holds its window place from now (plus the skew guard). */
  settle(reservationId: string): void;
  now(): number;
}

/** What became of one admitted chunk. */
export type ChunkResult =
  | { kind: "sent"; reservationId: string; userids: readonly string[]; taskId: number; sentAtMs: number }
  /** The answer was lost after the request left: it may have been delivered. Window place and ledger entries are kept. */
  | { kind: "uncertain"; reservationId: string; userids: readonly string[]; message: string }
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
): Promise<ChunkResult[]> {
  const results: ChunkResult[] = [];
  let refusal: DingTalkApiError | undefined;
  for (const [index, chunk] of chunks.entries()) {
    const { reservationId, userids } = chunk;
    if (refusal) {
      // The vendor refused the message itself (template, agent…): the other chunks would be refused alike.
      deps.release(reservationId);
      results.push({ kind: "failed", reservationId, userids, error: { code: refusal.code, message: refusal.message }, transient: false });
      continue;
    }
    try {
      const answer = await deps.client.sendByTemplate({
        agent_id: message.agentId,
        template_id: message.templateId,
        userid_list: userids.join(","),
        data: JSON.stringify(message.data),
      });
      deps.settle(reservationId);
      results.push({ kind: "sent", reservationId, userids, taskId: answer.task_id, sentAtMs: deps.now() });
    } catch (error) {
      if (error instanceof DingTalkTransportError && error.mayHaveReachedVendor) {
        deps.settle(reservationId);
        results.push({ kind: "uncertain", reservationId, userids, message: error.message });
      } else if (error instanceof DingTalkTransportError) {
        deps.release(reservationId);
        results.push({ kind: "failed", reservationId, userids, error: { message: error.message }, transient: error.retryable });
      } else if (error instanceof DingTalkApiError) {
        deps.release(reservationId);
        if (!error.retryable) refusal = error;
        results.push({ kind: "failed", reservationId, userids, error: { code: error.code, message: error.message }, transient: error.retryable });
      } else {
        // Not the vendor's answer (a missing suite ticket, say): nothing else goes out either.
        for (const rest of chunks.slice(index)) deps.release(rest.reservationId);
        throw error;
      }
    }
  }
  return results;
}
