import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { createHash } from "node:crypto";
import { defineConfig } from "vitest/config";
import { DEV_APPS } from "./worker/dev-apps.ts";
import { TEST_API_KEYS, TEST_WEBHOOK_SENDERS } from "./worker/test/credentials.ts";

/** Its suite ticket never came: sends to it must be refused whole (worker/test/suite-ticket.worker.test.ts). */
const TICKETLESS_APP = { kind: "thirdParty", corpId: "ticketlesscorp", agentId: 948060599, suiteKey: "suite-without-ticket", suiteSecret: "suite-without-ticket-secret" };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["protocol/**/*.test.ts", "mock-server/**/*.test.ts", "worker/**/*.test.ts", "contract-tests/**/*.test.ts", "bin/**/*.test.ts", "scripts/**/*.test.ts"],
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
                // The demo apps, and a third-party app whose suite ticket has not been pushed yet.
                DINGTALK_APPS: JSON.stringify({ ...DEV_APPS, apps: [...DEV_APPS.apps, TICKETLESS_APP] }),
                // The in-process mock answers here: tests route the worker's fetch to it.
                DINGTALK_BASE_URL: "http://mock-dingtalk.local",
                SUITE_TICKET_TOKEN: "test-suite-ticket-token",
                API_KEYS: JSON.stringify(TEST_API_KEYS.map(({ id, key, scope }) => ({ id, sha256: sha256(key), scope }))),
                WEBHOOK_SENDERS: JSON.stringify(TEST_WEBHOOK_SENDERS),
                CORS_ORIGINS: "https://app.example.com",
                // Retries without real waiting, so fault tests run in seconds.
                RETRY_BASE_DELAY_MS: "1",
                RETRY_MAX_DELAY_MS: "4",
                QPS_RETRY_DELAY_MS: "1",
                QUEUE_RETRY_DELAY_MS: "1000",
                // The limit and queue tests count vendor calls of 1,000 recipients; the
                // verification tests ask for it per request ("verifyDelivery": true).
                VERIFY_DELIVERY: "false",
                VERIFY_AFTER_MS: "1000",
                // The in-process mock runs on a frozen clock with its QPS limit off: no pacing either.
                VENDOR_CALLS_PER_SECOND: "100000",
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
