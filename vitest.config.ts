import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { DEV_APPS } from "./worker/dev-apps.ts";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["protocol/**/*.test.ts", "mock-server/**/*.test.ts", "worker/**/*.test.ts", "contract-tests/**/*.test.ts"],
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
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DINGTALK_APPS: JSON.stringify(DEV_APPS),
                // The in-process mock answers here: tests route the worker's fetch to it.
                DINGTALK_BASE_URL: "http://mock-dingtalk.local",
                SUITE_TICKET_TOKEN: "test-suite-ticket-token",
              },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["worker/**/*.worker.test.ts"],
        },
      },
    ],
  },
});
