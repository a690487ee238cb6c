/**
 * Sustained load on the mock DingTalk's Node server (issue 15, goals 6 and 7):
 * 32 keep-alive connections sending 1,000-recipient sends for 60 s, against a
 * bare Hono route that parses the same body, in the same run.
 *
 *   npm run bench:sustained                     the full run (about 2 minutes)
 *   npm run bench:sustained -- --duration 20    a shorter mock phase (the goals are stated for 60 s)
 *   npm run bench:sustained -- --skip-retained  only the load phases
 *   npm run bench:sustained -- --retained-only  only the retained-state phase
 *
 * Phases, each bounded in time and count, traffic to 127.0.0.1 only:
 *   1. Retained state (bench/retained-state.ts, its own process, --expose-gc):
 *      heap bytes each recipient of a kept task costs, realistic sends (some
 *      recipients forbidden) and delivered-to-all sends, against the bytes the
 *      world reports (`GET /__admin/worlds/:name`).
 *   2. Baseline (bench/serve-target.ts baseline-parse), `--baseline` seconds.
 *   3. Mock (serve-target.ts mock, silent limits lifted so nothing is dropped),
 *      `--duration` seconds; answers counted per second, RSS sampled each second
 *      and its peak read from getrusage at the end.
 *   4. Baseline again, so a machine that got busier or quieter in between shows.
 * Goals are reported next to the figures, never enforced; a run whose answers
 * were not all successful deliveries prints MEASUREMENT INVALID and exits 1.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { children, machineBusyShare, nextMessage, readyTarget, runBench, waitForExit } from "./child-processes.ts";
import { buildRequest, runLoad, summarise, type LoadResult } from "./load-generator.ts";
import { BENCH_MOCK_SETTINGS, isSendOk, sendBodies, type TargetName } from "./mock-targets.ts";
import { alignColumns, fmtMs, fmtRatio } from "./report.ts";
import type { RetainedStateResult } from "./retained-state.ts";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    baseline: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    recipients: { type: "string", default: "1000" },
    window: { type: "string", default: "10" },
    "skip-retained": { type: "boolean", default: false },
    "retained-only": { type: "boolean", default: false },
  },
  strict: true,
});

const PLAN = {
  durationS: whole(flags.duration, "--duration"),
  baselineS: whole(flags.baseline, "--baseline"),
  connections: whole(flags.connections, "--connections"),
  recipients: whole(flags.recipients, "--recipients"),
  /** First and last this many seconds of the mock phase are compared. */
  windowS: whole(flags.window, "--window"),
  /** No phase sends more than this, whatever its duration. */
  maxRequestsPerSecond: 50_000,
};
if (PLAN.windowS * 2 > PLAN.durationS) fail(`--window ${PLAN.windowS} needs a --duration of at least ${PLAN.windowS * 2}`);

const GOALS = {
  bytesPerRecipient: 64,
  lastOverFirst: 0.9,
  rssMb: 500,
  overBaseline: 0.4,
};

const CHILD_EXEC_ARGV = ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"];
const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
const WATCHDOG_MS = (PLAN.durationS + 2 * PLAN.baselineS + 180) * 1000;

interface Stats {
  type: "stats";
  cpu: { user: number; system: number };
  rssBytes: number;
  heapUsedBytes: number;
  maxRssBytes: number;
  mock?: { tasks: number; delivered: number; forbidden: number; failed: number; invalid: number };
}

function spawn(script: string, args: string[], execArgv: string[] = []): ChildProcess {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: [...CHILD_EXEC_ARGV, ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

interface Phase {
  target: TargetName;
  load: LoadResult;
  rssSamplesMb: number[];
  end: Stats;
  cpuMs: number;
}

/** One target in its own process, loaded for `seconds`; RSS sampled once a second while it runs. */
async function runPhase(target: TargetName, seconds: number): Promise<Phase> {
  const child = spawn("./serve-target.ts", [target]);
  try {
    const { url, sendPath } = await readyTarget(child, target);
    const requests = sendBodies(PLAN.recipients).map((body) => buildRequest(sendPath, body));
    const stats = (withMock = false) => {
      child.send({ type: "stats", withMock });
      return nextMessage<Stats>(child, "stats", 30_000);
    };
    const before = await stats();
    const rssSamplesMb: number[] = [];
    // A busy server answers the sample late; one outstanding at a time.
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void stats()
        .then((s) => rssSamplesMb.push(s.rssBytes / 2 ** 20))
        .catch(() => undefined)
        .finally(() => (sampling = false));
    }, 1000);
    const load = await runLoad({
      port: Number(url.port),
      requests,
      connections: PLAN.connections,
      durationMs: seconds * 1000,
      maxRequests: PLAN.maxRequestsPerSecond * seconds,
      check: isSendOk,
      bucketMs: 1000,
    });
    clearInterval(sampler);
    while (sampling) await new Promise((resolve) => setTimeout(resolve, 20));
    const end = await stats(true);
    child.send({ type: "close" });
    await waitForExit(child, 10_000);
    const cpuMs = (end.cpu.user + end.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    return { target, load, rssSamplesMb, end, cpuMs };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function measureRetained(): Promise<RetainedStateResult> {
  const child = spawn("./retained-state.ts", [], ["--expose-gc", "--max-old-space-size=4096"]);
  const result = await nextMessage<RetainedStateResult>(child, "retained-state", 300_000);
  await waitForExit(child, 5_000);
  return result;
}

/** Answers per second over whole seconds [from, to) of a phase. */
function rate(buckets: number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += buckets[i] ?? 0;
  return sum / (to - from);
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const cpus = os.cpus();
  const busy = await machineBusyShare(500);
  console.log(`mock DingTalk under sustained load   ${startedAt.toISOString()}`);
  console.log(`node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${fmtInt(os.totalmem() / 2 ** 30)} GiB`);
  console.log(
    `${PLAN.connections} keep-alive connections, ${fmtInt(PLAN.recipients)}-recipient sends (u00001…u10000 in blocks), ` +
      `mock ${PLAN.durationS} s, baseline ${PLAN.baselineS} s before and after; traffic to 127.0.0.1 only`,
  );
  console.log(`mock settings: ${JSON.stringify(BENCH_MOCK_SETTINGS)} (silent limits lifted for the load; phase 1 keeps them)`);
  if (busy > 0.1) console.log(`WARNING: just before the run, other processes kept the machine ${Math.round(busy * 100)}% busy; expect noisy numbers`);
  console.log("");

  let retained: RetainedStateResult | undefined;
  if (!flags["skip-retained"]) {
    process.stdout.write("retained state per recipient (in-process, heap and array buffers after full GCs) … ");
    retained = await measureRetained();
    console.log("done");
  }
  if (retained && flags["retained-only"]) {
    printRetained(retained);
    return;
  }
  process.stdout.write(`baseline-parse ${PLAN.baselineS} s … `);
  const before = await runPhase("baseline-parse", PLAN.baselineS);
  console.log(`${fmtInt(before.load.requestsPerSecond)}/s`);
  process.stdout.write(`mock ${PLAN.durationS} s … `);
  const mock = await runPhase("mock", PLAN.durationS);
  console.log(`${fmtInt(mock.load.requestsPerSecond)}/s`);
  process.stdout.write(`baseline-parse ${PLAN.baselineS} s … `);
  const after = await runPhase("baseline-parse", PLAN.baselineS);
  console.log(`${fmtInt(after.load.requestsPerSecond)}/s`);

  const problems: string[] = [];
  for (const phase of [before, mock, after]) {
    if (phase.load.errors > 0) problems.push(`${phase.target}: ${phase.load.errors} failed requests, first: ${phase.load.firstError}`);
  }
  const check = mock.end.mock;
  const expected = mock.load.completed * PLAN.recipients;
  if (!check || check.delivered !== expected || check.forbidden + check.failed + check.invalid > 0) {
    problems.push(`mock: expected ${expected} deliveries, the mock recorded ${JSON.stringify(check)}`);
  }

  const buckets = mock.load.buckets!;
  const first = rate(buckets, 0, PLAN.windowS);
  const last = rate(buckets, PLAN.durationS - PLAN.windowS, PLAN.durationS);
  const baselineRate = (before.load.requestsPerSecond + after.load.requestsPerSecond) / 2;
  const mockRate = mock.load.requestsPerSecond;
  const peakRssMb = mock.end.maxRssBytes / 2 ** 20;
  const latency = summarise(mock.load.samples, mock.load.samples.length);
  const baselineLatency = summarise(before.load.samples, before.load.samples.length);

  console.log("");
  console.log("Throughput, per second of the mock phase (answers/s):");
  for (let s = 0; s < PLAN.durationS; s += 10) {
    console.log(`  ${String(s).padStart(3)}–${String(Math.min(PLAN.durationS, s + 10)).padEnd(3)} s  ${buckets.slice(s, Math.min(PLAN.durationS, s + 10)).map((n) => String(n).padStart(5)).join(" ")}`);
  }
  console.log(`  RSS samples (MB, about one a second): ${mock.rssSamplesMb.map((mb) => Math.round(mb)).join(" ")}`);
  console.log("");
  const rows: string[][] = [["", "baseline-parse", "mock", "mock / baseline"]];
  rows.push(["sends/s, whole phase", `${fmtInt(before.load.requestsPerSecond)} / ${fmtInt(after.load.requestsPerSecond)}`, fmtInt(mockRate), fmtRatio(mockRate / baselineRate)]);
  rows.push([`sends/s, first ${PLAN.windowS} s`, "", fmtInt(first), ""]);
  rows.push([`sends/s, last ${PLAN.windowS} s`, "", fmtInt(last), fmtRatio(last / baselineRate)]);
  rows.push(["latency p50", fmtMs(baselineLatency.p50Ms), fmtMs(latency.p50Ms), ""]);
  rows.push(["latency p99", fmtMs(baselineLatency.p99Ms), fmtMs(latency.p99Ms), ""]);
  rows.push(["latency max", fmtMs(baselineLatency.maxMs), fmtMs(latency.maxMs), ""]);
  rows.push(["server CPU per send", fmtMs(before.cpuMs / before.load.completed), fmtMs(mock.cpuMs / mock.load.completed), ""]);
  rows.push(["server RSS peak (getrusage)", `${fmtInt(before.end.maxRssBytes / 2 ** 20)} MB`, `${fmtInt(peakRssMb)} MB`, ""]);
  rows.push(["server heap used at the end", `${fmtInt(before.end.heapUsedBytes / 2 ** 20)} MB`, `${fmtInt(mock.end.heapUsedBytes / 2 ** 20)} MB`, ""]);
  rows.push(["tasks sent (taskLimit keeps the newest 10,000)", "", fmtInt(check?.tasks ?? NaN), ""]);
  console.log(alignColumns(rows));

  if (retained) printRetained(retained);

  console.log("");
  console.log(problems.length === 0 ? `delivery check: every answer was errcode 0; the mock delivered all ${fmtInt(expected)} recipients` : `MEASUREMENT INVALID:\n  ${problems.join("\n  ")}`);
  const goals: { goal: string; measured: string; met: boolean }[] = [];
  if (retained) {
    const worst = Math.max(...retained.rows.map((row) => row.heapBytesPerRecipient));
    goals.push({ goal: `6. retained task state ≤ ${GOALS.bytesPerRecipient} B per recipient (worst case above)`, measured: `${worst.toFixed(1)} B`, met: worst <= GOALS.bytesPerRecipient });
  }
  goals.push(
    { goal: `7. last ${PLAN.windowS} s ≥ ${GOALS.lastOverFirst}× first ${PLAN.windowS} s`, measured: `${fmtRatio(last / first)} (${fmtInt(last)} / ${fmtInt(first)} per s)`, met: last / first >= GOALS.lastOverFirst },
    { goal: `7. mock RSS < ${GOALS.rssMb} MB`, measured: `${fmtInt(peakRssMb)} MB peak`, met: peakRssMb < GOALS.rssMb },
    { goal: `7. throughput ≥ ${GOALS.overBaseline}× the bare route that parses the body`, measured: `${fmtRatio(mockRate / baselineRate)} (${fmtInt(mockRate)} / ${fmtInt(baselineRate)} per s)`, met: mockRate / baselineRate >= GOALS.overBaseline },
  );
  if (PLAN.durationS !== 60 || PLAN.connections !== 32 || PLAN.recipients !== 1000) {
    console.log(`note: the goals are stated for 60 s, 32 connections, 1,000 recipients; this run used ${PLAN.durationS} s, ${PLAN.connections}, ${PLAN.recipients}`);
  }
  console.log("");
  console.log("Goals (reported, not enforced)");
  console.log(alignColumns(goals.map((g) => [`  ${g.goal}`, g.measured, g.met ? "met" : "MISSED"])));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}sustained-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`;
  const strip = (phase: Phase) => ({ ...phase, load: { ...phase.load, samples: undefined } });
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        environment: { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model.trim(), totalMemBytes: os.totalmem(), machineBusyBeforeRun: busy },
        plan: PLAN,
        mockSettings: BENCH_MOCK_SETTINGS,
        retained,
        phases: [before, mock, after].map(strip),
        figures: { first, last, baselineRate, mockRate, peakRssMb, latency },
        goals,
        problems,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nresults: ${file}`);
  if (problems.length > 0) process.exitCode = 1;
}

function printRetained(retained: RetainedStateResult): void {
  console.log("");
  console.log(`Retained state: ${retained.description}`);
  const rows: string[][] = [["", "heap per recipient", "reported per recipient", "reported / heap"]];
  for (const row of retained.rows) {
    rows.push([`  ${row.label}`, `${row.heapBytesPerRecipient.toFixed(1)} B`, `${row.reportedBytesPerRecipient.toFixed(1)} B`, fmtRatio(row.reportedBytesPerRecipient / row.heapBytesPerRecipient)]);
  }
  console.log(alignColumns(rows));
  for (const note of retained.notes) console.log(`  ${note}`);
  const worst = Math.max(...retained.rows.map((row) => row.heapBytesPerRecipient));
  console.log(`  goal 6: ≤ ${GOALS.bytesPerRecipient} B per recipient: ${worst.toFixed(1)} B at worst, ${worst <= GOALS.bytesPerRecipient ? "met" : "MISSED"}`);
}

function whole(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`${flag} must be a whole number of at least 1, not "${text}"`);
  return value;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

await runBench(main, WATCHDOG_MS);
