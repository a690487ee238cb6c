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
  /** Often the very array `recipients` is (everyone delivered): neither changes once the send is done. */
  delivered: string[];
  forbidden: ForbiddenRecipient[];
  invalidUserIds: string[];
  invalidDeptIds: number[];
  /** Recipients beyond the per-send maximum, under `overRecipientsPerSend: "deliver-first"`. */
  failed: string[];
  recalledAtMs?: number;
}

/** Tasks are kept a week of mock time, long past the vendor's 24 h query window (and at most `taskLimit` of them). */
const TASK_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export class TaskStore {
  #tasks = new Map<number, SendTask>();
  /**
   * The same tasks oldest first, from `#oldest` on. Pruning reads the oldest
   * here: walking the Map from its start would step over every entry deleted
   * since its last rehash, thousands of them once the store is at its limit.
   */
  #queue: (SendTask | undefined)[] = [];
  #oldest = 0;
  #nextTaskId: number;

  constructor(firstTaskId = 282632271040) {
    this.#nextTaskId = firstTaskId;
  }

  nextTaskId(): number {
    return this.#nextTaskId++;
  }

  /** Keeps the task; beyond `limit` tasks the oldest are dropped, so a long load run cannot fill the memory. */
  add(task: SendTask, limit: number): void {
    this.#tasks.set(task.taskId, task);
    this.#queue.push(task);
    this.#prune(task.createdAtMs, limit);
  }

  get(taskId: number): SendTask | undefined {
    return this.#tasks.get(taskId);
  }

  get size(): number {
    return this.#tasks.size;
  }

  list(): SendTask[] {
    return [...this.#tasks.values()];
  }

  #prune(nowMs: number, limit: number): void {
    const queue = this.#queue;
    while (this.#oldest < queue.length) {
      const task = queue[this.#oldest]!;
      if (this.#tasks.size <= limit && nowMs - task.createdAtMs <= TASK_RETENTION_MS) break;
      if (this.#tasks.get(task.taskId) === task) this.#tasks.delete(task.taskId);
      queue[this.#oldest++] = undefined; // let the dropped task go now, not at the next compaction
    }
    if (this.#oldest > 1024 && this.#oldest * 2 > queue.length) {
      this.#queue = queue.slice(this.#oldest);
      this.#oldest = 0;
    }
  }

  snapshot(): { nextTaskId: number; tasks: SendTask[] } {
    return { nextTaskId: this.#nextTaskId, tasks: this.list() };
  }

  restore(data: { nextTaskId: number; tasks: SendTask[] }): void {
    this.#nextTaskId = data.nextTaskId;
    this.#tasks = new Map(data.tasks.map((task) => [task.taskId, task]));
    this.#queue = [...this.#tasks.values()];
    this.#oldest = 0;
  }
}
