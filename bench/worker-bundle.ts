/**
 * The worker's bundle as `wrangler deploy` would upload it, built by wrangler
 * itself (`deploy --dry-run --outdir`, nothing leaves the machine) and
 * measured raw and gzipped with node:zlib at its default level, the figure
 * wrangler prints as "gzip:" (they agree within a few bytes). esbuild's
 * metafile says where the bytes come from. Shared by `npm run bench:bundle`
 * (bench/bundle-size.bench.ts) and the budget test (worker/bundle-size.test.ts).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../scripts/wrangler-dev-launcher.ts";

/** Issue 15, goal 4: the worker's bundle at most 80 KiB gzipped. */
export const BUNDLE_GZIP_BUDGET_BYTES = 80 * 1024;

const WRANGLER_JS = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
/** A dry run takes 2–5 s; a minute means wrangler is stuck. */
const BUILD_TIMEOUT_MS = 60_000;

export interface BundleInput {
  /** Repository path, or `node_modules/<package>/…`. */
  path: string;
  /** Bytes this input adds to the bundle after tree shaking. */
  bytes: number;
}

export interface WorkerBundle {
  wranglerVersion: string;
  /** The uploaded modules (source maps are not uploaded), summed. */
  rawBytes: number;
  gzipBytes: number;
  inputs: BundleInput[];
  /** Bytes per npm package or per folder of ours (`worker/durable`, `protocol`), largest first. */
  byOrigin: { origin: string; bytes: number }[];
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Builds the worker with this repository's wrangler.toml into a temporary directory and measures it. */
export async function buildWorkerBundle(): Promise<WorkerBundle> {
  const outdir = mkdtempSync(join(tmpdir(), "worker-bundle-"));
  try {
    const metafilePath = join(outdir, "meta.json");
    await runWrangler(["deploy", "--dry-run", "--outdir", join(outdir, "dist"), "--metafile", metafilePath]);
    const metafile = JSON.parse(readFileSync(metafilePath, "utf8")) as Metafile;
    let raw = Buffer.alloc(0);
    const inputs = new Map<string, number>();
    for (const [output, { inputs: used }] of Object.entries(metafile.outputs)) {
      if (output.endsWith(".map")) continue;
      // Output paths are relative to the directory wrangler ran in (the repository).
      raw = Buffer.concat([raw, readFileSync(resolve(ROOT, output))]);
      for (const [input, { bytesInOutput }] of Object.entries(used)) {
        const path = repositoryPath(input);
        inputs.set(path, (inputs.get(path) ?? 0) + bytesInOutput);
      }
    }
    if (raw.length === 0) throw new Error(`wrangler wrote no module: ${Object.keys(metafile.outputs).join(", ")}`);
    const listed = [...inputs].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes);
    return {
      wranglerVersion: (JSON.parse(readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8")) as { version: string }).version,
      rawBytes: raw.length,
      gzipBytes: gzipSync(raw).length,
      inputs: listed,
      byOrigin: byOrigin(listed),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** `node_modules/<package>/…` whatever node_modules it was found in (pnpm, hoisting), else relative to the repository. */
function repositoryPath(input: string): string {
  const normalized = input.split(sep).join("/");
  const inModules = normalized.lastIndexOf("node_modules/");
  if (inModules >= 0) return normalized.slice(inModules);
  return relative(ROOT, resolve(ROOT, normalized)).split(sep).join("/");
}

function byOrigin(inputs: BundleInput[]): { origin: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const { path, bytes } of inputs) {
    const origin = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? path.split("/").slice(0, path.startsWith("worker/") ? 2 : 1).join("/");
    totals.set(origin, (totals.get(origin) ?? 0) + bytes);
  }
  return [...totals].map(([origin, bytes]) => ({ origin, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function runWrangler(argv: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [WRANGLER_JS, ...argv], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`wrangler ${argv.join(" ")} ended with ${signal ?? `exit code ${code}`}:\n${output.slice(-4000)}`));
    });
  });
}

/** "315.8 KiB" */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
