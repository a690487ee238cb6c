import { Hono } from "hono";
import { ProblemError, problemResponse } from "../protocol/problem-details.ts";
import type { Env } from "./env.ts";
import { corsFromConfig } from "./http/cors.ts";
import { notificationRoutes } from "./http/notification-routes.ts";
import { vendorDropInRoutes } from "./http/vendor-drop-in-routes.ts";

/** The worker's HTTP API. Every error leaves as RFC 9457 problem details; nothing else leaks. */
export function createWorkerApp(): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();
  app.use("/v1/*", corsFromConfig());
  notificationRoutes(app);
  vendorDropInRoutes(app);
  app.notFound((c) => problemResponse(new ProblemError(404, "not-found", `no route ${c.req.method} ${c.req.path}`), c.req.path));
  app.onError((error, c) => {
    if (error instanceof ProblemError) {
      const response = problemResponse(error, c.req.path);
      // Headers set before the throw (Retry-After, WWW-Authenticate) belong on the problem too.
      for (const name of ["retry-after", "www-authenticate"]) {
        const value = c.res.headers.get(name);
        if (value) response.headers.set(name, value);
      }
      return response;
    }
    // Log the kind, never the message: vendor errors can quote request parameters.
    console.error("worker: unexpected error", error instanceof Error ? error.name : typeof error);
    return problemResponse(new ProblemError(500, "internal-error", "the worker failed unexpectedly"), c.req.path);
  });
  return app;
}
