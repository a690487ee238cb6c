import { ErrCode, type SendResult } from "../../protocol/index.ts";
import type { MockState } from "./mock-state.ts";
import { KeptTask } from "./kept-task.ts";
import type { TokenGrant } from "./token-store.ts";
import { failure, success, type VendorOutcome } from "./vendor-answers.ts";

/** The task, if this token's credential owns the agent that sent it. */
function ownedTask(
  state: MockState,
  grant: TokenGrant,
  agentId: number,
  taskId: number,
  unknownTaskCode: number = ErrCode.INVALID_PARAMETER,
): KeptTask | VendorOutcome {
  const app = state.world.app(grant.corpId, agentId);
  if (!app || app.credentialKey !== grant.credentialKey) {
    return failure(ErrCode.INVALID_AGENT_ID, undefined, `agent ${agentId} is not an app this token may use in ${grant.corpId}`);
  }
  const task = state.tasks.get(taskId);
  if (!task || task.corpId !== grant.corpId || task.agentId !== agentId) {
    return failure(unknownTaskCode, "task_id", `no task ${taskId} sent by agent ${agentId} in ${grant.corpId}`);
  }
  return task;
}

function isTask(value: KeptTask | VendorOutcome): value is KeptTask {
  return value instanceof KeptTask;
}

export function getSendProgress(state: MockState, grant: TokenGrant, agentId: number, taskId: number): VendorOutcome {
  const task = ownedTask(state, grant, agentId, taskId);
  if (!isTask(task)) return task;
  const { taskCompletionMs } = state.settings;
  const elapsed = state.clock.now() - task.createdAtMs;
  const percent = taskCompletionMs === 0 ? 100 : Math.min(100, Math.floor((elapsed / taskCompletionMs) * 100));
  return success({ progress: { progress_in_percent: percent, status: percent >= 100 ? 2 : 1 } });
}

export function getSendResult(state: MockState, grant: TokenGrant, agentId: number, taskId: number): VendorOutcome {
  const task = ownedTask(state, grant, agentId, taskId);
  if (!isTask(task)) return task;
  const { settings } = state;
  if (state.clock.now() - task.createdAtMs > settings.taskQueryWindowMs) {
    return failure(ErrCode.INVALID_PARAMETER, "task_id", `task ${taskId} is older than the ${settings.taskQueryWindowMs / 3_600_000} h result window`);
  }
  const size = task.recipientCount + task.failed.length;
  if (size > settings.sendResultMaxRecipients) {
    return failure(
      settings.sendResultTooLargeErrcode,
      "timeout",
      `task ${taskId} has ${size} recipients; getsendresult only answers for tasks of at most ${settings.sendResultMaxRecipients}`,
    );
  }
  const read: string[] = [];
  const unread: string[] = [];
  for (const userid of task.delivered) (state.inbox.hasRead(userid, task.taskId) ? read : unread).push(userid);
  const forbidden = task.forbidden;
  const sendResult: SendResult = {
    invalid_user_id_list: task.invalidUserIds,
    forbidden_user_id_list: forbidden.map((entry) => entry.userid),
    failed_user_id_list: task.failed,
    read_user_id_list: read,
    unread_user_id_list: unread,
    invalid_dept_id_list: task.invalidDeptIds,
    forbidden_list: forbidden.map(({ code, count, userid }) => ({ code, count, userid })),
  };
  return success({ send_result: sendResult });
}

export function recallTask(state: MockState, grant: TokenGrant, agentId: number, taskId: number): VendorOutcome {
  // The vendor documents 400002 for an unknown task on recall, where its neighbours say 40035.
  const task = ownedTask(state, grant, agentId, taskId, ErrCode.INVALID_AGENT_ID);
  if (!isTask(task)) return task;
  const nowMs = state.clock.now();
  if (nowMs - task.createdAtMs > state.settings.taskQueryWindowMs) {
    return failure(ErrCode.INVALID_AGENT_ID, "task_id", `task ${taskId} is older than 24 h and can no longer be recalled`);
  }
  task.recalledAtMs ??= nowMs;
  state.inbox.recallTask(task.delivered, task.taskId, nowMs);
  return success({}, [`task ${taskId} recalled from ${task.deliveredCount} inboxes`]);
}
