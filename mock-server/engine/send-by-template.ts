import { ErrCode, ForbiddenCode, TemplateData, type SendByTemplateWire } from "../../protocol/index.ts";
import { chinaDay } from "../clock.ts";
import { agentKey, type AppIdentity, type CorpDirectory } from "../world/directory.ts";
import type { TemplateSeed } from "../world/world-schema.ts";
import { contentFingerprint } from "./content-fingerprint.ts";
import { parseTemplateData } from "../../protocol/wire-fields.ts";
import { renderTemplate, templateVariables, type InboxDelivery } from "./inbox.ts";
import type { MockState } from "./mock-state.ts";
import { resolveRecipients, splitList } from "./recipients.ts";
import { KeptTask, type DropContext } from "./kept-task.ts";
import type { TokenGrant } from "./token-store.ts";
import { failure, success, type VendorOutcome } from "./vendor-answers.ts";

/** Journal notes list at most this many per-recipient explanations; the task keeps them all. */
const MAX_RECIPIENT_NOTES = 20;

/**
 * sendbytemplate after the token check: the documented refusals first, then the
 * silent limits per recipient, exactly as the vendor applies them: the call
 * still answers errcode 0, and the dropped recipients appear only in
 * getsendresult.
 */
export function sendByTemplate(state: MockState, grant: TokenGrant, request: SendByTemplateWire): VendorOutcome {
  const { world, settings } = state;
  const nowMs = state.clock.now();

  const app = world.app(grant.corpId, request.agent_id);
  if (!app || app.credentialKey !== grant.credentialKey) {
    return failure(ErrCode.INVALID_AGENT_ID, undefined, `agent ${request.agent_id} is not an app this token may send as in ${grant.corpId}`);
  }
  const template = world.template(request.template_id);
  if (!template || (template.agentIds && !template.agentIds.includes(app.agentId))) {
    return failure(ErrCode.TEMPLATE_NOT_FOUND, undefined, `template "${request.template_id}" does not exist for agent ${app.agentId}`);
  }
  if (template.status !== "approved") {
    return failure(ErrCode.TEMPLATE_UNUSABLE, undefined, `template "${template.templateId}" is ${template.status}, not approved`);
  }
  const data = parseTemplateData(request.data);
  if (typeof data === "string") return failure(ErrCode.INVALID_PARAMETER, `data: ${data}`);
  if (settings.templateVariables === "strict") {
    const problem = variableMismatch(template, data);
    if (problem) return failure(ErrCode.INVALID_PARAMETER, `data: ${problem}`);
  }

  const deptTokens = splitList(request.dept_id_list);
  const badDept = deptTokens.find((token) => !/^\d+$/.test(token));
  const corp = world.corp(app.corpId);
  // Resolved before the list checks below, which need its count of entries; it changes nothing, so a refusal stays a refusal.
  const resolved = resolveRecipients(corp, request.userid_list, badDept === undefined ? deptTokens.map(Number) : []);
  if (resolved.listedUserIds > settings.maxUseridsPerList) {
    return failure(settings.tooManyUseridsErrcode, `userid_list: ${resolved.listedUserIds} ids, at most ${settings.maxUseridsPerList}`);
  }
  if (deptTokens.length > settings.maxDeptIdsPerList) {
    return failure(settings.tooManyDeptIdsErrcode, `dept_id_list: ${deptTokens.length} ids, at most ${settings.maxDeptIdsPerList}`);
  }
  if (badDept !== undefined) return failure(ErrCode.INVALID_PARAMETER, `dept_id_list: "${badDept}" is not a department id`);
  if (resolved.listedUserIds === 0 && deptTokens.length === 0) {
    return failure(settings.noReceiversErrcode, "userid_list and dept_id_list are both empty");
  }

  let recipients = resolved.slots;
  let failed: string[] = [];
  if (recipients.length > settings.recipientsPerSend) {
    if (settings.overRecipientsPerSend === "reject") {
      return failure(
        settings.overRecipientsPerSendErrcode,
        `the send reaches ${recipients.length} recipients, at most ${settings.recipientsPerSend}`,
      );
    }
    failed = Array.from(recipients.subarray(settings.recipientsPerSend), (slot) => corp!.slots.useridAt(slot));
    recipients = recipients.slice(0, settings.recipientsPerSend);
  }

  const task = new KeptTask({
    taskId: state.tasks.nextTaskId(),
    corpId: app.corpId,
    agentId: app.agentId,
    templateId: template.templateId,
    data,
    createdAtMs: nowMs,
    // No corp means nobody resolved: an empty list of slots needs no directory, but the field wants one.
    recipients: corp ? { slots: recipients, directory: corp.slots } : [],
    invalidUserIds: resolved.invalidUserIds,
    invalidDeptIds: resolved.invalidDeptIds,
    failed,
  });
  applySilentLimits(state, app, template, task, recipients, corp);
  state.keepTask(task);
  return success({ task_id: task.taskId }, describeTask(task));
}

/** Reused between sends (a send never awaits): the slots one send delivers to, in order. */
let deliveredSlots = new Uint32Array(1024);

/**
 * Applies the limits to every recipient in order. The task records only the
 * exceptions (who was dropped, by which rule, at which count); its delivered
 * list and the explanations are rebuilt from them when asked for.
 */
function applySilentLimits(
  state: MockState,
  app: AppIdentity,
  template: TemplateSeed,
  task: KeptTask,
  recipients: Uint32Array,
  corp: CorpDirectory | undefined,
): void {
  const { settings } = state;
  const nowMs = task.createdAtMs;
  const day = chinaDay(nowMs);
  const codes = ForbiddenCode[app.kind];
  const fingerprint = contentFingerprint(template.templateId, task.data);
  const windowKey = agentKey(app.corpId, app.agentId);
  const window = state.minuteWindow.use(windowKey, nowMs, settings.minuteWindow, settings.minuteWindowMs);
  // Without a corp nobody resolved, and the loop below never runs.
  const directory = corp?.slots;
  const ledger = state.ledger.of(windowKey, directory);
  const dayNumber = ledger.dayNumber(day);
  const rules = { dailyCap: settings.dailyMessagesPerEmployee, dedupe: settings.duplicateContentOncePerDay };
  // What every recipient's inbox copy shares, built once per send.
  const delivery: InboxDelivery = {
    taskId: task.taskId,
    corpId: app.corpId,
    agentId: app.agentId,
    appName: app.name,
    templateId: template.templateId,
    title: template.title,
    text: renderTemplate(template.content, task.data).text,
    data: task.data,
    receivedAtMs: nowMs,
  };
  let used = window.used;
  const { inboxLimitPerUser } = settings;
  // Made for the first drop only: a send that delivers to everyone needs none.
  let context: DropContext | undefined;

  // The inbox copies are made after the loop, in one call: nothing below reads an inbox.
  if (deliveredSlots.length < recipients.length) deliveredSlots = new Uint32Array(recipients.length);
  const delivered = deliveredSlots;
  let deliveredCount = 0;
  for (let i = 0; i < recipients.length; i++) {
    const slot = recipients[i]!;
    const verdict = ledger.admitAt(slot, dayNumber, fingerprint, rules, used >= settings.recipientsPerMinute);
    if (verdict.kind === "ok") {
      used += 1;
      delivered[deliveredCount++] = slot;
      continue;
    }
    context ??= {
      codes,
      day,
      dailyCap: settings.dailyMessagesPerEmployee,
      recipientsPerMinute: settings.recipientsPerMinute,
      minuteWindow: settings.minuteWindow,
      windowStartMs: window.windowStartMs,
    };
    if (verdict.kind === "duplicateContent") task.drop(i, "duplicateContent", 0, context);
    else if (verdict.kind === "dailyCap") task.drop(i, "dailyCap", verdict.count, context);
    else task.drop(i, "perMinute", used, context);
  }
  if (deliveredCount > 0) state.inbox.deliverToSlots(directory!, delivered, deliveredCount, delivery, inboxLimitPerUser);
  state.minuteWindow.record(windowKey, nowMs, task.deliveredCount);
}


function variableMismatch(template: TemplateSeed, data: TemplateData): string | undefined {
  const expected = templateVariables(template.content);
  const missing = expected.filter((name) => !Object.hasOwn(data, name));
  if (missing.length > 0) return `missing template variables ${missing.join(", ")}`;
  const extra = Object.keys(data).filter((key) => !expected.includes(key));
  if (extra.length > 0) return `unknown template variables ${extra.join(", ")}`;
  return undefined;
}

function describeTask(task: KeptTask): string[] {
  const forbiddenCount = task.forbiddenCount;
  const notes = [
    `task ${task.taskId}: ${task.deliveredCount} delivered, ${forbiddenCount} forbidden, ` +
      `${task.invalidUserIds.length} invalid users, ${task.invalidDeptIds.length} invalid departments, ${task.failed.length} failed`,
  ];
  for (const dropped of task.someForbidden(MAX_RECIPIENT_NOTES)) notes.push(dropped.explanation);
  if (forbiddenCount > MAX_RECIPIENT_NOTES) {
    notes.push(`… and ${forbiddenCount - MAX_RECIPIENT_NOTES} more forbidden recipients (see GET /__admin/tasks/${task.taskId})`);
  }
  for (const userid of task.invalidUserIds.slice(0, MAX_RECIPIENT_NOTES)) notes.push(`${userid}: no such employee in ${task.corpId} → invalid_user_id_list`);
  for (const deptId of task.invalidDeptIds.slice(0, MAX_RECIPIENT_NOTES)) notes.push(`${deptId}: no such department in ${task.corpId} → invalid_dept_id_list`);
  if (task.failed.length > 0) notes.push(`${task.failed.length} recipients beyond the per-send maximum → failed_user_id_list`);
  return notes;
}
