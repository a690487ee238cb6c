import { Hono, type Context } from "hono";
import { ErrCode, errmsgFor } from "../../protocol/index.ts";
import type * as z from "../../protocol/zod.ts";
import type { FaultRule } from "../engine/fault-rules.ts";
import { journalTime } from "../engine/journal.ts";
import type { MockState } from "../engine/mock-state.ts";
import { newRequestId } from "../engine/seeded-random.ts";
import type { TokenGrant } from "../engine/token-store.ts";
import { authFailure, failure, wrappedFailure, type VendorOutcome } from "../engine/vendor-answers.ts";
import { droppedConnection } from "./connection-drop.ts";
import type { WorldEnv } from "../world-bindings.ts";
import { maskSecrets, readRequestParams } from "../../protocol/vendor-request-params.ts";
import { VENDOR_ENDPOINTS, vendorPathOf, type VendorEndpoint } from "./vendor-endpoints.ts";

/**
 * The vendor's side of the mock. Every call runs one pipeline: fault rules,
 * parameters, token, per-app QPS, validation, the endpoint, then the journal.
 * Answers are HTTP 200 JSON with a request_id, as the vendor's are.
 */
export function vendorRoutes(): Hono<WorldEnv> {
  const app = new Hono<WorldEnv>();
  for (const endpoint of VENDOR_ENDPOINTS) {
    const path = vendorPathOf(endpoint);
    const handler = (c: Context<WorldEnv>) => {
      const state = c.env.world;
      return runVendorCall(state, c.req.raw, endpoint.name, path, (params) => callEndpoint(state, endpoint, params));
    };
    if (endpoint.method === "GET") app.get(path, handler);
    else app.post(path, handler);
  }
  // The vendor answers unknown API names with errcode 22, never 404.
  app.all("/topapi/*", (c) =>
    runVendorCall(c.env.world, c.req.raw, "unknown", c.req.path, () =>
      failure(ErrCode.INVALID_API_NAME, `no API at ${c.req.path}`),
    ),
  );
  return app;
}

async function callEndpoint(state: MockState, endpoint: VendorEndpoint, params: Record<string, unknown>): Promise<VendorOutcome> {
  const onTopapi = endpoint.needsToken;
  let grant: TokenGrant | undefined;
  if (endpoint.needsToken) {
    const token = typeof params.access_token === "string" ? params.access_token : undefined;
    const check = state.tokens.check(token, state.clock.now());
    if (check.kind === "missing") return wrappedFailure(ErrCode.INVALID_ACCESS_TOKEN, "no access_token in the query or the body");
    if (check.kind === "invalid") return wrappedFailure(ErrCode.INVALID_ACCESS_TOKEN, "this access_token was never issued by the mock");
    if (check.kind === "expired") {
      const note = `the access_token expired at ${new Date(check.grant.expiresAtMs).toISOString()}`;
      return state.settings.expiredTokenWrapped
        ? wrappedFailure(ErrCode.ACCESS_TOKEN_EXPIRED, note)
        : failure(ErrCode.ACCESS_TOKEN_EXPIRED, undefined, note);
    }
    grant = check.grant;
  }
  const limit = state.settings.qpsPerAppPerApi;
  if (limit !== null) {
    const caller = grant ? `${grant.credentialKey}@${grant.corpId}` : String(params.appkey ?? params.accessKey ?? "anonymous");
    if (!state.qps.admit(`${caller}:${endpoint.name}`, state.clock.now(), limit)) {
      return authFailure(ErrCode.APP_API_QPS_EXCEEDED, onTopapi, `more than ${limit} calls to ${endpoint.name} in one second by ${grant?.credentialKey ?? caller}`);
    }
  }
  const quick = endpoint.quickParams?.(params);
  if (quick !== undefined) return endpoint.handle(state, quick, grant);
  const parsed = endpoint.params.safeParse(params);
  if (!parsed.success) return failure(ErrCode.INVALID_PARAMETER, describeIssue(parsed.error));
  return endpoint.handle(state, parsed.data, grant);
}

function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join(".") || "body";
  return issue.code === "invalid_type" && issue.input === undefined ? `${field} is required` : `${field}: ${issue.message}`;
}

/** Runs one vendor call under the fault rules and records it in the journal. */
export async function runVendorCall(
  state: MockState,
  request: Request,
  endpointName: string,
  path: string,
  handle: (params: Record<string, unknown>) => VendorOutcome | Promise<VendorOutcome>,
): Promise<Response> {
  const requestId = newRequestId();
  const fault = state.faults.take(path, endpointName);
  if (fault?.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));

  const read = await readRequestParams(request);
  const params = read.ok ? read.params : {};
  const faulted = fault ? faultAnswer(fault) : undefined;
  // A fault "before" replaces the call; "after" lets it take effect first; latency alone changes nothing.
  let outcome: VendorOutcome | undefined;
  if (!faulted || fault!.phase === "after") {
    outcome = read.ok ? await handle(params) : failure(ErrCode.BODY_NOT_JSON, read.problem);
  }

  const journal = (status: number, answer: unknown, notes: string[]) => {
    const entry = state.journal.record(
      {
        at: journalTime(state.clock.now()),
        method: request.method,
        path,
        endpoint: endpointName,
        params: maskSecrets(params),
        status,
        answer,
        ...(fault ? { faultId: fault.id } : {}),
        notes,
      },
      state.settings.journalLimit,
    );
    // Nobody listens unless a web inbox is open: then build no event at all.
    if (state.events.size === 0) return;
    const body = answer as { errcode?: unknown; task_id?: unknown } | null;
    state.events.emit({
      type: "call",
      seq: entry.seq,
      endpoint: endpointName,
      errcode: typeof body?.errcode === "number" ? body.errcode : null,
      ...(typeof body?.task_id === "number" ? { taskId: body.task_id } : {}),
    });
  };
  const realNotes = outcome?.notes ?? [];

  if (faulted?.kind === "drop") {
    journal(0, null, [...realNotes, `${fault!.id}: connection dropped`]);
    return droppedConnection();
  }
  if (faulted?.kind === "http") {
    const text = `${faulted.status} injected by mock fault ${fault!.id}`;
    journal(faulted.status, text, [...realNotes, `${fault!.id}: HTTP ${faulted.status}`]);
    return new Response(text, { status: faulted.status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  const final = faulted?.kind === "vendor" ? faulted.outcome : outcome!;
  const body = { ...final.body, request_id: requestId };
  const notes = faulted ? [...realNotes, `${fault!.id}: answered errcode ${String(final.body.errcode)}`] : final.notes;
  journal(200, maskSecrets(body), notes);
  return Response.json(body);
}

type FaultAnswer = { kind: "drop" } | { kind: "http"; status: number } | { kind: "vendor"; outcome: VendorOutcome } | undefined;

function faultAnswer(fault: FaultRule): FaultAnswer {
  if (fault.drop) return { kind: "drop" };
  if (fault.httpStatus !== undefined && fault.httpStatus !== 200) return { kind: "http", status: fault.httpStatus };
  if (fault.errcode === undefined) return undefined;
  if (fault.errcode === ErrCode.WRAPPED && fault.subCode !== undefined) {
    const wrapped = wrappedFailure(Number(fault.subCode));
    if (fault.errmsg) wrapped.body.sub_msg = fault.errmsg;
    return { kind: "vendor", outcome: wrapped };
  }
  return { kind: "vendor", outcome: { body: { errcode: fault.errcode, errmsg: fault.errmsg ?? errmsgFor(fault.errcode) }, notes: [] } };
}
