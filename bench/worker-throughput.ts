/**
 * The throughput part of `npm run bench:worker` (issue 15, goal 3): 32
 * clients sending 1-recipient sends to one object, against the same 32 on a
 * route that only reaches the worker's ingress (a 404), with the CPU each
 * process of wrangler dev spent per request in each phase, read from /proc.
 */
import { DEFAULT_APPROVED_TEMPLATE_ID, GENERATED_USER_COUNT, generatedUserId } from "../mock-server/world/default-world.ts";
import { runLoad, type LoadResult } from "./load-generator.ts";
import { cpuMeter, WORKER_ROLE, wranglerProcesses, type PhaseCpu } from "./process-cpu.ts";
import { fmtMs, fmtRatio, table } from "./report.ts";

/** Goal 3's clients; `--connections` tries others, to tell what sets the rate. */
export const GOAL_CONNECTIONS = 32;
/** Each phase's length and the most sends it makes; the floor's phases (worker-floor.ts) are the same. */
export const CONCURRENT_SENDS = 4_000;
export const PHASE_MS = 8_000;

export interface ThroughputRun {
  connections: number;
  sends: LoadResult;
  ingress: LoadResult;
  /** CPU milliseconds per request, by process role. */
  sendCpu: Map<string, number>;
  pingCpu: Map<string, number>;
  /** What each phase cost the machine: every process, its busiest thread, all the cores. */
  sendPhase: PhaseCpu;
  pingPhase: PhaseCpu;
}

/** What runs around the send phase alone, e.g. a CPU profile of the worker. */
export interface SendPhaseHooks {
  beforeSends(): Promise<void>;
  afterSends(): Promise<void>;
}

/** Runs both phases against wrangler dev on `host:port` (its process group `wranglerPid`); throws if a send failed. */
export async function measureThroughput(options: { host: string; port: number; apiKey: string; wranglerPid: number; connections?: number; hooks?: SendPhaseHooks }): Promise<ThroughputRun> {
  const { host, port, apiKey } = options;
  const connections = options.connections ?? GOAL_CONNECTIONS;
  const sendBodies = Array.from({ length: CONCURRENT_SENDS }, (_, i) =>
    JSON.stringify({ templateId: DEFAULT_APPROVED_TEMPLATE_ID, userIds: [generatedUserId((i % GENERATED_USER_COUNT) + 1)], data: { name: `concurrent-${i}`, name2: "" }, verifyDelivery: false }),
  );
  const authorised = (body: string) => {
    const bytes = Buffer.from(body);
    return Buffer.concat([
      Buffer.from(`POST /v1/notifications HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`, "latin1"),
      bytes,
    ]);
  };
  const meter = cpuMeter(wranglerProcesses(options.wranglerPid));
  await options.hooks?.beforeSends();
  meter.start();
  const sends = await runLoad({ port, requests: sendBodies.map(authorised), connections, durationMs: PHASE_MS, maxRequests: CONCURRENT_SENDS, check: (status) => status === 201 });
  const sendPhase = meter.stop();
  await options.hooks?.afterSends();
  meter.start();
  const ingress = await runLoad({
    port,
    requests: [Buffer.from(`GET /bench-ping HTTP/1.1\r\nHost: ${host}\r\n\r\n`, "latin1")],
    connections,
    durationMs: PHASE_MS,
    maxRequests: 200_000,
    check: (status) => status === 404,
  });
  const pingPhase = meter.stop();
  if (sends.errors > 0) throw new Error(`concurrent sends: ${sends.errors} errors, first: ${sends.firstError}`);
  return { connections, sends, ingress, sendCpu: perRequest(sendPhase.used, sends.completed), pingCpu: perRequest(pingPhase.used, ingress.completed), sendPhase, pingPhase };
}

function perRequest(used: Map<string, number>, completed: number): Map<string, number> {
  return new Map([...used].map(([role, ms]) => [role, completed > 0 ? ms / completed : Number.NaN]));
}

function total(perRequest: Map<string, number>): number {
  return [...perRequest.values()].reduce((sum, ms) => sum + ms, 0);
}

/** Prints the run next to goal 3; `thousandBeyondIngressMs`: what a 1,000-recipient send adds beyond the ingress (p50). */
export function printThroughput(run: ThroughputRun, thousandBeyondIngressMs: number): void {
  const { connections, sends, ingress, sendCpu, pingCpu, sendPhase, pingPhase } = run;
  const ratio = fmtRatio(sends.requestsPerSecond / ingress.requestsPerSecond);
  console.log(
    `\n${connections} concurrent clients on one object: ${sends.requestsPerSecond.toFixed(0)} 1-recipient sends/s (${sends.completed} in ${(sends.elapsedMs / 1000).toFixed(1)} s) ` +
      `against ${ingress.requestsPerSecond.toFixed(0)} ingress-only requests/s: ` +
      (connections === GOAL_CONNECTIONS ? `${ratio} (goal ≥ 0.5×). ` : `${ratio} (goal 3 is stated for ${GOAL_CONNECTIONS} clients; this run is not one to compare with it). `) +
      `A 1,000-recipient send adds ${fmtMs(thousandBeyondIngressMs)} p50 beyond the ingress (goal ≤ 30 ms).`,
  );
  console.log("\nCPU per request during those two phases, by process (from /proc; all of them share the machine's cores), and how busy each process's busiest thread was:\n");
  const busy = (phase: PhaseCpu, role: string) => {
    const ms = phase.busiestThread.get(role);
    return ms === undefined ? "" : `${((ms / phase.elapsedMs) * 100).toFixed(0)}%`;
  };
  console.log(
    table(
      ["process", "per 1-recipient send", "per ingress-only 404", "send / 404", "busiest thread, sends", "busiest thread, 404s"],
      [...new Set([...sendCpu.keys(), ...pingCpu.keys()])]
        .map((role) => [role, fmtMs(sendCpu.get(role) ?? Number.NaN), fmtMs(pingCpu.get(role) ?? Number.NaN), fmtRatio((sendCpu.get(role) ?? Number.NaN) / (pingCpu.get(role) ?? Number.NaN)), busy(sendPhase, role), busy(pingPhase, role)])
        .concat([["all of them", fmtMs(total(sendCpu)), fmtMs(total(pingCpu)), fmtRatio(total(sendCpu) / total(pingCpu)), "", ""]]),
    ),
  );
  console.log(
    `The worker's own workerd spent ${fmtMs(sendCpu.get(WORKER_ROLE) ?? Number.NaN)} of the ${fmtMs(total(sendCpu))} a send cost the machine ` +
      `(${(((sendCpu.get(WORKER_ROLE) ?? Number.NaN) / total(sendCpu)) * 100).toFixed(0)}%); if CPU alone set the pace, sends/s over 404s/s would be about ` +
      `${fmtRatio(total(pingCpu) / total(sendCpu))}.`,
  );
  // Little's law: with a fixed number of clients, each always waiting on one request, rate × time in flight = clients.
  console.log(
    `The machine's cores were ${(sendPhase.machineBusy * 100).toFixed(0)}% busy during the sends and ${(pingPhase.machineBusy * 100).toFixed(0)}% during the 404s; ` +
      `a request was in flight ${fmtMs((connections / sends.requestsPerSecond) * 1000)} on average during the sends and ${fmtMs((connections / ingress.requestsPerSecond) * 1000)} during the 404s ` +
      `(${connections} clients over the rate). A phase whose cores and busiest threads all have room is held back by that time in flight, not by CPU: more clients would raise its rate.`,
  );
}

/** The run as the results file keeps it. */
export function throughputJson(run: ThroughputRun): Record<string, unknown> {
  return {
    cpuMsPerSend: Object.fromEntries(run.sendCpu),
    cpuMsPerIngressRequest: Object.fromEntries(run.pingCpu),
    connections: run.connections,
    machineBusy: { sends: run.sendPhase.machineBusy, ingress: run.pingPhase.machineBusy },
    busiestThreadShare: {
      sends: Object.fromEntries([...run.sendPhase.busiestThread].map(([role, ms]) => [role, ms / run.sendPhase.elapsedMs])),
      ingress: Object.fromEntries([...run.pingPhase.busiestThread].map(([role, ms]) => [role, ms / run.pingPhase.elapsedMs])),
    },
    sendsPerSecond: run.sends.requestsPerSecond,
    ingressPerSecond: run.ingress.requestsPerSecond,
    ratio: run.sends.requestsPerSecond / run.ingress.requestsPerSecond,
  };
}
