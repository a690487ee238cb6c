import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../..", import.meta.url));

interface JsonReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; startTime: number; endTime: number; assertionResults: { status: string; failureMessages: string[] }[] }[];
}

/**
 * The promise to CI farms: test files that share one mock process, each in its
 * own world, cannot see each other. The two files wait for each other twice
 * (both started, both done sending), so they pass only when they really ran
 * side by side; each then checks its world holds nothing of the other's.
 */
describe("two test files in parallel against one mock process", () => {
  it("each see only their own world's sends, clock and quotas", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parallel-worlds-"));
    const reportFile = join(dir, "report.json");
    try {
      let output = "";
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [join(repo, "node_modules/vitest/vitest.mjs"), "run", "--config", "mock-server/test/parallel-worlds/vitest.config.ts", "--reporter=json", `--outputFile=${reportFile}`],
          { cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1" } },
        );
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("error", reject);
        child.on("close", resolve);
      });
      expect(exitCode, output).toBe(0);
      const report = JSON.parse(await readFile(reportFile, "utf8")) as JsonReport;
      const failures = report.testResults.flatMap((file) => file.assertionResults.flatMap((test) => test.failureMessages));
      expect(failures).toEqual([]);
      expect(report.testResults.map((file) => file.name.split("/").pop()).sort()).toEqual(["world-a.parallel.ts", "world-b.parallel.ts"]);
      expect(report.numPassedTests).toBe(2);
      // They overlapped in time: each started before the other ended.
      const [first, second] = report.testResults;
      expect(first!.startTime).toBeLessThan(second!.endTime);
      expect(second!.startTime).toBeLessThan(first!.endTime);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
