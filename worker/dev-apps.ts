/**
 * DINGTALK_APPS for development and tests: the two apps of the mock's default
 * world, whose credentials are public by design. Production sets its own as a
 * secret.
 *
 * Written out rather than imported from the mock, so the worker never depends
 * on `mock-server/` (worker/layering.test.ts enforces that);
 * worker/dev-apps.test.ts checks that these values still match the mock's
 * default world.
 */
export const DEV_APPS = {
  default: { corpId: "dingdemocorp", agentId: 948060598 },
  apps: [
    {
      kind: "thirdParty",
      corpId: "dingdemocorp",
      agentId: 948060598,
      suiteKey: "suite-demo-key",
      suiteSecret: "suite-demo-secret",
      suiteTicket: "suite-demo-ticket",
    },
    { kind: "internal", corpId: "dingdemocorp", agentId: 123, appKey: "app-demo-key", appSecret: "app-demo-secret" },
  ],
} as const;
