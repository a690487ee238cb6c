import type { ForbiddenEntry, TemplateData } from "../../protocol/index.ts";

/** A recipient the vendor silently dropped, with the rule and numbers behind it. */
export interface ForbiddenRecipient extends ForbiddenEntry {
  explanation: string;
}

/** One sendbytemplate call that the vendor accepted (errcode 0). */
export interface SendTask {
  taskId: number;
  corpId: string;
  agentId: number;
  templateId: string;
  data: TemplateData;
  createdAtMs: number;
  /** Every resolved recipient, in the order the limits were applied. */
  recipients: string[];
  delivered: string[];
  forbidden: ForbiddenRecipient[];
  invalidUserIds: string[];
  invalidDeptIds: number[];
  /** Recipients beyond the per-send maximum, under `overRecipientsPerSend: "deliver-first"`. */
  failed: string[];
  recalledAtMs?: number;
}

/** Tasks are kept a week of mock time: long past the vendor's 24 h query window. */
const TASK_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export class TaskStore {
  #tasks = new Map<number, SendTask>();
  #nextTaskId: number;

  constructor(firstTaskId = 282632271040) {
    this.#nextTaskId = firstTaskId;
  }

  nextTaskId(): number {
    return this.#nextTaskId++;
  }

  add(task: SendTask): void {
    this.#tasks.set(task.taskId, task);
    this.#prune(task.createdAtMs);
  }

  get(taskId: number): SendTask | undefined {
    return this.#tasks.get(taskId);
  }

  list(): SendTask[] {
    return [...this.#tasks.values()];
  }

  #prune(nowMs: number): void {
    // Map iteration follows insertion order, which is creation order.
    for (const [taskId, task] of this.#tasks) {
      if (nowMs - task.createdAtMs <= TASK_RETENTION_MS) break;
      this.#tasks.delete(taskId);
    }
  }

  snapshot(): { nextTaskId: number; tasks: SendTask[] } {
    return { nextTaskId: this.#nextTaskId, tasks: this.list() };
  }

  restore(data: { nextTaskId: number; tasks: SendTask[] }): void {
    this.#nextTaskId = data.nextTaskId;
    this.#tasks = new Map(data.tasks.map((task) => [task.taskId, task]));
  }
}
