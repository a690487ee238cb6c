import { MAX_RECIPIENTS_FOR_SEND_RESULT, type SendProgress, type SendResult } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import type { NotificationRecord, TaskSummary } from "./notification-record.ts";

export interface TaskStory extends TaskSummary {
  progress?: SendProgress;
  /** The vendor's per-recipient result; it only gives one for tasks of at most 100 recipients. */
  result?: SendResult;
  resultUnavailable?: string;
  error?: string;
}

export type NotificationStory = Omit<NotificationRecord, "tasks"> & { tasks: TaskStory[] };

/**
 * Tasks asked about live per read: two vendor calls each, within the vendor's
 * 20 calls per second and a Free-plan invocation's 50 subrequests.
 */
export const MAX_TASKS_ASKED_PER_READ = 10;

/**
 * The record of one request whose delivery is not verified, with what the
 * vendor says now about its first tasks: progress always, per-recipient
 * results where the vendor allows it. A vendor failure while asking is
 * reported per task, not as a failed request.
 */
export async function notificationStory(client: DingTalkClient, record: NotificationRecord): Promise<NotificationStory> {
  const tasks = await Promise.all(
    record.tasks.map(async (task, index): Promise<TaskStory> => {
      if (index >= MAX_TASKS_ASKED_PER_READ) {
        return { ...task, resultUnavailable: `only the first ${MAX_TASKS_ASKED_PER_READ} tasks are asked about on each read; send with "verifyDelivery": true to have every task's result recorded` };
      }
      const story: TaskStory = { ...task };
      try {
        story.progress = (await client.getSendProgress(record.agentId, task.taskId)).progress;
        if (task.recipients <= MAX_RECIPIENTS_FOR_SEND_RESULT) {
          story.result = (await client.getSendResult(record.agentId, task.taskId)).send_result;
        } else {
          story.resultUnavailable = `the vendor reports per-recipient results only for tasks of at most ${MAX_RECIPIENTS_FOR_SEND_RESULT} recipients`;
        }
      } catch (error) {
        story.error = error instanceof Error ? error.message : String(error);
      }
      return story;
    }),
  );
  return { ...record, tasks };
}
