import { z } from "zod";
import { chinaDay } from "../clock.ts";
import { ProblemError, pathParam, validate } from "../../protocol/problem-details.ts";
import type { MockState } from "../engine/mock-state.ts";
import { agentKey } from "../world/directory.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

const CorpQuery = z.object({ corpId: z.string().optional() });

/** The data behind the web inbox: who is in the directory, who has unread notifications, how full the quotas are. */
export function directoryRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    { method: "get", path: "/__admin/directory", summary: "Every corp's departments with member and unread counts.", query: CorpQuery },
    (c) => {
      const state = c.env.world;
      const { corpId } = validate(CorpQuery, c.req.query(), "query");
      const corps = [...state.world.corps()].filter((corp) => corpId === undefined || corp.corpId === corpId);
      return c.json({
        corps: corps.map((corp) => ({
          corpId: corp.corpId,
          name: corp.name,
          departments: corp.departments().map((dept) => {
            const members = corp.directMembers(dept.deptId);
            return { ...dept, members: members.length, unread: members.reduce((sum, userid) => sum + unread(state, userid, corp.corpId), 0) };
          }),
        })),
      });
    },
  );
  routes.add(
    { method: "get", path: "/__admin/directory/:corpId/departments/:deptId", summary: "The direct members of one department, each with unread and received counts." },
    (c) => {
      const state = c.env.world;
      const corpId = pathParam(c, "corpId");
      const deptId = Number(pathParam(c, "deptId"));
      const corp = state.world.corp(corpId);
      if (!corp?.hasDepartment(deptId)) throw new ProblemError(404, "department-not-found", `path.deptId: no department ${deptId} in ${corpId}`);
      const users = corp.directMembers(deptId).map((userid) => {
        const received = state.inbox.stored(userid).filter((m) => m.delivery.corpId === corpId).length;
        return { userid, name: corp.user(userid)?.name ?? userid, received, unread: unread(state, userid, corpId) };
      });
      return c.json({ corpId, deptId, name: corp.departmentName(deptId), users });
    },
  );
  routes.add(
    { method: "get", path: "/__admin/quotas", summary: "Recipients in each app's minute window, and today's busiest employees against the daily cap." },
    (c) => {
      const state = c.env.world;
      const nowMs = state.clock.now();
      const today = chinaDay(nowMs);
      const { settings } = state;
      const apps = [...state.world.apps()].map((app) => {
        const window = state.minuteWindow.use(agentKey(app.corpId, app.agentId), nowMs, settings.minuteWindow, settings.minuteWindowMs);
        return { corpId: app.corpId, agentId: app.agentId, name: app.name, kind: app.kind, minute: { used: window.used, limit: settings.recipientsPerMinute, since: new Date(window.windowStartMs).toISOString() } };
      });
      // Delivered today per (employee, app), from the inboxes: what the daily cap counts.
      const counts = new Map<string, { userid: string; agentId: number; used: number }>();
      for (const userid of state.inbox.recipients()) {
        for (const { delivery } of state.inbox.stored(userid)) {
          if (chinaDay(delivery.receivedAtMs) !== today) continue;
          const key = `${userid}/${delivery.agentId}`;
          const entry = counts.get(key) ?? { userid, agentId: delivery.agentId, used: 0 };
          entry.used += 1;
          counts.set(key, entry);
        }
      }
      const employees = [...counts.values()].sort((a, b) => b.used - a.used).slice(0, 20).map((e) => ({ ...e, limit: settings.dailyMessagesPerEmployee }));
      return c.json({ chinaDay: today, apps, employees });
    },
  );
}

function unread(state: MockState, userid: string, corpId: string): number {
  let count = 0;
  for (const message of state.inbox.stored(userid)) {
    if (message.delivery.corpId === corpId && message.readAtMs === undefined && message.recalledAtMs === undefined) count += 1;
  }
  return count;
}
