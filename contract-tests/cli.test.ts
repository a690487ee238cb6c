import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, type RunningMockServer } from "../mock-server/node-server.ts";

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--experimental-strip-types", "contract-tests/cli.ts", ...args], { cwd: new URL("..", import.meta.url) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("npm run contract", () => {
  let server: RunningMockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0 });
  });
  afterAll(() => server.close());

  it("prints a pass/fail table per case and exits 0 against the mock, skipping with its reason what the app cannot run", async () => {
    const { code, stdout } = await runCli(["--target", server.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {2}limits\.per-minute-silent/m);
    expect(stdout).toMatch(/^SKIP {2}token\.bad-suite-ticket-853005 +\S+ sends as an internal app/m);
    expect(stdout).toMatch(/\d+ passed, 0 failed, 1 skipped/);
  }, 70_000);

  it("leaves the root world's clock and settings as it found them", async () => {
    await fetch(`${server.url}/__admin/settings`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ recipientsPerMinute: 4321 }) });
    const clock = async () => (await (await fetch(`${server.url}/__admin/clock`)).json()) as { nowMs: number; frozen: boolean };
    const before = { clock: await clock(), at: Date.now() };
    const { code } = await runCli(["--target", server.url]);
    expect(code).toBe(0);
    const after = await clock();
    expect(after.frozen).toBe(before.clock.frozen);
    expect(Math.abs(after.nowMs - (before.clock.nowMs + Date.now() - before.at))).toBeLessThan(5_000);
    expect(await (await fetch(`${server.url}/__admin/settings`)).json()).toMatchObject({ recipientsPerMinute: 4321, qpsPerAppPerApi: 20 });
  }, 70_000);

  it("--fresh-world runs in a world of its own and drops it", async () => {
    const worlds = async () => ((await (await fetch(`${server.url}/__admin/worlds`)).json()) as { worlds: { name: string }[] }).worlds.map((w) => w.name);
    const before = await worlds();
    const { code, stdout } = await runCli(["--target", server.url, "--fresh-world", "--app", "thirdParty"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ passed, 0 failed, 0 skipped/);
    expect(await worlds()).toEqual(before);
    const refused = await runCli(["--target", `${server.url}/w/job-7`, "--fresh-world"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("give the root URL, not a world's");
  }, 70_000);

  it("says in --help how to share one mock", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("/w/<name>");
    expect(stdout).toContain("--fresh-world");
  });

  it("prints JSON with --json", async () => {
    const { code, stdout } = await runCli(["--target", server.url, "--json", "--app", "thirdParty"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { results: { id: string; status: string }[] };
    expect(report.results.find((r) => r.id === "send.success")?.status).toBe("pass");
  }, 70_000);

  it("exits 2 naming the problem for a bad flag or an unreachable target", async () => {
    const unknown = await runCli(["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
    const unreachable = await runCli(["--target", "http://127.0.0.1:9"]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain("cannot reach");
  }, 70_000);

  it("exits 2 once, naming the URL, the cause and no case, when nothing listens there", async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runCli(["--target", `http://127.0.0.1:${port}/w/job-7`]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`cannot reach http://127.0.0.1:${port}/w/job-7`);
    expect(stderr).toContain("ECONNREFUSED");
    expect(stderr.match(/contract:/g)).toHaveLength(1);
  }, 70_000);

  it("exits 2 once, quoting the mock's answer, for a world path the mock refuses", async () => {
    const nested = await runCli(["--target", `${server.url}/w/feature/login-fix`]);
    expect(nested.code).toBe(2);
    expect(nested.stdout).toBe("");
    expect(nested.stderr).toContain(`GET ${server.url}/w/feature/login-fix/gettoken?appkey=app-demo-key&appsecret=*** answered HTTP 404`);
    expect(nested.stderr).toContain("no route GET /login-fix/gettoken");
    const invalid = await runCli(["--target", `${server.url}/w/bad%20name`]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${server.url}/w/bad%20name/gettoken`);
    expect(invalid.stderr).toContain("HTTP 400");
    expect(invalid.stderr).toContain("invalid-world-name");
  }, 70_000);
});

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
