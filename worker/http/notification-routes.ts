import type { Hono } from "hono";
import { ProblemError, readJsonBody } from "../../protocol/problem-details.ts";
import { timingSafeEqualStrings } from "../../protocol/index.ts";
import { AppRegistry, ConfigError } from "../config/app-registry.ts";
import type { Env } from "../env.ts";
import type { SendOutcome } from "../send/send-notification.ts";
import { NotificationBody, SuiteTicketBody } from "./notification-schemas.ts";
import { newNotificationId, parseNotificationId, senderName } from "./notification-id.ts";

type App = Hono<{ Bindings: Env }>;

export function notificationRoutes(app: App): void {
  app.post("/v1/notifications", async (c) => {
    const body = await readJsonBody(c, NotificationBody);
    const target = registry(c.env).find(body.corpId, body.agentId);
    if (!target) {
      throw new ProblemError(422, "unknown-app", describeMissingApp(body.corpId, body.agentId), [
        { path: body.agentId === undefined ? "body.corpId" : "body.agentId", message: "no configured app matches" },
      ]);
    }
    const id = newNotificationId(target.corpId, target.agentId);
    const sender = c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId));
    const outcome: SendOutcome = await sender.send({
      id,
      corpId: target.corpId,
      agentId: target.agentId,
      templateId: body.templateId,
      userIds: body.userIds ?? [],
      deptIds: body.deptIds ?? [],
      data: body.data,
    });
    if (outcome.kind === "too-many-recipients") {
      throw new ProblemError(
        422,
        "too-many-recipients",
        `the request reaches ${outcome.recipients} employees; at most ${outcome.limit} can be sent within one minute`,
        [{ path: "body.userIds", message: `at most ${outcome.limit} distinct recipients, departments expanded` }],
      );
    }
    if (outcome.kind === "too-many-departments") {
      throw new ProblemError(422, "too-many-departments", `the departments expand to more than ${outcome.limit} departments`, [
        { path: "body.deptIds", message: `at most ${outcome.limit} departments, sub-departments included` },
      ]);
    }
    if (outcome.kind === "misconfigured") throw new ProblemError(503, "misconfigured", `${outcome.message}. Nothing was sent.`);
    if (outcome.kind === "directory-unavailable") {
      throw new ProblemError(502, "directory-unavailable", `expanding the departments failed: ${outcome.message}. Nothing was sent.`);
    }
    if (outcome.kind === "window-full") {
      const retryAfter = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
      c.header("Retry-After", String(retryAfter));
      throw new ProblemError(
        429,
        "minute-window-full",
        `${outcome.inWindow} of ${outcome.limit} recipients already sent this minute; this request needs ${outcome.needed} more. Nothing was sent.`,
      );
    }
    const { record } = outcome;
    if (record.summary.sent === 0 && record.summary.failed > 0) {
      // Nothing went out: the caller learns why from the status, and the record is still kept for GET.
      const failure = record.recipients.find((r) => r.status === "failed");
      const error = failure?.status === "failed" ? failure.error : { message: "the vendor did not take the send" };
      if (error.code !== undefined) throw new ProblemError(422, "vendor-refused", `${error.message} (notification ${record.id})`);
      throw new ProblemError(502, "vendor-unavailable", `${error.message} (notification ${record.id})`);
    }
    c.header("Location", `/v1/notifications/${record.id}`);
    return c.json(record, 201);
  });

  app.get("/v1/notifications/:id", async (c) => {
    const id = c.req.param("id");
    const owner = parseNotificationId(id);
    if (!owner) throw new ProblemError(404, "notification-not-found", `no notification "${id}"`, [{ path: "path.id", message: "not a notification id" }]);
    const sender = c.env.CORP_APP_SENDER.getByName(senderName(owner.corpId, owner.agentId));
    const story = registry(c.env).find(owner.corpId, owner.agentId) ? await sender.story(id, owner.corpId, owner.agentId) : undefined;
    if (!story) throw new ProblemError(404, "notification-not-found", `no notification "${id}"`, [{ path: "path.id", message: "unknown or expired" }]);
    return c.json(story);
  });

  app.put("/v1/suite-tickets/:suiteKey", async (c) => {
    const expected = c.env.SUITE_TICKET_TOKEN;
    const presented = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    if (!expected || !presented || !timingSafeEqualStrings(expected, presented)) {
      c.header("WWW-Authenticate", 'Bearer realm="suite-tickets"');
      throw new ProblemError(401, "unauthenticated", "updating a suite ticket needs the SUITE_TICKET_TOKEN bearer token");
    }
    const { suiteTicket } = await readJsonBody(c, SuiteTicketBody);
    const suiteKey = c.req.param("suiteKey");
    const apps = registry(c.env).suites(suiteKey);
    if (apps.length === 0) throw new ProblemError(404, "unknown-suite", `no configured app uses suite "${suiteKey}"`, [{ path: "path.suiteKey", message: "unknown suite" }]);
    await Promise.all(apps.map((app) => c.env.CORP_APP_SENDER.getByName(senderName(app.corpId, app.agentId)).setSuiteTicket(suiteTicket)));
    return c.body(null, 204);
  });
}

function registry(env: Env): AppRegistry {
  try {
    return AppRegistry.fromJson(env.DINGTALK_APPS);
  } catch (error) {
    if (error instanceof ConfigError) throw new ProblemError(500, "misconfigured", error.message);
    throw error;
  }
}

function describeMissingApp(corpId: string | undefined, agentId: number | undefined): string {
  if (corpId === undefined && agentId === undefined) return "no default app is configured: name corpId and agentId";
  return `no configured app matches corpId ${corpId ?? "(any)"} and agentId ${agentId ?? "(any)"}`;
}
