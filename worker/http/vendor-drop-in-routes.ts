import type { Hono } from "hono";
import { ErrCode, errmsgFor, VendorPath } from "../../protocol/index.ts";
import { ProblemError } from "../../protocol/problem-details.ts";
import { readRequestParams, type RequestParams } from "../../protocol/vendor-request-params.ts";
import { authenticate } from "../auth/authenticate.ts";
import type { Principal } from "../auth/principal.ts";
import type { AppConfig } from "../config/app-registry.ts";
import type { SenderAnswer } from "../send/sender-answer.ts";
import type { Env } from "../env.ts";
import { idempotencyKeyOf, idempotent, requestFingerprint } from "./idempotent.ts";
import { newNotificationId, senderName } from "./notification-id.ts";
import { currentRecord, readBody, registry, requireScope, settings } from "./notification-routes.ts";
import { isFinalAnswer, whyNoRecipients } from "./sender-answers.ts";
import { readTaskQuery, readVendorSend } from "./vendor-send-request.ts";

/**
 * The vendor's own routes, so code that already speaks DingTalk switches by
 * changing its base URL. The caller's credential is our API key, in
 * `access_token` where SDKs put the vendor token (or a Bearer header); never a
 * vendor token. Answers are vendor-shaped (HTTP 200, errcode), refusals
 * included; what happened to each recipient is added under `dingtalk_edge`.
 */
export function vendorDropInRoutes(app: Hono<{ Bindings: Env }>): void {
  app.post(VendorPath.sendByTemplate, (c) =>
    vendorAnswer(async () => {
      const { text, read } = await readOnce(c.req.raw);
      const principal = await authenticate(c.req.raw, text, c.env, { tokenInQuery: true, tokenFrom: read.params });
      if (!read.ok) return failure(ErrCode.BODY_NOT_JSON, read.problem);
      const async = /\brespond-async\b/i.test(c.req.header("prefer") ?? "");
      const parsed = readVendorSend(read.params, { async, maxQueuedUserIds: settings(c.env).maxQueuedRecipients });
      if (!parsed.ok) return failure(parsed.errcode, parsed.message);
      const request = parsed.value;
      const target = appForAgent(c.env, principal, request.agentId);
      if (!target) return failure(ErrCode.INVALID_AGENT_ID, `agent_id: agent ${request.agentId} is not an app this key may use`);
      requireScope(principal, { corpId: target.corpId, agentId: target.agentId, templateId: request.templateId });
      const id = newNotificationId(target.corpId, target.agentId);
      const sender = c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId));
      const run = async () => {
        const answer = await sender.send({
          id,
          corpId: target.corpId,
          agentId: target.agentId,
          templateId: request.templateId,
          userIds: request.userIds,
          deptIds: request.deptIds,
          data: request.data,
          async,
        });
        const response = withRequestId(vendorShaped(answer));
        return { response, final: isFinalAnswer(answer), ...(answer.kind === "recorded" ? { notificationId: id } : {}) };
      };
      return idempotent(c.env, principal, idempotencyKeyOf(principal, c.req.header("idempotency-key")), () => requestFingerprint(c.req.raw, text), run, {
        replayReference: async (stored) =>
          withRequestId(vendorShaped({ kind: "recorded", record: await currentRecord(c.env, stored.notificationId) }), stored.headers),
        notificationId: id,
        resume: async (earlier) => {
          const record = await sender.record(earlier, target.corpId, target.agentId);
          return record && { response: withRequestId(vendorShaped({ kind: "recorded", record })), final: true, notificationId: earlier };
        },
      });
    }),
  );

  for (const [path, kind] of [
    [VendorPath.getSendProgress, "progress"],
    [VendorPath.getSendResult, "result"],
  ] as const) {
    app.post(path, (c) =>
      vendorAnswer(async () => {
        const { text, read } = await readOnce(c.req.raw);
        const principal = await authenticate(c.req.raw, text, c.env, { tokenInQuery: true, tokenFrom: read.params });
        if (!read.ok) return failure(ErrCode.BODY_NOT_JSON, read.problem);
        const parsed = readTaskQuery(read.params);
        if (!parsed.ok) return failure(parsed.errcode, parsed.message);
        const { agentId, taskId } = parsed.value;
        const target = appForAgent(c.env, principal, agentId);
        if (!target) return failure(ErrCode.INVALID_AGENT_ID, `agent_id: agent ${agentId} is not an app this key may use`);
        const sender = c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId));
        // A key limited to templates reads only tasks this worker sent with one of them; any other reads as unknown.
        if (principal.scope.templates) {
          const templateId = await sender.taskTemplate(taskId);
          if (templateId === undefined || !principal.scope.templates.includes(templateId)) {
            return failure(ErrCode.INVALID_PARAMETER, `task_id: no task ${taskId} this key may read`);
          }
        }
        const answer = await sender.taskQuery(kind, target.corpId, target.agentId, taskId);
        return withRequestId(answer);
      }),
    );
  }

  // What the vendor answers for an API it does not have, rather than a 404 an SDK cannot read.
  app.all("/topapi/*", (c) => vendorAnswer(async () => failure(ErrCode.INVALID_API_NAME, `${c.req.method} ${c.req.path} is not served here`)));
}

/** The raw body (signatures and idempotency hash it) and the vendor-style parameters, reading the body once and at most MAX_REQUEST_BODY_BYTES. */
async function readOnce(request: Request): Promise<{ text: string; read: RequestParams }> {
  const text = await readBody(request);
  const read = await readRequestParams(new Request(request.url, { method: request.method, headers: request.headers, body: text }));
  return { text, read };
}

/** The app with this agent id among those the caller's scope allows; none when the scope leaves no app or several. */
function appForAgent(env: Env, principal: Principal, agentId: number): AppConfig | undefined {
  const { corps, agents } = principal.scope;
  if (agents && !agents.includes(agentId)) return undefined;
  const apps = registry(env);
  const candidates = (corps ?? [undefined]).map((corpId) => apps.find(corpId, agentId)).filter((app) => app !== undefined);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** Every refusal becomes the vendor's own envelope, so an SDK reacts to it as it knows how; `dingtalk_edge.problem` says which. */
async function vendorAnswer(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ProblemError)) {
      // Log the kind, never the message: it may quote request parameters.
      console.error("worker: unexpected error on a drop-in route", error instanceof Error ? error.name : typeof error);
      return withRequestId({ ...failureBody(ErrCode.SYSTEM_ERROR, "the worker failed unexpectedly"), dingtalk_edge: { problem: "internal-error" } });
    }
    const problem = { dingtalk_edge: { problem: error.code } };
    if (error.status === 401) return withRequestId({ ...wrapped(ErrCode.INVALID_ACCESS_TOKEN, `invalid API key: ${error.message}`), ...problem });
    if (error.status === 403) return withRequestId({ ...failureBody(ErrCode.INVALID_AGENT_ID, error.message), ...problem });
    // Still running elsewhere: "busy" is what SDKs retry.
    if (error.status === 409) return withRequestId({ ...failureBody(ErrCode.SYSTEM_BUSY, error.message), ...problem });
    if (error.status >= 500) return withRequestId({ ...failureBody(ErrCode.SYSTEM_ERROR, error.message), ...problem });
    const field = error.errors[0]?.path.replace(/^(header|body)\./, "") ?? "request";
    return withRequestId({ ...failureBody(ErrCode.INVALID_PARAMETER, `${field}: ${error.message}`), ...problem });
  }
}

function vendorShaped(answer: SenderAnswer): Record<string, unknown> {
  if (answer.kind === "recorded") {
    const { record } = answer;
    const failedRecipient = record.recipients.find((r) => r.status === "failed");
    if (record.summary.sent === 0 && record.summary.queued === 0 && failedRecipient?.status === "failed") {
      return { ...failureBody(failedRecipient.error.code ?? ErrCode.SYSTEM_BUSY, failedRecipient.error.message), dingtalk_edge: record };
    }
    // The vendor answers one task per call; a split send has several, all listed below. 0 when nothing needed sending.
    return { errcode: 0, errmsg: "ok", task_id: record.tasks[0]?.taskId ?? 0, dingtalk_edge: record };
  }
  if (answer.kind === "window-full") {
    const retryAfterSeconds = Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
    return { ...wrapped(ErrCode.APP_API_QPS_EXCEEDED, `recipients-per-minute limit: retry after ${retryAfterSeconds} s`), dingtalk_edge: { problem: "minute-window-full", retryAfterSeconds } };
  }
  if (answer.kind === "accepted") throw new Error("an accepted send is always answered with its record");
  if (answer.kind === "no-recipients") {
    // The vendor's own answer to a send with nobody to receive it.
    return {
      ...failureBody(ErrCode.NO_RECEIVERS, `dept_id_list: the request reaches no employee (${whyNoRecipients(answer.invalidDeptIds)}). Nothing was sent.`),
      dingtalk_edge: { problem: answer.kind },
    };
  }
  const code =
    answer.kind === "directory-unavailable" ? ErrCode.SYSTEM_BUSY : answer.kind === "misconfigured" ? ErrCode.SYSTEM_ERROR : ErrCode.INVALID_PARAMETER;
  const message =
    answer.kind === "too-many-recipients"
      ? `userid_list, dept_id_list: the request reaches ${answer.recipients} employees; at most ${answer.limit}`
      : answer.kind === "too-many-departments"
        ? `dept_id_list: the departments expand to more than ${answer.limit} departments`
        : `${answer.message}. Nothing was sent.`;
  return { ...failureBody(code, message), dingtalk_edge: { problem: answer.kind } };
}

function failure(code: number, detail: string): Response {
  return withRequestId(failureBody(code, detail));
}

function failureBody(code: number, detail: string) {
  return { errcode: code, errmsg: `${errmsgFor(code)}: ${detail}` };
}

function wrapped(subCode: number, subMsg: string) {
  return { errcode: ErrCode.WRAPPED, sub_code: String(subCode), sub_msg: subMsg, errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]` };
}

/** HTTP 200 and a `request_id`, as every vendor answer has. */
function withRequestId(body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  const requestId = typeof body.request_id === "string" ? body.request_id : crypto.randomUUID().replaceAll("-", "").slice(0, 13);
  return new Response(JSON.stringify({ ...body, request_id: requestId }), { status: 200, headers: { ...headers, "content-type": "application/json" } });
}
