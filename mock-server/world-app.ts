import { Hono } from "hono";
import { clockRoutes } from "./admin/clock-routes.ts";
import { directoryRoutes } from "./admin/directory-routes.ts";
import { faultRoutes } from "./admin/fault-routes.ts";
import { inspectionRoutes } from "./admin/inspection-routes.ts";
import { liveRoutes } from "./admin/live-routes.ts";
import { DocumentedRoutes, type RouteDoc } from "./admin/route-registry.ts";
import { worldRoutes } from "./admin/world-routes.ts";
import { inboxRoutes } from "./inbox-ui/inbox-routes.ts";
import { vendorRoutes } from "./vendor/vendor-routes.ts";
import type { WorldEnv } from "./world-bindings.ts";
import { ProblemError, problemResponse } from "../protocol/problem-details.ts";

export interface WorldApp {
  /** Answers for whichever world the caller passes as `env.world`. */
  app: Hono<WorldEnv>;
  /** The /__admin routes it serves, for the OpenAPI document. */
  docs: readonly RouteDoc[];
}

let shared: WorldApp | undefined;

/**
 * The HTTP surface of one simulated DingTalk: the vendor's endpoints, its
 * /__admin API and the web inbox. Built once per process and shared by every
 * world, because routes take their state from `c.env` (a router per world
 * would cost about 190 KB each).
 */
export function worldApp(): WorldApp {
  return (shared ??= buildWorldApp());
}

function buildWorldApp(): WorldApp {
  const app = new Hono<WorldEnv>();
  const admin = new DocumentedRoutes(app);
  worldRoutes(admin);
  clockRoutes(admin);
  faultRoutes(admin);
  inspectionRoutes(admin);
  directoryRoutes(admin);
  liveRoutes(admin);
  inboxRoutes(app);
  app.route("/", vendorRoutes());

  app.notFound((c) => problemResponse(new ProblemError(404, "not-found", `no route ${c.req.method} ${c.req.path}`), c.env.basePath + c.req.path));
  app.onError((error, c) => {
    const instance = c.env.basePath + c.req.path;
    if (error instanceof ProblemError) return problemResponse(error, instance);
    console.error("mock-server: unexpected error", error instanceof Error ? error.stack : error);
    return problemResponse(new ProblemError(500, "internal-error", "the mock failed unexpectedly; see its log"), instance);
  });
  return { app, docs: admin.docs };
}
