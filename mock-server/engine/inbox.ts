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
 * One employee's copy of a send: the send's delivery, shared by every
 * recipient (a 1,000-recipient send stores its title, text and data once),
 * and what belongs to this copy alone.
 */
export interface StoredMessage {
  readonly delivery: InboxDelivery;
  readonly messageId: string;
  readAtMs?: number;
  recalledAtMs?: number;
}

/**
 * One employee's messages, oldest first. Only the newest `limit` are visible;
 * older ones are cut off in bulk once the list is a quarter over the limit, so
 * a full inbox does not shift 500 entries on every delivery.
 */
interface UserInbox {
  messages: StoredMessage[];
  limit: number;
}

/** Every employee's work-notification inbox, newest last, bounded per employee. */
export class Inbox {
  #inboxes = new Map<string, UserInbox>();
  #sequence = 0;
  // "<taskId>-" for the send being delivered: its recipients share it instead of formatting the task id each.
  #idPrefixTaskId = Number.NaN;
  #idPrefix = "";

  deliver(userid: string, delivery: InboxDelivery, limitPerUser: number): void {
    if (delivery.taskId !== this.#idPrefixTaskId) {
      this.#idPrefix = `${delivery.taskId}-`;
      this.#idPrefixTaskId = delivery.taskId;
    }
    const stored: StoredMessage = { delivery, messageId: this.#idPrefix + ++this.#sequence };
    const inbox = this.#inboxes.get(userid);
    if (!inbox) {
      this.#inboxes.set(userid, { messages: [stored], limit: limitPerUser });
      return;
    }
    // Messages hidden under the old limit are gone for good, even if the limit grew.
    if (inbox.limit !== limitPerUser) {
      keepNewest(inbox, inbox.limit);
      inbox.limit = limitPerUser;
    }
    inbox.messages.push(stored);
    if (inbox.messages.length > limitPerUser + Math.ceil(limitPerUser / 4)) keepNewest(inbox, limitPerUser);
  }

  /** The newest messages as stored, at most the limit: for counting without copying. */
  stored(userid: string): readonly StoredMessage[] {
    const inbox = this.#inboxes.get(userid);
    if (!inbox) return [];
    const { messages, limit } = inbox;
    return messages.length > limit ? messages.slice(messages.length - limit) : messages;
  }

  /** The newest messages, at most the limit, each whole. */
  of(userid: string): InboxMessage[] {
    return this.stored(userid).map(wholeMessage);
  }

  /** Marks a message read (as the employee opening it would); false if there is none. */
  markRead(userid: string, messageId: string, nowMs: number): boolean {
    const message = this.stored(userid).find((m) => m.messageId === messageId);
    if (!message) return false;
    message.readAtMs ??= nowMs;
    return true;
  }

  hasRead(userid: string, taskId: number): boolean {
    return this.stored(userid).some((m) => m.delivery.taskId === taskId && m.readAtMs !== undefined);
  }

  recallTask(userids: readonly string[], taskId: number, nowMs: number): void {
    for (const userid of userids) {
      for (const message of this.stored(userid)) {
        if (message.delivery.taskId === taskId) message.recalledAtMs ??= nowMs;
      }
    }
  }

  recipients(): string[] {
    return [...this.#inboxes.keys()];
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#inboxes.keys()].map((userid) => [userid, this.of(userid)]) };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#sequence = data.sequence;
    // The recipients of one send share its delivery again, as they did before the snapshot.
    const deliveries = new Map<number, InboxDelivery>();
    const storedOf = (message: InboxMessage): StoredMessage => {
      const { messageId, readAtMs, recalledAtMs, ...delivery } = message;
      let shared = deliveries.get(delivery.taskId);
      if (!shared) deliveries.set(delivery.taskId, (shared = delivery));
      return { delivery: shared, messageId, ...(readAtMs === undefined ? {} : { readAtMs }), ...(recalledAtMs === undefined ? {} : { recalledAtMs }) };
    };
    // A snapshot holds only visible messages: nothing to hide until the next delivery says the limit.
    this.#inboxes = new Map(data.messages.map(([userid, messages]) => [userid, { messages: messages.map(storedOf), limit: Infinity }]));
  }
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

function keepNewest(inbox: UserInbox, limit: number): void {
  if (inbox.messages.length > limit) inbox.messages.splice(0, inbox.messages.length - limit);
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
