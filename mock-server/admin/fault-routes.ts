import { z } from "zod";
import { FaultRuleInput } from "../engine/fault-rules.ts";
import { pathParam, ProblemError, readJsonBody } from "../../protocol/problem-details.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

const FaultList = z.object({ rules: z.array(z.unknown()) });

export function faultRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    { method: "get", path: "/__admin/faults", summary: "The fault rules in force, with how often each fired.", response: FaultList },
    (c) => c.json({ rules: c.env.world.faults.list() }),
  );
  routes.add(
    {
      method: "post",
      path: "/__admin/faults",
      summary: "Add a fault rule: an errcode, an HTTP status, latency or a dropped connection, for N calls or with a seeded probability.",
      body: FaultRuleInput,
      status: 201,
    },
    async (c) => {
      const state = c.env.world;
      const rule = state.faults.add(await readJsonBody(c, FaultRuleInput));
      return c.json(rule, 201);
    },
  );
  routes.add(
    { method: "delete", path: "/__admin/faults/:faultId", summary: "Remove one fault rule." },
    (c) => {
      const state = c.env.world;
      const id = pathParam(c, "faultId");
      if (!state.faults.remove(id)) throw new ProblemError(404, "fault-not-found", `path.faultId: no fault rule "${id}"`);
      return c.body(null, 204);
    },
  );
  routes.add(
    { method: "delete", path: "/__admin/faults", summary: "Remove every fault rule." },
    (c) => {
      const state = c.env.world;
      state.faults.clear();
      return c.body(null, 204);
    },
  );
}
