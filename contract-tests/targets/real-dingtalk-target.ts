import { DEFAULT_VENDOR_BASE_URL } from "../../protocol/index.ts";
import type { ContractApp, ContractTarget } from "../contract-target.ts";

/**
 * The real DingTalk, opt-in: only when credentials are in the environment.
 * It sends real notifications to the employees named, so use a test organisation.
 *
 *   DINGTALK_CONTRACT_APP_KEY, DINGTALK_CONTRACT_APP_SECRET, DINGTALK_CONTRACT_AGENT_ID   (an internal app)
 *   or DINGTALK_CONTRACT_SUITE_KEY, _SUITE_SECRET, _SUITE_TICKET, _CORP_ID, _AGENT_ID      (a third-party app)
 *   DINGTALK_CONTRACT_TEMPLATE_ID, DINGTALK_CONTRACT_USER_IDS ("a,b"), DINGTALK_CONTRACT_DEPT_ID,
 *   DINGTALK_CONTRACT_DATA (JSON of the template's variables), optional DINGTALK_CONTRACT_PENDING_TEMPLATE_ID,
 *   DINGTALK_CONTRACT_BASE_URL (default https://oapi.dingtalk.com)
 *
 * Returns the reason instead of a target when something is missing.
 */
export function realDingTalkTarget(env: Record<string, string | undefined>): ContractTarget | string {
  const need = (name: string) => env[`DINGTALK_CONTRACT_${name}`];
  const agentId = Number(need("AGENT_ID"));
  let app: ContractApp | undefined;
  if (need("APP_KEY") && need("APP_SECRET")) app = { kind: "internal", agentId, appKey: need("APP_KEY")!, appSecret: need("APP_SECRET")! };
  else if (need("SUITE_KEY") && need("SUITE_SECRET") && need("SUITE_TICKET") && need("CORP_ID")) {
    app = { kind: "thirdParty", agentId, corpId: need("CORP_ID")!, suiteKey: need("SUITE_KEY")!, suiteSecret: need("SUITE_SECRET")!, suiteTicket: need("SUITE_TICKET")! };
  }
  const userIds = (need("USER_IDS") ?? "").split(",").map((id) => id.trim()).filter(Boolean);
  const missing = [
    !app && "DINGTALK_CONTRACT_APP_KEY/APP_SECRET (or the SUITE_* set)",
    !Number.isInteger(agentId) && "DINGTALK_CONTRACT_AGENT_ID",
    !need("TEMPLATE_ID") && "DINGTALK_CONTRACT_TEMPLATE_ID",
    userIds.length < 2 && "DINGTALK_CONTRACT_USER_IDS (two or more)",
    !need("DEPT_ID") && "DINGTALK_CONTRACT_DEPT_ID",
  ].filter(Boolean);
  if (missing.length > 0 || !app) return `real DingTalk not configured: set ${missing.join(", ")}`;
  let data: Record<string, string> = {};
  try {
    data = JSON.parse(need("DATA") ?? "{}") as Record<string, string>;
  } catch {
    return "DINGTALK_CONTRACT_DATA is not valid JSON";
  }
  return {
    name: "real DingTalk",
    baseUrl: need("BASE_URL") ?? DEFAULT_VENDOR_BASE_URL,
    fetch: (input, init) => fetch(input, init),
    app,
    fixtures: {
      approvedTemplateId: need("TEMPLATE_ID")!,
      ...(need("PENDING_TEMPLATE_ID") ? { pendingTemplateId: need("PENDING_TEMPLATE_ID")! } : {}),
      userIds: userIds as [string, string, ...string[]],
      deptId: Number(need("DEPT_ID")),
      data,
    },
  };
}
