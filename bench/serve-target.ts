/**
 * One HTTP server for the benchmark, in its own process so the load generator
 * does not share its event loop. Started by mock-server.bench.ts with
 * child_process.fork; talks to it over IPC:
 *
 *   child  → parent  { type: "ready", target, url }
 *   parent → child   { type: "stats", withMock? }   child → parent { type: "stats", cpu, elu, rssBytes, heapUsedBytes, mock? }
 *   parent → child   { type: "close" }   the child closes its server and exits
 *
 * Targets:
 *   mock      startMockServer() with the silent limits lifted (BENCH_MOCK_SETTINGS)
 *   baseline  createBaselineApp() on @hono/node-server: one route that reads the
 *             body and answers the same JSON shape as a successful sendbytemplate
 *   baseline-parse  createParsingBaselineApp(): the same, but it parses the body as
 *             JSON and splits the recipient list (bench/sustained-load.bench.ts)
 *
 * Usage: node --experimental-strip-types bench/serve-target.ts mock|baseline|baseline-parse
 */
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { startMockServer, type RunningMockServer } from "../mock-server/node-server.ts";
import { BENCH_MOCK_SETTINGS, createBaselineApp, createParsingBaselineApp, tallyDeliveries, type DeliveryCounts } from "./mock-targets.ts";

interface StatsMessage {
  type: "stats";
  cpu: NodeJS.CpuUsage;
  elu: { idle: number; active: number; utilization: number };
  rssBytes: number;
  heapUsedBytes: number;
  /** The largest RSS the process ever had (getrusage), so a peak between two samples is not missed. */
  maxRssBytes: number;
  mock?: { tasks: number; delivered: number; forbidden: number; failed: number; invalid: number; journalSize: number; inboxUsers: number };
}

async function main(target: string): Promise<void> {
  if (target !== "mock" && target !== "baseline" && target !== "baseline-parse") {
    console.error(`serve-target: target must be "mock", "baseline" or "baseline-parse", not "${target}"`);
    process.exit(2);
  }
  let url: string;
  let close: () => Promise<void>;
  let running: RunningMockServer | undefined;
  let deliveries: (() => DeliveryCounts) | undefined;
  if (target === "mock") {
    running = await startMockServer({ port: 0, hostname: "127.0.0.1", settings: BENCH_MOCK_SETTINGS });
    deliveries = tallyDeliveries(running.mock.state);
    url = running.url;
    close = running.close;
  } else {
    const app = target === "baseline" ? createBaselineApp() : createParsingBaselineApp();
    const started = await new Promise<{ url: string; close: () => Promise<void> }>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      });
      server.once("error", reject);
    });
    url = started.url;
    close = started.close;
  }

  process.on("message", (message: { type?: string; withMock?: boolean }) => {
    if (message.type === "stats") {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const memory = process.memoryUsage();
      const stats: StatsMessage = {
        type: "stats",
        cpu,
        elu,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
      // Listing the inbox users walks them all, so only when asked (after the timed phases).
      if (running && deliveries && message.withMock) {
        const { state } = running.mock;
        stats.mock = { ...deliveries(), journalSize: state.journal.size, inboxUsers: state.inbox.recipients().length };
      }
      process.send!(stats);
    } else if (message.type === "close") {
      void close().finally(() => process.exit(0));
    }
  });
  // The parent going away must not leave a server behind.
  process.on("disconnect", () => process.exit(0));
  process.send!({ type: "ready", target, url });
}

if (!process.send) {
  console.error("serve-target: started by mock-server.bench.ts over IPC (child_process.fork), not by hand");
  process.exit(2);
}
await main(process.argv[2] ?? "");
