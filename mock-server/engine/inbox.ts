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
 * One employee's messages, oldest first. Only the newest `limit` are visible;
 * older ones are cut off in bulk once the list is a quarter over the limit, so
 * a full inbox does not shift 500 entries on every delivery.
 */
interface UserInbox {
  messages: InboxMessage[];
  limit: number;
}

/** Every employee's work-notification inbox, newest last, bounded per employee. */
export class Inbox {
  #inboxes = new Map<string, UserInbox>();
  #sequence = 0;
  // "<taskId>-" for the send being delivered: its recipients share it instead of formatting the task id each.
  #idPrefixTaskId = Number.NaN;
  #idPrefix = "";

  deliver(userid: string, delivery: InboxDelivery, limitPerUser: number): InboxMessage {
    if (delivery.taskId !== this.#idPrefixTaskId) {
      this.#idPrefix = `${delivery.taskId}-`;
      this.#idPrefixTaskId = delivery.taskId;
    }
    // One object per recipient, built field by field (messageId last, as it always was).
    const stored: InboxMessage = {
      taskId: delivery.taskId,
      corpId: delivery.corpId,
      agentId: delivery.agentId,
      appName: delivery.appName,
      templateId: delivery.templateId,
      title: delivery.title,
      text: delivery.text,
      data: delivery.data,
      receivedAtMs: delivery.receivedAtMs,
      messageId: this.#idPrefix + ++this.#sequence,
    };
    const inbox = this.#inboxes.get(userid);
    if (!inbox) {
      this.#inboxes.set(userid, { messages: [stored], limit: limitPerUser });
      return stored;
    }
    // Messages hidden under the old limit are gone for good, even if the limit grew.
    if (inbox.limit !== limitPerUser) {
      keepNewest(inbox, inbox.limit);
      inbox.limit = limitPerUser;
    }
    inbox.messages.push(stored);
    if (inbox.messages.length > limitPerUser + Math.ceil(limitPerUser / 4)) keepNewest(inbox, limitPerUser);
    return stored;
  }

  /** The newest messages, at most the limit. */
  of(userid: string): readonly InboxMessage[] {
    const inbox = this.#inboxes.get(userid);
    if (!inbox) return [];
    const { messages, limit } = inbox;
    return messages.length > limit ? messages.slice(messages.length - limit) : messages;
  }

  /** Marks a message read (as the employee opening it would); false if there is none. */
  markRead(userid: string, messageId: string, nowMs: number): boolean {
    const message = this.of(userid).find((m) => m.messageId === messageId);
    if (!message) return false;
    message.readAtMs ??= nowMs;
    return true;
  }

  hasRead(userid: string, taskId: number): boolean {
    return this.of(userid).some((m) => m.taskId === taskId && m.readAtMs !== undefined);
  }

  recallTask(userids: readonly string[], taskId: number, nowMs: number): void {
    for (const userid of userids) {
      for (const message of this.of(userid)) {
        if (message.taskId === taskId) message.recalledAtMs ??= nowMs;
      }
    }
  }

  recipients(): string[] {
    return [...this.#inboxes.keys()];
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#inboxes.keys()].map((userid) => [userid, this.of(userid) as InboxMessage[]]) };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#sequence = data.sequence;
    // A snapshot holds only visible messages: nothing to hide until the next delivery says the limit.
    this.#inboxes = new Map(data.messages.map(([userid, messages]) => [userid, { messages, limit: Infinity }]));
  }
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
