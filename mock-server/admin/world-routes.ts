import type { z } from "zod";
import type { MockState } from "../engine/mock-state.ts";
import { MockSettings, MockSettingsPatch } from "../settings.ts";
import { WorldSeed } from "../world/world-schema.ts";
import { WorldSummary } from "./admin-schemas.ts";
import { readJsonBody } from "../../protocol/problem-details.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

export function worldRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    { method: "get", path: "/__admin/world", summary: "What the mock simulates: corps, apps and templates.", response: WorldSummary },
    (c) => c.json(summariseWorld(c.env.world)),
  );
  routes.add(
    {
      method: "put",
      path: "/__admin/world",
      summary: "Seed a new world (corps, apps, suites, templates, departments, users); forgets tokens, quotas, tasks and inboxes.",
      body: WorldSeed,
      response: WorldSummary,
    },
    async (c) => {
      const state = c.env.world;
      const seed = await readJsonBody(c, WorldSeed);
      state.reseed(seed);
      return c.json(summariseWorld(state));
    },
  );
  routes.add(
    { method: "post", path: "/__admin/reset", summary: "Back to the default world and settings, with no faults and an empty journal.", response: WorldSummary },
    (c) => {
      const state = c.env.world;
      state.reset();
      return c.json(summariseWorld(state));
    },
  );
  routes.add(
    { method: "get", path: "/__admin/settings", summary: "The behaviour switches in force.", response: MockSettings },
    (c) => c.json(c.env.world.settings),
  );
  routes.add(
    { method: "put", path: "/__admin/settings", summary: "Change some behaviour switches; the others keep their values.", body: MockSettingsPatch, response: MockSettings },
    async (c) => {
      const state = c.env.world;
      const patch = await readJsonBody(c, MockSettingsPatch);
      return c.json(state.updateSettings(patch));
    },
  );
}

export function summariseWorld(state: MockState): z.infer<typeof WorldSummary> {
  const { seed } = state.world;
  return {
    corps: seed.corps.map((corp) => ({ corpId: corp.corpId, name: corp.name, departments: corp.departments.length, users: corp.users.length })),
    apps: [...state.world.apps()].map(({ kind, corpId, agentId, name }) => ({ kind, corpId, agentId, name })),
    templates: seed.templates.map(({ templateId, status, title }) => ({ templateId, status, title })),
  };
}
