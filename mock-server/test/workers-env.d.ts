// The test worker's own exports, as `wrangler types` would declare them.
declare namespace Cloudflare {
  interface Exports {
    default: Fetcher;
  }
  // The mock Worker's bindings (mock-server/wrangler.toml), seen through `env` from "cloudflare:workers".
  interface Env {
    MOCK_DINGTALK: DurableObjectNamespace<import("../worker.ts").MockDingTalkObject>;
    MOCK_WORLDS: DurableObjectNamespace<import("../worker.ts").MockWorldRegistry>;
    MOCK_MAX_WORLDS: string;
    MOCK_WORLD_IDLE_MS: string;
  }
}
