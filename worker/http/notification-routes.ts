import type { Context, Hono } from "hono";
import { parseJsonBody, ProblemError } from "../../protocol/problem-details.ts";
import { timingSafeEqualStrings } from "../../protocol/index.ts";
import { authenticate } from "../auth/authenticate.ts";
import { outOfScope, type Principal } from "../auth/principal.ts";
import { AppRegistry, ConfigError, type AppConfig } from "../config/app-registry.ts";
import { workerSettings, type WorkerSettings } from "../config/worker-settings.ts";
import type { Env } from "../env.ts";
import type { NotificationRecord } from "../send/notification-record.ts";
import { BodyTooLargeError, readBoundedText } from "./bounded-body.ts";
import { idempotencyKeyOf, idempotent, requestFingerprint } from "./idempotent.ts";
import { parseNotificationBody, SuiteTicketBody } from "./notification-schemas.ts";
import { parseNotificationId, newNotificationId, senderName } from "./notification-id.ts";
import { answerForSend, isFinalAnswer } from "./sender-answers.ts";

type App = Hono<{ Bindings: Env }>;

export function notificationRoutes(app: App): void {
  app.post("/v1/notifications", async (c) => {
    const text = await readBody(c.req.raw);
    const principal = await authenticate(c.req.raw, text, c.env);
    const async = /\brespond-async\b/i.test(c.req.header("prefer") ?? "");
    const body = parseNotificationBody(text, { async, maxQueuedUserIds: settings(c.env).maxQueuedRecipients });
    const target = findApp(c.env, body.corpId, body.agentId);
    requireScope(principal, { corpId: target.corpId, agentId: target.agentId, templateId: body.templateId });
    const sender = c.env.CORP_APP_SENDER.getByName(senderName(target.corpId, target.agentId));
    const id = newNotificationId(target.corpId, target.agentId);
    const run = async () => {
      const answer = await sender.send({
        id,
        corpId: target.corpId,
        agentId: target.agentId,
        templateId: body.templateId,
        userIds: body.userIds ?? [],
        deptIds: body.deptIds ?? [],
        data: body.data ?? {},
        async,
        ...(body.verifyDelivery !== undefined ? { verifyDelivery: body.verifyDelivery } : {}),
      });
      return { response: answerForSend(answer, c.req.path, async), final: isFinalAnswer(answer), ...(answer.kind === "recorded" ? { notificationId: id } : {}) };
    };
    return idempotent(c.env, principal, idempotencyKeyOf(principal, c.req.header("idempotency-key")), () => requestFingerprint(c.req.raw, text), run, {
      replayReference: async (stored) => {
        const record = await currentRecord(c.env, stored.notificationId);
        return new Response(JSON.stringify(record), { status: stored.status, headers: stored.headers });
      },
      notificationId: id,
      resume: async (earlier) => {
        const record = await sender.record(earlier, target.corpId, target.agentId);
        return record && { response: answerForSend({ kind: "recorded", record }, c.req.path, async), final: true, notificationId: earlier };
      },
    });
  });

  app.get("/v1/notifications/:id", async (c) => {
    const principal = await authenticate(c.req.raw, "", c.env);
    const id = c.req.param("id");
    const owner = parseNotificationId(id);
    const notFound = new ProblemError(404, "notification-not-found", `no notification "${id}"`, [{ path: "path.id", message: "unknown, expired or not yours" }]);
    if (!owner || !registry(c.env).find(owner.corpId, owner.agentId)) throw notFound;
    // Out of scope reads as not found: a caller learns nothing about other apps' notifications.
    if (principal.scope.corps && !principal.scope.corps.includes(owner.corpId)) throw notFound;
    if (principal.scope.agents && !principal.scope.agents.includes(owner.agentId)) throw notFound;
    const sender = c.env.CORP_APP_SENDER.getByName(senderName(owner.corpId, owner.agentId));
    // The template is only known from the record itself; it is checked before the vendor is asked anything.
    const record = await sender.record(id, owner.corpId, owner.agentId);
    if (!record || outOfScope(principal.scope, { corpId: owner.corpId, agentId: owner.agentId, templateId: record.templateId })) throw notFound;
    if (record.verifyDelivery) return c.json(record);
    const story = await sender.story(id, owner.corpId, owner.agentId);
    if (!story) throw notFound;
    return c.json(story);
  });

  app.put("/v1/suite-tickets/:suiteKey", async (c) => {
    requireSuiteTicketToken(c);
    const { suiteTicket } = parseJsonBody(await readBody(c.req.raw), SuiteTicketBody);
    const suiteKey = c.req.param("suiteKey");
    const apps = registry(c.env).suites(suiteKey);
    if (apps.length === 0) throw new ProblemError(404, "unknown-suite", `no configured app uses suite "${suiteKey}"`, [{ path: "path.suiteKey", message: "unknown suite" }]);
    await Promise.all(apps.map((app) => c.env.CORP_APP_SENDER.getByName(senderName(app.corpId, app.agentId)).setSuiteTicket(suiteTicket)));
    return c.body(null, 204);
  });

  // Registered after the routes above, so only the other methods reach them.
  onlyAllow(app, "/v1/notifications", "POST");
  onlyAllow(app, "/v1/notifications/:id", "GET, HEAD");
  onlyAllow(app, "/v1/suite-tickets/:suiteKey", "PUT");
}

/** A known path asked with a method it does not take: 405 with `Allow` (RFC 9110 §15.5.6), not a 404 saying no such route exists. */
function onlyAllow(app: App, path: string, allow: string): void {
  app.all(path, (c) => {
    throw new ProblemError(405, "method-not-allowed", `${c.req.method} is not served at ${c.req.path}; it takes ${allow}`, [], { allow });
  });
}

/**
 * A notification's record as it is now, for the replay of an answer too
 * large to have been remembered whole, as stored: the vendor is not asked.
 */
export async function currentRecord(env: Env, notificationId: string): Promise<NotificationRecord> {
  const owner = parseNotificationId(notificationId);
  const record = owner && (await env.CORP_APP_SENDER.getByName(senderName(owner.corpId, owner.agentId)).record(notificationId, owner.corpId, owner.agentId));
  if (!record) throw new ProblemError(404, "notification-not-found", `the notification "${notificationId}" this Idempotency-Key answered is no longer kept`);
  return record;
}

/** The body, refused with 413 past MAX_REQUEST_BODY_BYTES before it is read to the end. */
export async function readBody(request: Request): Promise<string> {
  try {
    return await readBoundedText(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    throw new ProblemError(413, "request-too-large", `the request body is larger than ${error.limit} bytes`, [{ path: "body", message: `at most ${error.limit} bytes` }]);
  }
}

/** The worker's tunables; a broken one is the operator's to fix, and nothing is sent meanwhile. */
export function settings(env: Env): WorkerSettings {
  try {
    return workerSettings(env);
  } catch (error) {
    throw new ProblemError(503, "misconfigured", error instanceof Error ? error.message : "a worker setting is invalid");
  }
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
    if (error instanceof ConfigError) throw new ProblemError(503, "misconfigured", error.message);
    throw error;
  }
}
