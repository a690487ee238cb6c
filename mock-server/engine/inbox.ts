import type { TemplateData } from "../../protocol/index.ts";
import type { UserSlots } from "../world/user-slots.ts";
import { DeliveryTable, type DeliveryRecord } from "./delivery-table.ts";

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
 * Made on demand from the compact lists below; the inbox does not keep these.
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

/**
 * One employee's newest messages, oldest first, in a ring of (handle,
 * offset) pairs (DeliveryTable): 8 bytes a copy in a typed array, where an
 * object with its own id string cost about 90 bytes and a list of pointers
 * gave the garbage collector millions of slots to trace. The ring holds at
 * most `limit` copies and grows by doubling up to it; a delivery into a full
 * ring overwrites the oldest copy.
 */
interface UserInbox {
  ring: Int32Array;
  /** Position of the oldest copy in the ring (in copies, not array entries). */
  head: number;
  count: number;
  limit: number;
  /** Keyed by the copy's sequence number (or its odd message id); absent until a copy is read or recalled. */
  marks?: Map<number | string, MessageMarks>;
}

/** Bytes one ring position costs: two 4-byte integers. Positions, not copies, are counted: a ring grows by doubling. */
export const INBOX_BYTES_PER_RING_SLOT = 8;
/** An employee's inbox itself: the record, its typed array and the Map and slot entries that find it. */
export const INBOX_BYTES_PER_USER = 300;
const FIRST_RING_SLOTS = 4;
/** Below this many records the table is never checked for unheld ones. */
const MIN_DELIVERIES_CHECKED = 1024;
const MAX_OFFSET = 2 ** 31 - 1;

/** Every employee's work-notification inbox, newest last, bounded per employee. */
export class Inbox {
  #inboxes = new Map<string, UserInbox>();
  /** The same inboxes by directory slot, so a send finds each recipient's with an array index. */
  #bySlot = new Map<UserSlots, (UserInbox | undefined)[]>();
  /** The last directory's entry in `#bySlot`: a send's recipients are all of one. */
  #slotDirectory: UserSlots | undefined;
  #slotInboxes: (UserInbox | undefined)[] = [];
  #deliveries = new DeliveryTable();
  #sequence = 0;
  #messages = 0;
  #ringSlots = 0;
  /** Records kept when the table is next checked for ones no copy holds (DeliveryTable.keepOnly). */
  #checkDeliveriesAt = MIN_DELIVERIES_CHECKED;
  /** The record the last copy went to (and its handle): the next copy of the same send shares it. */
  #current = -1;
  #currentRecord: DeliveryRecord | undefined;

  /** One copy of `delivery` for `userid`; the newest `limitPerUser` are kept. */
  deliver(userid: string, delivery: InboxDelivery, limitPerUser: number): void {
    this.#push(this.#inboxOf(userid), delivery, limitPerUser);
  }

  /** `deliver` for the employee at `slot` of `directory`: what a send calls for each recipient. */
  deliverToSlot(directory: UserSlots, slot: number, delivery: InboxDelivery, limitPerUser: number): void {
    if (directory !== this.#slotDirectory) {
      let inboxes = this.#bySlot.get(directory);
      if (!inboxes) this.#bySlot.set(directory, (inboxes = []));
      this.#slotDirectory = directory;
      this.#slotInboxes = inboxes;
    }
    const inbox = (this.#slotInboxes[slot] ??= this.#inboxOf(directory.useridAt(slot)));
    this.#push(inbox, delivery, limitPerUser);
  }

  /** The newest messages, at most the limit, each as a small view: for counting and filtering. */
  stored(userid: string): readonly StoredMessage[] {
    const inbox = this.#inboxes.get(userid);
    if (!inbox) return [];
    const out: StoredMessage[] = [];
    for (let i = 0; i < inbox.count; i++) out.push(this.#storedAt(inbox, i));
    return out;
  }

  /** The newest messages, at most the limit, each whole. */
  of(userid: string): InboxMessage[] {
    return this.stored(userid).map(wholeMessage);
  }

  /** Marks a message read (as the employee opening it would); false if there is none. */
  markRead(userid: string, messageId: string, nowMs: number): boolean {
    const inbox = this.#inboxes.get(userid);
    if (!inbox) return false;
    for (let i = 0; i < inbox.count; i++) {
      if (this.#messageIdAt(inbox, i) !== messageId) continue;
      marksOf(inbox, this.#keyAt(inbox, i)).readAtMs ??= nowMs;
      return true;
    }
    return false;
  }

  hasRead(userid: string, taskId: number): boolean {
    const inbox = this.#inboxes.get(userid);
    if (!inbox?.marks) return false;
    for (let i = 0; i < inbox.count; i++) {
      if (this.#recordAt(inbox, i).delivery.taskId === taskId && inbox.marks.get(this.#keyAt(inbox, i))?.readAtMs !== undefined) return true;
    }
    return false;
  }

  recallTask(userids: readonly string[], taskId: number, nowMs: number): void {
    for (const userid of userids) {
      const inbox = this.#inboxes.get(userid);
      if (!inbox) continue;
      for (let i = 0; i < inbox.count; i++) {
        if (this.#recordAt(inbox, i).delivery.taskId === taskId) marksOf(inbox, this.#keyAt(inbox, i)).recalledAtMs ??= nowMs;
      }
    }
  }

  recipients(): string[] {
    return [...this.#inboxes.keys()];
  }

  /** Accounted bytes: every ring position, every employee's inbox, every live shared delivery (see the constants). */
  get bytes(): number {
    return this.#ringSlots * INBOX_BYTES_PER_RING_SLOT + this.#inboxes.size * INBOX_BYTES_PER_USER + this.#deliveries.bytes;
  }

  /** Copies kept (every one of them visible). */
  get size(): number {
    return this.#messages;
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#inboxes.keys()].map((userid) => [userid, this.of(userid)]) };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#inboxes = new Map();
    this.#bySlot = new Map();
    this.#slotDirectory = undefined;
    this.#slotInboxes = [];
    this.#deliveries = new DeliveryTable();
    this.#sequence = data.sequence;
    this.#messages = 0;
    this.#ringSlots = 0;
    this.#current = -1;
    this.#currentRecord = undefined;
    this.#checkDeliveriesAt = MIN_DELIVERIES_CHECKED;
    // The recipients of one send share its delivery (and, while their ids follow from it, its record) again, as before the snapshot.
    const deliveries = new Map<number, InboxDelivery>();
    const records = new Map<number, number>();
    for (const [userid, messages] of data.messages) {
      // A snapshot holds only visible messages: nothing to hide until the next delivery says the limit.
      const inbox = this.#inboxOf(userid);
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
        this.#append(inbox, handle, offset, Infinity);
        const key = this.#keyAt(inbox, inbox.count - 1);
        if (readAtMs !== undefined) marksOf(inbox, key).readAtMs = readAtMs;
        if (recalledAtMs !== undefined) marksOf(inbox, key).recalledAtMs = recalledAtMs;
      }
    }
  }

  #inboxOf(userid: string): UserInbox {
    let inbox = this.#inboxes.get(userid);
    if (!inbox) {
      inbox = { ring: new Int32Array(FIRST_RING_SLOTS * 2), head: 0, count: 0, limit: Infinity };
      this.#inboxes.set(userid, inbox);
      this.#ringSlots += FIRST_RING_SLOTS;
    }
    return inbox;
  }

  #push(inbox: UserInbox, delivery: InboxDelivery, limit: number): void {
    const sequence = ++this.#sequence;
    let record = this.#currentRecord;
    // The handle may have been freed and reused since: the record it names must still be ours.
    if (!record || this.#deliveries.get(this.#current) !== record || record.delivery !== delivery || sequence - record.firstSequence > MAX_OFFSET) {
      if (this.#deliveries.size >= this.#checkDeliveriesAt) this.#dropUnheldDeliveries();
      this.#current = this.#deliveries.add(delivery, sequence);
      record = this.#currentRecord = this.#deliveries.get(this.#current);
    }
    this.#append(inbox, this.#current, sequence - record.firstSequence, limit);
  }

  /** Adds a copy as the newest; past `limit` the oldest goes (and every copy hidden under an older, smaller limit stays gone). */
  #append(inbox: UserInbox, handle: number, offset: number, limit: number): void {
    if (limit !== inbox.limit) {
      this.#keepNewest(inbox, Math.min(inbox.limit, limit));
      inbox.limit = limit;
      // A ring far above a lowered limit gives its room back.
      if (inbox.ring.length / 2 > limit * 2) this.#resize(inbox, Math.max(limit, FIRST_RING_SLOTS));
    }
    if (inbox.count === limit) this.#dropOldest(inbox);
    else if (inbox.count * 2 === inbox.ring.length) this.#resize(inbox, Math.min(limit, inbox.count * 2));
    let at = inbox.head + inbox.count;
    if (at * 2 >= inbox.ring.length) at -= inbox.ring.length / 2;
    inbox.ring[at * 2] = handle;
    inbox.ring[at * 2 + 1] = offset;
    inbox.count += 1;
    this.#messages += 1;
  }

  #keepNewest(inbox: UserInbox, limit: number): void {
    while (inbox.count > limit) this.#dropOldest(inbox);
  }

  /** Forgets the oldest copy and its marks; its record goes at the next check if no other copy holds it. */
  #dropOldest(inbox: UserInbox): void {
    if (inbox.marks) inbox.marks.delete(this.#keyAt(inbox, 0));
    inbox.head = (inbox.head + 1) * 2 === inbox.ring.length ? 0 : inbox.head + 1;
    inbox.count -= 1;
    this.#messages -= 1;
  }

  /**
   * Drops the records no copy holds: one pass over every copy, run when the
   * table has doubled since the last, so it costs each delivery a few
   * sequential reads and keeps the table under about twice what is held.
   */
  #dropUnheldDeliveries(): void {
    const held = new Uint8Array(this.#deliveries.handles);
    for (const inbox of this.#inboxes.values()) {
      const slots = inbox.ring.length / 2;
      for (let i = 0, at = inbox.head; i < inbox.count; i++, at = at + 1 === slots ? 0 : at + 1) held[inbox.ring[at * 2]!] = 1;
    }
    this.#deliveries.keepOnly(held);
    this.#checkDeliveriesAt = Math.max(MIN_DELIVERIES_CHECKED, this.#deliveries.size * 2);
  }

  /** Copies the ring, oldest first, into one of `slots` positions. */
  #resize(inbox: UserInbox, slots: number): void {
    const ring = new Int32Array(slots * 2);
    for (let i = 0; i < inbox.count; i++) {
      const from = this.#ringIndex(inbox, i);
      ring[i * 2] = inbox.ring[from]!;
      ring[i * 2 + 1] = inbox.ring[from + 1]!;
    }
    this.#ringSlots += slots - inbox.ring.length / 2;
    inbox.ring = ring;
    inbox.head = 0;
  }

  /** Array index of the `i`-th copy (0 = oldest) in the ring. */
  #ringIndex(inbox: UserInbox, i: number): number {
    return ((inbox.head + i) % (inbox.ring.length / 2)) * 2;
  }

  #recordAt(inbox: UserInbox, i: number): DeliveryRecord {
    return this.#deliveries.get(inbox.ring[this.#ringIndex(inbox, i)]!);
  }

  /** What marks are keyed by: the sequence number, or the odd message id. */
  #keyAt(inbox: UserInbox, i: number): number | string {
    const at = this.#ringIndex(inbox, i);
    const record = this.#deliveries.get(inbox.ring[at]!);
    return record.messageId ?? record.firstSequence + inbox.ring[at + 1]!;
  }

  #messageIdAt(inbox: UserInbox, i: number): string {
    const key = this.#keyAt(inbox, i);
    return typeof key === "string" ? key : `${this.#recordAt(inbox, i).delivery.taskId}-${key}`;
  }

  #storedAt(inbox: UserInbox, i: number): StoredMessage {
    const marks = inbox.marks?.get(this.#keyAt(inbox, i));
    return {
      delivery: this.#recordAt(inbox, i).delivery,
      messageId: this.#messageIdAt(inbox, i),
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

function marksOf(inbox: UserInbox, key: number | string): MessageMarks {
  inbox.marks ??= new Map();
  let marks = inbox.marks.get(key);
  if (!marks) inbox.marks.set(key, (marks = {}));
  return marks;
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
