import type { ForbiddenEntry, TemplateData } from "../../protocol/index.ts";
import { KeptTask } from "./kept-task.ts";
import { SlotArena } from "./slot-arena.ts";

/** One position of the arena: a 4-byte slot (KeptTask counts the positions its recipients hold). */
const ARENA_BYTES_PER_POSITION = 4;

/** A recipient the vendor silently dropped, with the rule and numbers behind it. */
export interface ForbiddenRecipient extends ForbiddenEntry {
  explanation: string;
}

/**
 * One sendbytemplate call that the vendor accepted (errcode 0), whole: as
 * `GET /__admin/tasks/:id` shows it and snapshots store it. The store keeps
 * it compactly (KeptTask) and rebuilds this on demand.
 */
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

/** Tasks are kept a week of mock time, long past the vendor's 24 h query window (and at most `taskLimit` of them). */
const TASK_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The world's memory budget as the store sees it: the budget, and what the rest of the world holds besides tasks. */
export interface TaskBudget {
  budgetBytes: number;
  otherBytes: number;
}

/** Why tasks left the store, counted since the world started. */
export interface TaskDrops {
  /** Beyond `taskLimit`. */
  limit: number;
  /** Older than a week of mock time. */
  age: number;
  /** To keep the world within `worldMemoryBudgetBytes`. */
  budget: number;
}

export class TaskStore {
  #tasks = new Map<number, KeptTask>();
  /**
   * The same tasks oldest first, from `#oldest` on. Pruning reads the oldest
   * here: walking the Map from its start would step over every entry deleted
   * since its last rehash, thousands of them once the store is at its limit.
   */
  #queue: (KeptTask | undefined)[] = [];
  #oldest = 0;
  #nextTaskId: number;
  #bytes = 0;
  /** Every kept task's recipients, as directory slots. */
  #arena = new SlotArena();
  #drops: TaskDrops = { limit: 0, age: 0, budget: 0 };

  constructor(firstTaskId = 282632271040) {
    this.#nextTaskId = firstTaskId;
  }

  nextTaskId(): number {
    return this.#nextTaskId++;
  }

  /**
   * Keeps the task; the oldest are dropped first beyond `limit` tasks, past a
   * week, or while the world is over its memory budget (never the task just
   * added), so a long load run cannot fill the memory.
   */
  add(task: KeptTask | SendTask, limit: number, budget?: TaskBudget): void {
    const kept = task instanceof KeptTask ? task : KeptTask.fromView(task);
    const previous = this.#tasks.get(kept.taskId);
    if (previous) {
      this.#bytes -= previous.bytes;
      previous.dropSlots();
    }
    kept.moveSlotsInto(this.#arena);
    this.#tasks.set(kept.taskId, kept);
    this.#queue.push(kept);
    this.#bytes += kept.bytes;
    this.#prune(kept, limit, budget);
  }

  get(taskId: number): KeptTask | undefined {
    return this.#tasks.get(taskId);
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** Accounted bytes of every kept task (KeptTask.bytes), and the arena's room beyond what they hold. */
  get bytes(): number {
    return this.#bytes + (this.#arena.capacity - this.#arena.held) * ARENA_BYTES_PER_POSITION;
  }

  get drops(): Readonly<TaskDrops> {
    return this.#drops;
  }

  list(): KeptTask[] {
    return [...this.#tasks.values()];
  }

  #prune(newest: KeptTask, limit: number, budget: TaskBudget | undefined): void {
    const queue = this.#queue;
    const nowMs = newest.createdAtMs;
    while (this.#oldest < queue.length) {
      const task = queue[this.#oldest]!;
      let reason: keyof TaskDrops | undefined;
      if (this.#tasks.size > limit) reason = "limit";
      else if (nowMs - task.createdAtMs > TASK_RETENTION_MS) reason = "age";
      else if (budget && task !== newest && budget.otherBytes + this.#bytes > budget.budgetBytes) reason = "budget";
      if (reason === undefined) break;
      if (this.#tasks.get(task.taskId) === task) {
        this.#tasks.delete(task.taskId);
        this.#bytes -= task.bytes;
        this.#drops[reason] += 1;
        task.dropSlots();
      }
      queue[this.#oldest++] = undefined; // let the dropped task go now, not at the next compaction
    }
    if (this.#oldest > 1024 && this.#oldest * 2 > queue.length) {
      this.#queue = queue.slice(this.#oldest);
      this.#oldest = 0;
    }
  }

  /** Every task whole (SendTask), as snapshots always held them. */
  snapshot(): { nextTaskId: number; tasks: SendTask[]; drops?: TaskDrops } {
    return { nextTaskId: this.#nextTaskId, tasks: this.list().map((task) => task.view()), drops: { ...this.#drops } };
  }

  /** Reads snapshots of today's shape and of the shape before tasks were kept compactly (the same SendTask list). */
  restore(data: { nextTaskId: number; tasks: SendTask[]; drops?: TaskDrops }): void {
    this.#nextTaskId = data.nextTaskId;
    // Restored tasks hold their recipients as userids, not slots.
    this.#arena = new SlotArena();
    this.#tasks = new Map(data.tasks.map((task) => [task.taskId, KeptTask.fromView(task)]));
    this.#queue = [...this.#tasks.values()];
    this.#oldest = 0;
    this.#bytes = this.#queue.reduce((sum, task) => sum + task!.bytes, 0);
    this.#drops = { limit: 0, age: 0, budget: 0, ...data.drops };
  }
}
