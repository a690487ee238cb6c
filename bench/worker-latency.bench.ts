/**
 * What the worker adds to a send: sequential POST /v1/notifications to the
 * worker in `wrangler dev`, wired to the Node mock, against the same send made
 * directly to the mock's sendbytemplate, measured in the same run.
 *
 *   worker   POST http://127.0.0.1:<port>/v1/notifications (default app: the
 *            third-party app 948060598; the worker gets its own token), with
 *            a throw-away API key made for the run (API_KEYS gets its SHA-256)
 *   direct   POST <mock>/topapi/message/corpconversation/sendbytemplate with a
 *            /gettoken token of the internal app 123, fetched once
 *
 * Both for 1 and for 1,000 recipients, rotating over u00001…u10000, with
 * distinct data every request (data.name carries a counter) so no duplicate
 * rule suppresses anything. Worker and direct requests take turns, pair by pair,
 * to the same recipients, so drift hits both alike. The mock's silent limits
 * and QPS limit are lifted, as are the worker's (RECIPIENTS_PER_MINUTE,
 * DAILY_MESSAGES_PER_EMPLOYEE), so every request takes the normal path; any
 * other answer aborts the run.
 *
 * Only 127.0.0.1; bounded in count and time (about a minute); wrangler is
 * stopped at the end and on any error. A benchmark, not a test: it reports
 * ratios and differences between numbers of this run, and asserts no time.
 *
 * Each pair also carries a third request, which reads how much of the
 * difference is wrangler dev's ingress alone: GET of an unknown route, answered
 * 404 by the worker's own app without touching the Durable Object or the mock.
 * And a fourth, the same send with `"verifyDelivery": true` (chunks of 100,
 * each task's getsendresult read by the alarm afterwards), against which the
 * worker's plain send (`"verifyDelivery": false`) shows what verification costs;
 * the vendor calls it adds are counted in the mock's journal at the end. The
 * worker's pacing to 20 calls/s is lifted with the mock's QPS limit, or
 * back-to-back sends would measure the pacing, not the work.
 *
 * Last, throughput under concurrency (issue 15, goal 3): 32 keep-alive
 * connections sending 1-recipient sends to one object (each to a fresh
 * employee with fresh data) for a few seconds, against the same 32
 * connections asking the ingress-only 404, in the same run.
 *
 * Both concurrency phases also read, from /proc, the CPU each process used
 * per request (wrangler's Node, its proxy workerd, the workerd running the
 * worker and its objects, and this process, which is the client and the mock):
 * on a 2-core machine they share the cores, so requests/s is a property of
 * all of them, and the worker's own share is what the code can change.
 *
 * wrangler dev's local observability (on by default since wrangler 4.1xx) is
 * turned off (X_LOCAL_OBSERVABILITY=false) unless `--local-observability`:
 * it streams every invocation's spans, one per SQL statement, to a collector
 * running in the worker's own workerd, which writes them to its SQLite. That
 * costs a send about 25 spans against the 404's one, on the same thread as
 * the worker; deployed workers pay nothing like it in the request.
 *
 * `--cpu-profile FILE`: a CPU profile of the worker's isolate over the 32-client
 * phase, unminified (bench/worker-cpu-profile.ts); that run's CPU is not one to compare.
 *
 * `--connections N`: the clients of the throughput phases (32, goal 3's, by default).
 * Run with more to see whether a rate is held back by each request's time in
 * flight rather than by CPU: it rises with them only then.
 *
 * Then the floor (bench/worker-floor.ts): a worker doing only the I/O a send
 * cannot do without, in its own wrangler dev with the same clients; its ratio
 * says how much room the platform leaves the code. `--skip-floor` skips it.
 *
 * Usage: npm run bench:worker [-- --pairs-1 600] [-- --pairs-1000 200] [-- --connections 32] [-- --skip-floor] [-- --local-observability] [-- --cpu-profile FILE] [-- --verbose]
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startMockServer, type RunningMockServer } from "../mock-server/node-server.ts";
import type { MockSettingsPatch } from "../mock-server/settings.ts";
import { DEV_APPS } from "../worker/dev-apps.ts";
import { freePort, LOOPBACK, ROOT, waitUntilAnswering, Wrangler } from "../scripts/wrangler-dev-launcher.ts";
import { machineBusyShare } from "./child-processes.ts";
import { directTarget, ingressTarget, Recipients, workerTarget, type Target } from "./worker-targets.ts";
import { fmtMs, fmtRatio, table } from "./report.ts";
import { measurePairs, pairs, type PhaseResult } from "./worker-pairs.ts";
import { awaitVerificationChecks, describeVerificationChecks } from "./verification-checks.ts";
import { profileSendPhase } from "./worker-cpu-profile.ts";
import { WORKER_ROLE } from "./process-cpu.ts";
import { floorJson, measureFloor, printFloor } from "./worker-floor.ts";
import { measureThroughput, printThroughput, throughputJson } from "./worker-throughput.ts";

const HOST = LOOPBACK;

const { values: args } = parseArgs({
  options: {
    "pairs-1": { type: "string", default: "600" },
    "pairs-1000": { type: "string", default: "200" },
    "local-observability": { type: "boolean", default: false },
    "cpu-profile": { type: "string" },
    connections: { type: "string", default: "32" },
    "skip-floor": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const LOCAL_OBSERVABILITY = args["local-observability"]!;
const CPU_PROFILE = args["cpu-profile"];
const CONNECTIONS = count(args.connections!, "--connections");
const PAIRS: Record<number, number> = { 1: count(args["pairs-1"]!, "--pairs-1"), 1000: count(args["pairs-1000"]!, "--pairs-1000") };
const WARMUP_PAIRS: Record<number, number> = { 1: 20, 1000: 5 };
/** Hard limits: wrangler must answer within this, and each measured size stops at its budget. */
const STARTUP_TIMEOUT_MS = 40_000;
const PHASE_BUDGET_MS: Record<number, number> = { 1: 20_000, 1000: 25_000 };
/** Nothing in the run may outlive this; the watchdog stops wrangler and exits. */
const TOTAL_BUDGET_MS = 240_000;
/** How long, after the sends, the alarms get to check the verified tasks. */
const VERIFICATION_WAIT_MS = 20_000;

/** Lifts the vendor's silent limits and its QPS limit: every recipient is delivered. */
const MOCK_SETTINGS: MockSettingsPatch = {
  qpsPerAppPerApi: null,
  recipientsPerMinute: 1_000_000_000,
  dailyMessagesPerEmployee: 1_000_000_000,
  duplicateContentOncePerDay: false,
  // Every call of the run is counted at the end.
  journalLimit: 1_000_000,
};
const WORKER_LIMIT = "100000000";
/** A throw-away API key for this run; the worker is given only its SHA-256 (API_KEYS), with no scope limits. */
const API_KEY = randomBytes(24).toString("hex");
const API_KEYS = JSON.stringify([{ id: "bench", sha256: createHash("sha256").update(API_KEY).digest("hex"), scope: {} }]);

function count(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new Error(`${flag} must be an integer from 1 to 10000, not "${text}"`);
  return value;
}

async function main(): Promise<void> {
  const started = Date.now();
  let mock: RunningMockServer | undefined;
  let wrangler: Wrangler | undefined;
  let state: string | undefined;
  let cleaningUp: Promise<void> | undefined;
  const cleanup = () =>
    (cleaningUp ??= (async () => {
      await wrangler?.stop();
      await mock?.close().catch(() => {});
      if (state) rmSync(state, { recursive: true, force: true });
    })());
  const watchdog = setTimeout(() => {
    console.error(`worker-latency: over the ${TOTAL_BUDGET_MS / 1000} s budget, stopping`);
    void cleanup().finally(() => process.exit(1));
  }, TOTAL_BUDGET_MS);
  watchdog.unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }

  try {
    const busyBefore = await machineBusyShare(1_000);
    const loadBefore = loadavg()[0]!;
    // wrangler reads it from its environment, which it inherits from this process.
    process.env.X_LOCAL_OBSERVABILITY = String(LOCAL_OBSERVABILITY);
    mock = await startMockServer({ port: 0, hostname: HOST, settings: MOCK_SETTINGS });
    const [port, inspectorPort] = [await freePort(), await freePort()];
    // Fresh Durable Object state every run, as `npm run dev` does.
    state = mkdtempSync(join(tmpdir(), "dingtalk-edge-bench-"));
    const wranglerVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8")) as { version: string }).version;
    wrangler = new Wrangler(
      [
        "dev",
        "--ip",
        HOST,
        "--port",
        String(port),
        "--inspector-ip",
        HOST,
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        state,
        "--show-interactive-dev-session=false",
        // Readable function names in the profile; the source map gives their files and lines.
        ...(CPU_PROFILE ? ["--minify=false"] : []),
        "--var",
        `DINGTALK_BASE_URL:${mock.url}`,
        "--var",
        `DINGTALK_APPS:${JSON.stringify(DEV_APPS)}`,
        "--var",
        `RECIPIENTS_PER_MINUTE:${WORKER_LIMIT}`,
        "--var",
        `DAILY_MESSAGES_PER_EMPLOYEE:${WORKER_LIMIT}`,
        "--var",
        `API_KEYS:${API_KEYS}`,
        "--var",
        "VENDOR_CALLS_PER_SECOND:100000",
        "--var",
        "VERIFY_AFTER_MS:200",
      ],
      args.verbose!,
    );
    const workerUrl = `http://${HOST}:${port}`;
    console.log(
      `worker-latency benchmark: node ${process.version}, wrangler ${wranglerVersion}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}; ` +
        `machine ${(busyBefore * 100).toFixed(0)}% busy just before (load average ${loadBefore.toFixed(2)}); ` +
        `wrangler's local observability ${LOCAL_OBSERVABILITY ? "on" : "off"}; mock ${mock.url}; starting wrangler dev on ${workerUrl}…`,
    );
    const startupMs = await waitUntilAnswering(workerUrl, wrangler, STARTUP_TIMEOUT_MS);
    console.log(`wrangler answered after ${(startupMs / 1000).toFixed(1)} s`);

    const worker = workerTarget(workerUrl, API_KEY, false);
    const direct = await directTarget(mock.url);
    const targets: Target[] = [worker, direct, ingressTarget(workerUrl), workerTarget(workerUrl, API_KEY, true)];
    const recipients = new Recipients();

    // Warm-up: the object's first start, its token, JIT on both sides.
    for (const size of [1, 1000]) await pairs(targets, recipients, size, WARMUP_PAIRS[size]!, 10_000, false);

    const phases: PhaseResult[] = [];
    for (const size of [1, 1000]) phases.push(await measurePairs(targets, recipients, size, PAIRS[size]!, PHASE_BUDGET_MS[size]!));
    // 32 clients at once on one object, against the ingress alone with the same 32.
    const profiling = CPU_PROFILE ? profileSendPhase({ host: HOST, inspectorPort, root: ROOT, file: CPU_PROFILE }) : undefined;
    const throughput = await measureThroughput({ host: HOST, port, apiKey: API_KEY, wranglerPid: wrangler.pid!, connections: CONNECTIONS, ...(profiling ? { hooks: profiling.hooks } : {}) });

    // The alarm reads each verified task's result VERIFY_AFTER_MS after the send: let the last ones finish.
    const verification = await awaitVerificationChecks(
      () => mock!.mock.state.journal.list(),
      {
        sends: phases.reduce((sum, p) => sum + p.pairsMeasured, 0) + WARMUP_PAIRS[1]! + WARMUP_PAIRS[1000]!,
        recipients: phases.reduce((sum, p) => sum + p.pairsMeasured * p.recipients, 0) + WARMUP_PAIRS[1]! + 1000 * WARMUP_PAIRS[1000]!,
        tasks: phases.reduce((sum, p) => sum + p.pairsMeasured * Math.ceil(p.recipients / 100), 0) + WARMUP_PAIRS[1]! + 10 * WARMUP_PAIRS[1000]!,
      },
      VERIFICATION_WAIT_MS,
    );
    const mockTasks = mock.mock.state.tasks.list();
    const delivered = mockTasks.reduce((sum, task) => sum + task.delivered.length, 0);
    const notDelivered = mockTasks.reduce((sum, task) => sum + task.forbidden.length + task.failed.length + task.invalidUserIds.length, 0);
    // The floor runs alone: the worker's wrangler dev (and its alarms) stop first. Its sends may push
    // the worker's tasks out of the mock's store, so they are counted above, before it.
    await wrangler.stop();
    const floor = args["skip-floor"] ? undefined : await measureFloor({ mockUrl: mock.url, connections: CONNECTIONS, verbose: args.verbose! });

    console.log("\nSequential request latency, measured at the client (request sent → whole answer read):\n");
    console.log(
      table(
        ["recipients", "path", "n", "p50", "p99", "mean", "min", "max"],
        phases
          .flatMap((p) => [
            [p.recipients.toLocaleString("en-US"), "direct to mock (agent 123)", p.direct] as const,
            [p.recipients.toLocaleString("en-US"), "worker → mock (agent 948060598)", p.worker] as const,
            [p.recipients.toLocaleString("en-US"), "worker GET unknown route → 404 (ingress)", p.ingress] as const,
            [p.recipients.toLocaleString("en-US"), "worker → mock, delivery verified", p.verified] as const,
          ])
          .map(([size, label, s]) => [size, label, String(s.n), fmtMs(s.p50Ms), fmtMs(s.p99Ms), fmtMs(s.meanMs), fmtMs(s.minMs), fmtMs(s.maxMs)]),
      ),
    );
    console.log("\nWhat the worker adds (same run):\n");
    console.log(
      table(
        ["recipients", "added p50", "added p99", "paired median Δ", "worker/direct p50", "worker/direct p99"],
        phases.map((p) => [
          p.recipients.toLocaleString("en-US"),
          fmtMs(p.addedP50Ms),
          fmtMs(p.addedP99Ms),
          fmtMs(p.addedPairedMedianMs),
          fmtRatio(p.ratioP50),
          fmtRatio(p.ratioP99),
        ]),
      ),
    );
    console.log(
      "\nwrangler dev's ingress alone (the 404 rows) takes " +
        phases.map((p) => fmtMs(p.ingress.p50Ms)).join(" and ") +
        " p50; beyond it, the send route (request parsing, the Durable Object, admission, the vendor call from workerd, the record) takes " +
        phases.map((p) => `${fmtMs(p.worker.p50Ms - p.ingress.p50Ms)} for ${p.recipients.toLocaleString("en-US")}`).join(" and ") +
        " (p50 differences).",
    );
    console.log(
      "Drift, p50 of the first half → the second half of the pairs: " +
        phases
          .map((p) => `${p.recipients.toLocaleString("en-US")}: worker ${fmtMs(p.workerP50Halves[0])} → ${fmtMs(p.workerP50Halves[1])}, direct ${fmtMs(p.directP50Halves[0])} → ${fmtMs(p.directP50Halves[1])}`)
          .join("; ") +
        ".",
    );
    console.log(
      "\nWhat delivery verification adds to a synchronous send (paired median, verified − not verified): " +
        phases.map((p) => `${fmtMs(p.verificationPairedMedianMs)} for ${p.recipients.toLocaleString("en-US")}`).join(" and ") +
        `. ${describeVerificationChecks(verification, VERIFICATION_WAIT_MS)}`,
    );
    const thousand = phases.find((p) => p.recipients === 1000)!;
    printThroughput(throughput, thousand.worker.p50Ms - thousand.ingress.p50Ms);
    if (floor) {
      printFloor(floor, { ratio: throughput.sends.requestsPerSecond / throughput.ingress.requestsPerSecond, workerCpuMsPerSend: throughput.sendCpu.get(WORKER_ROLE) ?? Number.NaN });
    }
    profiling?.report(throughput.sends.completed);
    for (const p of phases) if (p.stoppedByBudget) console.log(`note: ${p.recipients} recipients stopped at its time budget after ${p.pairsMeasured} of ${p.pairsPlanned} pairs`);
    console.log(`\nMock (the worker's sends, before the floor's): ${mockTasks.length} tasks, ${delivered} deliveries, ${notDelivered} recipients not delivered. Elapsed ${((Date.now() - started) / 1000).toFixed(1)} s.`);

    const resultsDir = join(ROOT, "bench", "results");
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `worker-latency-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          benchmark: "worker-latency",
          at: new Date().toISOString(),
          environment: { node: process.version, wrangler: wranglerVersion, platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model, cpus: cpus().length },
          config: { pairs: PAIRS, warmupPairs: WARMUP_PAIRS, phaseBudgetMs: PHASE_BUDGET_MS, mockSettings: MOCK_SETTINGS, workerVars: { RECIPIENTS_PER_MINUTE: WORKER_LIMIT, DAILY_MESSAGES_PER_EMPLOYEE: WORKER_LIMIT } },
          wranglerStartupMs: startupMs,
          phases,
          mock: { tasks: mockTasks.length, delivered, notDelivered },
          machine: { busyShareBefore: busyBefore, loadAverageBefore: loadBefore },
          localObservability: LOCAL_OBSERVABILITY,
          concurrency: throughputJson(throughput),
          ...(floor ? { floor: floorJson(floor) } : {}),
          verification: {
            sends: verification.sends,
            recipients: verification.recipients,
            checkCalls: verification.calls,
            tasks: verification.tasks,
            checkedTasks: verification.checkedTasks,
            checkCallsPerTask: verification.calls / verification.checkedTasks,
          },
          elapsedMs: Date.now() - started,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`Results: ${file}`);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
