import { beforeAll, describe, expect, inject, it } from "vitest";
import { VendorPath } from "../../../protocol/index.ts";
import { MockAdminClient } from "../../admin-client.ts";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP } from "../../world/default-world.ts";

/** How each file sets up its world: different clocks and minute limits, the same recipients and content. */
export const ROLES = {
  a: { start: "2026-11-25T02:00:00.000Z", recipientsPerMinute: 10, advanceMs: 86_400_000 },
  b: { start: "2026-12-01T02:00:00.000Z", recipientsPerMinute: 5000, advanceMs: 0 },
} as const;
export type Role = keyof typeof ROLES;

const USERS = Array.from({ length: 10 }, (_, i) => `u${String(i + 1).padStart(5, "0")}`);
const DATA = JSON.stringify({ name: "Ada", name2: "https://example.com/same-content" });

export function worldOf(role: Role): string {
  return `parallel-${role}-${inject("runId")}`;
}

/** Waits until `name` exists on the shared server: the other file got this far, so the two are running at once. */
export async function waitForWorld(root: MockAdminClient, name: string, why: string): Promise<void> {
  // Generous: on a busy 2-core machine a vitest worker can take long to start.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await root.worlds()).worlds.some((world) => world.name === name)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`world "${name}" never appeared (${why}): the two files did not run in parallel against one mock`);
}

export class WorldScenario {
  readonly role: Role;
  readonly root: MockAdminClient;
  readonly base: string;
  readonly admin: MockAdminClient;

  constructor(role: Role) {
    this.role = role;
    const url = inject("mockUrl");
    this.root = new MockAdminClient(fetch, url);
    this.base = `${url}/w/${worldOf(role)}`;
    this.admin = this.root.inWorld(worldOf(role));
  }

  async create(): Promise<void> {
    const { start, recipientsPerMinute } = ROLES[this.role];
    await this.root.createWorld(worldOf(this.role), { clock: { start, frozen: true }, settings: { recipientsPerMinute } });
  }

  async token(): Promise<string> {
    const query = new URLSearchParams({ appkey: DEFAULT_INTERNAL_APP.appKey, appsecret: DEFAULT_INTERNAL_APP.appSecret });
    const answer = (await (await fetch(`${this.base}${VendorPath.getToken}?${query}`)).json()) as { access_token: string };
    return answer.access_token;
  }

  async send(token: string, userids: string[]): Promise<{ delivered: number; forbidden: string[] }> {
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${this.base}${path}?access_token=${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as Record<string, any>;
    const sent = await post(VendorPath.sendByTemplate, { agent_id: DEFAULT_INTERNAL_APP.agentId, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: userids.join(","), data: DATA });
    expect(sent.errcode).toBe(0);
    const result = await post(VendorPath.getSendResult, { agent_id: DEFAULT_INTERNAL_APP.agentId, task_id: sent.task_id });
    const forbidden = (result.send_result.forbidden_list as { userid: string }[]).map((entry) => entry.userid);
    return { delivered: userids.length - forbidden.length, forbidden };
  }

  /** The same sends in both worlds; only this world's own limits may hold any back. */
  async act(): Promise<void> {
    const token = await this.token();
    expect(await this.send(token, USERS)).toEqual({ delivered: 10, forbidden: [] });
    const extra = await this.send(token, ["u00011"]);
    // a's minute allows 10 recipients, b's 5,000: had b seen a's sends (or a b's), this would differ.
    expect(extra).toEqual(this.role === "a" ? { delivered: 0, forbidden: ["u00011"] } : { delivered: 1, forbidden: [] });
    if (ROLES[this.role].advanceMs > 0) await this.admin.advanceClock(ROLES[this.role].advanceMs);
  }

  /** After both files acted: this world holds exactly what this file did, nothing of the other's. */
  async expectUntouched(): Promise<void> {
    const { start, advanceMs } = ROLES[this.role];
    expect((await this.admin.clock()).now).toBe(new Date(Date.parse(start) + advanceMs).toISOString());
    const journal = await this.admin.journal();
    expect(journal.entries.map((entry) => entry.endpoint)).toEqual(["getToken", "sendByTemplate", "getSendResult", "sendByTemplate", "getSendResult"]);
    expect((await this.admin.inbox("u00001")).messages).toHaveLength(1);
    expect((await this.admin.inbox("u00011")).messages).toHaveLength(this.role === "a" ? 0 : 1);
    const tasks = (await (await fetch(`${this.base}/__admin/tasks`)).json()) as { tasks: unknown[] };
    expect(tasks.tasks).toHaveLength(2);
  }
}

/**
 * One of the two files: create this world, wait for the other file's, send,
 * wait until the other is done sending, then check this world holds nothing of the other's.
 */
export function describeParallelWorld(role: Role, other: Role): void {
  const scenario = new WorldScenario(role);
  describe(`world ${role} on a shared mock`, () => {
    beforeAll(async () => {
      await scenario.create();
      await waitForWorld(scenario.root, worldOf(other), `world ${other}'s file should be running too`);
    });
    // No clean-up: the other file may still be waiting for this one's worlds, and the mock process ends with the run.

    it("sends, hits only its own limits, and moves only its own clock", async () => {
      await scenario.act();
      await scenario.root.createWorld(`${worldOf(role)}-done`);
      await waitForWorld(scenario.root, `${worldOf(other)}-done`, `world ${other}'s file should finish its sends`);
      await scenario.expectUntouched();
    });
  });
}
