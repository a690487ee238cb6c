import type { SendByTemplateWire, TemplateData } from "../../protocol/index.ts";

/**
 * Shortcuts past zod for the shapes clients actually send. At 10,000 sends a
 * second zod's parse of a send's parameters and template data costs more than
 * the rest of reading them. Each returns exactly what its schema would return
 * for such an input, and undefined for anything else, which then goes through
 * the schema as before (so every refusal and its message still comes from zod).
 */

/** `SendByTemplateWire.safeParse(params).data` when every field already has its final type (JSON body or query, `data` a string). */
export function quickSendByTemplateParams(params: Record<string, unknown>): SendByTemplateWire | undefined {
  const { agent_id, template_id, userid_list, dept_id_list, data } = params;
  // z.number().int() takes safe integers only.
  if (!Number.isSafeInteger(agent_id)) return undefined;
  if (typeof template_id !== "string" || template_id.length === 0) return undefined;
  if (!isOptionalString(userid_list) || !isOptionalString(dept_id_list) || !isOptionalString(data)) return undefined;
  // The schema drops every other key (access_token among them) and keeps an optional key only if the input has it.
  const parsed: SendByTemplateWire = { agent_id: agent_id as number, template_id };
  if ("userid_list" in params) parsed.userid_list = userid_list;
  if ("dept_id_list" in params) parsed.dept_id_list = dept_id_list;
  if ("data" in params) parsed.data = data;
  return parsed;
}

/**
 * `TemplateData.safeParse(value).data` for an object from JSON.parse whose
 * values are all strings: a copy with the same keys in the same order. zod
 * silently drops a `__proto__` key; such objects are left to it.
 */
export { quickTemplateData } from "../../protocol/wire-fields.ts";

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === "string";
}
