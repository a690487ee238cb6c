import { chinaDay, nextChinaMidnight } from "../clock.ts";
import type { MockState } from "../engine/mock-state.ts";
import { ClockCommand, ClockView } from "./admin-schemas.ts";
import { ProblemError, readJsonBody } from "../../protocol/problem-details.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

export function clockRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    { method: "get", path: "/__admin/clock", summary: "The mock's clock, with the vendor's China-time day.", response: ClockView },
    (c) => c.json(viewClock(c.env.world)),
  );
  routes.add(
    {
      method: "post",
      path: "/__admin/clock",
      summary: 'Move the clock: {"advanceMs": n}, {"now": "<ISO-8601>"}, or {"frozen": true|false}. Limits, expiries and days follow it.',
      body: ClockCommand,
      response: ClockView,
    },
    async (c) => {
      const state = c.env.world;
      const command = await readJsonBody(c, ClockCommand);
      if ("advanceMs" in command) state.clock.advance(command.advanceMs);
      else if ("now" in command) {
        const target = Date.parse(command.now);
        if (Number.isNaN(target)) throw new ProblemError(400, "invalid-request", "body.now: not a valid instant");
        state.clock.set(target);
      } else state.clock.setFrozen(command.frozen);
      return c.json(viewClock(state));
    },
  );
}

function viewClock(state: MockState) {
  const nowMs = state.clock.now();
  return {
    now: new Date(nowMs).toISOString(),
    nowMs,
    frozen: state.clock.frozen,
    chinaDay: chinaDay(nowMs),
    nextChinaMidnight: new Date(nextChinaMidnight(nowMs)).toISOString(),
  };
}
