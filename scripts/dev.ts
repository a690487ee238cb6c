import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startMockServer } from "../mock-server/node-server.ts";
import { DEV_APPS } from "../worker/dev-apps.ts";

/**
 * The main job: the mock DingTalk on :3000 and the worker in `wrangler dev` on
 * :8787, wired to it. Ctrl-C stops both.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    "mock-port": { type: "string", default: "3000" },
  },
});

/** The API key of the dev server, printed below and used in the README's curl. Never valid anywhere else. */
const DEV_API_KEY = "dev-api-key";
const devApiKeys = [{ id: "dev", sha256: createHash("sha256").update(DEV_API_KEY).digest("hex") }];

const mock = await startMockServer({ port: Number(values["mock-port"]) });
console.log(`mock DingTalk  ${mock.url}   (inbox: ${mock.url}/__admin/inbox/123)`);
console.log(`worker        http://localhost:${values.port}   (Authorization: Bearer ${DEV_API_KEY})`);

// The mock starts empty every time; so does the worker's Durable Object state, or quotas would not match.
const state = mkdtempSync(join(tmpdir(), "dingtalk-edge-dev-"));

const wrangler = spawn(
  "wrangler",
  [
    "dev",
    "--port",
    values.port!,
    "--persist-to",
    state,
    "--var",
    `DINGTALK_BASE_URL:${mock.url}`,
    "--var",
    `DINGTALK_APPS:${JSON.stringify(DEV_APPS)}`,
    "--var",
    `API_KEYS:${JSON.stringify(devApiKeys)}`,
  ],
  // A process group of its own: wrangler runs workerd as a child, which outlives a wrangler killed
  // with SIGKILL and keeps the port; stopping signals the whole group.
  { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, detached: true },
);

/** Signals wrangler and whatever it started; nothing to do once the group is gone. */
function signalWrangler(signal: NodeJS.Signals): void {
  try {
    process.kill(-wrangler.pid!, signal);
  } catch {
    // ESRCH: no process left in the group.
  }
}

// However wrangler ends (Ctrl-C, a crash, a SIGKILL), what it left behind goes, then the mock.
wrangler.on("exit", (code) => {
  signalWrangler("SIGKILL");
  void mock.close().finally(() => process.exit(code ?? 0));
});
const stop = () => {
  signalWrangler("SIGINT");
  setTimeout(() => signalWrangler("SIGKILL"), 5_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
