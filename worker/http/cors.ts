import { cors } from "hono/cors";
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";

/**
 * CORS for browser frontends, from the CORS_ORIGINS allow-list. An origin not
 * on it gets no CORS headers, so the browser refuses the answer; CORS is not
 * authentication, the API key still is.
 */
export function corsFromConfig(): MiddlewareHandler<{ Bindings: Env }> {
  // Built once per CORS_ORIGINS value: the value is the same for every request an isolate serves.
  let built: { origins: string; allowed: readonly string[]; handler: MiddlewareHandler } | undefined;
  return async function corsAllowList(c, next) {
    const origins = c.env.CORS_ORIGINS ?? "";
    if (built?.origins !== origins) {
      const allowed = origins
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean);
      const handler = cors({
        origin: (origin) => (allowed.includes(origin) ? origin : null),
        allowMethods: ["GET", "POST", "PUT", "OPTIONS"],
        allowHeaders: ["authorization", "content-type", "idempotency-key", "prefer"],
        exposeHeaders: ["location", "retry-after", "idempotency-replayed", "preference-applied"],
        maxAge: 600,
      });
      built = { origins, allowed, handler };
    }
    // Only an allowed origin's requests and preflights get CORS headers. For the rest (servers send no
    // Origin at all) Hono's middleware would still add Expose-Headers, which no browser reads without
    // Allow-Origin, and doing so makes every answer be built twice.
    const origin = c.req.header("origin");
    if (c.req.method !== "OPTIONS" && (origin === undefined || !built.allowed.includes(origin))) return next();
    return built.handler(c, next);
  };
}
