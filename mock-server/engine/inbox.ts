import type { TemplateData } from "../../protocol/index.ts";

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
 * One employee's messages, oldest first, as two parallel lists: the shared
 * delivery and the copy's sequence number (its message id is
 * "<taskId>-<sequence>"; a message id of another form, from a snapshot, is
 * kept whole instead). So a copy costs two list slots, 16 bytes, not an
 * object with its own id string (about 90 bytes), and a 1,000-recipient send
 * leaves nothing per recipient for the garbage collector to trace but those
 * slots. Only the newest `limit` are visible; older ones are cut off in bulk
 * once the lists are a quarter over the limit, so a full inbox does not shift
 * 500 entries on every delivery.
 */
interface UserInbox {
  deliveries: InboxDelivery[];
  ids: (number | string)[];
  limit: number;
  /** Keyed by the copy's entry in `ids`; absent until a copy is read or recalled. */
  marks?: Map<number | string, MessageMarks>;
}

/** Bytes one kept copy costs: two list slots (8 bytes each, no pointer compression in Node) and the lists' spare capacity, as bench/retained-state.ts measured it. */
export const INBOX_BYTES_PER_MESSAGE = 25;
/** An employee's inbox itself: the record, two list headers and the Map entry that finds it. */
export const INBOX_BYTES_PER_USER = 200;
/** One shared delivery: the object and its rendered text (counted once per send, by characters). */
const DELIVERY_BYTES = 200;

/** Every employee's work-notification inbox, newest last, bounded per employee. */
export class Inbox {
  #inboxes = new Map<string, UserInbox>();
  #sequence = 0;
  #messages = 0;
  #deliveryBytes = 0;
  #lastDelivery: InboxDelivery | undefined;

  deliver(userid: string, delivery: InboxDelivery, limitPerUser: number): void {
    if (delivery !== this.#lastDelivery) {
      this.#lastDelivery = delivery;
      // The text is shared by every copy; counted once per send (and never given back: an estimate that errs high).
      this.#deliveryBytes += DELIVERY_BYTES + delivery.text.length;
    }
    const id = ++this.#sequence;
    let inbox = this.#inboxes.get(userid);
    if (!inbox) {
      inbox = { deliveries: [delivery], ids: [id], limit: limitPerUser };
      this.#inboxes.set(userid, inbox);
      this.#messages += 1;
      return;
    }
    // Messages hidden under the old limit are gone for good, even if the limit grew.
    if (inbox.limit !== limitPerUser) {
      this.#keepNewest(inbox, inbox.limit);
      inbox.limit = limitPerUser;
    }
    inbox.deliveries.push(delivery);
    inbox.ids.push(id);
    this.#messages += 1;
    if (inbox.ids.length > limitPerUser + Math.ceil(limitPerUser / 4)) this.#keepNewest(inbox, limitPerUser);
  }

  /** The newest messages, at most the limit, each as a small view: for counting and filtering. */
  stored(userid: string): readonly StoredMessage[] {
    const inbox = this.#inboxes.get(userid);
    if (!inbox) return [];
    const out: StoredMessage[] = [];
    for (let i = firstVisible(inbox); i < inbox.ids.length; i++) out.push(storedAt(inbox, i));
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
    for (let i = firstVisible(inbox); i < inbox.ids.length; i++) {
      if (messageIdAt(inbox, i) !== messageId) continue;
      const marks = marksOf(inbox, inbox.ids[i]!);
      marks.readAtMs ??= nowMs;
      return true;
    }
    return false;
  }

  hasRead(userid: string, taskId: number): boolean {
    const inbox = this.#inboxes.get(userid);
    if (!inbox?.marks) return false;
    for (let i = firstVisible(inbox); i < inbox.ids.length; i++) {
      if (inbox.deliveries[i]!.taskId === taskId && inbox.marks.get(inbox.ids[i]!)?.readAtMs !== undefined) return true;
    }
    return false;
  }

  recallTask(userids: readonly string[], taskId: number, nowMs: number): void {
    for (const userid of userids) {
      const inbox = this.#inboxes.get(userid);
      if (!inbox) continue;
      for (let i = firstVisible(inbox); i < inbox.ids.length; i++) {
        if (inbox.deliveries[i]!.taskId === taskId) marksOf(inbox, inbox.ids[i]!).recalledAtMs ??= nowMs;
      }
    }
  }

  recipients(): string[] {
    return [...this.#inboxes.keys()];
  }

  /** Accounted bytes: every kept copy, every employee's inbox, every send's shared delivery (see the constants). */
  get bytes(): number {
    return this.#messages * INBOX_BYTES_PER_MESSAGE + this.#inboxes.size * INBOX_BYTES_PER_USER + this.#deliveryBytes;
  }

  /** Copies kept, the hidden ones not yet cut off included. */
  get size(): number {
    return this.#messages;
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#inboxes.keys()].map((userid) => [userid, this.of(userid)]) };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#sequence = data.sequence;
    this.#messages = 0;
    this.#deliveryBytes = 0;
    this.#lastDelivery = undefined;
    // The recipients of one send share its delivery again, as they did before the snapshot.
    const deliveries = new Map<number, InboxDelivery>();
    this.#inboxes = new Map();
    for (const [userid, messages] of data.messages) {
      // A snapshot holds only visible messages: nothing to hide until the next delivery says the limit.
      const inbox: UserInbox = { deliveries: [], ids: [], limit: Infinity };
      for (const message of messages) {
        const { messageId, readAtMs, recalledAtMs, ...delivery } = message;
        let shared = deliveries.get(delivery.taskId);
        if (!shared) {
          deliveries.set(delivery.taskId, (shared = delivery));
          this.#deliveryBytes += DELIVERY_BYTES + delivery.text.length;
        }
        const prefix = `${delivery.taskId}-`;
        const sequence = messageId.startsWith(prefix) ? Number(messageId.slice(prefix.length)) : Number.NaN;
        const id = Number.isSafeInteger(sequence) && `${prefix}${sequence}` === messageId ? sequence : messageId;
        inbox.deliveries.push(shared);
        inbox.ids.push(id);
        if (readAtMs !== undefined) marksOf(inbox, id).readAtMs = readAtMs;
        if (recalledAtMs !== undefined) marksOf(inbox, id).recalledAtMs = recalledAtMs;
      }
      this.#messages += inbox.ids.length;
      this.#inboxes.set(userid, inbox);
    }
  }

  #keepNewest(inbox: UserInbox, limit: number): void {
    const excess = inbox.ids.length - limit;
    if (excess <= 0) return;
    if (inbox.marks) for (let i = 0; i < excess; i++) inbox.marks.delete(inbox.ids[i]!);
    inbox.deliveries.splice(0, excess);
    inbox.ids.splice(0, excess);
    this.#messages -= excess;
  }
}

function firstVisible(inbox: UserInbox): number {
  return Math.max(0, inbox.ids.length - inbox.limit);
}

function messageIdAt(inbox: UserInbox, i: number): string {
  const id = inbox.ids[i]!;
  return typeof id === "string" ? id : `${inbox.deliveries[i]!.taskId}-${id}`;
}

function marksOf(inbox: UserInbox, id: number | string): MessageMarks {
  inbox.marks ??= new Map();
  let marks = inbox.marks.get(id);
  if (!marks) inbox.marks.set(id, (marks = {}));
  return marks;
}

function storedAt(inbox: UserInbox, i: number): StoredMessage {
  const marks = inbox.marks?.get(inbox.ids[i]!);
  return {
    delivery: inbox.deliveries[i]!,
    messageId: messageIdAt(inbox, i),
    ...(marks?.readAtMs === undefined ? {} : { readAtMs: marks.readAtMs }),
    ...(marks?.recalledAtMs === undefined ? {} : { recalledAtMs: marks.recalledAtMs }),
  };
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
