import { Hono, type Context } from "hono";
import { pathParam, ProblemError, problemResponse, readJsonBody } from "../../protocol/problem-details.ts";
import { DocumentedRoutes } from "../admin/route-registry.ts";
import { openApiDocument } from "../openapi.ts";
import { worldApp } from "../world-app.ts";
import { WorldInfo, WorldList, WorldOptions, type WorldCatalog } from "./world-catalog.ts";
import { DEFAULT_WORLD_NAME, isWorldName, pathOf, routeToWorld, worldNameProblem } from "./world-names.ts";

/**
 * The front of a mock server: `/__admin/worlds` manages the worlds, the
 * OpenAPI document describes everything, and every other request goes to one
 * world: `/w/<name>/…` to that world (created on first use), the rest to the
 * "default" world. The same front serves Node, in-process and wrangler hosts;
 * only the catalog behind it differs.
 */
export function createMockHost(catalog: WorldCatalog): Hono {
  const app = new Hono();
  const routes = new DocumentedRoutes(app);

  routes.add(
    { method: "get", path: "/__admin/worlds", summary: "Every world this server holds, and when it forgets them.", response: WorldList },
    async (c) => c.json({ worlds: await catalog.list(), limits: catalog.limits }),
  );
  routes.add(
    { method: "get", path: "/__admin/worlds/:name", summary: "One world: its base path, clock, journal and task counts.", response: WorldInfo },
    async (c) => {
      const name = worldName(c);
      const info = await catalog.describe(name);
      if (!info) throw new ProblemError(404, "world-not-found", `path.name: no world "${name}"`);
      return c.json(info);
    },
  );
  routes.add(
    {
      method: "put",
      path: "/__admin/worlds/:name",
      summary: "Create a world (or replace one of that name) from a seed, settings and a clock; what is left out comes from the server's template.",
      body: WorldOptions,
      response: WorldInfo,
      status: 201,
    },
    async (c) => {
      const name = worldName(c);
      const options = await readJsonBody(c, WorldOptions);
      const { info, replaced } = await catalog.create(name, options);
      return c.json(info, replaced ? 200 : 201);
    },
  );
  routes.add(
    { method: "delete", path: "/__admin/worlds/:name", summary: "Forget a world and everything in it; its next use creates it afresh.", status: 204 },
    async (c) => {
      const name = worldName(c);
      if (!(await catalog.drop(name))) throw new ProblemError(404, "world-not-found", `path.name: no world "${name}"`);
      return c.body(null, 204);
    },
  );

  let document: Record<string, unknown> | undefined;
  const serveDocument = (c: Context): Response => c.json((document ??= openApiDocument([...worldApp().docs, ...routes.docs])));
  app.get("/openapi.json", serveDocument);
  app.get("/__admin/openapi.json", serveDocument);

  app.all("*", (c): Response | Promise<Response> => {
    const route = routeToWorld(c.req.path);
    if (!isWorldName(route.name)) {
      const problem = worldNameProblem(route.name);
      throw new ProblemError(400, "invalid-world-name", `path.world: ${problem}`, [{ path: "path.world", message: problem }]);
    }
    if (route.path === "/openapi.json" || route.path === "/__admin/openapi.json") return serveDocument(c);
    return catalog.forward(route.name, route.basePath, route.basePath === "" ? c.req.raw : withPath(c.req.raw, route.path));
  });

  // Most calls are vendor calls to the default world: those skip this app's router and go straight to the world.
  const routed = app.fetch;
  app.fetch = (request, ...rest) => {
    const path = pathOf(request.url);
    if (path.startsWith("/w/") || path.startsWith("/__admin/worlds") || path === "/openapi.json" || path === "/__admin/openapi.json") return routed(request, ...rest);
    return catalog.forward(DEFAULT_WORLD_NAME, "", request).catch((error: unknown) => {
      if (error instanceof ProblemError) return problemResponse(error, path);
      throw error;
    });
  };

  app.notFound((c) => problemResponse(new ProblemError(404, "not-found", `no route ${c.req.method} ${c.req.path}`), c.req.path));
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(error, c.req.path);
    console.error("mock-server: unexpected error", error instanceof Error ? error.stack : error);
    return problemResponse(new ProblemError(500, "internal-error", "the mock failed unexpectedly; see its log"), c.req.path);
  });
  return app;
}

function worldName(c: Context): string {
  const name = pathParam(c, "name");
  if (!isWorldName(name)) throw new ProblemError(400, "invalid-world-name", `path.name: ${worldNameProblem(name)}`, [{ path: "path.name", message: worldNameProblem(name) }]);
  return name;
}

/** The same request, addressed to the path inside its world (body, headers and signal carried over). */
function withPath(request: Request, path: string): Request {
  const url = new URL(request.url);
  url.pathname = path;
  return new Request(url, request);
}
