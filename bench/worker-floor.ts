/**
 * The floor under goal 3 (bench/floor-worker/): the same clients as the
 * throughput phases of `npm run bench:worker`, on a second `wrangler dev` that
 * runs a worker doing only the I/O a send cannot do without (one call into
 * one object, one vendor call from it), then the same with the two writes a
 * send that must not lose a recipient cannot skip, then those writes in the
 * object's commit turns as dingtalk-edge makes them, then its own ingress. If
 * the floor's ratio is itself near the goal, the platform leaves the code
 * little room, whatever the code does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP, GENERATED_USER_COUNT, generatedUserId } from "../mock-server/world/default-world.ts";
import { freePort, LOOPBACK, ROOT, waitUntilAnswering, Wrangler, wranglerDevArgs } from "../scripts/wrangler-dev-launcher.ts";
import { buildRequest, runLoad, type LoadResult } from "./load-generator.ts";
import { cpuMeter, WORKER_ROLE, wranglerProcesses } from "./process-cpu.ts";
import { fmtMs, fmtRatio, table } from "./report.ts";
import { REQUEST_TIMEOUT_MS } from "./worker-targets.ts";
import { CONCURRENT_SENDS, PHASE_MS } from "./worker-throughput.ts";

const SEND_PATH = "/topapi/message/corpconversation/sendbytemplate";
const STARTUP_TIMEOUT_MS = 40_000;
const WARMUP_SENDS = 50;

export interface FloorPhase {
  load: LoadResult;
  /** CPU of every process of that wrangler dev and of this one, per request, in ms. */
  cpuMsPerRequest: number;
  /** The same, of the workerd running the floor worker and its object alone. */
  workerCpuMsPerRequest: number;
}

export interface FloorRun {
  connections: number;
  /** One object call and one vendor call per send. */
  bare: FloorPhase;
  /** The same, with a row written before the vendor call and rewritten after it. */
  durable: FloorPhase;
  /** The durable one with its writes in the object's commit turns, as dingtalk-edge makes them (CommitGroup). */
  grouped: FloorPhase;
  ingress: FloorPhase;
}

/** Starts the floor worker against the mock at `mockUrl`, runs its four phases, stops it. */
export async function measureFloor(options: { mockUrl: string; connections: number; verbose: boolean }): Promise<FloorRun> {
  const { mockUrl, connections } = options;
  const token = (await (
    await fetch(`${mockUrl}/gettoken?appkey=${DEFAULT_INTERNAL_APP.appKey}&appsecret=${DEFAULT_INTERNAL_APP.appSecret}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  ).json()) as { errcode: number; access_token?: string };
  if (token.errcode !== 0 || !token.access_token) throw new Error(`gettoken failed: ${JSON.stringify(token)}`);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "dingtalk-edge-floor-"));
  const wrangler = new Wrangler(
    [
      ...wranglerDevArgs({ port, inspectorPort, persistTo: state, config: join(ROOT, "bench", "floor-worker", "wrangler.toml") }),
      "--var",
      `VENDOR_SEND_URL:${mockUrl}${SEND_PATH}?access_token=${encodeURIComponent(token.access_token)}`,
    ],
    options.verbose,
  );
  try {
    await waitUntilAnswering(`http://${LOOPBACK}:${port}/`, wrangler, STARTUP_TIMEOUT_MS);
    const bodies = Array.from({ length: CONCURRENT_SENDS }, (_, i) =>
      JSON.stringify({
        agent_id: DEFAULT_INTERNAL_APP.agentId,
        template_id: DEFAULT_APPROVED_TEMPLATE_ID,
        userid_list: generatedUserId((i % GENERATED_USER_COUNT) + 1),
        data: JSON.stringify({ name: `floor-${i}`, name2: "" }),
      }),
    );
    const sends = (path: string) => bodies.map((body) => buildRequest(path, body));
    const meter = cpuMeter(wranglerProcesses(wrangler.pid!));
    const phase = async (requests: Buffer[], expected: number, maxRequests: number): Promise<FloorPhase> => {
      meter.start();
      const load = await runLoad({ port, requests, connections, durationMs: PHASE_MS, maxRequests, check: (status) => status === expected });
      const { used } = meter.stop();
      if (load.errors > 0) throw new Error(`floor worker: ${load.errors} errors, first: ${load.firstError}`);
      const perRequest = (ms: number | undefined) => (load.completed > 0 && ms !== undefined ? ms / load.completed : Number.NaN);
      return { load, cpuMsPerRequest: perRequest([...used.values()].reduce((sum, ms) => sum + ms, 0)), workerCpuMsPerRequest: perRequest(used.get(WORKER_ROLE)) };
    };
    // Warm-up: the object's first start and JIT, in both kinds of send.
    await runLoad({ port, requests: sends("/send?durable").slice(0, WARMUP_SENDS), connections: 4, durationMs: 10_000, maxRequests: WARMUP_SENDS, check: (status) => status === 201 });
    const bare = await phase(sends("/send"), 201, CONCURRENT_SENDS);
    const durable = await phase(sends("/send?durable"), 201, CONCURRENT_SENDS);
    const grouped = await phase(sends("/send?durable=grouped"), 201, CONCURRENT_SENDS);
    const ingress = await phase([Buffer.from(`GET /bench-ping HTTP/1.1\r\nHost: ${LOOPBACK}\r\n\r\n`, "latin1")], 404, 200_000);
    return { connections, bare, durable, grouped, ingress };
  } finally {
    await wrangler.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

/** Prints the floor next to dingtalk-edge's own ratio and its worker's CPU per send, of the same run. */
export function printFloor(run: FloorRun, worker: { ratio: number; workerCpuMsPerSend: number }): void {
  const rate = (phase: FloorPhase) => phase.load.requestsPerSecond;
  const ratio = (phase: FloorPhase) => rate(phase) / rate(run.ingress);
  console.log(
    `\nThe floor (bench/floor-worker/, its own wrangler dev, the same ${run.connections} clients, against its own ${rate(run.ingress).toFixed(0)} ingress-only requests/s): ` +
      `a route that calls one object, which calls the mock's sendbytemplate and answers with its answer:\n`,
  );
  console.log(
    table(
      ["send", "sends/s", "/ ingress", "CPU per send, all processes", "CPU per send, the worker's workerd"],
      [
        ["bare: no storage", run.bare],
        ["durable: a row written before the vendor call, rewritten after it", run.durable],
        ["grouped: the same writes in the object's commit turns (CommitGroup)", run.grouped],
        ["the 404 (ingress only)", run.ingress],
      ].map(([label, phase]) => {
        const p = phase as FloorPhase;
        return [label as string, rate(p).toFixed(0), fmtRatio(ratio(p)), fmtMs(p.cpuMsPerRequest), fmtMs(p.workerCpuMsPerRequest)];
      }),
    ),
  );
  console.log(
    `dingtalk-edge reached ${fmtRatio(worker.ratio)} in the same run: ${fmtRatio(worker.ratio / ratio(run.durable))} of the durable floor's ratio and ` +
      `${fmtRatio(worker.ratio / ratio(run.grouped))} of the grouped one's, its worker's workerd at ${fmtMs(worker.workerCpuMsPerSend)} of CPU per send.`,
  );
}

/** The floor as the results file keeps it. */
export function floorJson(run: FloorRun): Record<string, unknown> {
  const phase = (p: FloorPhase) => ({ requestsPerSecond: p.load.requestsPerSecond, completed: p.load.completed, cpuMsPerRequest: p.cpuMsPerRequest, workerCpuMsPerRequest: p.workerCpuMsPerRequest });
  return { connections: run.connections, bare: phase(run.bare), durable: phase(run.durable), grouped: phase(run.grouped), ingress: phase(run.ingress) };
}
