import { createWorkerApp } from "./app.ts";
import type { Env } from "./env.ts";

export { CorpAppSender } from "./durable/corp-app-sender.ts";
export { IdempotencyKeys } from "./idempotency/idempotency-keys.ts";

const app = createWorkerApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
