import { createWorkerApp } from "./app.ts";
import type { Env } from "./env.ts";

export { CorpAppSender } from "./durable/corp-app-sender.ts";

const app = createWorkerApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
