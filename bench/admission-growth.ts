/**
 * The growth part of bench/admission.bench.ts (`--growth`): how the SQL cost
 * of a 1,000-recipient admission moves as one day's ledger fills up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../worker/durable/schema.ts";
import { SqlQuotaStore } from "../worker/durable/sql-quota-store.ts";
import { admitSend } from "../worker/quota/admission.ts";
import { answered, LIMITS, now, stats, STEP_MS, T0 } from "./admission-setup.ts";
import { NodeSqlStorage } from "./node-sql-storage.ts";

export const GROWTH_ADMISSIONS = 400;
export const GROWTH_BLOCK = 50;
export const GROWTH_EMPLOYEES = 10_000;

export interface GrowthResult {
  database: string;
  /** p50 of each block of GROWTH_BLOCK admissions, in order. */
  blockP50Us: number[];
  rowsAtEnd: { employee_day: number; day_contents: number; reservations: number };
}

/** One day's ledger filling up: the same employees in rotation, new content each admission, nothing emptied. */
export function runGrowth(database: "memory" | "wal-file"): GrowthResult {
  const dir = database === "wal-file" ? mkdtempSync(join(tmpdir(), "dingtalk-edge-admission-")) : undefined;
  const storage = new NodeSqlStorage(dir ? join(dir, "object.sqlite") : ":memory:");
  try {
    if (dir) {
      storage.exec("PRAGMA journal_mode = WAL");
      storage.exec("PRAGMA synchronous = NORMAL");
    }
    migrate(storage.asSqlStorage());
    const store = new SqlQuotaStore(storage.asSqlStorage());
    const blockP50Us: number[] = [];
    let block: number[] = [];
    let nowMs = T0;
    for (let i = 0; i < GROWTH_ADMISSIONS; i++) {
      nowMs += STEP_MS;
      const userids = Array.from({ length: 1000 }, (_, k) => `u${String(((i * 1000 + k) % GROWTH_EMPLOYEES) + 1).padStart(5, "0")}`);
      const fingerprint = (i + 1).toString(16).padStart(64, "0");
      const start = now();
      const admission = storage.transactionSync(() => answered(store, nowMs, admitSend(store, LIMITS, { reservationId: `g${i}`, userids, fingerprint, nowMs })));
      const end = now();
      if (admission.kind !== "admitted" || admission.suppressed.length > 0) throw new Error(`growth admission ${i} was ${admission.kind}, ${admission.suppressed.length} suppressed`);
      block.push(Number(end - start));
      if (block.length === GROWTH_BLOCK) {
        blockP50Us.push(stats(block).p50Us);
        block = [];
      }
    }
    const count = (table: string) => storage.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return { database: dir ? "WAL file (synchronous=NORMAL)" : ":memory:", blockP50Us, rowsAtEnd: { employee_day: count("employee_day"), day_contents: count("day_contents"), reservations: count("reservations") } };
  } finally {
    storage.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
