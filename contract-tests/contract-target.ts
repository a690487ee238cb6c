import { signSuiteRequest, VendorPath } from "../protocol/index.ts";

/** The app a target sends as; its credentials come from the target's configuration, never from the suite. */
export type ContractApp =
  | { kind: "internal"; agentId: number; appKey: string; appSecret: string }
  | { kind: "thirdParty"; agentId: number; corpId: string; suiteKey: string; suiteSecret: string; suiteTicket: string };

/** Ids that exist in the target's organisation, for the cases to send to. */
export interface ContractFixtures {
  approvedTemplateId: string;
  /** A template awaiting approval; without one, 885006 is skipped. */
  pendingTemplateId?: string;
  /** At least two employees who may receive test messages. */
  userIds: [string, string, ...string[]];
  deptId: number;
  /** Data that fills the approved template. */
  data: Record<string, string>;
}

/**
 * Steering a double: the limit scenarios need a controllable clock, a clean
 * slate and thousands of employees, which only a double can give. Absent for
 * the real DingTalk, whose limit cases are then reported as skipped.
 */
export interface ContractControl {
  /** Back to a clean slate: default world, clock frozen mid-morning China time, no per-second call limit. */
  reset(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  setClock(iso: string): Promise<void>;
  now(): Promise<number>;
  /** Distinct employees beyond `userIds`, as many as asked (up to 10,000). */
  bulkUserIds(count: number): string[];
}

export interface ContractTarget {
  name: string;
  baseUrl: string;
  fetch: typeof fetch;
  app: ContractApp;
  fixtures: ContractFixtures;
  control?: ContractControl;
}

export type Answer = Record<string, any> & { errcode: number; errmsg: string };

/** Calls the target as the official SDKs do: JSON, token in the query. Also returns the HTTP status. */
export async function call(
  target: ContractTarget,
  path: string,
  options: { method?: "GET" | "POST"; query?: Record<string, string>; body?: unknown; contentType?: string; rawBody?: BodyInit } = {},
): Promise<{ status: number; answer: Answer; text: string }> {
  const url = new URL(`${target.baseUrl.replace(/\/+$/, "")}${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const method = options.method ?? (options.body === undefined && options.rawBody === undefined ? "GET" : "POST");
  const response = await target.fetch(url.toString(), {
    method,
    headers: options.contentType ? { "content-type": options.contentType } : options.body !== undefined ? { "content-type": "application/json" } : {},
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let answer: Answer;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    answer = { errcode: Number.NaN, errmsg: `not JSON: ${text.slice(0, 80)}` };
  }
  return { status: response.status, answer, text };
}

/** A fresh access token for the target's app. */
export async function accessToken(target: ContractTarget): Promise<string> {
  const { app } = target;
  let result;
  if (app.kind === "internal") {
    result = await call(target, VendorPath.getToken, { query: { appkey: app.appKey, appsecret: app.appSecret } });
  } else {
    const timestamp = String(target.control ? await target.control.now() : Date.now());
    const signature = await signSuiteRequest(app.suiteSecret, timestamp, app.suiteTicket);
    result = await call(target, VendorPath.getCorpToken, {
      query: { accessKey: app.suiteKey, timestamp, suiteTicket: app.suiteTicket, signature },
      body: { auth_corpid: app.corpId },
    });
  }
  if (result.answer.errcode !== 0 || typeof result.answer.access_token !== "string") {
    throw new Error(`cannot get a token from ${target.name}: errcode ${result.answer.errcode}`);
  }
  return result.answer.access_token;
}

export function send(
  target: ContractTarget,
  token: string,
  fields: { userids?: readonly string[]; deptIds?: readonly number[]; templateId?: string; data?: Record<string, string>; agentId?: number },
) {
  return call(target, VendorPath.sendByTemplate, {
    query: { access_token: token },
    body: {
      agent_id: fields.agentId ?? target.app.agentId,
      template_id: fields.templateId ?? target.fixtures.approvedTemplateId,
      ...(fields.userids ? { userid_list: fields.userids.join(",") } : {}),
      ...(fields.deptIds ? { dept_id_list: fields.deptIds.join(",") } : {}),
      data: JSON.stringify(fields.data ?? target.fixtures.data),
    },
  });
}

export function sendResult(target: ContractTarget, token: string, taskId: number) {
  return call(target, VendorPath.getSendResult, { query: { access_token: token }, body: { agent_id: target.app.agentId, task_id: taskId } });
}

/** The forbidden codes of the target's app kind. */
export function forbiddenCodes(app: ContractApp) {
  return app.kind === "internal"
    ? { perMinute: ["143103"], dailyCap: ["143105"], duplicate: ["143106"] }
    : { perMinute: ["143203", "143204"], dailyCap: ["143205"], duplicate: ["143206"] };
}
