/**
 * The package as a downstream project gets it: `npm pack` (which builds
 * dist/), `npm install <tarball>` into a fresh project, then every entry used
 * from there in Node, the `dingtalk-edge` command, the .d.ts from TypeScript,
 * and `dingtalk-edge/mock` with `dingtalk-edge/client` inside workerd
 * (`wrangler dev` on a worker of the fresh project, no nodejs_compat).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, LOOPBACK, ROOT, waitUntilAnswering, Wrangler, wranglerDevArgs } from "../scripts/wrangler-dev-launcher.ts";

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** npm's own variables from an enclosing `npm test` would point a nested npm at this repository (npm_config_local_prefix). */
const CHILD_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_(package_|lifecycle_|command$|config_(local_prefix|call)$)|INIT_CWD$)/i.test(name)),
  ),
  // npm, wrangler and `#!/usr/bin/env node` all run on the Node that runs this test (22).
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  WRANGLER_SEND_METRICS: "false",
};

/** Runs a command in its own process group; the whole group is killed if it outlives `timeoutMs`. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: CHILD_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      killGroup(child.pid, "SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const describeRun = (ran: Ran) => `exit ${ran.code ?? ran.signal}\n--- stdout\n${ran.stdout.slice(-3000)}\n--- stderr\n${ran.stderr.slice(-3000)}`;

/** Node, importing every entry of the installed package: the in-process mock, the client through it, the contract, the HTTP server. */
const CONSUMER_SCRIPT = `
import { DingTalkClient, TokenProvider, internalAppTokenFetcher } from "dingtalk-edge/client";
import { createMockDingTalk, DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP } from "dingtalk-edge/mock";
import { startMockServer } from "dingtalk-edge/mock/node";
import { doubleTarget, runContract } from "dingtalk-edge/contract";

const { appKey, appSecret, agentId } = DEFAULT_INTERNAL_APP;
const mock = createMockDingTalk();
const token = await (await mock.fetch(\`\${mock.baseUrl}/gettoken?appkey=\${appKey}&appsecret=\${appSecret}\`)).json();

const vendor = { baseUrl: mock.baseUrl, fetch: mock.fetch, timeoutMs: 5_000 };
const client = new DingTalkClient({ ...vendor, tokens: new TokenProvider(internalAppTokenFetcher({ appKey, appSecret }, vendor)) });
const sent = await client.sendByTemplate({
  agent_id: agentId,
  template_id: DEFAULT_APPROVED_TEMPLATE_ID,
  userid_list: "123",
  data: JSON.stringify({ name: "Ada", name2: "https://example.com/orders/1" }),
});
const inbox = await mock.admin.inbox("123");

const double = createMockDingTalk();
const results = await runContract(await doubleTarget({ name: "in-process mock", baseUrl: double.baseUrl, fetch: double.fetch }));

const server = await startMockServer({ port: 0 });
const overHttp = await (await fetch(\`\${server.url}/gettoken?appkey=\${appKey}&appsecret=\${appSecret}\`)).json();
await server.close();

console.log(JSON.stringify({
  token: { errcode: token.errcode, accessToken: token.access_token, expiresIn: token.expires_in },
  taskId: sent.task_id,
  inbox: inbox.messages.map((message) => ({ taskId: message.taskId, text: message.text })),
  contract: results.map((result) => ({ id: result.id, status: result.status, reason: result.reason })),
  overHttp: overHttp.errcode,
}));
`;

/** The same in workerd: bundled by wrangler from the installed package, without nodejs_compat. */
const WORKER_SCRIPT = `
import { DingTalkClient, TokenProvider, internalAppTokenFetcher } from "dingtalk-edge/client";
import { doubleTarget, runContract } from "dingtalk-edge/contract";
import { createMockDingTalk, DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_INTERNAL_APP } from "dingtalk-edge/mock";

export default {
  async fetch(request) {
    if (new URL(request.url).pathname === "/contract") {
      const double = createMockDingTalk();
      const results = await runContract(await doubleTarget({ name: "in-process mock", baseUrl: double.baseUrl, fetch: double.fetch }));
      return Response.json(results.map((result) => ({ id: result.id, status: result.status, reason: result.reason })));
    }
    const { appKey, appSecret, agentId } = DEFAULT_INTERNAL_APP;
    const mock = createMockDingTalk();
    const vendor = { baseUrl: mock.baseUrl, fetch: mock.fetch, timeoutMs: 5_000 };
    const client = new DingTalkClient({ ...vendor, tokens: new TokenProvider(internalAppTokenFetcher({ appKey, appSecret }, vendor)) });
    const sent = await client.sendByTemplate({
      agent_id: agentId,
      template_id: DEFAULT_APPROVED_TEMPLATE_ID,
      userid_list: "123",
      data: JSON.stringify({ name: "Ada", name2: "https://example.com/orders/1" }),
    });
    const inbox = await mock.admin.inbox("123");
    return Response.json({ runtime: navigator.userAgent, taskId: sent.task_id, inbox: inbox.messages.map((message) => message.text) });
  },
};
`;

/** TypeScript against the installed .d.ts; the @ts-expect-error fails the check if the types were \`any\`. */
const TYPES_SCRIPT = `
import { DingTalkClient, TokenProvider, internalAppTokenFetcher } from "dingtalk-edge/client";
import { createMockDingTalk, MockAdminClient, type ClockView, type MockDingTalk, type MockSettings } from "dingtalk-edge/mock";
import { startMockServer, type RunningMockServer } from "dingtalk-edge/mock/node";
import { describeContract, doubleTarget, runContract, type CaseResult } from "dingtalk-edge/contract";

const mock: MockDingTalk = createMockDingTalk({ world: "empty" });
const vendor = { baseUrl: mock.baseUrl, fetch: mock.fetch, timeoutMs: 5_000 };
const client = new DingTalkClient({ ...vendor, tokens: new TokenProvider(internalAppTokenFetcher({ appKey: "k", appSecret: "s" }, vendor)) });
export const taskId: Promise<number> = client.sendByTemplate({ agent_id: 123, template_id: "t" }).then((answer) => answer.task_id);
// @ts-expect-error agent_id is a number
void client.sendByTemplate({ agent_id: "123", template_id: "t" });
export const results: Promise<CaseResult[]> = doubleTarget({ name: "m", baseUrl: mock.baseUrl, fetch: mock.fetch }).then(runContract);
export const server: Promise<RunningMockServer> = startMockServer({ port: 0 });
export { describeContract };
export const lifted: MockSettings["qpsPerAppPerApi"] = null;
export const nextDay: Promise<ClockView> = new MockAdminClient(fetch, "http://127.0.0.1:3000").advanceToNextChinaDay();
// @ts-expect-error minuteWindow is "sliding" or "calendar"
export const wrong: MockSettings["minuteWindow"] = "rolling";
`;

const SEND_TEXT = "Hello Ada, your order is ready: https://example.com/orders/1";

/** The one case an internal app cannot run: skipped, with its reason, never passed. */
const INTERNAL_APP_SKIP = { id: "token.bad-suite-ticket-853005", status: "skip", reason: expect.stringContaining("sends as an internal app") };

describe("the package, packed and installed into a fresh project", () => {
  let work: string;
  let project: string;
  let packed: { filename: string; size: number; files: { path: string }[] };
  const bin = () => join(project, "node_modules", ".bin", "dingtalk-edge");

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "dingtalk-edge-package-"));
    // prepack builds dist/ first, as it would for anyone packing a clone.
    const pack = await run("npm", ["pack", "--json", "--pack-destination", work], ROOT, 120_000);
    expect(pack.code, describeRun(pack)).toBe(0);
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;

    project = join(work, "consumer");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const install = await run("npm", ["install", join(work, packed.filename), "--no-audit", "--no-fund", "--prefer-offline"], project, 180_000);
    expect(install.code, describeRun(install)).toBe(0);
  }, 320_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("holds only dist/, the README, the LICENSE, the vendor facts and package.json, and depends on exactly what its entries import", () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths.filter((path) => !path.startsWith("dist/")).sort()).toEqual(["LICENSE", "README.md", "docs/dingtalk-api.md", "package.json"]);
    // The contract's cases cite this file: it must be there for whoever reads a failure.
    expect(readFileSync(join(project, "node_modules", "dingtalk-edge", "docs", "dingtalk-api.md"), "utf8")).toMatch(/^## Silent limits$/m);
    for (const entry of ["client", "mock", "mock-node", "contract"]) expect(paths).toEqual(expect.arrayContaining([`dist/entries/${entry}.js`, `dist/entries/${entry}.d.ts`]));
    expect(paths).toContain("dist/bin/dingtalk-edge.js");
    expect(paths.filter((path) => /\.test\.|\.ts$/.test(path) && !path.endsWith(".d.ts"))).toEqual([]);

    const installed = JSON.parse(readFileSync(join(project, "node_modules", "dingtalk-edge", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies).sort()).toEqual(["@hono/node-server", "hono", "zod"]);
  });

  it("keeps dingtalk-edge/mock, /client and /contract free of Node-only imports", () => {
    const root = join(project, "node_modules", "dingtalk-edge", "dist", "entries");
    const bare = (entry: string) => {
      const seen = new Set<string>();
      const found = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        // Emitted statements start their line; a usage example in a doc comment starts with " *".
        for (const match of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?\bfrom\s+"([^"]+)";$|^import\s+"([^"]+)";$/gm)) {
          const specifier = (match[1] ?? match[2])!;
          if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
          else found.add(specifier);
        }
      };
      visit(join(root, `${entry}.js`));
      return [...found].sort();
    };
    // The shared schemas are zod/mini (protocol/zod.ts, with English from zod/locales); the mock's own schemas are classic zod.
    expect(bare("client")).toEqual(["zod/locales", "zod/mini"]);
    expect(bare("mock")).toEqual(["hono", "hono/streaming", "zod", "zod/locales", "zod/mini"]);
    expect(bare("contract")).toEqual(["zod", "zod/locales", "zod/mini"]);
    expect(bare("mock-node")).toEqual(["@hono/node-server", "hono", "hono/streaming", "zod", "zod/locales", "zod/mini"]);
  });

  it("works in Node: the mock answers gettoken, the client sends through it, the contract passes, the HTTP server answers", async () => {
    writeFileSync(join(project, "consumer.mjs"), CONSUMER_SCRIPT);
    const ran = await run(process.execPath, ["consumer.mjs"], project, 60_000);
    expect(ran.code, describeRun(ran)).toBe(0);
    const report = JSON.parse(ran.stdout) as {
      token: { errcode: number; accessToken: string; expiresIn: number };
      taskId: number;
      inbox: { taskId: number; text: string }[];
      contract: { id: string; status: string; reason?: string }[];
      overHttp: number;
    };
    expect(report.token).toMatchObject({ errcode: 0, expiresIn: 7200 });
    expect(report.token.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(report.taskId).toBeGreaterThan(0);
    expect(report.inbox).toEqual([{ taskId: report.taskId, text: SEND_TEXT }]);
    expect(report.contract.length).toBeGreaterThan(20);
    expect(report.contract.filter((result) => result.status !== "pass")).toEqual([INTERNAL_APP_SKIP]);
    expect(report.overHttp).toBe(0);
  }, 70_000);

  it("type-checks against the installed .d.ts (NodeNext resolution)", async () => {
    writeFileSync(join(project, "types.ts"), TYPES_SCRIPT);
    const tsconfig = {
      compilerOptions: { target: "ES2023", lib: ["ES2023", "DOM"], module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ["types.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    const ran = await run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], project, 60_000);
    expect(ran.code, describeRun(ran)).toBe(0);
  }, 70_000);

  it("documents the settings in the installed .d.ts, not only in the source", () => {
    const root = join(project, "node_modules", "dingtalk-edge", "dist");
    expect(readFileSync(join(root, "mock-server", "index.d.ts"), "utf8")).toMatch(/from "\.\/settings-types\.(js|ts)"/);
    const types = readFileSync(join(root, "mock-server", "settings-types.d.ts"), "utf8");
    expect(types).toMatch(/\/\*\*[^/]*Calls per second per app per API[^/]*\*\/\s*qpsPerAppPerApi: number \| null;/);
    expect(types).toMatch(/\/\*\*[^/]*per-minute window in ms[^/]*\*\/\s*minuteWindowMs: number;/);
    const admin = readFileSync(join(root, "mock-server", "admin-client.d.ts"), "utf8");
    expect(admin).toMatch(/\/\*\*[^/]*next 00:00 China time[^/]*\*\/\s*advanceToNextChinaDay\(\): Promise<ClockView>;/);
  });

  it("installs the dingtalk-edge command: help, bad input, a mock on a port and the contract against it", async () => {
    const help = await run(bin(), ["--help"], project, 30_000);
    expect(help.code, describeRun(help)).toBe(0);
    expect(help.stdout).toContain("Usage: dingtalk-edge <command>");
    const mockHelp = await run(bin(), ["mock", "--help"], project, 30_000);
    expect(mockHelp.code, describeRun(mockHelp)).toBe(0);
    expect(mockHelp.stdout).toContain("Usage: dingtalk-edge mock [options]");

    const unknown = await run(bin(), ["serve"], project, 30_000);
    expect(unknown.code, describeRun(unknown)).toBe(2);
    expect(unknown.stderr).toContain('unknown command "serve"');
    const unreachable = await run(bin(), ["contract", "--target", "http://127.0.0.1:9"], project, 30_000);
    expect(unreachable.code, describeRun(unreachable)).toBe(2);
    expect(unreachable.stderr).toContain("cannot reach");

    const mock = spawn(bin(), ["mock", "--port", "0"], { cwd: project, env: CHILD_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let output = "";
      mock.stdout.on("data", (chunk: Buffer) => (output += chunk));
      mock.stderr.on("data", (chunk: Buffer) => (output += chunk));
      const exited = new Promise<number | null>((done) => mock.once("exit", (code) => done(code)));
      const deadline = Date.now() + 20_000;
      let url: string | undefined;
      while (!(url = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
        if (Date.now() > deadline || mock.exitCode !== null) throw new Error(`dingtalk-edge mock did not start:\n${output}`);
        await new Promise((wait) => setTimeout(wait, 50));
      }
      const contract = await run(bin(), ["contract", "--target", url], project, 60_000);
      expect(contract.code, describeRun(contract)).toBe(0);
      expect(contract.stdout).toMatch(/\d+ passed, 0 failed, 1 skipped/);
      // A root run gives the clock back running, as it found it.
      expect(((await (await fetch(`${url}/__admin/clock`)).json()) as { frozen: boolean }).frozen).toBe(false);
      // A CI job in its own world: the same contract through the world's base URL.
      const inWorld = await run(bin(), ["contract", "--target", `${url}/w/ci-job-1`], project, 60_000);
      expect(inWorld.code, describeRun(inWorld)).toBe(0);
      expect(inWorld.stdout).toMatch(/\d+ passed, 0 failed, 1 skipped/);
      // A world name the mock refuses: one message with the URL and the mock's answer, exit 2.
      const refused = await run(bin(), ["contract", "--target", `${url}/w/feature/login-fix`], project, 30_000);
      expect(refused.code, describeRun(refused)).toBe(2);
      expect(refused.stderr).toContain(`${url}/w/feature/login-fix/gettoken`);
      expect(refused.stderr).toContain("HTTP 404");
      const worlds = (await (await fetch(`${url}/__admin/worlds`)).json()) as { worlds: { name: string }[] };
      expect(worlds.worlds.map((world) => world.name)).toContain("ci-job-1");

      killGroup(mock.pid, "SIGTERM");
      const code = await Promise.race([exited, new Promise((wait) => setTimeout(() => wait("still running"), 10_000))]);
      expect(code).toBe(0);
    } finally {
      killGroup(mock.pid, "SIGKILL");
    }
  }, 120_000);

  it("runs dingtalk-edge/mock, /client and /contract inside workerd (wrangler dev)", async () => {
    writeFileSync(join(project, "worker.mjs"), WORKER_SCRIPT);
    // No nodejs_compat flag. (Recent compatibility dates give workerd some node: modules anyway: the test above checks the imports.)
    writeFileSync(join(project, "wrangler.toml"), `name = "dingtalk-edge-consumer"\nmain = "worker.mjs"\ncompatibility_date = "2026-11-01"\n`);
    const [port, inspectorPort] = [await freePort(), await freePort()];
    const wrangler = new Wrangler(
      wranglerDevArgs({ config: join(project, "wrangler.toml"), port, inspectorPort, persistTo: join(work, "wrangler-state") }),
      false,
    );
    try {
      const url = `http://${LOOPBACK}:${port}/`;
      await waitUntilAnswering(url, wrangler, 60_000);
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const body = await response.text();
      expect(response.status, `${body}\n${wrangler.output()}`).toBe(200);
      const answer = JSON.parse(body) as { runtime: string; taskId: number; inbox: string[] };
      expect(answer.runtime).toBe("Cloudflare-Workers");
      expect(answer.taskId).toBeGreaterThan(0);
      expect(answer.inbox).toEqual([SEND_TEXT]);

      const contract = await fetch(`${url}contract`, { signal: AbortSignal.timeout(60_000) });
      const results = (await contract.json()) as { id: string; status: string; reason?: string }[];
      expect(results.length).toBeGreaterThan(20);
      expect(results.filter((result) => result.status !== "pass")).toEqual([INTERNAL_APP_SKIP]);
    } finally {
      await wrangler.stop();
    }
  }, 120_000);
});
