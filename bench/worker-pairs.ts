/**
 * The sequential part of `npm run bench:worker`: the same send made to each
 * target in turn (the worker, the mock directly, the worker's 404, the worker
 * with verification), pair after pair, to the same recipients with fresh data
 * each time, so drift hits every target alike; and the statistics of a phase.
 */
import { percentiles } from "./report.ts";
import type { Recipients, Target } from "./worker-targets.ts";

export interface Stats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

function stats(ms: readonly number[]): Stats {
  const { n, p50, p99, mean, min, max } = percentiles(ms);
  return { n, p50Ms: p50, p99Ms: p99, meanMs: mean, minMs: min, maxMs: max };
}

function halves(ms: readonly number[]): [number, number] {
  const middle = Math.floor(ms.length / 2);
  if (middle === 0) return [stats(ms).p50Ms, stats(ms).p50Ms];
  return [stats(ms.slice(0, middle)).p50Ms, stats(ms.slice(middle)).p50Ms];
}

export interface PhaseResult {
  recipients: number;
  pairsPlanned: number;
  pairsMeasured: number;
  stoppedByBudget: boolean;
  worker: Stats;
  direct: Stats;
  /** The 404 probe, measured within the same pairs. */
  ingress: Stats;
  /** The same send with delivery verification. */
  verified: Stats;
  /** Median of the per-pair differences (verified − worker). */
  verificationPairedMedianMs: number;
  addedP50Ms: number;
  addedP99Ms: number;
  /** Median of the per-pair differences (worker − direct), robust to drift. */
  addedPairedMedianMs: number;
  ratioP50: number;
  ratioP99: number;
  /** Worker p50 of the first and the second half of the pairs: does the object slow down as its tables grow? */
  workerP50Halves: [number, number];
  directP50Halves: [number, number];
}

let sequence = 0;
const nextData = () => {
  sequence += 1;
  return { name: `bench-${sequence}`, name2: `order ${sequence}` };
};

export async function pairs(targets: Target[], recipients: Recipients, size: number, planned: number, budgetMs: number, record: boolean) {
  const samples = { worker: [] as number[], verified: [] as number[], direct: [] as number[], ingress: [] as number[], diff: [] as number[], verifyDiff: [] as number[] };
  const started = performance.now();
  let stoppedByBudget = false;
  for (let i = 0; i < planned; i++) {
    if (performance.now() - started > budgetMs) {
      stoppedByBudget = true;
      break;
    }
    const userids = recipients.take(size);
    // Rotate who goes first, so none always follows another's work on the mock.
    const order = [...targets.slice(i % targets.length), ...targets.slice(0, i % targets.length)];
    const times: Record<string, number> = {};
    for (const target of order) times[target.name] = await target.send(userids, nextData());
    if (record) {
      samples.worker.push(times.worker!);
      samples.direct.push(times.direct!);
      samples.ingress.push(times.ingress!);
      samples.verified.push(times.verified!);
      samples.diff.push(times.worker! - times.direct!);
      samples.verifyDiff.push(times.verified! - times.worker!);
    }
  }
  return { samples, stoppedByBudget };
}

/** One measured phase: `planned` pairs of `size` recipients (fewer if `budgetMs` ends it), summed up. */
export async function measurePairs(targets: Target[], recipients: Recipients, size: number, planned: number, budgetMs: number): Promise<PhaseResult> {
  const { samples, stoppedByBudget } = await pairs(targets, recipients, size, planned, budgetMs, true);
  const w = stats(samples.worker);
  const d = stats(samples.direct);
  return {
    recipients: size,
    pairsPlanned: planned,
    pairsMeasured: samples.worker.length,
    stoppedByBudget,
    worker: w,
    direct: d,
    ingress: stats(samples.ingress),
    verified: stats(samples.verified),
    verificationPairedMedianMs: stats(samples.verifyDiff).p50Ms,
    addedP50Ms: w.p50Ms - d.p50Ms,
    addedP99Ms: w.p99Ms - d.p99Ms,
    addedPairedMedianMs: stats(samples.diff).p50Ms,
    ratioP50: w.p50Ms / d.p50Ms,
    ratioP99: w.p99Ms / d.p99Ms,
    workerP50Halves: halves(samples.worker),
    directP50Halves: halves(samples.direct),
  };
}
