import * as z from "../../protocol/zod.ts";
import { ErrCode, IntegerLike, MAX_DEPT_IDS_PER_SEND, MAX_USERIDS_PER_SEND_LIST, type TemplateData } from "../../protocol/index.ts";
import { splitList } from "../../protocol/wire-fields.ts";
import { AgentId, copyTemplateData, DeptId, TemplateId, templateDataIssues, UserId } from "./send-fields.ts";

/**
 * The drop-in routes' parameters, read with the same field rules as
 * `POST /v1/notifications` (send-fields.ts), in the vendor's names. A problem
 * is the vendor's code and a message naming the field, as DingTalk's own
 * 40035 does; nothing here has called anyone yet.
 */
export type VendorRead<T> = { ok: true; value: T } | { ok: false; errcode: number; message: string };

export interface VendorSend {
  agentId: number;
  templateId: string;
  /** Each once, in the order given. */
  userIds: string[];
  deptIds: number[];
  data: TemplateData;
}

const TaskId = AgentId;
/** The ids as form bodies carry them too: a decimal string of the integer. */
const AgentIdLike = z.pipe(IntegerLike, AgentId);
const TaskIdLike = z.pipe(IntegerLike, TaskId);

export function readVendorSend(params: Record<string, unknown>, options: { async: boolean; maxQueuedUserIds: number }): VendorRead<VendorSend> {
  const agentId = field("agent_id", params.agent_id, AgentIdLike);
  if (!agentId.ok) return agentId;
  const templateId = field("template_id", params.template_id, TemplateId);
  if (!templateId.ok) return templateId;

  const userList = listText("userid_list", params.userid_list);
  if (!userList.ok) return userList;
  const userIds = splitList(userList.value);
  const userLimit = options.async ? options.maxQueuedUserIds : MAX_USERIDS_PER_SEND_LIST;
  if (userIds.length > userLimit) {
    return invalid("userid_list", `at most ${userLimit} user ids${options.async ? " in one queued request" : " (more need Prefer: respond-async)"}`);
  }
  for (const [index, userid] of userIds.entries()) {
    const checked = field(`userid_list[${index}]`, userid, UserId);
    if (!checked.ok) return checked;
  }

  const deptList = listText("dept_id_list", typeof params.dept_id_list === "number" ? String(params.dept_id_list) : params.dept_id_list);
  if (!deptList.ok) return deptList;
  const deptTexts = splitList(deptList.value);
  if (deptTexts.length > MAX_DEPT_IDS_PER_SEND) return invalid("dept_id_list", `at most ${MAX_DEPT_IDS_PER_SEND} department ids`);
  const deptIds: number[] = [];
  for (const [index, text] of deptTexts.entries()) {
    // Digits only: Number() would also take "0x1f", "1e3" and " 7 ".
    if (!/^\d{1,20}$/.test(text)) return invalid(`dept_id_list[${index}]`, "must be a department id (digits)");
    const checked = field(`dept_id_list[${index}]`, Number(text), DeptId);
    if (!checked.ok) return checked;
    deptIds.push(checked.value);
  }
  if (userIds.length === 0 && deptIds.length === 0) {
    return { ok: false, errcode: ErrCode.NO_RECEIVERS, message: "userid_list, dept_id_list: name at least one recipient" };
  }

  const data = readData(params.data);
  if (!data.ok) return data;
  return { ok: true, value: { agentId: agentId.value, templateId: templateId.value, userIds: [...new Set(userIds)], deptIds, data: data.value } };
}

export function readTaskQuery(params: Record<string, unknown>): VendorRead<{ agentId: number; taskId: number }> {
  const agentId = field("agent_id", params.agent_id, AgentIdLike);
  if (!agentId.ok) return agentId;
  const taskId = field("task_id", params.task_id, TaskIdLike);
  if (!taskId.ok) return taskId;
  return { ok: true, value: { agentId: agentId.value, taskId: taskId.value } };
}

/** `data` as a JSON string (documented) or an object (the Java SDK). */
function readData(raw: unknown): VendorRead<TemplateData> {
  if (raw === undefined || raw === "") return { ok: true, value: {} };
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return invalid("data", "not valid JSON");
    }
  }
  const issue = templateDataIssues(value)[0];
  if (issue) return invalid(["data", ...issue.path].join("."), issue.message);
  return { ok: true, value: copyTemplateData(value as object) };
}

function listText(name: string, raw: unknown): VendorRead<string | undefined> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (typeof raw !== "string") return invalid(name, "must be a comma-separated string");
  return { ok: true, value: raw };
}

function field<T extends z.core.$ZodType>(name: string, raw: unknown, schema: T): VendorRead<z.output<T>> {
  if (raw === undefined) return invalid(name, "is required");
  const parsed = z.safeParse(schema, raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return invalid(name, parsed.error.issues[0]!.message);
}

function invalid(name: string, message: string): { ok: false; errcode: number; message: string } {
  return { ok: false, errcode: ErrCode.INVALID_PARAMETER, message: `${name}: ${message}` };
}
