import { cors } from "hono/cors";
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";

/**
 * CORS for browser frontends, from the CORS_ORIGINS allow-list. An origin not
 * on it gets no CORS headers, so the browser refuses the answer; CORS is not
 * authentication, the API key still is.
 */
export function corsFromConfig(): MiddlewareHandler<{ Bindings: Env }> {
  return async function corsAllowList(c, next) {
    const allowed = (c.env.CORS_ORIGINS ?? "")
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
    return handler(c, next);
  };
}
