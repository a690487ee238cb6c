/**
 * Benchmark of the mock DingTalk's Node server (startMockServer) against a
 * bare Hono route on @hono/node-server, measured in the same run.
 *
 *   npm run bench                 the full run (about 40 s)
 *   npm run bench -- --quick      shorter phases, for a smoke check (noisier)
 *   npm run bench -- --profile    also write V8 CPU profiles of every child process (bench/results/profiles/)
 *
 * Two measurements, each for one recipient and for 1,000 recipients:
 *   1. Server time: `app.fetch(request)` timed in-process, one call at a time
 *      (bench/server-time.ts, its own process per target and size).
 *   2. HTTP load (bench/mock-http-load.ts): both servers in their own processes (bench/serve-target.ts),
 *      driven over keep-alive loopback connections by bench/load-generator.ts
 *      in alternating rounds, so a noisy second hits both: requests per second
 *      and latency under load, then latency over one connection.
 * Results are ratios to the baseline; the goals are reported, never enforced.
 * See bench/README.md for how to read the output.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LatencySummary } from "./load-generator.ts";
import { measureHttp, type HttpRun } from "./mock-http-load.ts";
import { BENCH_MOCK_SETTINGS, type TargetName } from "./mock-targets.ts";
import { children, machineBusyShare, nextMessage, runBench, waitForExit } from "./child-processes.ts";
import { alignColumns, fmtMs, fmtRatio } from "./report.ts";
import type { ServerTimeResult } from "./server-time.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
  strict: true,
});
const scale = flags.quick ? 0.25 : 1;

/** Every loop is bounded by a count and a time. */
const PLAN = {
  sizes: [1, 1000],
  targets: ["baseline", "mock"] as TargetName[],
  serverTime: {
    warmupMs: 500 * scale,
    bySize: {
      1: { maxMs: 2000 * scale, maxIterations: 100_000 },
      1000: { maxMs: 3000 * scale, maxIterations: 10_000 },
    } as Record<number, { maxMs: number; maxIterations: number }>,
  },
  http: {
    connections: 16,
    warmupMs: 1000 * scale,
    /** Load rounds per target, alternating baseline and mock. */
    rounds: 5,
    roundMs: 1000 * scale,
    maxRequestsPerRound: 200_000,
    /** Latency over a single connection: answer time plus loopback, without queueing. */
    idle: { connections: 1, durationMs: 1000 * scale, maxRequests: 50_000 },
  },
} as const;

const GOALS = {
  oneRecipientSendsPerSecond: 10_000,
  thousandRecipientServerP50Ms: 2,
};

const CHILD_EXEC_ARGV = ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"];
const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
const PROFILE_DIR = `${RESULTS_DIR}profiles`;

/** The whole run must end; this is far above its planned length. */
const WATCHDOG_MS = 180_000;

// ------------------------------------------------------------ child processes


function spawnChild(script: string, args: string[], label: string): ChildProcess {
  const execArgv = [...CHILD_EXEC_ARGV];
  if (flags.profile) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${label}-${process.pid}.cpuprofile`);
  }
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

// ---------------------------------------------------------------- server time

async function measureServerTime(target: TargetName, recipients: number): Promise<ServerTimeResult> {
  const { maxMs, maxIterations } = PLAN.serverTime.bySize[recipients]!;
  const child = spawnChild(
    "./server-time.ts",
    [target, String(recipients), String(PLAN.serverTime.warmupMs), String(maxMs), String(maxIterations)],
    `server-time-${target}-${recipients}`,
  );
  const result = await nextMessage<ServerTimeResult>(child, "server-time", 30_000 + PLAN.serverTime.warmupMs + maxMs);
  await waitForExit(child, 5_000);
  return result;
}

// ---------------------------------------------------------------- formatting

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

function fmtShare(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

function sizeLabel(recipients: number): string {
  return recipients === 1 ? "1 recipient" : `${fmtInt(recipients)} recipients`;
}

function latencyRows(label: string, baseline: LatencySummary, mock: LatencySummary): string[][] {
  return [
    [`${label} p50`, fmtMs(baseline.p50Ms), fmtMs(mock.p50Ms), fmtRatio(mock.p50Ms / baseline.p50Ms)],
    [`${label} p99`, fmtMs(baseline.p99Ms), fmtMs(mock.p99Ms), fmtRatio(mock.p99Ms / baseline.p99Ms)],
  ];
}

// ---------------------------------------------------------------------- run

async function main(): Promise<void> {
  const startedAt = new Date();
  const runStart = performance.now();
  const cpus = os.cpus();
  const busy = await machineBusyShare(500);

  console.log(`mock DingTalk Node server vs bare Hono baseline   ${startedAt.toISOString()}`);
  console.log(`node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}${flags.quick ? "   (--quick: shorter phases, noisier numbers)" : ""}`);
  console.log(`mock settings: ${JSON.stringify(BENCH_MOCK_SETTINGS)}`);
  console.log("  (the silent limits are lifted: every recipient takes the normal delivery path, none is throttled)");
  console.log("sends: agent 123, template e27a9eed42b34a14a2xxxx, recipients rotating over u00001…u10000; traffic to 127.0.0.1 only");
  if (busy > 0.1) {
    console.log(`WARNING: just before the run, other processes kept the machine ${fmtShare(busy)} busy (all ${cpus.length} cores); expect noisy numbers`);
  }
  console.log("");

  const serverTime: ServerTimeResult[] = [];
  for (const recipients of PLAN.sizes) {
    for (const target of PLAN.targets) {
      process.stdout.write(`server time   ${target.padEnd(8)} ${sizeLabel(recipients)} … `);
      const result = await measureServerTime(target, recipients);
      serverTime.push(result);
      console.log(`${fmtInt(result.iterations)} calls, p50 ${fmtMs(result.latency.p50Ms)}`);
    }
  }
  const http: HttpRun[] = [];
  for (const recipients of PLAN.sizes) {
    process.stdout.write(`HTTP load     ${sizeLabel(recipients)}, ${PLAN.http.rounds} rounds each … `);
    const runs = await measureHttp({ ...PLAN.http, targets: PLAN.targets }, spawnChild, recipients);
    http.push(...runs);
    console.log(runs.map((r) => `${r.target} ${fmtInt(r.requestsPerSecond)} req/s`).join(", "));
  }

  const st = (target: TargetName, recipients: number) => serverTime.find((r) => r.target === target && r.recipients === recipients)!;
  const hr = (target: TargetName, recipients: number) => http.find((r) => r.target === target && r.recipients === recipients)!;

  console.log("");
  console.log("Server time: app.fetch(request) in-process, one call at a time (no socket, no HTTP parsing)");
  const stRows: string[][] = [["", "baseline", "mock", "mock / baseline"]];
  for (const recipients of PLAN.sizes) {
    const b = st("baseline", recipients);
    const m = st("mock", recipients);
    stRows.push([`${sizeLabel(recipients)} (${fmtInt(b.iterations)} baseline, ${fmtInt(m.iterations)} mock calls)`, "", "", ""]);
    stRows.push(...latencyRows("  server time", b.latency, m.latency));
    stRows.push(["  server time mean", fmtMs(b.latency.meanMs), fmtMs(m.latency.meanMs), fmtRatio(m.latency.meanMs / b.latency.meanMs)]);
    const bCap = (b.iterations * 1000) / b.timedMs;
    const mCap = (m.iterations * 1000) / m.timedMs;
    stRows.push(["  calls/s if the app did nothing else", fmtInt(bCap), fmtInt(mCap), fmtRatio(mCap / bCap)]);
    stRows.push(["  drift: mean of last ¼ / first ¼ of calls", `${b.drift.toFixed(2)}×`, `${m.drift.toFixed(2)}×`, ""]);
  }
  console.log(alignColumns(stRows));

  console.log("");
  console.log(
    `HTTP: each server in its own process; ${PLAN.http.connections} keep-alive loopback connections, closed loop; ` +
      `${(PLAN.http.warmupMs / 1000).toFixed(1)} s warm-up, then ${PLAN.http.rounds} rounds of ${(PLAN.http.roundMs / 1000).toFixed(1)} s ` +
      `alternating baseline and mock, then ${(PLAN.http.idle.durationMs / 1000).toFixed(1)} s over 1 connection`,
  );
  const httpRows: string[][] = [["", "baseline", "mock", "mock / baseline"]];
  for (const recipients of PLAN.sizes) {
    const b = hr("baseline", recipients);
    const m = hr("mock", recipients);
    const range = (r: HttpRun) => `${fmtInt(Math.min(...r.roundRequestsPerSecond))}–${fmtInt(Math.max(...r.roundRequestsPerSecond))}`;
    httpRows.push([sizeLabel(recipients), "", "", ""]);
    httpRows.push(["  requests/s (median of rounds)", fmtInt(b.requestsPerSecond), fmtInt(m.requestsPerSecond), fmtRatio(m.requestsPerSecond / b.requestsPerSecond)]);
    httpRows.push(["  requests/s (slowest–fastest round)", range(b), range(m), ""]);
    httpRows.push(...latencyRows(`  latency, ${PLAN.http.connections} conns,`, b.latency, m.latency));
    httpRows.push(...latencyRows("  latency, 1 conn,", b.idleLatency, m.idleLatency));
    httpRows.push(["  server CPU per request", fmtMs(b.serverCpuPerRequestMs), fmtMs(m.serverCpuPerRequestMs), fmtRatio(m.serverCpuPerRequestMs / b.serverCpuPerRequestMs)]);
    httpRows.push(["  server event loop busy", fmtShare(b.serverElu), fmtShare(m.serverElu), ""]);
    httpRows.push(["  server process CPU (of one core)", fmtShare(b.serverCpuShare), fmtShare(m.serverCpuShare), ""]);
    httpRows.push(["  server RSS at the end", `${fmtInt(b.serverRssMb)} MB`, `${fmtInt(m.serverRssMb)} MB`, ""]);
  }
  console.log(alignColumns(httpRows));

  // Every answer must be a success, and the mock must have delivered to every recipient.
  const problems: string[] = [];
  for (const r of serverTime) {
    if (r.errors > 0) problems.push(`server time ${r.target} ${sizeLabel(r.recipients)}: ${r.errors} failed calls, first: ${r.firstError}`);
    if (r.mock && (r.mock.forbidden > 0 || r.mock.failed > 0 || r.mock.invalid > 0 || r.mock.delivered !== r.iterations * r.recipients)) {
      problems.push(`server time mock ${sizeLabel(r.recipients)}: expected ${r.iterations * r.recipients} deliveries, mock recorded ${JSON.stringify(r.mock)}`);
    }
  }
  for (const r of http) {
    if (r.errors > 0) problems.push(`HTTP ${r.target} ${sizeLabel(r.recipients)}: ${r.errors} failed requests, first: ${r.firstError}`);
    const c = r.mockCheck;
    if (c && (c.forbidden > 0 || c.failed > 0 || c.invalid > 0 || c.delivered !== c.expectedDeliveries)) {
      problems.push(`HTTP mock ${sizeLabel(r.recipients)}: expected ${c.expectedDeliveries} deliveries, mock recorded ${JSON.stringify(c)}`);
    }
  }
  const delivered = http.reduce((sum, r) => sum + (r.mockCheck?.delivered ?? 0), 0) + serverTime.reduce((sum, r) => sum + (r.mock?.delivered ?? 0), 0);
  console.log("");
  console.log(
    problems.length === 0
      ? `delivery check: every answer was errcode 0; the mock delivered all ${fmtInt(delivered)} recipients, none throttled or failed`
      : `MEASUREMENT INVALID:\n  ${problems.join("\n  ")}`,
  );
  for (const r of http) {
    const where = `${r.target}, ${sizeLabel(r.recipients)}`;
    if (r.serverElu < 0.85) {
      console.log(`note (${where}): the server's event loop was busy only ${fmtShare(r.serverElu)} of the load rounds; the load generator, not the server, set that requests/s`);
    } else if (r.serverCpuShare < 0.75 * r.serverElu) {
      console.log(`note (${where}): the server was busy ${fmtShare(r.serverElu)} but on a core only ${fmtShare(r.serverCpuShare)}: it shared the cores with the load generator and the kernel`);
    }
  }

  const oneRps = hr("mock", 1).requestsPerSecond;
  const thousandP50 = st("mock", 1000).latency.p50Ms;
  const goals = [
    {
      goal: `≥ ${fmtInt(GOALS.oneRecipientSendsPerSecond)} one-recipient sends/s over HTTP, server on one core`,
      measured: `${fmtInt(oneRps)}/s`,
      met: oneRps >= GOALS.oneRecipientSendsPerSecond,
    },
    {
      goal: `1,000-recipient send under ${GOALS.thousandRecipientServerP50Ms} ms of server time at p50`,
      measured: fmtMs(thousandP50),
      met: thousandP50 < GOALS.thousandRecipientServerP50Ms,
    },
  ];
  console.log("");
  console.log("Goals (reported, not enforced)");
  console.log(alignColumns(goals.map((g) => [`  ${g.goal}`, g.measured, g.met ? "met" : "MISSED"])));

  const elapsedS = (performance.now() - runStart) / 1000;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}mock-server-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`;
  const ratio = (recipients: number) => {
    const [sb, sm, hb, hm] = [st("baseline", recipients), st("mock", recipients), hr("baseline", recipients), hr("mock", recipients)];
    return {
      recipients,
      serverTimeP50: sm.latency.p50Ms / sb.latency.p50Ms,
      serverTimeP99: sm.latency.p99Ms / sb.latency.p99Ms,
      requestsPerSecond: hm.requestsPerSecond / hb.requestsPerSecond,
      loadLatencyP50: hm.latency.p50Ms / hb.latency.p50Ms,
      loadLatencyP99: hm.latency.p99Ms / hb.latency.p99Ms,
      oneConnectionLatencyP50: hm.idleLatency.p50Ms / hb.idleLatency.p50Ms,
      oneConnectionLatencyP99: hm.idleLatency.p99Ms / hb.idleLatency.p99Ms,
      serverCpuPerRequest: hm.serverCpuPerRequestMs / hb.serverCpuPerRequestMs,
    };
  };
  const report = {
    startedAt: startedAt.toISOString(),
    elapsedSeconds: elapsedS,
    quick: flags.quick,
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim(),
      machineBusyBeforeRun: busy,
      loadAverage: os.loadavg(),
    },
    mockSettings: BENCH_MOCK_SETTINGS,
    plan: PLAN,
    serverTime,
    http,
    ratios: PLAN.sizes.map(ratio),
    goals,
    problems,
  };
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  console.log("");
  console.log(`results: ${file}   (${elapsedS.toFixed(1)} s)`);
  if (flags.profile) console.log(`CPU profiles of the child processes (open in Chrome DevTools or speedscope): ${PROFILE_DIR}`);
  // Goals never fail the run; a run that did not measure the delivery path does.
  if (problems.length > 0) process.exitCode = 1;
}

await runBench(main, WATCHDOG_MS);
