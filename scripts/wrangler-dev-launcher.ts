/**
 * Starts the worker in `wrangler dev` from Node and stops it reliably: wrangler
 * and its workerd run in their own process group, which is signalled as a
 * whole. Used by the worker benchmark (bench/worker-latency.bench.ts) and by
 * tests that drive the worker over real HTTP (worker/test/third-party-sdk.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_APPS } from "../worker/dev-apps.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER_JS = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const LOOPBACK = "127.0.0.1";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port free on this host right now (the OS picks it). */
export function freePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** A throw-away API key: the key itself, and the API_KEYS value (its SHA-256, no scope limits) to give the worker. */
export function throwAwayApiKey(id: string): { key: string; apiKeys: string } {
  const key = randomBytes(24).toString("hex");
  return { key, apiKeys: JSON.stringify([{ id, sha256: createHash("sha256").update(key).digest("hex"), scope: {} }]) };
}

/** wrangler and its workerd, in their own process group so both stop together. */
export class Wrangler {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  #exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exit: Promise<void>;

  /** Runs `wrangler <argv>` with this Node, from the repository root. */
  constructor(argv: string[], verbose: boolean) {
    this.#child = spawn(process.execPath, [WRANGLER_JS, ...argv], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.#output.push(text);
      if (this.#output.length > 200) this.#output.shift();
      if (verbose) process.stderr.write(`[wrangler] ${text}`);
    };
    this.#child.stdout!.on("data", keep);
    this.#child.stderr!.on("data", keep);
    // Last resort if the parent exits without calling stop() (an uncaught error, process.exit): the group must not outlive it.
    const killOnExit = () => {
      if (this.#child.pid === undefined || this.#exited) return;
      try {
        process.kill(-this.#child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    process.once("exit", killOnExit);
    this.#exit = new Promise((resolve) =>
      this.#child.once("exit", (code, signal) => {
        this.#exited = { code, signal };
        process.removeListener("exit", killOnExit);
        resolve();
      }),
    );
    // A failed spawn emits "error" (and maybe no "exit"); record it rather than crash the caller.
    this.#child.once("error", (error) => {
      this.#output.push(`spawn error: ${error.message}\n`);
      this.#exited ??= { code: null, signal: null };
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#exited;
  }

  output(): string {
    return this.#output.join("").slice(-4000);
  }

  /** SIGKILL to the whole process group at once, as a crash would; resolves when wrangler is gone. */
  async kill(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || this.#exited) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    await Promise.race([this.#exit, sleep(5_000)]);
  }

  /** SIGTERM to wrangler's process group (the one this run started), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || this.#exited) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone.
      }
    };
    signalGroup("SIGTERM");
    const stopped = await Promise.race([this.#exit.then(() => true), sleep(5_000).then(() => false)]);
    if (!stopped) {
      signalGroup("SIGKILL");
      await Promise.race([this.#exit, sleep(2_000)]);
    } else {
      // workerd may outlive wrangler for a moment; make sure the group is gone.
      signalGroup("SIGKILL");
    }
  }
}

/** Polls `url` until anything answers; the time it took, in ms. Throws if wrangler exits first or `timeoutMs` passes. */
export async function waitUntilAnswering(url: string, wrangler: Wrangler, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (wrangler.exited) throw new Error(`wrangler exited (${JSON.stringify(wrangler.exited)}) before answering:\n${wrangler.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return performance.now() - started;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`wrangler did not answer ${url} within ${timeoutMs} ms:\n${wrangler.output()}`);
}

export interface WorkerDevOptions {
  /** The DingTalk the worker talks to (DINGTALK_BASE_URL), e.g. a Node mock's url. */
  dingtalkBaseUrl: string;
  /** The API_KEYS value. */
  apiKeys: string;
  /** Further `--var NAME:value` pairs. */
  vars?: Record<string, string>;
  /** DINGTALK_APPS; the mock's default world's apps unless given. */
  apps?: unknown;
  startupTimeoutMs?: number;
  verbose?: boolean;
  /**
   * Durable Object state to use (and keep on stop), e.g. to restart a worker on
   * the storage of one that was killed. A fresh temporary one, removed on stop, if absent.
   */
  persistTo?: string;
}

/** `wrangler dev` on loopback only (the server and its inspector), with its state where we say, and no interactive prompt. */
export function wranglerDevArgs(options: { port: number; inspectorPort: number; persistTo: string; config?: string }): string[] {
  return [
    "dev",
    ...(options.config ? ["--config", options.config] : []),
    "--ip",
    LOOPBACK,
    "--port",
    String(options.port),
    "--inspector-ip",
    LOOPBACK,
    "--inspector-port",
    String(options.inspectorPort),
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
  ];
}

export interface RunningWorkerDev {
  url: string;
  wrangler: Wrangler;
  /** How long wrangler took to answer, in ms. */
  startupMs: number;
  /** Where its Durable Object state lives. */
  persistTo: string;
  /** Stops wrangler's process group and removes its state directory (unless it was given). Safe to call more than once. */
  stop(): Promise<void>;
  /** `kill -9` of wrangler's whole process group, workerd included: no shutdown, state left as it was. */
  kill(): Promise<void>;
}

/**
 * The worker in `wrangler dev` on a free loopback port, with fresh Durable
 * Object state (a temporary --persist-to), answering before this resolves. On
 * any failure to start, wrangler is stopped before the error is thrown.
 */
export async function startWorkerDev(options: WorkerDevOptions): Promise<RunningWorkerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = options.persistTo ?? mkdtempSync(join(tmpdir(), "dingtalk-edge-wrangler-"));
  const vars: Record<string, string> = {
    DINGTALK_BASE_URL: options.dingtalkBaseUrl,
    DINGTALK_APPS: JSON.stringify(options.apps ?? DEV_APPS),
    API_KEYS: options.apiKeys,
    ...options.vars,
  };
  const wrangler = new Wrangler(
    [...wranglerDevArgs({ port, inspectorPort, persistTo: state }), ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`])],
    options.verbose ?? false,
  );
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await wrangler.stop();
      if (!options.persistTo) rmSync(state, { recursive: true, force: true });
    })());
  const kill = () => (stopping ??= wrangler.kill());
  const url = `http://${LOOPBACK}:${port}`;
  try {
    const startupMs = await waitUntilAnswering(url, wrangler, options.startupTimeoutMs ?? 60_000);
    return { url, wrangler, startupMs, persistTo: state, stop, kill };
  } catch (error) {
    await stop();
    throw error;
  }
}
