/**
 * Whether a send costs more once a busy day is stored (issue 15, goal 2), in
 * workerd's own SQLite: the object's send path (bench/object-send-path.ts)
 * on two real objects' storage, one fresh and one holding 1,000,000
 * recipients (a busy app's day: 1,000-recipient sends a minute apart). What workerd counts for each send
 * (`cursor.rowsRead`, `rowsWritten`: what Cloudflare bills, and what grows
 * if any statement scans a table) must stay within 1.25× of the fresh
 * object's. The times (mean per send, in blocks timed whole, the objects
 * taking turns) are kept in the test's meta for `npm run bench:storage` to
 * print; nothing asserts on them.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { benchUsers, MINUTE_APART_MS, ObjectSendPath } from "../../bench/object-send-path.ts";

/** Blocks of sends per object, after a warm-up block each. */
const ROUNDS = 15;

interface SendCost {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  /** Rows the alarm's pruning read after the send (it runs every few minutes, not per send). */
  pruneRowsRead: number;
  ms: number;
}

interface CostReport {
  storedRecipients: number;
  storedRows: number;
  fillMs: number;
  /** Per size: each object's counts (median) and mean time per send, and the median of the rounds' busy/fresh time ratios. */
  sends: Record<"thousand" | "one", { fresh: SendCost; busy: SendCost; timeRatio: number }>;
}

/** The object's send path over `sql`, with every statement's cursor kept so a send's reads and writes can be summed. */
function countingPath(storage: DurableObjectStorage, name: string): { path: ObjectSendPath; cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] } {
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  const sql = {
    exec: (query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = storage.sql.exec(query, ...bindings);
      cursors.push(cursor);
      return cursor;
    },
  } as unknown as SqlStorage;
  return { path: new ObjectSendPath(sql, (closure) => storage.transactionSync(closure), name), cursors };
}

/** Sends to `count` groups of `size` new employees from `from` on, the alarm's pruning after each; each send's counts, and the time of all. */
async function sendBlock(path: ObjectSendPath, cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[], size: number, from: number, count: number): Promise<{ counts: Omit<SendCost, "ms">[]; ms: number }> {
  const counts: Omit<SendCost, "ms">[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    cursors.length = 0;
    await path.send(benchUsers(from + i * size, size));
    const send = { rowsRead: sum(cursors, "rowsRead"), rowsWritten: sum(cursors, "rowsWritten"), statements: cursors.length };
    cursors.length = 0;
    path.prune();
    counts.push({ ...send, pruneRowsRead: sum(cursors, "rowsRead") });
  }
  return { counts, ms: performance.now() - started };
}

const sum = (cursors: readonly SqlStorageCursor<Record<string, SqlStorageValue>>[], count: "rowsRead" | "rowsWritten") => cursors.reduce((total, cursor) => total + cursor[count], 0);
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe("a send's cost against what the object stores", () => {
  const stored = 1_000_000;

  it(`reads and writes no more after ${stored.toLocaleString("en-US")} recipients than on a fresh object`, { timeout: 900_000 }, async ({ task }) => {
    // Each object's storage is used only inside that object (workerd refuses I/O across objects).
    const busyStub = env.CORP_APP_SENDER.getByName("history/busy");
    const freshStub = env.CORP_APP_SENDER.getByName("history/fresh");
    const busy = await runInDurableObject(busyStub, (_, state) => countingPath(state.storage, "busy"));
    const fresh = await runInDurableObject(freshStub, (_, state) => countingPath(state.storage, "fresh"));
    busy.path.stepMs = fresh.path.stepMs = MINUTE_APART_MS;
    const fillMs = await runInDurableObject(busyStub, async () => {
      // A busy day: 1,000-recipient sends over 20,000 employees (50 messages each, under the cap of 100).
      const started = performance.now();
      for (let sent = 0; sent < stored; sent += 1_000) {
        await busy.path.send(benchUsers(((sent / 1_000) % 20) * 1_000 + 1, 1_000));
        busy.path.prune();
        busy.cursors.length = 0;
      }
      return performance.now() - started;
    });
    fresh.path.nowMs = busy.path.nowMs;
    // workerd's clock reads whole milliseconds: blocks of sends are timed, the two objects taking turns.
    const sends = { thousand: {}, one: {} } as CostReport["sends"];
    for (const [size, key, perBlock] of [[1_000, "thousand", 4], [1, "one", 100]] as const) {
      const counts = { fresh: [] as Omit<SendCost, "ms">[], busy: [] as Omit<SendCost, "ms">[] };
      const ms = { fresh: [] as number[], busy: [] as number[] };
      for (let round = -1; round < ROUNDS; round++) {
        for (const [stub, side, name] of [[freshStub, fresh, "fresh"], [busyStub, busy, "busy"]] as const) {
          const from = (size === 1 ? 900_000 : 100_000) + (round + 1) * perBlock * size;
          const block = await runInDurableObject(stub, () => sendBlock(side.path, side.cursors, size, from, perBlock));
          // Round -1 warms both up (statements prepared, JIT) and is not counted.
          if (round < 0) continue;
          counts[name].push(...block.counts);
          ms[name].push(block.ms);
        }
      }
      for (const name of ["fresh", "busy"] as const) {
        sends[key][name] = {
          rowsRead: median(counts[name].map((c) => c.rowsRead)),
          rowsWritten: median(counts[name].map((c) => c.rowsWritten)),
          statements: median(counts[name].map((c) => c.statements)),
          pruneRowsRead: median(counts[name].map((c) => c.pruneRowsRead)),
          ms: ms[name].reduce((sum, block) => sum + block, 0) / counts[name].length,
        };
      }
      sends[key].timeRatio = median(ms.busy.map((busyMs, round) => busyMs / ms.fresh[round]!));
    }
    const storedRows = await runInDurableObject(busyStub, () => busy.path.rows());
    const report: CostReport = { storedRecipients: stored, storedRows, fillMs, sends };
    (task.meta as { historyCost?: CostReport }).historyCost = report;

    // The history is there: a send leaves rows the next one could have had to scan.
    expect(report.storedRows).toBeGreaterThan(stored / 1_000);
    for (const size of ["thousand", "one"] as const) {
      const { fresh, busy } = report.sends[size];
      expect(fresh.rowsRead, `${size}: a send reads something`).toBeGreaterThan(0);
      expect(busy.statements, `${size}: the same statements`).toBe(fresh.statements);
      expect(busy.rowsRead / fresh.rowsRead, `${size}: rows read, busy over fresh`).toBeLessThanOrEqual(1.25);
      expect(busy.rowsWritten / fresh.rowsWritten, `${size}: rows written, busy over fresh`).toBeLessThanOrEqual(1.25);
      // The alarm's pruning reads what it deletes, not the day's rows (the whole reservations table before schema version 4).
      expect(busy.pruneRowsRead, `${size}: rows the pruning read`).toBeLessThanOrEqual(fresh.pruneRowsRead * 1.25 + 2);
    }
  });
});
