import type { ClockCommand } from "./admin/admin-schemas.ts";
import type { FaultRule, FaultRuleInput } from "./engine/fault-rules.ts";
import type { InboxMessage } from "./engine/inbox.ts";
import type { JournalEntry } from "./engine/journal.ts";
import type { SendTask } from "./engine/task-store.ts";
import type { MockSettings, MockSettingsPatch } from "./settings-types.ts";
import type { WorldInfo, WorldList, WorldOptionsInput } from "./hosting/world-catalog.ts";
import { worldBasePath } from "./hosting/world-names.ts";
import type { WorldSeedInput } from "./world/world-schema.ts";

/** The mock's clock, which every limit, expiry and day boundary follows. */
export interface ClockView {
  /** The mock's time, ISO-8601 in UTC. */
  now: string;
  /** The same, in ms since the epoch. */
  nowMs: number;
  /** Whether the clock stands still until moved (`advanceClock`, `setClock`). */
  frozen: boolean;
  /** Today in China time (UTC+8), `YYYY-MM-DD`: the day the per-day limits count. */
  chinaDay: string;
  /** The next 00:00 China time (16:00 UTC), when the per-day limits start over. */
  nextChinaMidnight: string;
}

/** What one employee received, and what the vendor's limits withheld from them. */
export interface InboxView {
  userid: string;
  name?: string;
  /** Notifications delivered, oldest first, rendered from their templates. */
  messages: (InboxMessage & { receivedAt: string; read: boolean; recalled: boolean })[];
  /** Sends that named this employee but never reached them, with the rule and numbers behind each. */
  withheld: { taskId: number; corpId: string; agentId: number; templateId: string; at: string; code: string; meaning: string; explanation: string }[];
}

/** One send task with the outcome for each recipient and why. */
export interface TaskView extends SendTask {
  createdAt: string;
  counts: Record<"recipients" | "delivered" | "forbidden" | "invalidUsers" | "invalidDepartments" | "failed", number>;
  recalled: boolean;
}

/**
 * Typed helpers over the /__admin API. They speak HTTP through any `fetch`, so
 * the same calls steer an in-process mock, `npm run mock`, or a deployed one:
 * `new MockAdminClient(fetch, "http://127.0.0.1:3000")`, or
 * `…/w/<name>` for one world. A refused call throws, naming the URL, the HTTP
 * status and the mock's problem document.
 */
export class MockAdminClient {
  readonly #fetch: typeof fetch;
  readonly #baseUrl: string;

  /** `baseUrl` is the mock's (or one world's) base URL, without `/__admin`. */
  constructor(fetchFn: typeof fetch, baseUrl: string) {
    this.#fetch = fetchFn;
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** The same helpers for another world of this server (call it on the server's root client). */
  inWorld(name: string): MockAdminClient {
    return new MockAdminClient(this.#fetch, this.#baseUrl + worldBasePath(name));
  }
  /** The worlds this mock holds, and its limits (only at the root, not inside a world). */
  worlds() {
    return this.#call<WorldList>("GET", "/__admin/worlds");
  }
  /** One world's base path, clock, and journal and task counts. */
  describeWorld(name: string) {
    return this.#call<WorldInfo>("GET", `/__admin/worlds/${encodeURIComponent(name)}`);
  }
  /** Creates the world from a seed, settings and clock (or replaces one of that name); returns its admin client. */
  async createWorld(name: string, options: WorldOptionsInput = {}): Promise<MockAdminClient> {
    await this.#call<WorldInfo>("PUT", `/__admin/worlds/${encodeURIComponent(name)}`, options);
    return this.inWorld(name);
  }
  /** Forgets the world; its next use starts it afresh. */
  dropWorld(name: string) {
    return this.#call<void>("DELETE", `/__admin/worlds/${encodeURIComponent(name)}`);
  }

  /** Replaces this world's organisations, apps and templates with `world`. */
  seedWorld(world: WorldSeedInput) {
    return this.#call<unknown>("PUT", "/__admin/world", world);
  }
  /** Back to the world this mock (or world) started from: quotas, tokens, tasks, journal and inboxes forgotten; settings and clock as at the start. */
  reset() {
    return this.#call<unknown>("POST", "/__admin/reset");
  }
  /** The behaviour switches (see `MockSettings`). */
  settings() {
    return this.#call<MockSettings>("GET", "/__admin/settings");
  }
  /** Changes the switches named; the rest keep their values. Answers all of them. */
  updateSettings(patch: MockSettingsPatch) {
    return this.#call<MockSettings>("PUT", "/__admin/settings", patch);
  }
  clock() {
    return this.#call<ClockView>("GET", "/__admin/clock");
  }
  /** One move: `{ advanceMs }`, `{ now }` or `{ frozen }`. */
  moveClock(command: ClockCommand) {
    return this.#call<ClockView>("POST", "/__admin/clock", command);
  }
  /** Moves the clock forward by `ms`. */
  advanceClock(ms: number) {
    return this.moveClock({ advanceMs: ms });
  }
  /**
   * Moves the clock to the next 00:00 China time (16:00 UTC), where the
   * per-day limits (daily cap, duplicate content) start over.
   */
  async advanceToNextChinaDay(): Promise<ClockView> {
    const { nextChinaMidnight } = await this.clock();
    return this.setClock(nextChinaMidnight);
  }
  /** Sets the clock to `instant` (a Date, an ISO-8601 string or ms since the epoch). */
  setClock(instant: Date | string | number) {
    return this.moveClock({ now: new Date(instant).toISOString() });
  }
  /** Stops the clock (or, with `false`, lets it run again). */
  freezeClock(frozen = true) {
    return this.moveClock({ frozen });
  }
  /** Adds a fault rule (an errcode, an HTTP status, latency or a dropped connection for an endpoint). */
  addFault(rule: FaultRuleInput) {
    return this.#call<FaultRule>("POST", "/__admin/faults", rule);
  }
  faults() {
    return this.#call<{ rules: FaultRule[] }>("GET", "/__admin/faults").then((r) => r.rules);
  }
  clearFaults() {
    return this.#call<void>("DELETE", "/__admin/faults");
  }
  /** Every call this world answered, newest last, secrets masked, with notes saying why. */
  journal(filter: { endpoint?: string; errcode?: number; since?: number; limit?: number } = {}) {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    const suffix = query.size > 0 ? `?${query}` : "";
    return this.#call<{ entries: JournalEntry[]; dropped: number; size: number }>("GET", `/__admin/journal${suffix}`);
  }
  /** What the employee received, and what was withheld from them. */
  inbox(userid: string, corpId?: string) {
    const suffix = corpId ? `?corpId=${encodeURIComponent(corpId)}` : "";
    return this.#call<InboxView>("GET", `/__admin/inbox/${encodeURIComponent(userid)}${suffix}`);
  }
  /** Marks a message read (it then appears in getsendresult's `read_user_id_list`). */
  markRead(userid: string, messageId: string) {
    return this.#call<void>("POST", `/__admin/inbox/${encodeURIComponent(userid)}/${encodeURIComponent(messageId)}/read`);
  }
  /** One send task with its per-recipient outcome. */
  task(taskId: number) {
    return this.#call<TaskView>("GET", `/__admin/tasks/${taskId}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.#baseUrl}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      // undici says only "fetch failed"; the reason (a refused connection, say) is in its cause.
      let cause: unknown = error;
      while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
      throw new Error(`mock admin ${method} ${url} got no answer: ${cause instanceof Error ? cause.message : String(cause)}`, { cause: error });
    }
    if (!response.ok) {
      const problem = await response.text();
      throw new Error(`mock admin ${method} ${url} answered HTTP ${response.status}: ${problem}`);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
