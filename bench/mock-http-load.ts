/**
 * The HTTP half of `npm run bench`: the baseline route and the mock, each
 * in its own process (bench/serve-target.ts), loaded over keep-alive
 * loopback connections in alternating rounds, then over one connection,
 * with each server's CPU, event-loop use and memory read between rounds.
 */
import type { ChildProcess } from "node:child_process";
import { nextMessage, readyTarget, waitForExit } from "./child-processes.ts";
import { buildRequest, runLoad, summarise, type LatencySummary, type LoadResult } from "./load-generator.ts";
import { isSendOk, sendBodies, type TargetName } from "./mock-targets.ts";

/** Starts a bench script as a child process (with profiling when asked). */
export type SpawnChild = (script: string, args: string[], label: string) => ChildProcess;

/** Every loop bounded by a count and a time. */
export interface HttpPlan {
  targets: readonly TargetName[];
  connections: number;
  warmupMs: number;
  /** Load rounds per target, alternating baseline and mock. */
  rounds: number;
  roundMs: number;
  maxRequestsPerRound: number;
  /** Latency over a single connection: answer time plus loopback, without queueing. */
  idle: { connections: number; durationMs: number; maxRequests: number };
}

interface ServerStats {
  type: "stats";
  cpu: { user: number; system: number };
  elu: { idle: number; active: number; utilization: number };
  rssBytes: number;
  heapUsedBytes: number;
  mock?: { tasks: number; delivered: number; forbidden: number; failed: number; invalid: number; journalSize: number; inboxUsers: number };
}

export interface HttpRun {
  target: TargetName;
  recipients: number;
  /** Median over the load rounds. */
  requestsPerSecond: number;
  roundRequestsPerSecond: number[];
  /** Latency over all load rounds together. */
  latency: LatencySummary;
  idleLatency: LatencySummary;
  completed: number;
  errors: number;
  firstError?: string;
  /** Server process CPU (all its threads) during the load rounds, as a share of one core. */
  serverCpuShare: number;
  /** Server event-loop utilisation during the load rounds: near 1 means the server was the bottleneck. */
  serverElu: number;
  serverCpuPerRequestMs: number;
  serverRssMb: number;
  mockCheck?: { sends: number; expectedDeliveries: number; delivered: number; forbidden: number; failed: number; invalid: number };
}

interface RunningTarget {
  target: TargetName;
  child: ChildProcess;
  port: number;
  requests: Buffer[];
  stats(withMock?: boolean): Promise<ServerStats>;
}

async function startTarget(spawnChild: SpawnChild, target: TargetName, recipients: number): Promise<RunningTarget> {
  const child = spawnChild("./serve-target.ts", [target], `http-${target}-${recipients}`);
  const { url, sendPath: path } = await readyTarget(child, target);
  return {
    target,
    child,
    port: Number(url.port),
    requests: sendBodies(recipients).map((body) => buildRequest(path, body)),
    stats: (withMock = false) => {
      child.send({ type: "stats", withMock });
      return nextMessage<ServerStats>(child, "stats", 10_000);
    },
  };
}

/** Both targets up at once, loaded in alternating rounds (ABBA order), then over one connection each. */
export async function measureHttp(plan: HttpPlan, spawnChild: SpawnChild, recipients: number): Promise<HttpRun[]> {
  const targets = await Promise.all(plan.targets.map((target) => startTarget(spawnChild, target, recipients)));
  try {
    const tallies = targets.map(() => ({ rounds: [] as LoadResult[], cpuMs: 0, activeMs: 0, idleMs: 0, sends: 0, errors: 0, firstError: undefined as string | undefined }));
    const load = (i: number, options: { connections: number; durationMs: number; maxRequests: number }) =>
      runLoad({ port: targets[i]!.port, requests: targets[i]!.requests, check: isSendOk, ...options }).then((result) => {
        const tally = tallies[i]!;
        tally.sends += result.completed;
        tally.errors += result.errors;
        tally.firstError ??= result.firstError;
        return result;
      });
    const loadRound = { connections: plan.connections, durationMs: plan.roundMs, maxRequests: plan.maxRequestsPerRound };

    for (let i = 0; i < targets.length; i++) await load(i, { ...loadRound, durationMs: plan.warmupMs });
    for (let round = 0; round < plan.rounds; round++) {
      const order = round % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => targets.length - 1 - i);
      for (const i of order) {
        const before = await targets[i]!.stats();
        const result = await load(i, loadRound);
        const after = await targets[i]!.stats();
        const tally = tallies[i]!;
        tally.rounds.push(result);
        tally.cpuMs += (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
        tally.activeMs += after.elu.active - before.elu.active;
        tally.idleMs += after.elu.idle - before.elu.idle;
      }
    }
    const idle: LoadResult[] = [];
    for (let i = 0; i < targets.length; i++) idle.push(await load(i, plan.idle));

    const runs: HttpRun[] = [];
    for (let i = 0; i < targets.length; i++) {
      const { target } = targets[i]!;
      const tally = tallies[i]!;
      const end = await targets[i]!.stats(true);
      const completed = tally.rounds.reduce((sum, r) => sum + r.completed, 0);
      const elapsedMs = tally.rounds.reduce((sum, r) => sum + r.elapsedMs, 0);
      const run: HttpRun = {
        target,
        recipients,
        requestsPerSecond: median(tally.rounds.map((r) => r.requestsPerSecond)),
        roundRequestsPerSecond: tally.rounds.map((r) => Math.round(r.requestsPerSecond)),
        latency: pooledLatency(tally.rounds),
        idleLatency: pooledLatency([idle[i]!]),
        completed,
        errors: tally.errors,
        ...(tally.firstError ? { firstError: tally.firstError } : {}),
        serverCpuShare: elapsedMs > 0 ? tally.cpuMs / elapsedMs : 0,
        serverElu: tally.activeMs + tally.idleMs > 0 ? tally.activeMs / (tally.activeMs + tally.idleMs) : 0,
        serverCpuPerRequestMs: completed > 0 ? tally.cpuMs / completed : NaN,
        serverRssMb: end.rssBytes / 2 ** 20,
      };
      if (end.mock) {
        const { delivered, forbidden, failed, invalid } = end.mock;
        run.mockCheck = { sends: tally.sends, expectedDeliveries: tally.sends * recipients, delivered, forbidden, failed, invalid };
      }
      runs.push(run);
    }
    for (const { child } of targets) child.send({ type: "close" });
    await Promise.all(targets.map(({ child }) => waitForExit(child, 10_000)));
    return runs;
  } finally {
    for (const { child } of targets) if (child.exitCode === null) child.kill();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pooledLatency(results: LoadResult[]): LatencySummary {
  const total = results.reduce((sum, r) => sum + r.samples.length, 0);
  const pooled = new Float64Array(total);
  let at = 0;
  for (const r of results) {
    pooled.set(r.samples, at);
    at += r.samples.length;
  }
  return summarise(pooled, total);
}
