import type { Context, Hono } from "hono";
import { parseJsonBody, ProblemError } from "../../protocol/problem-details.ts";
import { MAX_USERIDS_PER_SEND_LIST, timingSafeEqualStrings } from "../../protocol/index.ts";
import { authenticate } from "../auth/authenticate.ts";
import { outOfScope, type Principal } from "../auth/principal.ts";
import { AppRegistry, ConfigError, type AppConfig } from "../config/app-registry.ts";
import type { Env } from "../env.ts";
import { idempotent } from "./idempotent.ts";
import { NotificationBody, SuiteTicketBody } from "./notification-schemas.ts";
import { parseNotificationId, newNotificationId, senderName } from "./notification-id.ts";
import { answerForSend } from "./sender-answers.ts";

type App = Hono<{ Bindings: Env }>;

export function notificationRoutes(app: App): void {
  app.post("/v1/notifications", async (c) => {
    const text = await c.req.text();
    const principal = await authenticate(c.req.raw, text, c.env);
    const body = parseJsonBody(text, NotificationBody);
    const target = findApp(c.env, body.corpId, body.agentId);
    requireScope(principal, { corpId: target.corpId, agentId: target.agentId, templateId: body.templateId });
    const async = /\brespond-async\b/i.test(c.req.header("prefer") ?? "");
    if (!async && (body.userIds?.length ?? 0) > MAX_USERIDS_PER_SEND_LIST) {
      throw new ProblemError(400, "invalid-request", `body.userIds: at most ${MAX_USERIDS_PER_SEND_LIST} without Prefer: respond-async`, [
        { path: "body.userIds", message: `at most ${MAX_USERIDS_PER_SEND_LIST} user ids in one synchronous request` },
      ]);
    }
    const key = c.req.header("idempotency-key") ?? principal.deliveryId;
    return idempotent(c.env, principal, key, text, async () => {
      const id = newNotificationId(target.corpId, target.agentId);
      const answer = await c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId)).send({
        id,
        corpId: target.corpId,
        agentId: target.agentId,
        templateId: body.templateId,
        userIds: body.userIds ?? [],
        deptIds: body.deptIds ?? [],
        data: body.data,
        async,
      });
      return answerForSend(answer, c.req.path);
    });
  });

  app.get("/v1/notifications/:id", async (c) => {
    const principal = await authenticate(c.req.raw, "", c.env);
    const id = c.req.param("id");
    const owner = parseNotificationId(id);
    const notFound = new ProblemError(404, "notification-not-found", `no notification "${id}"`, [{ path: "path.id", message: "unknown, expired or not yours" }]);
    if (!owner || !AppRegistry.fromJson(c.env.DINGTALK_APPS).find(owner.corpId, owner.agentId)) throw notFound;
    // Out of scope reads as not found: a caller learns nothing about other apps' notifications.
    if (principal.scope.corps && !principal.scope.corps.includes(owner.corpId)) throw notFound;
    if (principal.scope.agents && !principal.scope.agents.includes(owner.agentId)) throw notFound;
    const story = await c.env.CORP_APP_SENDER.getByName(senderName(owner.corpId, owner.agentId)).story(id, owner.corpId, owner.agentId);
    if (!story) throw notFound;
    return c.json(story);
  });

  app.put("/v1/suite-tickets/:suiteKey", async (c) => {
    requireSuiteTicketToken(c);
    const { suiteTicket } = parseJsonBody(await c.req.text(), SuiteTicketBody);
    const suiteKey = c.req.param("suiteKey");
    const apps = registry(c.env).suites(suiteKey);
    if (apps.length === 0) throw new ProblemError(404, "unknown-suite", `no configured app uses suite "${suiteKey}"`, [{ path: "path.suiteKey", message: "unknown suite" }]);
    await Promise.all(apps.map((app) => c.env.CORP_APP_SENDER.getByName(senderName(app.corpId, app.agentId)).setSuiteTicket(suiteTicket)));
    return c.body(null, 204);
  });
}

/** The configured app a request means; 422 naming the field when there is none. */
export function findApp(env: Env, corpId: string | undefined, agentId: number | undefined): AppConfig {
  const app = registry(env).find(corpId, agentId);
  if (app) return app;
  const detail =
    corpId === undefined && agentId === undefined
      ? "no default app is configured: name corpId and agentId"
      : `no configured app matches corpId ${corpId ?? "(any)"} and agentId ${agentId ?? "(any)"}`;
  throw new ProblemError(422, "unknown-app", detail, [{ path: agentId === undefined ? "body.corpId" : "body.agentId", message: "no configured app matches" }]);
}

export function requireScope(principal: Principal, target: { corpId: string; agentId: number; templateId: string }): void {
  const field = outOfScope(principal.scope, target);
  if (field) {
    throw new ProblemError(403, "out-of-scope", `${principal.kind} "${principal.id}" may not send with this ${field}`, [
      { path: `body.${field}`, message: "outside the caller's scope" },
    ]);
  }
}

function requireSuiteTicketToken(c: Context<{ Bindings: Env }>): void {
  const expected = c.env.SUITE_TICKET_TOKEN;
  const presented = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
  if (!expected || !presented || !timingSafeEqualStrings(expected, presented)) {
    c.header("WWW-Authenticate", 'Bearer realm="suite-tickets"');
    throw new ProblemError(401, "unauthenticated", "updating a suite ticket needs the SUITE_TICKET_TOKEN bearer token");
  }
}

export function registry(env: Env): AppRegistry {
  try {
    return AppRegistry.fromJson(env.DINGTALK_APPS);
  } catch (error) {
    if (error instanceof ConfigError) throw new ProblemError(500, "misconfigured", error.message);
    throw error;
  }
}
