import { Hono } from "hono";
import { clockRoutes } from "./admin/clock-routes.ts";
import { directoryRoutes } from "./admin/directory-routes.ts";
import { liveRoutes } from "./admin/live-routes.ts";
import { faultRoutes } from "./admin/fault-routes.ts";
import { inspectionRoutes } from "./admin/inspection-routes.ts";
import { ProblemError, problemResponse } from "../protocol/problem-details.ts";
import { DocumentedRoutes } from "./admin/route-registry.ts";
import { worldRoutes } from "./admin/world-routes.ts";
import type { MockState } from "./engine/mock-state.ts";
import { inboxRoutes } from "./inbox-ui/inbox-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { vendorRoutes } from "./vendor/vendor-routes.ts";

/** The mock's HTTP surface: the vendor's endpoints, the /__admin API and the OpenAPI document. */
export function createMockApp(state: MockState): Hono {
  const app = new Hono();
  const admin = new DocumentedRoutes(app);
  worldRoutes(admin, state);
  clockRoutes(admin, state);
  faultRoutes(admin, state);
  inspectionRoutes(admin, state);
  directoryRoutes(admin, state);
  liveRoutes(admin, state);

  const document = openApiDocument(admin.docs);
  app.get("/__admin/openapi.json", (c) => c.json(document));
  app.get("/openapi.json", (c) => c.json(document));
  inboxRoutes(app);
  app.route("/", vendorRoutes(state));

  app.notFound((c) =>
    problemResponse(new ProblemError(404, "not-found", `no route ${c.req.method} ${c.req.path}`), c.req.path),
  );
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(error, c.req.path);
    console.error("mock-server: unexpected error", error instanceof Error ? error.stack : error);
    return problemResponse(new ProblemError(500, "internal-error", "the mock failed unexpectedly; see its log"), c.req.path);
  });
  return app;
}
