/**
 * What bench/worker-latency.bench.ts sends: the worker's send route, its
 * ingress alone, and the mock's sendbytemplate directly, each timed from the
 * client; and the employees they rotate over.
 */
import {
  DEFAULT_APPROVED_TEMPLATE_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_THIRD_PARTY_AGENT_ID,
  GENERATED_USER_COUNT,
  generatedUserId,
} from "../mock-server/world/default-world.ts";

const SEND_PATH = "/topapi/message/corpconversation/sendbytemplate";
/** Any single request longer than this aborts the run. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface Target {
  name: "worker" | "verified" | "direct" | "ingress";
  /** One send to these recipients with this data; resolves once the whole answer is read. Throws unless every recipient was sent. */
  send(userids: string[], data: Record<string, string>): Promise<number>;
}

export function workerTarget(baseUrl: string, apiKey: string, verifyDelivery: boolean): Target {
  return {
    name: verifyDelivery ? "verified" : "worker",
    async send(userids, data) {
      const body = JSON.stringify({ templateId: DEFAULT_APPROVED_TEMPLATE_ID, userIds: userids, data, verifyDelivery });
      const start = performance.now();
      const response = await fetch(`${baseUrl}/v1/notifications`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const elapsed = performance.now() - start;
      if (response.status !== 201) throw new Error(`worker answered ${response.status}: ${text.slice(0, 500)}`);
      const record = JSON.parse(text) as { agentId: number; summary: { sent: number; suppressed: number; failed: number } };
      if (record.agentId !== DEFAULT_THIRD_PARTY_AGENT_ID || record.summary.sent !== userids.length) {
        throw new Error(`worker did not send to every recipient: ${JSON.stringify({ agentId: record.agentId, ...record.summary })}`);
      }
      return elapsed;
    },
  };
}

/** The worker's ingress alone: an unknown route, a 404 from the worker's own app, no object, no vendor. */
export function ingressTarget(baseUrl: string): Target {
  return {
    name: "ingress",
    async send() {
      const start = performance.now();
      const response = await fetch(`${baseUrl}/bench-ping`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = await response.text();
      const elapsed = performance.now() - start;
      if (response.status !== 404) throw new Error(`GET /bench-ping answered ${response.status}, not 404: ${text.slice(0, 300)}`);
      return elapsed;
    },
  };
}

export async function directTarget(mockUrl: string): Promise<Target> {
  const tokenUrl = `${mockUrl}/gettoken?appkey=${DEFAULT_INTERNAL_APP.appKey}&appsecret=${DEFAULT_INTERNAL_APP.appSecret}`;
  const tokenAnswer = (await (await fetch(tokenUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).json()) as { errcode: number; access_token?: string };
  if (tokenAnswer.errcode !== 0 || !tokenAnswer.access_token) throw new Error(`gettoken failed: ${JSON.stringify(tokenAnswer)}`);
  const sendUrl = `${mockUrl}${SEND_PATH}?access_token=${encodeURIComponent(tokenAnswer.access_token)}`;
  return {
    name: "direct",
    async send(userids, data) {
      const body = JSON.stringify({
        agent_id: DEFAULT_INTERNAL_APP.agentId,
        template_id: DEFAULT_APPROVED_TEMPLATE_ID,
        userid_list: userids.join(","),
        data: JSON.stringify(data),
      });
      const start = performance.now();
      const response = await fetch(sendUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const elapsed = performance.now() - start;
      const answer = JSON.parse(text) as { errcode: number; task_id?: number };
      if (response.status !== 200 || answer.errcode !== 0 || typeof answer.task_id !== "number") {
        throw new Error(`mock answered ${response.status}: ${text.slice(0, 500)}`);
      }
      return elapsed;
    },
  };
}

/** Rotates over u00001…u10000 in blocks, so every send reaches fresh employees for a while. */
export class Recipients {
  #next = 0;
  take(n: number): string[] {
    const userids: string[] = [];
    for (let i = 0; i < n; i++) {
      userids.push(generatedUserId((this.#next % GENERATED_USER_COUNT) + 1));
      this.#next += 1;
    }
    return userids;
  }
}
