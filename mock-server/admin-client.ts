import type { ClockCommand } from "./admin/admin-schemas.ts";
import type { FaultRule, FaultRuleInput } from "./engine/fault-rules.ts";
import type { InboxMessage } from "./engine/inbox.ts";
import type { JournalEntry } from "./engine/journal.ts";
import type { SendTask } from "./engine/task-store.ts";
import type { MockSettings, MockSettingsPatch } from "./settings.ts";
import type { WorldInfo, WorldList, WorldOptionsInput } from "./hosting/world-catalog.ts";
import { worldBasePath } from "./hosting/world-names.ts";
import type { WorldSeedInput } from "./world/world-schema.ts";

export interface ClockView {
  now: string;
  nowMs: number;
  frozen: boolean;
  chinaDay: string;
  nextChinaMidnight: string;
}

export interface InboxView {
  userid: string;
  name?: string;
  messages: (InboxMessage & { receivedAt: string; read: boolean; recalled: boolean })[];
  /** Sends that named this employee but never reached them, with the rule and numbers behind each. */
  withheld: { taskId: number; corpId: string; agentId: number; templateId: string; at: string; code: string; meaning: string; explanation: string }[];
}

export interface TaskView extends SendTask {
  createdAt: string;
  counts: Record<"recipients" | "delivered" | "forbidden" | "invalidUsers" | "invalidDepartments" | "failed", number>;
  recalled: boolean;
}

/**
 * Typed helpers over the /__admin API. They speak HTTP through any `fetch`, so
 * the same calls steer an in-process mock, `npm run mock`, or a deployed one.
 */
export class MockAdminClient {
  readonly #fetch: typeof fetch;
  readonly #baseUrl: string;

  constructor(fetchFn: typeof fetch, baseUrl: string) {
    this.#fetch = fetchFn;
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** The same helpers for another world of this server (call it on the server's root client). */
  inWorld(name: string): MockAdminClient {
    return new MockAdminClient(this.#fetch, this.#baseUrl + worldBasePath(name));
  }
  worlds() {
    return this.#call<WorldList>("GET", "/__admin/worlds");
  }
  describeWorld(name: string) {
    return this.#call<WorldInfo>("GET", `/__admin/worlds/${encodeURIComponent(name)}`);
  }
  /** Creates the world from a seed, settings and clock (or replaces one of that name); returns its admin client. */
  async createWorld(name: string, options: WorldOptionsInput = {}): Promise<MockAdminClient> {
    await this.#call<WorldInfo>("PUT", `/__admin/worlds/${encodeURIComponent(name)}`, options);
    return this.inWorld(name);
  }
  dropWorld(name: string) {
    return this.#call<void>("DELETE", `/__admin/worlds/${encodeURIComponent(name)}`);
  }

  seedWorld(world: WorldSeedInput) {
    return this.#call<unknown>("PUT", "/__admin/world", world);
  }
  reset() {
    return this.#call<unknown>("POST", "/__admin/reset");
  }
  settings() {
    return this.#call<MockSettings>("GET", "/__admin/settings");
  }
  updateSettings(patch: MockSettingsPatch) {
    return this.#call<MockSettings>("PUT", "/__admin/settings", patch);
  }
  clock() {
    return this.#call<ClockView>("GET", "/__admin/clock");
  }
  moveClock(command: ClockCommand) {
    return this.#call<ClockView>("POST", "/__admin/clock", command);
  }
  advanceClock(ms: number) {
    return this.moveClock({ advanceMs: ms });
  }
  setClock(instant: Date | string | number) {
    return this.moveClock({ now: new Date(instant).toISOString() });
  }
  freezeClock(frozen = true) {
    return this.moveClock({ frozen });
  }
  addFault(rule: FaultRuleInput) {
    return this.#call<FaultRule>("POST", "/__admin/faults", rule);
  }
  faults() {
    return this.#call<{ rules: FaultRule[] }>("GET", "/__admin/faults").then((r) => r.rules);
  }
  clearFaults() {
    return this.#call<void>("DELETE", "/__admin/faults");
  }
  journal(filter: { endpoint?: string; errcode?: number; since?: number; limit?: number } = {}) {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    const suffix = query.size > 0 ? `?${query}` : "";
    return this.#call<{ entries: JournalEntry[]; dropped: number; size: number }>("GET", `/__admin/journal${suffix}`);
  }
  inbox(userid: string, corpId?: string) {
    const suffix = corpId ? `?corpId=${encodeURIComponent(corpId)}` : "";
    return this.#call<InboxView>("GET", `/__admin/inbox/${encodeURIComponent(userid)}${suffix}`);
  }
  markRead(userid: string, messageId: string) {
    return this.#call<void>("POST", `/__admin/inbox/${encodeURIComponent(userid)}/${encodeURIComponent(messageId)}/read`);
  }
  task(taskId: number) {
    return this.#call<TaskView>("GET", `/__admin/tasks/${taskId}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.text();
      throw new Error(`mock admin ${method} ${path} failed with ${response.status}: ${problem}`);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
