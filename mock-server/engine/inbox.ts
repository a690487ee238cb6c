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

/** Every employee's work-notification inbox, newest last, bounded per employee. */
export class Inbox {
  #messages = new Map<string, InboxMessage[]>();
  #sequence = 0;

  deliver(userid: string, message: Omit<InboxMessage, "messageId">, limitPerUser: number): InboxMessage {
    const stored: InboxMessage = { ...message, messageId: `${message.taskId}-${++this.#sequence}` };
    const list = this.#messages.get(userid);
    if (!list) this.#messages.set(userid, [stored]);
    else {
      list.push(stored);
      if (list.length > limitPerUser) list.splice(0, list.length - limitPerUser);
    }
    return stored;
  }

  of(userid: string): readonly InboxMessage[] {
    return this.#messages.get(userid) ?? [];
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
    return [...this.#messages.keys()];
  }

  snapshot(): { sequence: number; messages: [string, InboxMessage[]][] } {
    return { sequence: this.#sequence, messages: [...this.#messages] };
  }

  restore(data: { sequence: number; messages: [string, InboxMessage[]][] }): void {
    this.#sequence = data.sequence;
    this.#messages = new Map(data.messages);
  }
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
