/**
 * The throughput part of `npm run bench:worker` (issue 15, goal 3): 32
 * clients sending 1-recipient sends to one object, against the same 32 on a
 * route that only reaches the worker's ingress (a 404), with the CPU each
 * process of wrangler dev spent per request in each phase, read from /proc.
 */
import { DEFAULT_APPROVED_TEMPLATE_ID, GENERATED_USER_COUNT, generatedUserId } from "../mock-server/world/default-world.ts";
import { runLoad, type LoadResult } from "./load-generator.ts";
import { cpuMeter, wranglerProcesses } from "./process-cpu.ts";
import { fmtMs, fmtRatio, table } from "./report.ts";

const CONNECTIONS = 32;
const CONCURRENT_SENDS = 4_000;
const PHASE_MS = 8_000;
const WORKER_ROLE = "workerd: the worker and its objects";

export interface ThroughputRun {
  sends: LoadResult;
  ingress: LoadResult;
  /** CPU milliseconds per request, by process role. */
  sendCpu: Map<string, number>;
  pingCpu: Map<string, number>;
}

/** What runs around the send phase alone, e.g. a CPU profile of the worker. */
export interface SendPhaseHooks {
  beforeSends(): Promise<void>;
  afterSends(): Promise<void>;
}

/** Runs both phases against wrangler dev on `host:port` (its process group `wranglerPid`); throws if a send failed. */
export async function measureThroughput(options: { host: string; port: number; apiKey: string; wranglerPid: number; hooks?: SendPhaseHooks }): Promise<ThroughputRun> {
  const { host, port, apiKey } = options;
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
  const sends = await runLoad({ port, requests: sendBodies.map(authorised), connections: CONNECTIONS, durationMs: PHASE_MS, maxRequests: CONCURRENT_SENDS, check: (status) => status === 201 });
  const sendsCpu = meter.stop();
  await options.hooks?.afterSends();
  meter.start();
  const ingress = await runLoad({
    port,
    requests: [Buffer.from(`GET /bench-ping HTTP/1.1\r\nHost: ${host}\r\n\r\n`, "latin1")],
    connections: CONNECTIONS,
    durationMs: PHASE_MS,
    maxRequests: 200_000,
    check: (status) => status === 404,
  });
  const ingressCpu = meter.stop();
  if (sends.errors > 0) throw new Error(`concurrent sends: ${sends.errors} errors, first: ${sends.firstError}`);
  return { sends, ingress, sendCpu: perRequest(sendsCpu, sends.completed), pingCpu: perRequest(ingressCpu, ingress.completed) };
}

function perRequest(used: Map<string, number>, completed: number): Map<string, number> {
  return new Map([...used].map(([role, ms]) => [role, completed > 0 ? ms / completed : Number.NaN]));
}

function total(perRequest: Map<string, number>): number {
  return [...perRequest.values()].reduce((sum, ms) => sum + ms, 0);
}

/** Prints the run next to goal 3; `thousandBeyondIngressMs`: what a 1,000-recipient send adds beyond the ingress (p50). */
export function printThroughput(run: ThroughputRun, thousandBeyondIngressMs: number): void {
  const { sends, ingress, sendCpu, pingCpu } = run;
  console.log(
    `\n${CONNECTIONS} concurrent clients on one object: ${sends.requestsPerSecond.toFixed(0)} 1-recipient sends/s (${sends.completed} in ${(sends.elapsedMs / 1000).toFixed(1)} s) ` +
      `against ${ingress.requestsPerSecond.toFixed(0)} ingress-only requests/s: ${fmtRatio(sends.requestsPerSecond / ingress.requestsPerSecond)} (goal ≥ 0.5×). ` +
      `A 1,000-recipient send adds ${fmtMs(thousandBeyondIngressMs)} p50 beyond the ingress (goal ≤ 30 ms).`,
  );
  console.log("\nCPU per request during those two phases, by process (from /proc; all of them share the machine's cores):\n");
  console.log(
    table(
      ["process", "per 1-recipient send", "per ingress-only 404", "send / 404"],
      [...new Set([...sendCpu.keys(), ...pingCpu.keys()])]
        .map((role) => [role, sendCpu.get(role) ?? Number.NaN, pingCpu.get(role) ?? Number.NaN] as const)
        .concat([["all of them", total(sendCpu), total(pingCpu)] as const])
        .map(([role, send, ping]) => [role, fmtMs(send), fmtMs(ping), fmtRatio(send / ping)]),
    ),
  );
  console.log(
    `The worker's own workerd spent ${fmtMs(sendCpu.get(WORKER_ROLE) ?? Number.NaN)} of the ${fmtMs(total(sendCpu))} a send cost the machine ` +
      `(${(((sendCpu.get(WORKER_ROLE) ?? Number.NaN) / total(sendCpu)) * 100).toFixed(0)}%); if CPU alone set the pace, sends/s over 404s/s would be about ` +
      `${fmtRatio(total(pingCpu) / total(sendCpu))}.`,
  );
}

/** The run as the results file keeps it. */
export function throughputJson(run: ThroughputRun): Record<string, unknown> {
  return {
    cpuMsPerSend: Object.fromEntries(run.sendCpu),
    cpuMsPerIngressRequest: Object.fromEntries(run.pingCpu),
    connections: CONNECTIONS,
    sendsPerSecond: run.sends.requestsPerSecond,
    ingressPerSecond: run.ingress.requestsPerSecond,
    ratio: run.sends.requestsPerSecond / run.ingress.requestsPerSecond,
  };
}
