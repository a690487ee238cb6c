/**
 * No statement the objects run scans a table (issue 15, goal 2: a send's
 * cost, and an alarm's, must not grow with what is stored). Every statement
 * a broad day of work runs (synchronous, verified, queued and idempotent
 * sends, departments, the drain, verification, a restart, pruning) is
 * recorded as workerd runs it, then put to SQLite's `EXPLAIN QUERY PLAN` in
 * the object that ran it: a plan that reads a whole table fails the test.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../durable/schema.ts";
import { TEST_API_KEYS } from "./credentials.ts";
import { getNotification, onRealTime, postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/948060598");
const callerKeys = () => env.IDEMPOTENCY_KEYS.getByName(`api-key:${TEST_API_KEYS[0].id}`);
const DAY_MS = 24 * 60 * 60 * 1000;

/** Migrations rewrite whole tables once, by design; the statements of a day's work may not. */
const MIGRATION_STATEMENTS = new Set(MIGRATIONS.flat());

type Exec = SqlStorage["exec"];

/**
 * Records the text of every statement any object in this isolate runs, by
 * wrapping SqlStorage's `exec` where every object's `ctx.storage.sql` finds it.
 */
async function recordStatements(): Promise<{ statements: Set<string>; stop(): Promise<void> }> {
  const statements = new Set<string>();
  const original = await runInDurableObject(sender(), (_, state) => {
    const prototype = Object.getPrototypeOf(state.storage.sql) as { exec: Exec };
    const exec = prototype.exec;
    prototype.exec = function (this: SqlStorage, query: string, ...bindings: SqlStorageValue[]) {
      statements.add(query);
      return exec.call(this, query, ...bindings);
    } as Exec;
    return exec;
  });
  return {
    statements,
    stop: () =>
      runInDurableObject(sender(), (_, state) => {
        (Object.getPrototypeOf(state.storage.sql) as { exec: Exec }).exec = original;
      }),
  };
}

/** What SQLite would do for `query` in the object whose tables it names; undefined if neither has them. */
async function planOf(query: string): Promise<string[] | undefined> {
  for (const stub of [sender(), callerKeys()] as DurableObjectStub[]) {
    const plan = await runInDurableObject(stub, (_, state) => {
      try {
        // workerd wants every parameter bound; the plan does not depend on the values.
        const parameters = new Array<null>(query.split("?").length - 1).fill(null);
        return [...state.storage.sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...parameters)].map((row) => row.detail);
      } catch {
        return undefined;
      }
    });
    if (plan) return plan;
  }
  return undefined;
}

/** The partial indexes of both objects: each holds only the rows its WHERE names (the queue, the sends in flight). */
async function partialIndexes(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const stub of [sender(), callerKeys()] as DurableObjectStub[]) {
    const rows = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'").toArray(),
    );
    for (const { name } of rows) names.add(name);
  }
  return names;
}

/**
 * The plan steps that read a whole table. Allowed: a statement's own VALUES
 * rows, virtual tables (json_each of its bindings), the schema table, the few
 * fixed rows of `meta`, an `EXISTS (SELECT 1 FROM t)` probe (it stops at the
 * first row), an index read in order and stopped by LIMIT, a partial index,
 * and the rows of a subquery in FROM (its own steps are in the plan, and checked).
 */
function wholeTableReads(query: string, plan: readonly string[], partial: ReadonlySet<string>): string[] {
  return plan.filter((step) => {
    const scanned = /^SCAN (\S+)/.exec(step)?.[1];
    if (!scanned) return false;
    // A statement's own VALUES rows read as "N-ROW VALUES CLAUSE", or "N CONSTANT ROWS" when a row holds a subquery.
    if (/^SCAN (\d+-ROW VALUES CLAUSE|\d+ CONSTANT ROWS|\(subquery-\d+\))$/.test(step) || /VIRTUAL TABLE/.test(step) || ["sqlite_master", "meta", "CONSTANT"].includes(scanned)) return false;
    if (query.includes(`EXISTS (SELECT 1 FROM ${scanned})`)) return false;
    const index = /USING (?:COVERING )?INDEX (\w+)/.exec(step)?.[1];
    if (index && (partial.has(index) || /\bLIMIT\b/i.test(query))) return false;
    return true;
  });
}

describe("query plans", () => {
  const world = useMockDingTalk();
  let recorder: Awaited<ReturnType<typeof recordStatements>>;
  beforeEach(async () => {
    recorder = await recordStatements();
  });
  afterEach(async () => {
    await recorder.stop();
  });

  it("no statement of a day's work reads a whole table", async () => {
    const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      postNotification({ templateId: TEMPLATE_ID, data: { name: String(Math.random()), name2: "" }, ...body }, headers);
    expect((await send({ userIds: users(1, 1_000) })).status).toBe(201);
    expect((await send({ userIds: users(1, 300), verifyDelivery: true })).status).toBe(201);
    expect((await send({ userIds: ["u00001"], deptIds: [2001] })).status).toBe(201);
    const keyed = { userIds: users(1, 20), data: { name: "keyed", name2: "" } };
    const first = await send(keyed, { "idempotency-key": "plans-1" });
    expect((await send(keyed, { "idempotency-key": "plans-1" })).headers.get("idempotency-replayed")).toBe("true");
    expect((await getNotification(first.body.id)).status).toBe(200);
    const queued = await send({ userIds: users(2_001, 6_000) }, { prefer: "respond-async" });
    expect(queued.body.summary.queued).toBeGreaterThan(0);
    // Refused behind the queue: its Retry-After counts the queued recipients due.
    expect((await send({ userIds: ["123"] })).status).toBe(429);
    // A restart: the object's start-up statements run again.
    await onRealTime(() => evictDurableObject(sender()));
    for (let minute = 0; minute < 3; minute++) {
      await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
      await runDurableObjectAlarm(sender());
    }
    expect((await getNotification(queued.body.id)).body.summary.queued).toBe(0);
    // Past retention: the alarms prune the ledger, the records, the directory and the keys.
    // This runtime fires alarms by the real clock while the objects read the mock's, which
    // is days behind: an alarm set for a mock time is due at once and may have run by itself.
    // Whoever ran it, its pruning statements must be among those recorded (checked below).
    await world.mock.admin.advanceClock(8 * DAY_MS);
    await runDurableObjectAlarm(sender());
    await runDurableObjectAlarm(callerKeys());

    // Reads and writes of rows; the schema statements (CREATE … IF NOT EXISTS at start-up) touch no rows.
    const daily = [...recorder.statements].filter((query) => !MIGRATION_STATEMENTS.has(query) && /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(query));
    // The flow reached the parts it claims to: sends, the queue, verification, pruning, the keys.
    for (const part of ["INSERT INTO recipient_groups", "FROM notification_tasks WHERE verify_at_ms", "DELETE FROM reservations", "department_cache", "DELETE FROM idempotency_keys WHERE created_at_ms"]) {
      expect(daily.some((query) => query.includes(part)), part).toBe(true);
    }
    const partial = await partialIndexes();
    expect(partial.size, "the queue's partial indexes exist").toBeGreaterThan(0);
    const offenders: { query: string; reads: string[] }[] = [];
    for (const query of daily) {
      const plan = await planOf(query);
      expect(plan, `no object knows the tables of: ${query}`).toBeDefined();
      const reads = wholeTableReads(query, plan!, partial);
      if (reads.length > 0) offenders.push({ query: query.replace(/\s+/g, " "), reads });
    }
    expect(offenders).toEqual([]);
  }, 60_000);
});
