import { MAX_RECIPIENTS_FOR_SEND_RESULT, type SendProgress, type SendResult } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import type { NotificationRecord } from "./notification-record.ts";

export interface TaskStory {
  taskId: number;
  recipients: number;
  progress?: SendProgress;
  /** The vendor's per-recipient result; it only gives one for tasks of at most 100 recipients. */
  result?: SendResult;
  resultUnavailable?: string;
  error?: string;
}

export type NotificationStory = Omit<NotificationRecord, "tasks"> & { tasks: TaskStory[] };

/**
 * The record of one request, with what the vendor says now about each of its
 * tasks: progress always, per-recipient results where the vendor allows it.
 * A vendor failure while asking is reported per task, not as a failed request.
 */
export async function notificationStory(client: DingTalkClient, record: NotificationRecord): Promise<NotificationStory> {
  const tasks = await Promise.all(
    record.tasks.map(async (task): Promise<TaskStory> => {
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
