import type { TemplateData } from "../../protocol/index.ts";
import type { UserSlots } from "../world/user-slots.ts";
import { DeliveryTable, type DeliveryRecord } from "./delivery-table.ts";
import { InboxRings, powerOfTwoAtLeast } from "./inbox-rings.ts";

/** What one employee actually received: the template rendered with the task's data. */
export interface InboxMessage {
  messageId: string;
  taskId: number;
  corpId: string;
  agentId: number;
  appName: string;
  templateId: string;
  title: string;
  text: string;
  data: TemplateData;
  receivedAtMs: number;
  readAtMs?: number;
  recalledAtMs?: number;
}

/** What every recipient of one send gets alike; the inbox adds the per-recipient message id. */
export type InboxDelivery = Omit<InboxMessage, "messageId" | "readAtMs" | "recalledAtMs">;

/**
 * One employee's copy of a send, as the admin routes read it: the send's
 * delivery, shared by every recipient, and what belongs to this copy alone.
 * Made on demand from the rings below; the inbox does not keep these.
 */
export interface StoredMessage {
  readonly delivery: InboxDelivery;
  readonly messageId: string;
  readonly readAtMs?: number;
  readonly recalledAtMs?: number;
}

/** Read and recall times: exceptions, kept only for the copies they happened to. */
interface MessageMarks {
  readAtMs?: number;
  recalledAtMs?: number;
}

/** Bytes one ring position costs: two 4-byte integers in the slab. The slab's positions are counted, not copies: rings grow by doubling and the slab keeps room to spare. */
export const INBOX_BYTES_PER_RING_SLOT = 8;
/** An employee's inbox itself: its Map entry, its ring's numbers (InboxRings), its limit and its directory-slot entry. */
export const INBOX_BYTES_PER_USER = 100;
const FIRST_RING_SLOTS = 4;
/** Below this many records the table is never checked for unheld ones. */
const MIN_DELIVERIES_CHECKED = 1024;
const MAX_OFFSET = 2 ** 31 - 1;

/**
 * Every employee's work-notification inbox, newest last, bounded per
 * employee. Each employee's newest copies are a ring of (handle, offset)
 * pairs (InboxRings over DeliveryTable): 8 bytes a copy, where an object
 * with its own id string cost about 90 bytes. A ring holds at most the
 * employee's limit; a delivery into a full one overwrites the oldest copy.
 */
export class Inbox {
  /** Each employee's ring number, in the order they first got a message. */
  #ringOf = new Map<string, number>();
  #rings = new InboxRings();
  /** Per ring: the limit of the last delivery (Infinity after a restore, until one says it). */
  #limit: number[] = [];
  /** Per ring, read and recall times keyed by the copy's sequence number (or odd message id); absent until one is marked. */
  #marks = new Map<number, Map<number | string, MessageMarks>>();
  /** The rings by directory slot (ring + 1, 0 for none yet), so a send finds each recipient's with an array index. */
  #bySlot = new Map<UserSlots, Int32Array>();
  /** The last directory's entry in `#bySlot`: a send's recipients are all of one. */
  #slotDirectory: UserSlots | undefined;
  #slotRings: Int32Array = new Int32Array(0);
  #deliveries = new DeliveryTable();
  #sequence = 0;
  #messages = 0;
  /** Records kept when the table is next checked for ones no copy holds (DeliveryTable.keepOnly). */
  #checkDeliveriesAt = MIN_DELIVERIES_CHECKED;
  /** The record the last copy went to (and its handle): the next copy of the same send shares it. */
  #current = -1;
  #currentRecord: DeliveryRecord | undefined;

  /** One copy of `delivery` for `userid`; the newest `limitPerUser` are kept. */
  deliver(userid: string, delivery: InboxDelivery, limitPerUser: number): void {
    this.#push(this.#ringFor(userid), delivery, limitPerUser);
  }

  /** `deliver` for the employee at `slot` of `directory`. */
  deliverToSlot(directory: UserSlots, slot: number, delivery: InboxDelivery, limitPerUser: number): void {
    this.#push(this.#ringAtSlot(directory, this.#ringsOf(directory), slot), delivery, limitPerUser);
  }

  /**
   * `deliverToSlot` for `slots[0, count)` in that order: what a send calls
   * once for its delivered recipients. The first copy finds or makes the
   * send's record; the others share it (no record is dropped between two
   * copies of one send), so each costs its ring's numbers and one pair.
   */
  deliverToSlots(directory: UserSlots, slots: Uint32Array, count: number, delivery: InboxDelivery, limitPerUser: number): void {
    if (count === 0) return;
    const slotRings = this.#ringsOf(directory);
    this.#push(this.#ringAtSlot(directory, slotRings, slots[0]!), delivery, limitPerUser);
    let handle = this.#current;
    let firstSequence = this.#currentRecord!.firstSequence;
    for (let i = 1; i < count; i++) {
      const ring = this.#ringAtSlot(directory, slotRings, slots[i]!);
      const offset = this.#sequence + 1 - firstSequence;
      if (offset > MAX_OFFSET) {
        // The record's offsets ran out: the rest go through #push, which starts another.
        this.#push(ring, delivery, limitPerUser);
        handle = this.#current;
        firstSequence = this.#currentRecord!.firstSequence;
        continue;
      }
      this.#sequence += 1;
      this.#append(ring, handle, offset, limitPerUser);
    }
  }

  /** The ring of each slot of `directory` (ring + 1, 0 for none yet); a send's recipients are all of one directory. */
  #ringsOf(directory: UserSlots): Int32Array {
    if (directory !== this.#slotDirectory) {
      let rings = this.#bySlot.get(directory);
      if (!rings) this.#bySlot.set(directory, (rings = new Int32Array(directory.size)));
      this.#slotDirectory = directory;
      this.#slotRings = rings;
    }
    return this.#slotRings;
  }

  #ringAtSlot(directory: UserSlots, slotRings: Int32Array, slot: number): number {
    let ring = slotRings[slot]! - 1;
    if (ring < 0) {
      ring = this.#ringFor(directory.useridAt(slot));
      slotRings[slot] = ring + 1;
    }
    return ring;
  }

  /** The newest messages, at most the limit, each as a small view: for counting and filtering. */
  stored(userid: string): readonly StoredMessage[] {
    const ring = this.#ringOf.get(userid);
    if (ring === undefined) return [];
    const out: StoredMessage[] = [];
    for (let i = 0; i < this.#rings.count(ring); i++) out.push(this.#storedAt(ring, i));
    return out;
  }

  /** The newest messages, at most the limit, each whole. */
  of(userid: string): InboxMessage[] {
    return this.stored(userid).map(wholeMessage);
  }

  /** Marks a message read (as the employee opening it would); false if there is none. */
  markRead(userid: string, messageId: string, nowMs: number): boolean {
    const ring = this.#ringOf.get(userid);
    if (ring === undefined) return false;
    for (let i = 0; i < this.#rings.count(ring); i++) {
      if (this.#messageIdAt(ring, i) !== messageId) continue;
      this.#marksAt(ring, i).readAtMs ??= nowMs;
      return true;
    }
    return false;
  }

  hasRead(userid: string, taskId: number): boolean {
    const ring = this.#ringOf.get(userid);
    const marks = ring === undefined ? undefined : this.#marks.get(ring);
    if (ring === undefined || !marks) return false;
    for (let i = 0; i < this.#rings.count(ring); i++) {
      if (this.#recordAt(ring, i).delivery.taskId === taskId && marks.get(this.#keyAt(ring, i))?.readAtMs !== undefined) return true;
    }
    return false;
  }

  recallTask(userids: readonly string[], taskId: number, nowMs: number): void {
    for (const userid of userids) {
      const ring = this.#ringOf.get(userid);
      if (ring === undefined) continue;
      for (let i = 0; i < this.#rings.count(ring); i++) {
        if (this.#recordAt(ring, i).delivery.taskId === taskId) this.#marksAt(ring, i).recalledAtMs ??= nowMs;
      }
    }
  }

  recipients(): string[] {
    return [...this.#ringOf.keys()];
  }

  /** Accounted bytes: the slab's positions, every employee's inbox, every shared delivery kept (see the constants). */
  get bytes(): number {
    return this.#rings.slabPairs * INBOX_BYTES_PER_RING_SLOT + this.#ringOf.size * INBOX_BYTES_PER_USER + this.#deliveries.bytes;
  }

  /** Copies kept (every one of them visible). */
  get size(): number {
    return this.#messages;
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#ringOf.keys()].map((userid) => [userid, this.of(userid)]) };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#ringOf = new Map();
    this.#rings = new InboxRings();
    this.#limit = [];
    this.#marks = new Map();
    this.#bySlot = new Map();
    this.#slotDirectory = undefined;
    this.#slotRings = new Int32Array(0);
    this.#deliveries = new DeliveryTable();
    this.#sequence = data.sequence;
    this.#messages = 0;
    this.#current = -1;
    this.#currentRecord = undefined;
    this.#checkDeliveriesAt = MIN_DELIVERIES_CHECKED;
    // The recipients of one send share its delivery (and, while their ids follow from it, its record) again, as before the snapshot.
    const deliveries = new Map<number, InboxDelivery>();
    const records = new Map<number, number>();
    for (const [userid, messages] of data.messages) {
      // A snapshot holds only visible messages: nothing to hide until the next delivery says the limit.
      const ring = this.#ringFor(userid);
      for (const message of messages) {
        const { messageId, readAtMs, recalledAtMs, ...copy } = message;
        let delivery = deliveries.get(copy.taskId);
        if (!delivery) deliveries.set(copy.taskId, (delivery = copy));
        const sequence = sequenceOf(messageId, delivery.taskId);
        let handle: number;
        let offset = 0;
        if (Number.isNaN(sequence)) {
          handle = this.#deliveries.add(delivery, Number.NaN, messageId);
        } else {
          handle = records.get(delivery.taskId) ?? -1;
          offset = handle < 0 ? 0 : sequence - this.#deliveries.get(handle).firstSequence;
          if (handle < 0 || Math.abs(offset) > MAX_OFFSET) {
            handle = this.#deliveries.add(delivery, sequence);
            records.set(delivery.taskId, handle);
            offset = 0;
          }
        }
        this.#append(ring, handle, offset, Infinity);
        const last = this.#rings.count(ring) - 1;
        if (readAtMs !== undefined) this.#marksAt(ring, last).readAtMs = readAtMs;
        if (recalledAtMs !== undefined) this.#marksAt(ring, last).recalledAtMs = recalledAtMs;
      }
    }
  }

  #ringFor(userid: string): number {
    let ring = this.#ringOf.get(userid);
    if (ring === undefined) {
      ring = this.#rings.add(FIRST_RING_SLOTS);
      this.#ringOf.set(userid, ring);
      this.#limit[ring] = Infinity;
    }
    return ring;
  }

  #push(ring: number, delivery: InboxDelivery, limit: number): void {
    const sequence = ++this.#sequence;
    let record = this.#currentRecord;
    // The handle may have been freed and reused since: the record it names must still be ours.
    if (!record || this.#deliveries.get(this.#current) !== record || record.delivery !== delivery || sequence - record.firstSequence > MAX_OFFSET) {
      if (this.#deliveries.size >= this.#checkDeliveriesAt) this.#dropUnheldDeliveries();
      this.#current = this.#deliveries.add(delivery, sequence);
      record = this.#currentRecord = this.#deliveries.get(this.#current);
    }
    this.#append(ring, this.#current, sequence - record.firstSequence, limit);
  }

  /** Adds a copy as the newest; past `limit` the oldest goes (and every copy hidden under an older, smaller limit stays gone). */
  #append(ring: number, handle: number, offset: number, limit: number): void {
    const rings = this.#rings;
    if (limit !== this.#limit[ring]) {
      this.#keepNewest(ring, Math.min(this.#limit[ring]!, limit));
      this.#limit[ring] = limit;
      // A ring far above a lowered limit gives its room back.
      if (rings.size(ring) > limit * 2) rings.resize(ring, powerOfTwoAtLeast(Math.max(limit, FIRST_RING_SLOTS)));
    }
    if (rings.count(ring) === limit && limit > 0) {
      this.#forgetOldestMarks(ring);
      rings.replaceOldest(ring, handle, offset);
      return;
    }
    if (rings.count(ring) === limit) this.#dropOldest(ring);
    rings.push(ring, handle, offset);
    this.#messages += 1;
  }

  #keepNewest(ring: number, limit: number): void {
    while (this.#rings.count(ring) > limit) this.#dropOldest(ring);
  }

  /** Forgets the oldest copy and its marks; its record goes at the next check if no other copy holds it. */
  #dropOldest(ring: number): void {
    this.#forgetOldestMarks(ring);
    this.#rings.dropOldest(ring);
    this.#messages -= 1;
  }

  #forgetOldestMarks(ring: number): void {
    // Most inboxes never see a copy read or recalled: no lookup per delivery for them.
    const marks = this.#marks.size === 0 ? undefined : this.#marks.get(ring);
    if (marks) marks.delete(this.#keyAt(ring, 0));
  }

  /**
   * Drops the records no copy holds: one pass over every copy, run when the
   * table has doubled since the last, so it costs each delivery a few
   * sequential reads and keeps the table under about twice what is held.
   */
  #dropUnheldDeliveries(): void {
    const held = new Uint8Array(this.#deliveries.handles);
    // Every ring is some employee's: one pass over them all.
    this.#rings.markHandles(held);
    this.#deliveries.keepOnly(held);
    this.#checkDeliveriesAt = Math.max(MIN_DELIVERIES_CHECKED, this.#deliveries.size * 2);
  }

  #recordAt(ring: number, i: number): DeliveryRecord {
    return this.#deliveries.get(this.#rings.handleAt(ring, i));
  }

  /** What marks are keyed by: the sequence number, or the odd message id. */
  #keyAt(ring: number, i: number): number | string {
    const record = this.#recordAt(ring, i);
    return record.messageId ?? record.firstSequence + this.#rings.offsetAt(ring, i);
  }

  #marksAt(ring: number, i: number): MessageMarks {
    let byKey = this.#marks.get(ring);
    if (!byKey) this.#marks.set(ring, (byKey = new Map()));
    const key = this.#keyAt(ring, i);
    let marks = byKey.get(key);
    if (!marks) byKey.set(key, (marks = {}));
    return marks;
  }

  #messageIdAt(ring: number, i: number): string {
    const key = this.#keyAt(ring, i);
    return typeof key === "string" ? key : `${this.#recordAt(ring, i).delivery.taskId}-${key}`;
  }

  #storedAt(ring: number, i: number): StoredMessage {
    const marks = this.#marks.get(ring)?.get(this.#keyAt(ring, i));
    return {
      delivery: this.#recordAt(ring, i).delivery,
      messageId: this.#messageIdAt(ring, i),
      ...(marks?.readAtMs === undefined ? {} : { readAtMs: marks.readAtMs }),
      ...(marks?.recalledAtMs === undefined ? {} : { recalledAtMs: marks.recalledAtMs }),
    };
  }
}

/** The sequence number in "<taskId>-<sequence>", or NaN for an id of another form. */
function sequenceOf(messageId: string, taskId: number): number {
  const prefix = `${taskId}-`;
  const sequence = messageId.startsWith(prefix) ? Number(messageId.slice(prefix.length)) : Number.NaN;
  return Number.isSafeInteger(sequence) && `${prefix}${sequence}` === messageId ? sequence : Number.NaN;
}

/** A stored message as the admin API and snapshots show it, in the field order it always had. */
function wholeMessage(stored: StoredMessage): InboxMessage {
  const { delivery } = stored;
  return {
    taskId: delivery.taskId,
    corpId: delivery.corpId,
    agentId: delivery.agentId,
    appName: delivery.appName,
    templateId: delivery.templateId,
    title: delivery.title,
    text: delivery.text,
    data: delivery.data,
    receivedAtMs: delivery.receivedAtMs,
    messageId: stored.messageId,
    ...(stored.readAtMs === undefined ? {} : { readAtMs: stored.readAtMs }),
    ...(stored.recalledAtMs === undefined ? {} : { recalledAtMs: stored.recalledAtMs }),
  };
}

/** Fills `${name}` placeholders; reports the variables `data` did not provide. */
export function renderTemplate(content: string, data: TemplateData): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = content.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (Object.hasOwn(data, name)) return data[name]!;
    missing.push(name);
    return "";
  });
  return { text, missing };
}

export function templateVariables(content: string): string[] {
  return [...new Set([...content.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]!))];
}
