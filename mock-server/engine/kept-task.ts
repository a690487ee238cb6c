import { FORBIDDEN_CODE_MEANINGS, type TemplateData } from "../../protocol/index.ts";
import { chinaClockTime } from "../clock.ts";
import type { UserSlots } from "../world/user-slots.ts";
import type { SlotArena } from "./slot-arena.ts";
import type { MinuteWindowMode } from "./minute-window.ts";
import type { ForbiddenRecipient, SendTask } from "./task-store.ts";

/** The silent rule that dropped a recipient. */
export type ForbiddenRule = "duplicateContent" | "dailyCap" | "perMinute";
const RULES: readonly ForbiddenRule[] = ["duplicateContent", "dailyCap", "perMinute"];

/**
 * Everything a task's explanations say besides the recipient and the number
 * it hit, fixed when it was sent (settings may change later). One per task
 * that dropped anyone.
 */
export interface DropContext {
  codes: Record<ForbiddenRule, string>;
  day: string;
  dailyCap: number;
  recipientsPerMinute: number;
  minuteWindow: MinuteWindowMode;
  windowStartMs: number;
}

/**
 * Accounted bytes. A task: the object, its lists' headers, its data (by
 * characters) and the Map and queue slots that find it. A recipient: its
 * slot in the directory, 4 bytes in the store's SlotArena (a task restored
 * from a snapshot holds userid strings instead: one list slot, 8 bytes). A dropped
 * recipient: two numbers in `#drops`. Checked against the measured heap by
 * bench/retained-state.ts.
 */
const TASK_BYTES = 480;
const RECIPIENT_SLOT_BYTES = 4;
const RECIPIENT_BYTES = 8;
const DROP_BYTES = 16;
/** A userid, failed or invalid, or an explanation kept from a snapshot: the string and its slot. */
const STRING_BYTES = 40;

/**
 * One sendbytemplate call that the vendor accepted, kept compactly: the
 * recipients once, and only the exceptions (who was dropped, by which rule,
 * at which count); who was delivered and every explanation are rebuilt on
 * demand, word for word as the send wrote them. `view()` is the whole task
 * as the admin API and snapshots show it (SendTask).
 */
export class KeptTask {
  readonly taskId: number;
  readonly corpId: string;
  readonly agentId: number;
  readonly templateId: string;
  readonly data: TemplateData;
  readonly createdAtMs: number;
  /**
   * Every resolved recipient, in the order the limits were applied: slots of
   * `#directory`, in `#slots` until a store moves them into its arena (then
   * `#start` there), or (restored from a snapshot) userids in `#names`.
   */
  #slots: Uint32Array | undefined;
  #arena: SlotArena | undefined;
  #start = 0;
  #slotCount = 0;
  readonly #directory: UserSlots | undefined;
  readonly #names: readonly string[] | undefined;
  readonly invalidUserIds: string[];
  readonly invalidDeptIds: number[];
  /** Recipients beyond the per-send maximum, under `overRecipientsPerSend: "deliver-first"`. */
  readonly failed: string[];
  recalledAtMs?: number;
  /** Pairs: position in `recipients`, then rule index + 4 × the number the rule saw (a count already reached). Ascending positions. */
  #drops: number[] | undefined;
  #context: DropContext | undefined;
  /** Set only for a task restored from a snapshot whose forbidden entries do not follow from `recipients` (kept as they were). */
  #storedForbidden: ForbiddenRecipient[] | undefined;
  #storedDelivered: string[] | undefined;

  constructor(
    fields: Pick<SendTask, "taskId" | "corpId" | "agentId" | "templateId" | "data" | "createdAtMs" | "invalidUserIds" | "invalidDeptIds" | "failed"> & {
      recipients: readonly string[] | { slots: Uint32Array; directory: UserSlots };
    },
  ) {
    this.taskId = fields.taskId;
    this.corpId = fields.corpId;
    this.agentId = fields.agentId;
    this.templateId = fields.templateId;
    this.data = fields.data;
    this.createdAtMs = fields.createdAtMs;
    if (isSlotList(fields.recipients)) {
      this.#slots = fields.recipients.slots;
      this.#slotCount = fields.recipients.slots.length;
      this.#directory = fields.recipients.directory;
    } else {
      this.#names = fields.recipients;
    }
    this.invalidUserIds = fields.invalidUserIds;
    this.invalidDeptIds = fields.invalidDeptIds;
    this.failed = fields.failed;
  }

  get recipientCount(): number {
    return this.#names ? this.#names.length : this.#slotCount;
  }

  recipientAt(position: number): string {
    if (this.#names) return this.#names[position]!;
    return this.#directory!.useridAt(this.#slotAt(position));
  }

  /** Every recipient's userid, in order: built on each call for a task that holds slots. */
  get recipients(): readonly string[] {
    if (this.#names) return this.#names;
    const directory = this.#directory!;
    const out: string[] = new Array(this.#slotCount);
    for (let i = 0; i < this.#slotCount; i++) out[i] = directory.useridAt(this.#slotAt(i));
    return out;
  }

  /** Moves the recipients' slots into a store's arena (a task restored from a snapshot has none to move). */
  moveSlotsInto(arena: SlotArena): void {
    if (!this.#slots) return;
    this.#start = arena.append(this.#slots);
    this.#arena = arena;
    this.#slots = undefined;
  }

  /** Gives the slots' room in the arena back: the store calls this as it drops the task, which must not be read after. */
  dropSlots(): void {
    this.#arena?.drop(this.#start, this.#slotCount);
    this.#arena = undefined;
  }

  #slotAt(position: number): number {
    if (this.#slots) return this.#slots[position]!;
    if (!this.#arena) throw new Error(`task ${this.taskId} was dropped from its store; its recipients are gone`);
    return this.#arena.at(this.#start, position);
  }

  /** Records that `recipients[position]` was dropped; positions come in ascending order. `seen` is the count the rule found. */
  drop(position: number, rule: ForbiddenRule, seen: number, context: DropContext): void {
    this.#context ??= context;
    (this.#drops ??= []).push(position, RULES.indexOf(rule) + 4 * seen);
  }

  get forbiddenCount(): number {
    return this.#storedForbidden ? this.#storedForbidden.length : (this.#drops?.length ?? 0) / 2;
  }

  get deliveredCount(): number {
    return this.#storedDelivered ? this.#storedDelivered.length : this.recipientCount - this.forbiddenCount;
  }

  /**
   * Delivered recipients in order: the stored userids when nobody was
   * dropped from a restored task, else rebuilt (the last one rebuilt is remembered, so a loop over
   * `task.delivered.length` does not rebuild it on every turn).
   */
  get delivered(): readonly string[] {
    if (this.#storedDelivered) return this.#storedDelivered;
    const drops = this.#drops ?? NO_DROPS;
    if (drops === NO_DROPS && this.#names) return this.#names;
    if (lastRebuilt.task === this) return lastRebuilt.delivered;
    const out: string[] = [];
    let next = 0;
    const count = this.recipientCount;
    for (let i = 0; i < count; i++) {
      if (next < drops.length && drops[next] === i) next += 2;
      else out.push(this.recipientAt(i));
    }
    lastRebuilt = { task: this, delivered: out };
    return out;
  }

  /** Every dropped recipient with its code, count and explanation, rebuilt word for word. */
  get forbidden(): ForbiddenRecipient[] {
    if (this.#storedForbidden) return this.#storedForbidden;
    const out: ForbiddenRecipient[] = [];
    const drops = this.#drops ?? [];
    for (let i = 0; i < drops.length; i += 2) out.push(this.#forbiddenAt(drops[i]!, drops[i + 1]!));
    return out;
  }

  /** The first `limit` forbidden entries, for notes that show a few. */
  someForbidden(limit: number): ForbiddenRecipient[] {
    if (this.#storedForbidden) return this.#storedForbidden.slice(0, limit);
    const out: ForbiddenRecipient[] = [];
    const drops = this.#drops ?? [];
    for (let i = 0; i < drops.length && out.length < limit; i += 2) out.push(this.#forbiddenAt(drops[i]!, drops[i + 1]!));
    return out;
  }

  /** This employee's forbidden entry in the task, if dropped. */
  forbiddenFor(userid: string): ForbiddenRecipient | undefined {
    if (this.#storedForbidden) return this.#storedForbidden.find((entry) => entry.userid === userid);
    const drops = this.#drops;
    if (!drops) return undefined;
    for (let i = 0; i < drops.length; i += 2) {
      if (this.recipientAt(drops[i]!) === userid) return this.#forbiddenAt(drops[i]!, drops[i + 1]!);
    }
    return undefined;
  }

  /** Accounted bytes (see the constants). */
  get bytes(): number {
    let bytes = TASK_BYTES + dataChars(this.data) + (this.#names ? this.#names.length * RECIPIENT_BYTES : this.#slotCount * RECIPIENT_SLOT_BYTES);
    bytes += (this.invalidUserIds.length + this.failed.length) * STRING_BYTES + this.invalidDeptIds.length * RECIPIENT_BYTES;
    if (this.#drops) bytes += (this.#drops.length / 2) * DROP_BYTES;
    if (this.#storedForbidden) bytes += this.#storedForbidden.reduce((sum, entry) => sum + STRING_BYTES * 2 + entry.explanation.length, 0);
    if (this.#storedDelivered) bytes += this.#storedDelivered.length * RECIPIENT_BYTES;
    return bytes;
  }

  /** The whole task, as `GET /__admin/tasks/:id` and snapshots show it, in the field order it always had. */
  view(): SendTask {
    return {
      taskId: this.taskId,
      corpId: this.corpId,
      agentId: this.agentId,
      templateId: this.templateId,
      data: this.data,
      createdAtMs: this.createdAtMs,
      recipients: [...this.recipients],
      delivered: [...this.delivered],
      forbidden: this.forbidden,
      invalidUserIds: this.invalidUserIds,
      invalidDeptIds: this.invalidDeptIds,
      failed: this.failed,
      ...(this.recalledAtMs === undefined ? {} : { recalledAtMs: this.recalledAtMs }),
    };
  }

  /** A task from a snapshot (today's or an older one), with its explanations exactly as stored. */
  static fromView(task: SendTask): KeptTask {
    const kept = new KeptTask(task);
    if (task.recalledAtMs !== undefined) kept.recalledAtMs = task.recalledAtMs;
    // Both lists as stored, when anyone was dropped: the words of a stored explanation cannot be rebuilt.
    if (task.forbidden.length > 0) {
      kept.#storedForbidden = task.forbidden;
      kept.#storedDelivered = task.delivered;
    } else if (task.delivered.length !== task.recipients.length || task.delivered.some((userid, i) => userid !== task.recipients[i])) {
      kept.#storedDelivered = task.delivered;
    }
    return kept;
  }

  #forbiddenAt(position: number, packed: number): ForbiddenRecipient {
    const context = this.#context!;
    const rule = RULES[packed % 4]!;
    const seen = Math.floor(packed / 4);
    const userid = this.recipientAt(position);
    const code = context.codes[rule];
    let count: number;
    let why: string;
    if (rule === "duplicateContent") {
      count = 1;
      why = `${userid}: template "${this.templateId}" with the same data was already delivered by agent ${this.agentId} on ${context.day} (China time)`;
    } else if (rule === "dailyCap") {
      count = context.dailyCap;
      why = `${userid}: ${grouped(seen)} of ${grouped(context.dailyCap)} messages from agent ${this.agentId} already delivered on ${context.day} (China time)`;
    } else {
      count = context.recipientsPerMinute;
      why =
        `${userid}: ${grouped(seen)} of ${grouped(context.recipientsPerMinute)} recipients already sent by agent ${this.agentId} ` +
        `in the ${context.minuteWindow} minute from ${chinaClockTime(context.windowStartMs)} China time`;
    }
    return { code, count, userid, explanation: `${why} → ${code} (${FORBIDDEN_CODE_MEANINGS[code] ?? "flow control"})` };
  }
}

const NO_DROPS: number[] = [];

function isSlotList(recipients: readonly string[] | { slots: Uint32Array; directory: UserSlots }): recipients is { slots: Uint32Array; directory: UserSlots } {
  return !Array.isArray(recipients);
}

/** One rebuilt delivered list, held until another task's is rebuilt: enough for loops, nothing kept per task. */
let lastRebuilt: { task: KeptTask | undefined; delivered: readonly string[] } = { task: undefined, delivered: [] };

/** 5000 → "5,000", as people read counts in an explanation. */
function grouped(count: number): string {
  return count < 1000 ? String(count) : String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function dataChars(data: TemplateData): number {
  let chars = 0;
  for (const key in data) chars += key.length + data[key]!.length + 16;
  return chars;
}
