import {
  CorpTokenBody,
  CorpTokenQuery,
  GetSendProgressAnswer,
  GetSendResultAnswer,
  GetTokenQuery,
  ListDepartmentUsersAnswer,
  ListDepartmentUsersRequest,
  ListSubDepartmentsAnswer,
  ListSubDepartmentsRequest,
  RecallRequest,
  SendByTemplateAnswer,
  SendByTemplateWire,
  TaskQueryRequest,
  TokenAnswer,
  VendorAnswer,
  VendorPath,
  type VendorPathName,
} from "../../protocol/index.ts";
import * as z from "../../protocol/zod.ts";
import { listDepartmentUsers, listSubDepartments } from "../engine/directory-queries.ts";
import type { MockState } from "../engine/mock-state.ts";
import { quickSendByTemplateParams } from "../engine/quick-parse.ts";
import { sendByTemplate } from "../engine/send-by-template.ts";
import { getSendProgress, getSendResult, recallTask } from "../engine/task-queries.ts";
import { issueCorpToken, issueInternalToken } from "../engine/token-issuing.ts";
import type { TokenGrant } from "../engine/token-store.ts";
import type { VendorOutcome } from "../engine/vendor-answers.ts";

/**
 * Every vendor endpoint the mock serves, declared once: the pipeline in
 * vendor-routes.ts runs them and openapi.ts documents them from these schemas.
 */
export interface VendorEndpoint<Params = any> {
  name: VendorPathName;
  method: "GET" | "POST";
  summary: string;
  /** Needs `access_token`; auth and flow-control failures then come wrapped in errcode 88. */
  needsToken: boolean;
  params: z.ZodMiniType<Params>;
  /** What `params` parses the common shape to, without zod; undefined leaves the call to `params`. For the hot endpoints. */
  quickParams?(params: Record<string, unknown>): Params | undefined;
  answer: z.ZodMiniType;
  handle(state: MockState, params: Params, grant: TokenGrant | undefined): VendorOutcome | Promise<VendorOutcome>;
}

const AgentTask = TaskQueryRequest;

export const VENDOR_ENDPOINTS: readonly VendorEndpoint[] = [
  {
    name: "getToken",
    method: "GET",
    summary: "Access token of an internal app (appkey + appsecret).",
    needsToken: false,
    params: GetTokenQuery,
    answer: TokenAnswer,
    handle: (state, params: GetTokenQuery) => issueInternalToken(state, params),
  },
  {
    name: "getCorpToken",
    method: "POST",
    summary: "Access token of a corp that authorised a third-party suite (HMAC-SHA256 signed).",
    needsToken: false,
    params: z.extend(CorpTokenQuery, CorpTokenBody.shape),
    answer: TokenAnswer,
    handle: (state, params: CorpTokenQuery & CorpTokenBody) => issueCorpToken(state, params, params),
  },
  {
    name: "sendByTemplate",
    method: "POST",
    summary: "Send a work notification by message template. Over-limit recipients are dropped silently.",
    needsToken: true,
    params: SendByTemplateWire,
    quickParams: quickSendByTemplateParams,
    answer: SendByTemplateAnswer,
    handle: (state, params: SendByTemplateWire, grant) => sendByTemplate(state, grant!, params),
  },
  {
    name: "getSendProgress",
    method: "POST",
    summary: "Progress of a send task.",
    needsToken: true,
    params: AgentTask,
    answer: GetSendProgressAnswer,
    handle: (state, params: z.output<typeof AgentTask>, grant) => getSendProgress(state, grant!, params.agent_id, params.task_id),
  },
  {
    name: "getSendResult",
    method: "POST",
    summary: "Per-recipient result of a send task (last 24 h, at most 100 recipients).",
    needsToken: true,
    params: AgentTask,
    answer: GetSendResultAnswer,
    handle: (state, params: z.output<typeof AgentTask>, grant) => getSendResult(state, grant!, params.agent_id, params.task_id),
  },
  {
    name: "recall",
    method: "POST",
    summary: "Recall a work notification (within 24 h); the task id is named msg_task_id here.",
    needsToken: true,
    params: RecallRequest,
    answer: VendorAnswer,
    handle: (state, params: z.output<typeof RecallRequest>, grant) => recallTask(state, grant!, params.agent_id, params.msg_task_id),
  },
  {
    name: "listSubDepartments",
    method: "POST",
    summary: "Direct sub-department ids of a department.",
    needsToken: true,
    params: ListSubDepartmentsRequest,
    answer: ListSubDepartmentsAnswer,
    handle: (state, params: z.output<typeof ListSubDepartmentsRequest>, grant) => listSubDepartments(state, grant!, params.dept_id),
  },
  {
    name: "listDepartmentUsers",
    method: "POST",
    summary: "User ids directly in a department.",
    needsToken: true,
    params: ListDepartmentUsersRequest,
    answer: ListDepartmentUsersAnswer,
    handle: (state, params: z.output<typeof ListDepartmentUsersRequest>, grant) => listDepartmentUsers(state, grant!, params.dept_id),
  },
];

export function vendorPathOf(endpoint: VendorEndpoint): string {
  return VendorPath[endpoint.name];
}
