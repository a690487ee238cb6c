/**
 * The drain over the object's own SQL stores (node:sqlite), with a vendor
 * whose every call takes four seconds of a clock the test owns: what a long
 * drain does to a retry of a lost send near midnight.
 */
import { describe, expect, it } from "vitest";
import { NodeSqlStorage } from "../../bench/node-sql-storage.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { NotificationLog } from "../durable/notification-log.ts";
import { migrate } from "../durable/schema.ts";
import { SqlQuotaStore } from "../durable/sql-quota-store.ts";
import { drainQueue, type DrainDependencies } from "./queue-drain.ts";

/** 23:59:00 China time. */
const BEFORE_MIDNIGHT = Date.parse("2026-11-25T15:59:00Z");

function world() {
  const storage = new NodeSqlStorage();
  const sql = storage.asSqlStorage();
  migrate(sql);
  const log = new NotificationLog(sql);
  const quota = new SqlQuotaStore(sql);
  const clock = { now: BEFORE_MIDNIGHT };
  const sent: { userids: string[]; atMs: number }[] = [];
  const client = {
    sendByTemplate: async (request: { userid_list: string }) => {
      clock.now += 4_000;
      sent.push({ userids: request.userid_list.split(","), atMs: clock.now });
      return { errcode: 0, errmsg: "ok", task_id: sent.length };
    },
  } as unknown as DingTalkClient;
  const tx = <T>(fn: () => T) => storage.transactionSync(fn);
  const deps: DrainDependencies = {
    client,
    agentId: 1,
    appKind: "internal",
    quota,
    queue: log,
    limits: { recipientsPerMinute: 1_000_000, dailyMessagesPerEmployee: 100, recipientsPerSend: 100, windowMs: 60_000, clockSkewGuardMs: 2_000 },
    transaction: tx,
    release: (id) => tx(() => quota.release(id)),
    settle: (id) => tx(() => quota.settle(id, clock.now + 2_000)),
    writeTurn: () => Promise.resolve(),
    now: () => clock.now,
    clockSkewGuardMs: 2_000,
    vendorTimeoutMs: 10_000,
    maxSendsPerDrain: 20,
    maxAttempts: 8,
    retryDelayMs: () => 1_000,
    verifyAfterMs: 5_000,
  };
  const queue = (id: string, userids: string[]) =>
    tx(() => log.create({ id, createdAtMs: clock.now, templateId: "t", data: { id }, fingerprint: `f-${id}`, invalidDepartments: [], verify: true }, userids.map((userid) => ({ userid, status: "queued" as const }))));
  return { deps, log, clock, sent, queue, tx, storage };
}

describe("a drain that reaches midnight", () => {
  it("does not send a retry of a lost send whose turn comes after the vendor's midnight, though the drain began before", async () => {
    const { deps, log, clock, sent, queue, tx } = world();
    queue("ahead", Array.from({ length: 1_900 }, (_, i) => `a${i}`));
    queue("lost", ["u1"]);
    // u1's earlier send, today, lost its answer: its retry is safe only today.
    tx(() => log.update("lost", [{ userid: "u1", status: "queued", attempts: 1, mayHaveBeenSent: true, lastError: { message: "HTTP 502" } }], { uncertainDay: "2026-11-25" }));

    await drainQueue(deps);
    // 19 calls of 4 s: the drain ran past 00:00 China time.
    expect(clock.now).toBeGreaterThan(BEFORE_MIDNIGHT + 60_000);
    expect(sent.flatMap((s) => s.userids)).not.toContain("u1");
    expect(log.record("lost", { corpId: "c", agentId: 1 })!.recipients[0]).toMatchObject({ userid: "u1", status: "uncertain" });
    // The rest went out.
    expect(log.record("ahead", { corpId: "c", agentId: 1 })!.summary).toMatchObject({ sent: 1_900, queued: 0 });
  });

  it("marks a send made near midnight so that, cut short by a restart, it is not retried", async () => {
    const { deps, log, clock, queue, tx, storage } = world();
    clock.now = BEFORE_MIDNIGHT + 50_000; // 23:59:50: the call may reach the vendor after its midnight
    queue("late", ["u2"]);
    const client = deps.client;
    // The object stops in the middle of the call: it never answers.
    deps.client = { sendByTemplate: () => new Promise(() => {}) } as unknown as DingTalkClient;
    void drainQueue(deps);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(storage.exec<{ status: string; attempt_day: string }>("SELECT status, attempt_day FROM recipient_groups").toArray()).toEqual([
      { status: "sending", attempt_day: "midnight" },
    ]);
    // The restart, on the next day.
    expect(tx(() => log.requeueInterrupted("2026-11-26"))).toBe(1);
    deps.client = client;
    clock.now = BEFORE_MIDNIGHT + 120_000;
    await drainQueue(deps);
    expect(log.record("late", { corpId: "c", agentId: 1 })!.recipients[0]).toMatchObject({ userid: "u2", status: "uncertain" });
    expect(log.record("late", { corpId: "c", agentId: 1 })!.recipients[0]).toMatchObject({ error: { message: expect.stringContaining("around 00:00") } });
  });
});

describe("a drain stopped by an error that is not the vendor's answer", () => {
  it("puts the chunks it took back in the queue reading only those chunks, not the whole request", async () => {
    const { deps, log, queue, storage } = world();
    queue("big", Array.from({ length: 100_000 }, (_, i) => `u${i}`));
    let failed = false;
    // A missing suite ticket, say: thrown on the way to the first call.
    deps.client = {
      sendByTemplate: async () => {
        failed = true;
        throw new Error("no suite ticket");
      },
    } as unknown as DingTalkClient;
    // Members of the groups read once the call failed: what putting the chunks back costs.
    let membersRead = 0;
    const exec = storage.exec.bind(storage);
    storage.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = exec(query, ...bindings);
      if (!failed || !query.includes("FROM recipient_groups")) return cursor;
      const rows = cursor.toArray() as { userids?: string }[];
      for (const row of rows) if (row.userids) membersRead += row.userids.split(",").length;
      return { ...cursor, toArray: () => rows, one: () => rows[0], [Symbol.iterator]: () => rows[Symbol.iterator]() };
    }) as typeof storage.exec;

    await expect(drainQueue(deps)).rejects.toThrow("no suite ticket");
    // 20 chunks of 100 were taken; the other 98,000 recipients never moved.
    expect(membersRead).toBeLessThanOrEqual(2_000);
    expect(storage.exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipient_groups WHERE status <> 'queued'").one().n).toBe(0);
    expect(log.record("big", { corpId: "c", agentId: 1 })!.summary).toMatchObject({ queued: 100_000 });
  });
});

describe("a drain that took chunks of several requests, stopped by an error that is not the vendor's answer", () => {
  it("gives back the later requests' chunks too: no recipient left sending, no window place held", async () => {
    const { deps, log, queue, storage } = world();
    queue("first", ["a0"]);
    queue("second", ["b0"]);
    deps.client = {
      sendByTemplate: async () => {
        throw new Error("no suite ticket");
      },
    } as unknown as DingTalkClient;
    await expect(drainQueue(deps)).rejects.toThrow("no suite ticket");
    // Left "sending", b0 would wait for a restart and then count as possibly delivered; its
    // in-flight window place would hold room no send uses until then.
    expect(storage.exec<{ status: string; n: number }>("SELECT status, SUM(members) AS n FROM recipient_groups GROUP BY status").toArray()).toEqual([{ status: "queued", n: 2 }]);
    expect(storage.exec<{ n: number }>("SELECT COUNT(*) AS n FROM minute_window").one().n).toBe(0);
    expect(log.record("second", { corpId: "c", agentId: 1 })!.recipients).toEqual([{ userid: "b0", status: "queued" }]);
  });
});
