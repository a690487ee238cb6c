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
  /**
   * Distinct employees beyond `userIds`, as many as asked (the limit cases ask
   * for up to 5,001). Throws `CaseCannotRun` when the target has fewer.
   */
  bulkUserIds(count: number): string[];
  /**
   * Leaves the target as the run found it: its clock and settings back, or
   * the run's own world dropped. `runContract` and `describeContract` call it
   * once, after the last case.
   */
  restore?(): Promise<void>;
}

export interface ContractTarget {
  name: string;
  /** Every call goes to this URL plus the vendor's path: a world's base URL (`…/w/<name>`) works as is. */
  baseUrl: string;
  fetch: typeof fetch;
  app: ContractApp;
  fixtures: ContractFixtures;
  control?: ContractControl;
  /** Why there is no `control`, when the target was looked at and found without one: the skip reason of the limit cases. */
  controlMissing?: string;
}

/**
 * The target cannot be used at all (nothing listening, a refused path, no
 * token for the app): the run stops before its cases, naming the URL it
 * called and what came back.
 */
export class TargetUnavailableError extends Error {
  override name = "TargetUnavailableError";
}

/** A case that cannot run on this target for a reason found while running (too few employees, say): reported as skipped with it. */
export class CaseCannotRun extends Error {
  override name = "CaseCannotRun";
}

export type Answer = Record<string, any> & { errcode: number; errmsg: string };

/** Query parameters that carry a secret, masked wherever a URL is shown. */
const SECRET_PARAMS = ["appsecret", "access_token", "signature", "suiteTicket"];

/** The URL as it may be printed: secrets in the query replaced by `***`. */
export function shownUrl(url: URL): string {
  const shown = new URL(url);
  for (const name of SECRET_PARAMS) if (shown.searchParams.has(name)) shown.searchParams.set(name, "***");
  return shown.toString();
}

/** The root cause of a failed fetch ("connect ECONNREFUSED 127.0.0.1:9"), not undici's bare "fetch failed". */
export function causeOf(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * Calls the target as the official SDKs do: JSON, token in the query. Also
 * returns the HTTP status and the URL called (secrets masked); a call that
 * gets no answer throws, naming that URL and the cause.
 */
export async function call(
  target: ContractTarget,
  path: string,
  options: { method?: "GET" | "POST" | "PUT"; query?: Record<string, string>; body?: unknown; contentType?: string; rawBody?: BodyInit } = {},
): Promise<{ status: number; answer: Answer; text: string; url: string; method: string }> {
  const url = new URL(`${target.baseUrl.replace(/\/+$/, "")}${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const method = options.method ?? (options.body === undefined && options.rawBody === undefined ? "GET" : "POST");
  let response: Response;
  try {
    response = await target.fetch(url.toString(), {
      method,
      headers: options.contentType ? { "content-type": options.contentType } : options.body !== undefined ? { "content-type": "application/json" } : {},
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  } catch (error) {
    throw new Error(`cannot reach ${shownUrl(url)}: ${causeOf(error)}`, { cause: error });
  }
  const text = await response.text();
  let answer: Answer;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    answer = { errcode: Number.NaN, errmsg: `not JSON: ${text.slice(0, 80)}` };
  }
  return { status: response.status, answer, text, url: shownUrl(url), method };
}

/** The raw answer of the token call for the target's app (gettoken, or get_corp_token signed with the target's clock). */
export async function tokenCall(target: ContractTarget, app: ContractApp = target.app) {
  if (app.kind === "internal") {
    return call(target, VendorPath.getToken, { query: { appkey: app.appKey, appsecret: app.appSecret } });
  }
  const timestamp = String(target.control ? await target.control.now() : Date.now());
  const signature = await signSuiteRequest(app.suiteSecret, timestamp, app.suiteTicket);
  return call(target, VendorPath.getCorpToken, {
    query: { accessKey: app.suiteKey, timestamp, suiteTicket: app.suiteTicket, signature },
    body: { auth_corpid: app.corpId },
  });
}

/** A fresh access token for the target's app. */
export async function accessToken(target: ContractTarget, app: ContractApp = target.app): Promise<string> {
  const result = await tokenCall(target, app);
  if (result.answer.errcode !== 0 || typeof result.answer.access_token !== "string") {
    const path = app.kind === "internal" ? VendorPath.getToken : VendorPath.getCorpToken;
    throw new Error(`cannot get a token from ${target.baseUrl}${path}: HTTP ${result.status}, errcode ${result.answer.errcode}: ${result.text.slice(0, 200)}`);
  }
  return result.answer.access_token;
}

/** A refusal as the vendor shapes it: HTTP 200, an integer errcode other than 0, and a request_id. */
export function isVendorRefusal(result: { status: number; answer: Answer }): boolean {
  const { errcode, request_id: requestId } = result.answer;
  return result.status === 200 && Number.isInteger(errcode) && errcode !== 0 && typeof requestId === "string";
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
