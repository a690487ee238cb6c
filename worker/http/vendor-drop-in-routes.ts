import type { Hono } from "hono";
import { ErrCode, errmsgFor, SendByTemplateWire, TaskQueryRequest, VendorPath } from "../../protocol/index.ts";
import { ProblemError } from "../../protocol/problem-details.ts";
import { readRequestParams } from "../../protocol/vendor-request-params.ts";
import { parseTemplateData, splitList } from "../../protocol/wire-fields.ts";
import { authenticate } from "../auth/authenticate.ts";
import type { Principal } from "../auth/principal.ts";
import type { AppConfig } from "../config/app-registry.ts";
import type { SenderAnswer } from "../durable/corp-app-sender.ts";
import type { Env } from "../env.ts";
import { idempotent } from "./idempotent.ts";
import { newNotificationId, senderName } from "./notification-id.ts";
import { requireScope, registry } from "./notification-routes.ts";

/**
 * The vendor's own routes, so code that already speaks DingTalk switches by
 * changing its base URL. The caller's credential is our API key, in
 * `access_token` where SDKs put the vendor token (or a Bearer header); never a
 * vendor token. Answers are vendor-shaped (HTTP 200, errcode); what happened to
 * each recipient is added under `dingtalk_edge`.
 */
export function vendorDropInRoutes(app: Hono<{ Bindings: Env }>): void {
  app.post(VendorPath.sendByTemplate, async (c) => {
    const { text, read } = await readOnce(c.req.raw);
    return vendorAnswer(async () => {
      const principal = await authenticate(c.req.raw, text, c.env, { tokenInQuery: true, tokenFrom: read.ok ? read.params : {} });
      if (!read.ok) return failure(ErrCode.BODY_NOT_JSON, read.problem);
      const parsed = SendByTemplateWire.safeParse(read.params);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return failure(ErrCode.INVALID_PARAMETER, `${issue.path.join(".") || "body"}: ${issue.message}`);
      }
      const request = parsed.data;
      const target = appForAgent(c.env, principal, request.agent_id);
      if (!target) return failure(ErrCode.INVALID_AGENT_ID, `agent ${request.agent_id} is not an app this key may use`);
      requireScope(principal, { corpId: target.corpId, agentId: target.agentId, templateId: request.template_id });
      const data = parseTemplateData(request.data);
      if (typeof data === "string") return failure(ErrCode.INVALID_PARAMETER, `data: ${data}`);
      const deptIds = splitList(request.dept_id_list);
      if (deptIds.some((id) => !/^\d+$/.test(id))) return failure(ErrCode.INVALID_PARAMETER, "dept_id_list: not a list of department ids");
      const async = /\brespond-async\b/i.test(c.req.header("prefer") ?? "");
      const response = await idempotent(c.env, principal, c.req.header("idempotency-key") ?? principal.deliveryId, text, async () => {
        const answer = await c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId)).send({
          id: newNotificationId(target.corpId, target.agentId),
          corpId: target.corpId,
          agentId: target.agentId,
          templateId: request.template_id,
          userIds: [...new Set(splitList(request.userid_list))],
          deptIds: deptIds.map(Number),
          data,
          async,
        });
        return Response.json(vendorShaped(answer));
      });
      return response;
    });
  });

  for (const [path, kind] of [
    [VendorPath.getSendProgress, "progress"],
    [VendorPath.getSendResult, "result"],
  ] as const) {
    app.post(path, async (c) => {
      const { text, read } = await readOnce(c.req.raw);
      return vendorAnswer(async () => {
        const principal = await authenticate(c.req.raw, text, c.env, { tokenInQuery: true, tokenFrom: read.ok ? read.params : {} });
        const parsed = TaskQueryRequest.safeParse(read.ok ? read.params : {});
        if (!parsed.success) return failure(ErrCode.INVALID_PARAMETER, `${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message}`);
        const target = appForAgent(c.env, principal, parsed.data.agent_id);
        if (!target) return failure(ErrCode.INVALID_AGENT_ID, `agent ${parsed.data.agent_id} is not an app this key may use`);
        const answer = await c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId)).taskQuery(kind, target.corpId, target.agentId, parsed.data.task_id);
        return Response.json(answer);
      });
    });
  }
}

/** The raw body (signatures and idempotency hash it) and the vendor-style parameters, reading the body once. */
async function readOnce(request: Request): Promise<{ text: string; read: Awaited<ReturnType<typeof readRequestParams>> }> {
  // Bytes, not .text(): workerd warns when a form body is read as text.
  const text = new TextDecoder().decode(await request.arrayBuffer());
  const read = await readRequestParams(new Request(request.url, { method: request.method, headers: request.headers, body: text }));
  return { text, read };
}

/** The app with this agent id among those the caller may use; the caller's corps narrow it when there are several. */
function appForAgent(env: Env, principal: Principal, agentId: number): AppConfig | undefined {
  const corps = principal.scope.corps;
  if (corps?.length === 1) return registry(env).find(corps[0], agentId);
  return registry(env).find(undefined, agentId);
}

/** Auth and scope failures become the vendor's own envelopes, so an SDK reacts to them as it knows how. */
async function vendorAnswer(run: () => Promise<Response>): Promise<Response> {
  try {
    return withRequestId(await run());
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    if (error.status === 401) return withRequestId(Response.json(wrapped(ErrCode.INVALID_ACCESS_TOKEN, `invalid API key: ${error.message}`)));
    if (error.status === 403) return withRequestId(Response.json({ ...failureBody(ErrCode.INVALID_AGENT_ID, error.message), dingtalk_edge: { problem: error.code } }));
    return withRequestId(Response.json(failureBody(ErrCode.INVALID_PARAMETER, error.message)));
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
  const message = "message" in answer ? answer.message : answer.kind;
  return { ...failureBody(answer.kind === "directory-unavailable" ? ErrCode.SYSTEM_BUSY : ErrCode.INVALID_PARAMETER, message), dingtalk_edge: { problem: answer.kind } };
}

function failure(code: number, detail: string): Response {
  return Response.json(failureBody(code, detail));
}

function failureBody(code: number, detail: string) {
  return { errcode: code, errmsg: `${errmsgFor(code)}: ${detail}` };
}

function wrapped(subCode: number, subMsg: string) {
  return { errcode: ErrCode.WRAPPED, sub_code: String(subCode), sub_msg: subMsg, errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]` };
}

async function withRequestId(response: Response): Promise<Response> {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return response;
  const body = (await response.clone().json()) as Record<string, unknown>;
  if (typeof body.request_id === "string") return response;
  const headers = new Headers(response.headers);
  return new Response(JSON.stringify({ ...body, request_id: crypto.randomUUID().replaceAll("-", "").slice(0, 13) }), { status: response.status, headers });
}
