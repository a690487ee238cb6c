/**
 * What admitting a send costs: `admitSend` (worker/quota/admission.ts) over the
 * Durable Object's SQL store (worker/durable/sql-quota-store.ts) for 1 and for
 * 1,000 recipients, against two baselines measured in the same run:
 *
 *   memory    the same rules over MemoryQuotaStore: what the rules cost without SQL
 *   SELECT 1  one bare round-trip through the same SqlStorage adapter
 *
 * Inside workerd the clock does not advance during CPU work, so this runs in
 * Node, with SqlQuotaStore on node:sqlite through bench/node-sql-storage.ts
 * and the schema from worker/durable/schema.ts. Every admission takes the
 * normal path: fresh userids (no duplicate, no daily cap) and a fresh minute
 * window (the clock advances 61 s per admission). A benchmark, not a test: it
 * reports ratios between numbers of this run and asserts nothing about time.
 *
 * With --growth, a second part shows how the SQL cost of a 1,000-recipient
 * admission changes as one day's ledger grows: 400 admissions to the same
 * 10,000 employees in rotation, new content every time (so nothing is
 * suppressed), nothing emptied, on :memory: and on a WAL file in the temp
 * directory; p50 per block of 50 admissions.
 *
 * Usage: npm run bench:admission [-- --scale 0.2] [-- --reset-every 100] [-- --growth]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, platform, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { admitSend, type AdmissionRequest } from "../worker/quota/admission.ts";
import { MemoryQuotaStore } from "../worker/quota/memory-quota-store.ts";
import type { QuotaStore } from "../worker/quota/quota-store.ts";
import { migrate } from "../worker/durable/schema.ts";
import { SqlQuotaStore } from "../worker/durable/sql-quota-store.ts";
import { answered, LIMITS, now, stats, STEP_MS, T0, type Stats } from "./admission-setup.ts";
import { GROWTH_BLOCK, GROWTH_EMPLOYEES, runGrowth, type GrowthResult } from "./admission-growth.ts";
import { NodeSqlStorage } from "./node-sql-storage.ts";
import { fmtMs, fmtRatio, table } from "./report.ts";

const { values: args } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    rounds: { type: "string", default: "5" },
    "reset-every": { type: "string", default: "100" },
    growth: { type: "boolean", default: false },
  },
});
const SCALE = positive(args.scale!, "--scale");
const ROUNDS = Math.max(1, Math.round(positive(args.rounds!, "--rounds")));
/** The stores are emptied (untimed) every this many admissions, so state stays the same size for both. */
const RESET_EVERY = Math.max(1, Math.round(positive(args["reset-every"]!, "--reset-every")));

const FINGERPRINT = "0".repeat(64);

/** Timed admissions per case, over all rounds; warm-up comes on top. */
const ITERATIONS: Record<number, number> = { 1: 10_000, 1000: 1_000 };
const SELECT1_ITERATIONS = 20_000;
const WARMUP_FRACTION = 0.1;

interface Samples {
  name: string;
  ns: number[];
  statements?: number;
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a positive number, not "${text}"`);
  return value;
}

/** One store under test: how to admit on it (with its transaction) and how to empty it. */
interface Subject {
  label: string;
  admit(request: AdmissionRequest): ReturnType<typeof admitSend>;
  reset(): void;
  statements(): number;
  close(): void;
}

function memorySubject(): Subject {
  let store: QuotaStore = new MemoryQuotaStore();
  return {
    label: "memory",
    admit: (request) => answered(store, request.nowMs, admitSend(store, LIMITS, request)),
    reset: () => {
      store = new MemoryQuotaStore();
    },
    statements: () => 0,
    close: () => {},
  };
}

function sqlSubject(): Subject {
  const storage = new NodeSqlStorage();
  migrate(storage.asSqlStorage());
  const store = new SqlQuotaStore(storage.asSqlStorage());
  return {
    label: "sql",
    admit: (request) => storage.transactionSync(() => answered(store, request.nowMs, admitSend(store, LIMITS, request))),
    reset: () => {
      // Keeps the prepared statements, as a long-lived object would.
      storage.exec("DELETE FROM minute_window");
      storage.exec("DELETE FROM employee_day");
      storage.exec("DELETE FROM day_contents");
      storage.exec("DELETE FROM reservations");
    },
    statements: () => storage.stats.statements,
    close: () => storage.close(),
  };
}

/** A case: one subject and one recipient count, its own clock and its own fresh userids. */
class AdmissionCase {
  readonly samples: Samples;
  readonly #subject: Subject;
  readonly #recipients: number;
  #sequence = 0;
  #sinceReset = 0;
  #nowMs = T0;
  #statements = 0;
  #timed = 0;

  constructor(subject: Subject, recipients: number) {
    this.#subject = subject;
    this.#recipients = recipients;
    this.samples = { name: `${subject.label} ${recipients}`, ns: [] };
  }

  close(): void {
    this.#subject.close();
  }

  run(count: number, timed: boolean): void {
    for (let i = 0; i < count; i++) {
      if (this.#sinceReset >= RESET_EVERY) {
        this.#subject.reset();
        this.#sinceReset = 0;
      }
      const n = this.#sequence++;
      const userids = Array.from({ length: this.#recipients }, (_, k) => `b${n}x${k}`);
      this.#nowMs += STEP_MS;
      const request: AdmissionRequest = { reservationId: `r${n}`, userids, fingerprint: FINGERPRINT, nowMs: this.#nowMs };
      const statementsBefore = this.#subject.statements();
      const start = now();
      const admission = this.#subject.admit(request);
      const end = now();
      const statements = this.#subject.statements() - statementsBefore;
      this.#sinceReset += 1;
      // Untimed: prove it was the normal path, every recipient admitted.
      const admitted = admission.kind === "admitted" ? admission.chunks.reduce((sum, chunk) => sum + chunk.userids.length, 0) : -1;
      if (admitted !== this.#recipients || admission.suppressed.length > 0) {
        throw new Error(`${this.samples.name}: admission ${n} was ${admission.kind}, ${admitted} admitted, ${admission.suppressed.length} suppressed`);
      }
      if (timed) {
        this.samples.ns.push(Number(end - start));
        this.#statements += statements;
        this.#timed += 1;
      }
    }
    if (this.#timed > 0 && this.#subject.label === "sql") this.samples.statements = this.#statements / this.#timed;
  }
}

function runSelect1(storage: NodeSqlStorage, samples: Samples, count: number, timed: boolean): void {
  for (let i = 0; i < count; i++) {
    const start = now();
    const row = storage.exec<{ one: number }>("SELECT 1 AS one").one();
    const end = now();
    if (row.one !== 1) throw new Error("SELECT 1 did not answer 1");
    if (timed) samples.ns.push(Number(end - start));
  }
}

function runEmptyTransaction(storage: NodeSqlStorage, samples: Samples, count: number, timed: boolean): void {
  for (let i = 0; i < count; i++) {
    const start = now();
    storage.transactionSync(() => undefined);
    const end = now();
    if (timed) samples.ns.push(Number(end - start));
  }
}

const fmtUs = (us: number) => fmtMs(us / 1000);

async function main(): Promise<void> {
  const started = Date.now();
  const iterations = (n: number) => Math.max(ROUNDS, Math.round(n * SCALE));
  const memory1 = new AdmissionCase(memorySubject(), 1);
  const memory1000 = new AdmissionCase(memorySubject(), 1000);
  const sql1 = new AdmissionCase(sqlSubject(), 1);
  const sql1000 = new AdmissionCase(sqlSubject(), 1000);
  const cases = [
    { c: memory1, total: iterations(ITERATIONS[1]!) },
    { c: sql1, total: iterations(ITERATIONS[1]!) },
    { c: memory1000, total: iterations(ITERATIONS[1000]!) },
    { c: sql1000, total: iterations(ITERATIONS[1000]!) },
  ];

  const probe = new NodeSqlStorage();
  migrate(probe.asSqlStorage());
  const sqliteVersion = probe.exec<{ v: string }>("SELECT sqlite_version() AS v").one().v;
  const select1: Samples = { name: "SELECT 1", ns: [] };
  const emptyTx: Samples = { name: "BEGIN + COMMIT", ns: [] };
  const select1Total = iterations(SELECT1_ITERATIONS);

  console.log(
    `admission benchmark: node ${process.version}, SQLite ${sqliteVersion} (:memory:), ${ROUNDS} rounds, ` +
      `state emptied every ${RESET_EVERY} admissions, limits ${JSON.stringify(LIMITS)}`,
  );

  // Warm-up (JIT, statement cache), then the rounds: every case runs a slice
  // of its iterations per round, so drift (frequency, GC, heat) hits all alike.
  for (const { c, total } of cases) c.run(Math.max(1, Math.round(total * WARMUP_FRACTION)), false);
  runSelect1(probe, select1, Math.round(select1Total * WARMUP_FRACTION), false);
  runEmptyTransaction(probe, emptyTx, Math.round(select1Total * WARMUP_FRACTION), false);
  for (let round = 0; round < ROUNDS; round++) {
    runSelect1(probe, select1, Math.round(select1Total / ROUNDS), true);
    runEmptyTransaction(probe, emptyTx, Math.round(select1Total / ROUNDS), true);
    for (const { c, total } of cases) c.run(Math.round(total / ROUNDS), true);
  }

  const s = {
    select1: stats(select1.ns),
    emptyTx: stats(emptyTx.ns),
    memory1: stats(memory1.samples.ns),
    memory1000: stats(memory1000.samples.ns),
    sql1: stats(sql1.samples.ns),
    sql1000: stats(sql1000.samples.ns),
  };
  const ratio = (a: Stats, b: Stats) => ({ p50: a.p50Us / b.p50Us, p99: a.p99Us / b.p99Us });
  const ratios = {
    sql1000_vs_sql1: ratio(s.sql1000, s.sql1),
    memory1000_vs_memory1: ratio(s.memory1000, s.memory1),
    sql1_vs_memory1: ratio(s.sql1, s.memory1),
    sql1000_vs_memory1000: ratio(s.sql1000, s.memory1000),
    sql1_vs_select1: ratio(s.sql1, s.select1),
    sql1000_vs_select1: ratio(s.sql1000, s.select1),
  };

  const rows: [string, Stats, string, number | undefined][] = [
    ["SELECT 1 round-trip (baseline)", s.select1, "-", 1],
    ["BEGIN + COMMIT, empty", s.emptyTx, "-", undefined],
    ["memory, 1 recipient (baseline)", s.memory1, "-", undefined],
    ["memory, 1,000 recipients", s.memory1000, "-", undefined],
    ["sql, 1 recipient", s.sql1, sql1.samples.statements!.toFixed(0), undefined],
    ["sql, 1,000 recipients", s.sql1000, sql1000.samples.statements!.toFixed(0), undefined],
  ];
  console.log("\nPer admission (admitSend; sql includes its BEGIN/COMMIT):\n");
  console.log(
    table(
      ["case", "n", "p50", "p99", "mean", "min", "statements", "p50 / SELECT 1"],
      rows.map(([label, st, statements]) => [
        label,
        String(st.n),
        fmtUs(st.p50Us),
        fmtUs(st.p99Us),
        fmtUs(st.meanUs),
        fmtUs(st.minUs),
        statements,
        fmtRatio(st.p50Us / s.select1.p50Us),
      ]),
    ),
  );
  console.log("\nRatios (same run):\n");
  console.log(
    table(
      ["ratio", "p50", "p99"],
      [
        ["sql: 1,000 recipients vs 1", ratios.sql1000_vs_sql1],
        ["memory: 1,000 recipients vs 1", ratios.memory1000_vs_memory1],
        ["1 recipient: sql vs memory", ratios.sql1_vs_memory1],
        ["1,000 recipients: sql vs memory", ratios.sql1000_vs_memory1000],
        ["sql 1 recipient vs SELECT 1", ratios.sql1_vs_select1],
        ["sql 1,000 recipients vs SELECT 1", ratios.sql1000_vs_select1],
      ].map(([label, r]) => [label as string, fmtRatio((r as { p50: number }).p50), fmtRatio((r as { p99: number }).p99)]),
    ),
  );
  const perRecipient = {
    sqlUs: s.sql1000.p50Us / 1000,
    memoryUs: s.memory1000.p50Us / 1000,
  };
  console.log(
    `\nPer recipient at 1,000 (p50 / 1,000): sql ${fmtUs(perRecipient.sqlUs)}, memory ${fmtUs(perRecipient.memoryUs)}.` +
      ` Elapsed ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );

  let growth: GrowthResult[] | undefined;
  if (args.growth) {
    growth = [runGrowth("memory"), runGrowth("wal-file")];
    console.log(
      `\nGrowth: sql, 1,000 recipients, the same ${GROWTH_EMPLOYEES.toLocaleString("en-US")} employees in rotation, new content each time, ` +
        `nothing emptied; p50 per block of ${GROWTH_BLOCK} admissions:\n`,
    );
    console.log(
      table(
        ["database", ...growth[0]!.blockP50Us.map((_, i) => `${i * GROWTH_BLOCK + 1}–${(i + 1) * GROWTH_BLOCK}`), "last / first", "ledger rows at end (day, contents, reservations)"],
        growth.map((g) => [
          g.database,
          ...g.blockP50Us.map(fmtUs),
          fmtRatio(g.blockP50Us[g.blockP50Us.length - 1]! / g.blockP50Us[0]!),
          [g.rowsAtEnd.employee_day, g.rowsAtEnd.day_contents, g.rowsAtEnd.reservations].map((n) => n.toLocaleString("en-US")).join(" + "),
        ]),
      ),
    );
  }

  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `admission-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        benchmark: "admission",
        at: new Date().toISOString(),
        environment: { node: process.version, sqlite: sqliteVersion, database: ":memory:", platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model, cpus: cpus().length },
        config: { limits: LIMITS, rounds: ROUNDS, scale: SCALE, resetEvery: RESET_EVERY, clockStepMs: STEP_MS, warmupFraction: WARMUP_FRACTION },
        statementsPerAdmission: { sql1: sql1.samples.statements, sql1000: sql1000.samples.statements },
        stats: s,
        ratios,
        perRecipientP50Us: perRecipient,
        ...(growth ? { growth } : {}),
        elapsedMs: Date.now() - started,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Results: ${file}`);
  for (const { c } of cases) c.close();
  probe.close();
}

await main();
