import type { TemplateData } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError, DingTalkTransportError } from "../dingtalk/errors.ts";
import type { RecipientOutcome } from "./notification-record.ts";

export interface ChunkDependencies {
  client: DingTalkClient;
  release(reservationId: string, options?: { keepWindow?: boolean }): void;
}

export interface SentChunks {
  outcomes: RecipientOutcome[];
  tasks: { taskId: number; recipients: number }[];
  /** Recipients whose send failed in a way worth trying again later (the vendor was busy or unreachable). */
  transient: string[];
  /** Of those, the ones whose send may have been delivered all the same (the answer was lost). */
  uncertain: string[];
}

/**
 * Sends admitted chunks, one vendor call each, after the client's own
 * retries. A chunk refused for good gives its reservation back; one that may
 * have reached the vendor keeps its place in the minute window. Releasing the
 * ledger is safe even then: a repeat of the same content is one the vendor
 * drops as a same-day duplicate (143106), so no employee gets it twice.
 */
export async function sendChunks(
  deps: ChunkDependencies,
  message: { agentId: number; templateId: string; data: TemplateData },
  chunks: readonly { reservationId: string; userids: readonly string[] }[],
): Promise<SentChunks> {
  const outcomes: RecipientOutcome[] = [];
  const tasks: SentChunks["tasks"] = [];
  const transient: string[] = [];
  const uncertain: string[] = [];
  let refusal: DingTalkApiError | undefined;
  for (const [index, chunk] of chunks.entries()) {
    if (refusal) {
      // The vendor refused the message itself (template, agent…): the other chunks would be refused alike.
      deps.release(chunk.reservationId);
      outcomes.push(...chunk.userids.map((userid) => failed(userid, refusal!)));
      continue;
    }
    try {
      const answer = await deps.client.sendByTemplate({
        agent_id: message.agentId,
        template_id: message.templateId,
        userid_list: chunk.userids.join(","),
        data: JSON.stringify(message.data),
      });
      tasks.push({ taskId: answer.task_id, recipients: chunk.userids.length });
      outcomes.push(...chunk.userids.map((userid): RecipientOutcome => ({ userid, status: "sent", taskId: answer.task_id })));
    } catch (error) {
      if (error instanceof DingTalkTransportError) {
        deps.release(chunk.reservationId, { keepWindow: error.mayHaveReachedVendor });
        transient.push(...chunk.userids);
        if (error.mayHaveReachedVendor) uncertain.push(...chunk.userids);
        outcomes.push(...chunk.userids.map((userid) => failed(userid, error)));
      } else if (error instanceof DingTalkApiError) {
        deps.release(chunk.reservationId);
        if (error.retryable) transient.push(...chunk.userids);
        else refusal = error;
        outcomes.push(...chunk.userids.map((userid) => failed(userid, error)));
      } else {
        // Not the vendor's answer (a missing suite ticket, say): nothing else goes out either.
        for (const rest of chunks.slice(index)) deps.release(rest.reservationId);
        throw error;
      }
    }
  }
  return { outcomes, tasks, transient, uncertain };
}

function failed(userid: string, error: DingTalkApiError | DingTalkTransportError): RecipientOutcome {
  if (error instanceof DingTalkApiError) return { userid, status: "failed", error: { code: error.code, message: error.message } };
  const message = error.mayHaveReachedVendor ? `${error.message} (the vendor may still have delivered it)` : error.message;
  return { userid, status: "failed", error: { message } };
}
