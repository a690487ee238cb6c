import {
  DEFAULT_APPROVED_TEMPLATE_ID,
  DEFAULT_CORP_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_SUITE,
  DEFAULT_THIRD_PARTY_AGENT_ID,
} from "../world/default-world.ts";
import { createMockDingTalk, type MockDingTalk, type MockDingTalkOptions } from "../create-mock.ts";
import type { MockState } from "../engine/mock-state.ts";

/** What the helpers need: a mock, or one world of it (`mock.world(name)`). */
export interface MockView {
  fetch: typeof fetch;
  baseUrl: string;
  readonly state: MockState;
}
import { signSuiteRequest, VendorPath } from "../../protocol/index.ts";

/** 2026-11-25 10:00:00 China time: mid-morning, far from a day boundary. */
export const MORNING = "2026-11-25T02:00:00.000Z";

export type Answer = Record<string, any> & { errcode: number; errmsg: string; request_id: string };

/** A mock on a frozen clock, so every limit is exact; QPS stays on unless a test turns it off. */
export function frozenMock(options: MockDingTalkOptions = {}): MockDingTalk {
  return createMockDingTalk({ ...options, clock: { start: MORNING, frozen: true, ...options.clock } });
}

export async function internalToken(mock: MockView): Promise<string> {
  const query = new URLSearchParams({ appkey: DEFAULT_INTERNAL_APP.appKey, appsecret: DEFAULT_INTERNAL_APP.appSecret });
  const answer = await getJson(mock, `${VendorPath.getToken}?${query}`);
  if (answer.errcode !== 0) throw new Error(`gettoken failed: ${JSON.stringify(answer)}`);
  return answer.access_token;
}

export async function corpTokenQuery(mock: MockView, overrides: Partial<Record<string, string>> = {}): Promise<URLSearchParams> {
  const timestamp = overrides.timestamp ?? String(mock.state.clock.now());
  const suiteTicket = overrides.suiteTicket ?? DEFAULT_SUITE.suiteTicket;
  const signature = overrides.signature ?? (await signSuiteRequest(overrides.suiteSecret ?? DEFAULT_SUITE.suiteSecret, timestamp, suiteTicket));
  return new URLSearchParams({ accessKey: overrides.accessKey ?? DEFAULT_SUITE.suiteKey, timestamp, suiteTicket, signature });
}

export async function thirdPartyToken(mock: MockView): Promise<string> {
  const query = await corpTokenQuery(mock);
  const answer = await postJson(mock, `${VendorPath.getCorpToken}?${query}`, { auth_corpid: DEFAULT_CORP_ID });
  if (answer.errcode !== 0) throw new Error(`get_corp_token failed: ${JSON.stringify(answer)}`);
  return answer.access_token;
}

export async function getJson(mock: MockView, path: string): Promise<Answer> {
  const response = await mock.fetch(`${mock.baseUrl}${path}`);
  return (await response.json()) as Answer;
}

export async function postJson(mock: MockView, path: string, body: unknown, token?: string): Promise<Answer> {
  const url = token ? `${mock.baseUrl}${path}?access_token=${encodeURIComponent(token)}` : `${mock.baseUrl}${path}`;
  const response = await mock.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await response.json()) as Answer;
}

export interface SendOptions {
  agentId?: number;
  templateId?: string;
  userids?: readonly string[];
  deptIds?: readonly number[];
  data?: Record<string, string>;
}

/** sendbytemplate as the official SDKs send it: JSON body, token in the query, data as a JSON string. */
export function send(mock: MockView, token: string, options: SendOptions): Promise<Answer> {
  return postJson(
    mock,
    VendorPath.sendByTemplate,
    {
      agent_id: options.agentId ?? DEFAULT_INTERNAL_APP.agentId,
      template_id: options.templateId ?? DEFAULT_APPROVED_TEMPLATE_ID,
      ...(options.userids ? { userid_list: options.userids.join(",") } : {}),
      ...(options.deptIds ? { dept_id_list: options.deptIds.join(",") } : {}),
      data: JSON.stringify(options.data ?? { name: "Ada", name2: "https://example.com/orders/1" }),
    },
    token,
  );
}

export function sendResult(mock: MockView, token: string, taskId: number, agentId: number = DEFAULT_INTERNAL_APP.agentId): Promise<Answer> {
  return postJson(mock, VendorPath.getSendResult, { agent_id: agentId, task_id: taskId }, token);
}

/** userids u00001… from the default world's generated staff. */
export function generatedUsers(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `u${String(from + i).padStart(5, "0")}`);
}

export { DEFAULT_THIRD_PARTY_AGENT_ID, DEFAULT_INTERNAL_APP, DEFAULT_CORP_ID, DEFAULT_APPROVED_TEMPLATE_ID };
