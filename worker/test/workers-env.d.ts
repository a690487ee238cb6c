// The bindings the worker tests see through `env` from "cloudflare:workers".
declare namespace Cloudflare {
  interface Env {
    CORP_APP_SENDER: DurableObjectNamespace<import("../durable/corp-app-sender.ts").CorpAppSender>;
    IDEMPOTENCY_KEYS: DurableObjectNamespace<import("../idempotency/idempotency-keys.ts").IdempotencyKeys>;
  }
}
