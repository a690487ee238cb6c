/**
 * A V8 CPU profile of the worker in `wrangler dev`, taken through its
 * inspector with the Chrome DevTools Protocol, and what it says: the
 * functions that took the most samples, by self time and by total time, at
 * their place in the sources (through the bundle's source map).
 *
 * wrangler's inspector port lists one target per user worker (GET /json);
 * the worker and its Durable Objects share that isolate in workerd, so one
 * profile covers the route, the RPC into the object and its SQL alike.
 * Used by `npm run bench:worker -- --cpu-profile FILE` around the 32-client
 * send phase only. The profiler costs the isolate CPU of its own: a run that
 * profiles is not one to compare CPU per send with.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMs, table } from "./report.ts";
import type { SendPhaseHooks } from "./worker-throughput.ts";

/** The parts of a `.cpuprofile` (Profiler.stop's `profile`) that the summary reads. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface RunningProfile {
  /** Stops the profiler and gives its profile; the connection is closed after. */
  stop(): Promise<CpuProfile>;
  /** Closes the connection without waiting for a profile (on an error). */
  close(): void;
}

/** The sampling interval: V8's default for the inspector is 1 ms, too coarse for requests of a few ms. */
const SAMPLING_INTERVAL_US = 100;
const COMMAND_TIMEOUT_MS = 30_000;

/** Connects to the inspector on `host:port`, to the target of `workerName` (or the only one), and starts the profiler. */
export async function startWorkerCpuProfile(host: string, port: number, workerName?: string): Promise<RunningProfile> {
  const targets = (await (await fetch(`http://${host}:${port}/json`, { signal: AbortSignal.timeout(5_000) })).json()) as { title: string; webSocketDebuggerUrl: string }[];
  const target = targets.length === 1 ? targets[0] : targets.find((t) => workerName !== undefined && t.title.endsWith(`: ${workerName}`));
  if (!target) throw new Error(`no inspector target for the worker among ${JSON.stringify(targets.map((t) => t.title))}`);
  const session = await CdpSession.open(target.webSocketDebuggerUrl);
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    await session.send("Profiler.start");
  } catch (error) {
    session.close();
    throw error;
  }
  return {
    async stop() {
      try {
        const { profile } = (await session.send("Profiler.stop")) as { profile: CpuProfile };
        await session.send("Profiler.disable").catch(() => {});
        return profile;
      } finally {
        session.close();
      }
    },
    close: () => session.close(),
  };
}

/** Request and answer over one DevTools WebSocket (Node 22's global WebSocket). */
class CdpSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(`inspector: ${message.error.message}`));
      else waiter.resolve(message.result);
    });
    socket.addEventListener("close", () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error("inspector: the connection closed"));
      this.#pending.clear();
    });
  }

  static open(url: string): Promise<CdpSession> {
    // wrangler's inspector proxy refuses an upgrade with a User-Agent and no allowed Origin; undici sends a User-Agent.
    const socket = new WebSocket(url, { headers: { origin: "http://localhost" } } as unknown as string[]);
    return new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(new CdpSession(socket)), { once: true });
      socket.addEventListener("error", () => reject(new Error(`inspector: could not connect to ${url}`)), { once: true });
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`inspector: no answer to ${method} within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}

/** A function as the summary names it: its name and its place in the sources. */
interface FunctionTime {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

/**
 * Time per function, summed over the profile's nodes: self time is where a
 * sample landed, total time each sample once per function on its stack (so
 * recursion counts once). Every sample counts as the median interval between
 * samples: workerd's sampler takes none while the isolate is not running (its
 * thread is in workerd's own code, or idle between events), so the gap after
 * a sample would credit that function with time it did not run. Paths are
 * relative to `root`.
 */
export function functionTimes(profile: CpuProfile, root: string, bundleMap?: SourceMapPayload): { functions: FunctionTime[]; sampledMs: number; samples: number; intervalMs: number } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const locate = locator(root, bundleMap);
  const keyOf = new Map<number, string>();
  const functions = new Map<string, FunctionTime>();
  for (const node of profile.nodes) {
    const { name, where } = locate(node.callFrame);
    const key = `${name}\u0000${where}`;
    keyOf.set(node.id, key);
    if (!functions.has(key)) functions.set(key, { name, where, selfMs: 0, totalMs: 0 });
  }
  const samples = profile.samples ?? [];
  const deltas = [...(profile.timeDeltas ?? [])].sort((a, b) => a - b);
  const intervalMs = deltas.length > 0 ? deltas[Math.floor(deltas.length / 2)]! / 1000 : 0;
  for (const leaf of samples) {
    functions.get(keyOf.get(leaf)!)!.selfMs += intervalMs;
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const key = keyOf.get(id)!;
      if (seen.has(key)) continue;
      seen.add(key);
      functions.get(key)!.totalMs += intervalMs;
    }
  }
  return { functions: [...functions.values()], sampledMs: samples.length * intervalMs, samples: samples.length, intervalMs };
}

/**
 * The source map of the bundle `wrangler dev` is running, read while it runs
 * (wrangler removes its temporary directory on exit): the newest
 * `.wrangler/tmp/dev-XXXX/index.js.map` under `root`. Its scripts reach the
 * profile as plain "index.js".
 */
export function readDevBundleSourceMap(root: string): SourceMapPayload | undefined {
  const dir = join(root, ".wrangler", "tmp");
  if (!existsSync(dir)) return undefined;
  const maps = readdirSync(dir)
    .filter((name) => name.startsWith("dev-"))
    .map((name) => join(dir, name, "index.js.map"))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return maps[0] ? (JSON.parse(readFileSync(maps[0], "utf8")) as SourceMapPayload) : undefined;
}

/** Maps a call frame to a readable name and `file:line`, through the bundle's source map when there is one. */
function locator(root: string, bundleMap: SourceMapPayload | undefined): (frame: CpuProfileNode["callFrame"]) => { name: string; where: string } {
  const map = bundleMap ? new SourceMap(bundleMap) : undefined;
  return (frame) => {
    const name = frame.functionName || (frame.url ? "(anonymous)" : "");
    if (!frame.url) return { name: name || "(native)", where: "" };
    const entry = frame.url === "index.js" ? (map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined) : undefined;
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith("file:") ? relative(root, fileURLToPath(entry.originalSource)) : entry.originalSource;
      return { name, where: `${source.replace(/^(\.\.\/)+/, "")}:${entry.originalLine! + 1}` };
    }
    return { name, where: `${frame.url}:${frame.lineNumber + 1}` };
  };
}

/**
 * The top `count` functions by self time and by total time, and the source
 * files by self time, as tables, each with its share of the isolate's busy
 * samples and, given `requests`, its time per request.
 */
export function profileSummary(profile: CpuProfile, root: string, options: { bundleMap?: SourceMapPayload; requests?: number; count?: number } = {}): string {
  const { functions, samples, intervalMs } = functionTimes(profile, root, options.bundleMap);
  const count = options.count ?? 30;
  const idleMs = functions.filter((f) => f.name === "(idle)").reduce((sum, f) => sum + f.selfMs, 0);
  const busyMs = samples * intervalMs - idleMs;
  const share = (ms: number) => `${((ms / busyMs) * 100).toFixed(1)}%`;
  const perRequest = (ms: number) => (options.requests ? fmtMs(ms / options.requests) : "");
  const rows = (sorted: FunctionTime[], first: "selfMs" | "totalMs") => {
    const second = first === "selfMs" ? "totalMs" : "selfMs";
    return sorted.slice(0, count).map((f) => [f.name.slice(0, 48), fmtMs(f[first]), share(f[first]), perRequest(f[first]), fmtMs(f[second]), f.where]);
  };
  // The idle isolate and the root (every sample) say nothing about where the work went.
  const working = functions.filter((f) => f.name !== "(idle)" && f.name !== "(root)");
  const bySelf = [...working].sort((a, b) => b.selfMs - a.selfMs);
  const byTotal = [...working].sort((a, b) => b.totalMs - a.totalMs);
  // Per source file: which module's own code the samples landed in (native work is the calling frame's).
  const files = new Map<string, number>();
  for (const f of working) {
    const file = f.where ? f.where.replace(/:\d+$/, "") : f.name;
    files.set(file, (files.get(file) ?? 0) + f.selfMs);
  }
  const byFile = [...files].sort((a, b) => b[1] - a[1]).slice(0, count);
  const each = options.requests ? "per request" : "";
  return [
    `${samples} samples ${fmtMs(intervalMs)} apart (median): the isolate busy for ${fmtMs(busyMs)}` +
      (options.requests ? ` (${fmtMs(busyMs / options.requests)} per request over ${options.requests})` : "") +
      `, idle for ${fmtMs(idleMs)}. Shares are of the busy time. Work workerd does outside the isolate (its HTTP, the object's commits) is not sampled.`,
    "",
    "By self time (a native function's work counts as its own; inlined functions count as their caller):",
    table(["function", "self", "share", each, "total", "where"], rows(bySelf, "selfMs")),
    "",
    "By total time:",
    table(["function", "total", "share", each, "self", "where"], rows(byTotal, "totalMs")),
    "",
    "Self time by source file:",
    table(["file", "self", "share", each], byFile.map(([file, ms]) => [file, fmtMs(ms), share(ms), perRequest(ms)])),
  ].join("\n");
}

// `node --experimental-strip-types bench/worker-cpu-profile.ts FILE [REQUESTS]`: the summary of a
// profile written by `--cpu-profile FILE` (its source map beside it, FILE.map), again.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, requests] = process.argv.slice(2);
  if (!file) throw new Error("usage: worker-cpu-profile.ts FILE [REQUESTS]");
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const bundleMap = existsSync(`${file}.map`) ? (JSON.parse(readFileSync(`${file}.map`, "utf8")) as SourceMapPayload) : undefined;
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
  console.log(profileSummary(profile, root, { ...(bundleMap ? { bundleMap } : {}), ...(requests ? { requests: Number(requests) } : {}) }));
}

/**
 * Profiles the worker's isolate over bench:worker's 32-client send phase:
 * `hooks` start the profiler just before the sends and stop it just after;
 * `report` writes the profile to `file` (the bundle's source map beside it,
 * for profileSummary to read later) and prints its summary per send.
 */
export function profileSendPhase(options: { host: string; inspectorPort: number; root: string; file: string }): { hooks: SendPhaseHooks; report(sends: number): void } {
  let running: RunningProfile | undefined;
  let profile: CpuProfile | undefined;
  let bundleMap: SourceMapPayload | undefined;
  return {
    hooks: {
      async beforeSends() {
        running = await startWorkerCpuProfile(options.host, options.inspectorPort, "dingtalk-edge");
      },
      async afterSends() {
        profile = await running?.stop();
        // Read now: wrangler removes its bundle's directory when it stops.
        bundleMap = readDevBundleSourceMap(options.root);
      },
    },
    report(sends) {
      if (!profile) return;
      writeFileSync(options.file, JSON.stringify(profile));
      if (bundleMap) writeFileSync(`${options.file}.map`, JSON.stringify(bundleMap));
      console.log(`\nCPU profile of the worker's isolate over the ${sends} sends of the 32-client phase (written to ${options.file}):\n`);
      console.log(profileSummary(profile, options.root, { ...(bundleMap ? { bundleMap } : {}), requests: sends }));
    },
  };
}
