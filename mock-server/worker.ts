import { createMockHost } from "./hosting/host-app.ts";
import { DurableWorlds, type MockEnv } from "./hosting/durable-worlds.ts";
import { DROPPED_HEADER } from "./hosting/world-object.ts";

/**
 * The mock under wrangler: the same front as on Node (`/w/<name>/…` worlds,
 * `/__admin/worlds`, the OpenAPI document), with each world in its own
 * Durable Object, so a team can host a shared staging double whose worlds
 * survive restarts. The Worker itself keeps no state.
 */
export { MockDingTalkObject } from "./hosting/world-object.ts";
export { MockWorldRegistry } from "./hosting/world-registry-object.ts";
export type { MockEnv } from "./hosting/durable-worlds.ts";

let front: { env: MockEnv; app: ReturnType<typeof createMockHost> } | undefined;

export default {
  async fetch(request: Request, env: MockEnv): Promise<Response> {
    if (front?.env !== env) front = { env, app: createMockHost(new DurableWorlds(env)) };
    const response = await front.app.fetch(request);
    if (response.headers.has(DROPPED_HEADER)) {
      // Workers cannot reset a connection; a body that fails mid-stream is the closest a client can see.
      const failing = new ReadableStream({ start: (controller) => controller.error(new Error("connection dropped by mock fault")) });
      return new Response(failing, { status: 200, headers: { "content-type": "application/json" } });
    }
    return response;
  },
} satisfies ExportedHandler<MockEnv>;
