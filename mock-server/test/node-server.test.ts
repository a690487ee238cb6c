import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { VendorPath } from "../../protocol/index.ts";
import { MockAdminClient } from "../admin-client.ts";
import { startMockServer, type RunningMockServer } from "../node-server.ts";
import { DEFAULT_INTERNAL_APP } from "./harness.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN_QUERY = `${VendorPath.getToken}?appkey=${DEFAULT_INTERNAL_APP.appKey}&appsecret=${DEFAULT_INTERNAL_APP.appSecret}`;

async function getToken(baseUrl: string): Promise<{ errcode: number; access_token?: string }> {
  const response = await fetch(`${baseUrl}${TOKEN_QUERY}`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as { errcode: number; access_token?: string };
}

describe("startMockServer", () => {
  let server: RunningMockServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the vendor and admin APIs over real HTTP on 127.0.0.1", async () => {
    server = await startMockServer({ port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);

    const answer = await getToken(server.url);
    expect(answer.errcode).toBe(0);
    expect(answer.access_token).toMatch(/^[0-9a-f]{32}$/);
    const admin = new MockAdminClient(fetch, server.url);
    const { entries } = await admin.journal();
    expect(entries.map((entry) => entry.endpoint)).toEqual(["getToken"]);
    expect(server.mock.state.journal.size).toBe(1);
  });

  it("drops the connection on a drop fault: the HTTP client sees a network error", async () => {
    server = await startMockServer({ port: 0 });
    const admin = new MockAdminClient(fetch, server.url);
    await admin.addFault({ endpoint: "/gettoken", drop: true, times: 1 });

    const failure = await getToken(server.url).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe("fetch failed");
    // The next call is answered: only that one connection was dropped.
    expect((await getToken(server.url)).errcode).toBe(0);
  });

  it("stops answering once closed", async () => {
    const running = await startMockServer({ port: 0 });
    expect((await getToken(running.url)).errcode).toBe(0);
    await running.close();
    await expect(getToken(running.url)).rejects.toBeInstanceOf(TypeError);
  });
});

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run mock` does, with the Node that runs these tests. */
function startCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<Exited> } {
  const child = spawn(process.execPath, ["--experimental-strip-types", "mock-server/cli.ts", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<Exited>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, output: () => stdout, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitForOutput(output: () => string, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in CLI output within ${ms} ms; got: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the CLI", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("listens on the port it prints, answers, and exits cleanly on SIGTERM", async () => {
    const cli = startCli(["--port", "0"]);
    children.push(cli.child);
    const [, url, port] = await waitForOutput(cli.output, /listening on (http:\/\/127\.0\.0\.1:(\d+))/, 15_000);
    expect(Number(port)).toBeGreaterThan(0);
    expect((await getToken(url!)).errcode).toBe(0);

    cli.child.kill("SIGTERM");
    expect(await within(cli.exited, 5_000, "the CLI to exit")).toMatchObject({ code: 0 });
  }, 30_000);

  it("exits with code 2 and names --port when the port is not a number", async () => {
    const cli = startCli(["--port", "abc"]);
    children.push(cli.child);
    const exited = await within(cli.exited, 15_000, "the CLI to exit");
    expect(exited.code).toBe(2);
    expect(exited.stderr).toContain("--port");
    expect(exited.stderr).toContain('"abc"');
    expect(exited.stdout).not.toContain("listening");
  }, 30_000);

  it("takes the world limits as flags, and names a bad one", async () => {
    const bad = startCli(["--max-worlds", "many"]);
    children.push(bad.child);
    const refused = await within(bad.exited, 15_000, "the CLI to exit");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--max-worlds must be a whole number, not "many"');

    const cli = startCli(["--port", "0", "--max-worlds", "1", "--world-idle", "5"]);
    children.push(cli.child);
    const [, url] = await waitForOutput(cli.output, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 15_000);
    expect((await getToken(`${url}/w/one`)).errcode).toBe(0);
    const full = await fetch(`${url}/w/two/gettoken`);
    expect(full.status).toBe(503);
    expect(await full.json()).toMatchObject({ code: "world-limit-reached" });
    expect(await (await fetch(`${url}/__admin/worlds`)).json()).toMatchObject({ limits: { maxWorlds: 1, idleMs: 300_000 } });
    cli.child.kill("SIGTERM");
    expect(await within(cli.exited, 5_000, "the CLI to exit")).toMatchObject({ code: 0 });
  }, 30_000);

  it("prints its usage and exits 0 with --help", async () => {
    const cli = startCli(["--help"]);
    children.push(cli.child);
    const exited = await within(cli.exited, 15_000, "the CLI to exit");
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain("Usage:");
    expect(exited.stdout).toContain("--port <n>");
  }, 30_000);
});
