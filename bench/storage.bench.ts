/**
 * What one (corp, app) object stores and writes per recipient, and whether a
 * send costs more once a busy day is stored (issue 15, goals 1 and 2): the
 * object's own send path (worker/send/send-notification.ts with the SQL quota
 * store and the notification log of worker/durable/) over node:sqlite through
 * bench/node-sql-storage.ts, with a vendor that answers every send at once.
 *
 *   footprint  10 synchronous sends of 1,000 recipients (the same employees,
 *              new content each time): rows and bytes stored per recipient,
 *              rows changed per recipient per send
 *   history    a 1,000-recipient and a 1-recipient send on a fresh object and
 *              after 1,000,000 recipients are stored (a busy app's day),
 *              p50 of each and the median ratio of pairs (the two objects
 *              take turns, so load on the machine hits both); sends a minute apart, with the
 *              window pruned as the alarm does, so the window itself holds
 *              what one minute would and only the stored history differs
 *
 * Rows changed are SQLite's own count (table rows; index entries are not
 * counted). What Cloudflare bills, workerd's `rowsWritten` with index entries
 * included, is read inside workerd: this bench runs
 * worker/test/rows-written.worker.test.ts (the real object, ten sends of
 * 1,000 through the worker) and worker/test/history-cost.worker.test.ts (the
 * same send path as here on two real objects' SQLite, fresh and after
 * 1,000,000 recipients: rows read and written per send, the pruning's rows
 * read, and times) and prints the figures those tests measured.
 * Bytes are the database's pages beyond those of the empty schema. A
 * benchmark, not a test: it prints figures next to the goals and asserts nothing.
 *
 * Usage: npm run bench:storage [-- --stored 1000000] [-- --samples 30]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchUsers as users, MINUTE_APART_MS, ObjectSendPath } from "./object-send-path.ts";
import { NodeSqlStorage } from "./node-sql-storage.ts";
import { fmtMs, fmtRatio, percentiles, table } from "./report.ts";

const { values: args } = parseArgs({
  options: {
    stored: { type: "string", default: "1000000" },
    samples: { type: "string", default: "30" },
  },
});
const STORED = Number(args.stored);
const SAMPLES = Number(args.samples);

/** The object's send path on its own node:sqlite database. */
class BenchObject extends ObjectSendPath {
  readonly storage: NodeSqlStorage;

  constructor(storage = new NodeSqlStorage()) {
    super(storage.asSqlStorage(), (closure) => storage.transactionSync(closure));
    this.storage = storage;
  }

  changes(): number {
    return this.storage.exec<{ n: number }>("SELECT total_changes() AS n").one().n;
  }
}


async function footprint(verifyDelivery: boolean) {
  const object = new BenchObject();
  const emptyBytes = object.storage.databaseSize;
  const rowsBefore = object.rows();
  let changed = 0;
  for (let i = 0; i < 10; i++) {
    const before = object.changes();
    await object.send(users(1, 1_000), verifyDelivery);
    changed += object.changes() - before;
  }
  const recipients = 10 * 1_000;
  const result = {
    rowsPerRecipient: (object.rows() - rowsBefore) / recipients,
    bytesPerRecipient: (object.storage.databaseSize - emptyBytes) / recipients,
    rowsChangedPerRecipientPerSend: changed / recipients,
  };
  object.storage.close();
  return result;
}

/** One timed send (the alarm's pruning after it, untimed). */
async function timedSend(object: BenchObject, userIds: readonly string[]): Promise<number> {
  const start = performance.now();
  await object.send(userIds);
  const elapsed = performance.now() - start;
  object.prune();
  return elapsed;
}

/** Fresh and busy take turns, so machine load and drift hit both alike. */
async function paired(fresh: BenchObject, busy: BenchObject, size: number, from: number): Promise<{ fresh: number; busy: number; ratio: number }> {
  const samples = { fresh: [] as number[], busy: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < SAMPLES; i++) {
    const userIds = users(from + ((i * size) % 100_000), size);
    const [first, second] = i % 2 === 0 ? [fresh, busy] : [busy, fresh];
    const a = await timedSend(first, userIds);
    const b = await timedSend(second, userIds);
    const [f, bz] = first === fresh ? [a, b] : [b, a];
    samples.fresh.push(f);
    samples.busy.push(bz);
    samples.ratios.push(bz / f);
  }
  return { fresh: percentiles(samples.fresh).p50, busy: percentiles(samples.busy).p50, ratio: percentiles(samples.ratios).p50 };
}

async function history() {
  const fresh = new BenchObject();
  const busy = new BenchObject();
  fresh.stepMs = busy.stepMs = MINUTE_APART_MS;
  const started = performance.now();
  // A busy day: 1,000-recipient sends over 20,000 employees (50 messages each, under the cap of 100).
  for (let stored = 0; stored < STORED; stored += 1_000) await timedSend(busy, users(((stored / 1_000) % 20) * 1_000 + 1, 1_000));
  const fillMs = performance.now() - started;
  fresh.nowMs = busy.nowMs;
  await paired(fresh, busy, 1_000, 500_000); // warm-up: statements prepared, JIT
  const thousand = await paired(fresh, busy, 1_000, 600_000);
  const one = await paired(fresh, busy, 1, 700_000);
  const storedRows = busy.rows();
  fresh.storage.close();
  busy.storage.close();
  return { thousand, one, fillMs, storedRows };
}

interface WorkerdSendCost {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  pruneRowsRead: number;
  ms: number;
}

interface WorkerdFigures {
  /** Rows written per recipient per send: worker/test/rows-written.worker.test.ts. */
  written: { plain: number; verified: number };
  /** A send's cost fresh and after 1,000,000 recipients, in a real object's SQLite: worker/test/history-cost.worker.test.ts. */
  history: { storedRecipients: number; storedRows: number; fillMs: number; sends: Record<"thousand" | "one", { fresh: WorkerdSendCost; busy: WorkerdSendCost; timeRatio: number }> };
}

/** workerd's own counts, from the tests that measure them (they fail past the goals; the figures are in their meta). */
function workerdFigures(): WorkerdFigures {
  const output = path.join(os.tmpdir(), `storage-workerd-${process.pid}.json`);
  const files = ["worker/test/rows-written.worker.test.ts", "worker/test/history-cost.worker.test.ts"];
  const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", ...files, "--reporter=json", `--outputFile=${output}`], { encoding: "utf8" });
  try {
    type Meta = { rowsWrittenPerRecipient?: number; historyCost?: WorkerdFigures["history"] };
    const report = JSON.parse(readFileSync(output, "utf8")) as { testResults: { assertionResults: { title: string; status: string; meta?: Meta }[] }[] };
    const figures = report.testResults.flatMap((file) => file.assertionResults);
    const failed = figures.filter((test) => test.status !== "passed");
    if (failed.length > 0) throw new Error(`failed: ${failed.map((test) => test.title).join("; ")}`);
    const written = (verified: boolean) => figures.find((test) => test.title.includes(verified ? "(delivery verified)" : "not verified"))?.meta?.rowsWrittenPerRecipient ?? Number.NaN;
    const history = figures.find((test) => test.meta?.historyCost)?.meta?.historyCost;
    if (!history) throw new Error("the history-cost test left no figures");
    return { written: { plain: written(false), verified: written(true) }, history };
  } catch (error) {
    throw new Error(`the workerd tests did not report (exit ${run.status}): ${run.stderr.slice(-2_000)}`, { cause: error });
  } finally {
    rmSync(output, { force: true });
  }
}

const workerd = workerdFigures();
const written = workerd.written;
const plain = await footprint(false);
const verified = await footprint(true);
console.log(`storage benchmark: node ${process.version}; the object's send path on node:sqlite (:memory:)\n`);
console.log("Footprint after 10 synchronous sends of 1,000 recipients (same employees, new content each):\n");
console.log(
  table(
    ["figure", "goal", "delivery not verified", "verified (tasks of 100)"],
    [
      ["rows stored per recipient", "≤ 1.2", plain.rowsPerRecipient.toFixed(2), verified.rowsPerRecipient.toFixed(2)],
      ["bytes stored per recipient", "≤ 120", plain.bytesPerRecipient.toFixed(0), verified.bytesPerRecipient.toFixed(0)],
      ["rows changed per recipient per send (tables only, node:sqlite)", "", plain.rowsChangedPerRecipientPerSend.toFixed(2), verified.rowsChangedPerRecipientPerSend.toFixed(2)],
      ["rows written per recipient per send (workerd's rowsWritten, indexes included)", "≤ 1.5", written.plain.toFixed(3), written.verified.toFixed(3)],
    ],
  ),
);
const h = await history();
console.log(`\nCost of a send against what is stored (${h.storedRows.toLocaleString("en-US")} rows after ${STORED.toLocaleString("en-US")} recipients, filled in ${(h.fillMs / 1000).toFixed(1)} s), p50 of ${SAMPLES}:\n`);
console.log(
  table(
    ["send", "fresh object", `after ${STORED.toLocaleString("en-US")} recipients`, "ratio (median of pairs)", "goal"],
    [
      ["1,000 recipients", fmtMs(h.thousand.fresh), fmtMs(h.thousand.busy), fmtRatio(h.thousand.ratio), "≤ 1.25×"],
      ["1 recipient", fmtMs(h.one.fresh), fmtMs(h.one.busy), fmtRatio(h.one.ratio), "≤ 1.25×"],
    ],
  ),
);
const w = workerd.history;
console.log(
  `\nThe same in workerd (the object's SQLite; ${w.storedRows.toLocaleString("en-US")} rows after ${w.storedRecipients.toLocaleString("en-US")} recipients, filled in ${(w.fillMs / 1000).toFixed(1)} s). ` +
    "Counts are workerd's per send (median); times are means of blocks timed whole (workerd's clock reads whole ms), the ratio the median of 15 rounds:\n",
);
console.log(
  table(
    ["send", "rows read fresh / busy", "rows written fresh / busy", "statements", "pruning's rows read fresh / busy", "time fresh", "time busy", "ratio", "goal"],
    (["thousand", "one"] as const).map((size) => {
      const { fresh, busy, timeRatio } = w.sends[size];
      return [
        size === "thousand" ? "1,000 recipients" : "1 recipient",
        `${fresh.rowsRead} / ${busy.rowsRead}`,
        `${fresh.rowsWritten} / ${busy.rowsWritten}`,
        `${fresh.statements} / ${busy.statements}`,
        `${fresh.pruneRowsRead} / ${busy.pruneRowsRead}`,
        fmtMs(fresh.ms),
        fmtMs(busy.ms),
        fmtRatio(timeRatio),
        "≤ 1.25×",
      ];
    }),
  ),
);
