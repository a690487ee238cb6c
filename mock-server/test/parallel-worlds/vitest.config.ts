import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Two test files against one mock process, in two worlds, at the same time.
 * Run by shared-mock.test.ts as its own vitest run, so the two files get two
 * workers whatever the machine's core count.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["*.parallel.ts"],
    globalSetup: ["./one-mock-process.ts"],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 150_000,
    hookTimeout: 150_000,
  },
});
