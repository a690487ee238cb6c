import { spawn } from "node:child_process";
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

  it("prints a pass/fail table per case and exits 0 against the mock", async () => {
    const { code, stdout } = await runCli(["--target", server.url]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {2}limits\.per-minute-silent/m);
    expect(stdout).toMatch(/\d+ passed, 0 failed, 0 skipped/);
  }, 70_000);

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
});
