import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["protocol/**/*.test.ts", "mock-server/**/*.test.ts", "contract-tests/**/*.test.ts"],
          exclude: ["**/*.worker.test.ts", "**/node_modules/**"],
          environment: "node",
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./mock-server/wrangler.toml" } })],
        test: {
          name: "mock-worker",
          include: ["mock-server/**/*.worker.test.ts"],
        },
      },
    ],
  },
});
