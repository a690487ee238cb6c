/**
 * Server time, in its own process: `app.fetch(request)` timed one call at a
 * time, with no socket and no HTTP parsing, so what is measured is the time
 * spent inside the Hono app. Started by mock-server.bench.ts with
 * child_process.fork; answers once over IPC and exits.
 *
 *   node --experimental-strip-types bench/server-time.ts <mock|baseline> <recipients> <warmupMs> <maxMs> <maxIterations>
 */
import { performance } from "node:perf_hooks";
import { createMockDingTalk, type MockDingTalk } from "../mock-server/create-mock.ts";
import { summarise, type LatencySummary } from "./load-generator.ts";
import { BASELINE_TOKEN, BENCH_MOCK_SETTINGS, createBaselineApp, GETTOKEN_PATH, isSendOk, SEND_PATH, sendBodies, tallyDeliveries, type DeliveryCounts } from "./mock-targets.ts";

export interface ServerTimeResult {
  type: "server-time";
  target: string;
  recipients: number;
  iterations: number;
  warmupIterations: number;
  errors: number;
  firstError?: string;
  /** Sum of the timed calls: the app's own time, without the loop around it. */
  timedMs: number;
  latency: LatencySummary;
  /**
   * Mean of the last quarter of the calls over the mean of the first quarter:
   * near 1 when a call costs the same however much the app has already done,
   * above 1 when its state makes every call slower than the one before.
   */
  drift: number;
  /** What the mock recorded, to show every recipient took the delivery path. */
  mock?: { delivered: number; forbidden: number; failed: number; invalid: number };
}

const HOST = "http://127.0.0.1";

async function main(): Promise<void> {
  const [target = "", recipientsArg = "1", warmupArg = "500", maxMsArg = "2000", maxIterationsArg = "10000"] = process.argv.slice(2);
  const recipients = Number(recipientsArg);
  const warmupMs = Number(warmupArg);
  const maxMs = Number(maxMsArg);
  const maxIterations = Number(maxIterationsArg);
  if (target !== "mock" && target !== "baseline") throw new Error(`target must be "mock" or "baseline", not "${target}"`);

  let mock: MockDingTalk | undefined;
  let deliveries: (() => DeliveryCounts) | undefined;
  let token = BASELINE_TOKEN;
  let app;
  if (target === "mock") {
    mock = createMockDingTalk({ settings: BENCH_MOCK_SETTINGS });
    deliveries = tallyDeliveries(mock.state);
    app = mock.app;
    const answer = (await (await app.fetch(new Request(HOST + GETTOKEN_PATH))).json()) as { access_token?: string };
    if (!answer.access_token) throw new Error(`gettoken failed: ${JSON.stringify(answer)}`);
    token = answer.access_token;
  } else {
    app = createBaselineApp();
  }

  const url = `${HOST}${SEND_PATH}?access_token=${token}`;
  const bodies = sendBodies(recipients);
  const samples = new Float64Array(maxIterations);
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;

  /** One call: the request is built before the clock starts and the answer read after it stops. */
  const call = async (): Promise<number> => {
    const request = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodies[next++ % bodies.length]!,
    });
    const started = performance.now();
    const response = await app.fetch(request);
    const elapsed = performance.now() - started;
    const text = await response.text();
    if (!isSendOk(response.status, text)) {
      errors += 1;
      firstError ??= `HTTP ${response.status}: ${text.slice(0, 200)}`;
    }
    return elapsed;
  };

  const warmupEnd = performance.now() + warmupMs;
  let warmupIterations = 0;
  while (performance.now() < warmupEnd && warmupIterations < maxIterations) {
    await call();
    warmupIterations += 1;
  }
  const deliveredBefore = deliveries ? deliveries().delivered : 0;

  const end = performance.now() + maxMs;
  let iterations = 0;
  let timedMs = 0;
  while (iterations < maxIterations && performance.now() < end) {
    const elapsed = await call();
    samples[iterations++] = elapsed;
    timedMs += elapsed;
  }

  const quarter = Math.floor(iterations / 4);
  const meanOf = (from: number, to: number) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i]!;
    return sum / (to - from);
  };
  const drift = quarter > 0 ? meanOf(iterations - quarter, iterations) / meanOf(0, quarter) : NaN;
  const result: ServerTimeResult = {
    type: "server-time",
    target,
    recipients,
    iterations,
    warmupIterations,
    errors,
    ...(firstError ? { firstError } : {}),
    timedMs,
    drift,
    // summarise sorts the samples, so it comes after the drift.
    latency: summarise(samples, iterations),
  };
  if (deliveries) {
    const counts = deliveries();
    result.mock = { delivered: counts.delivered - deliveredBefore, forbidden: counts.forbidden, failed: counts.failed, invalid: counts.invalid };
  }
  process.send!(result, () => process.exit(0));
}

if (!process.send) {
  console.error("server-time: started by mock-server.bench.ts over IPC (child_process.fork), not by hand");
  process.exit(2);
}
main().catch((error: unknown) => {
  console.error("server-time:", error instanceof Error ? error.stack : error);
  process.exit(1);
});
