import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALL_APPS_KEY, INTERNAL_APP_KEY, OTHER_TEMPLATE_KEY, SCOPED_KEY } from "./credentials.ts";
import { getNotification, postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

const TASK_QUERIES = ["getsendresult", "getsendprogress"] as const;

function taskQuery(route: (typeof TASK_QUERIES)[number], body: unknown, key: string) {
  return exports.default.fetch(`http://worker/topapi/message/corpconversation/${route}?access_token=${encodeURIComponent(key)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** A task of the third-party app (agent 948060598), sent with the key that may use every app. */
async function thirdPartyTask(): Promise<{ id: string; taskId: number }> {
  const sent = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "private", name2: "" } });
  expect(sent.status).toBe(201);
  return { id: sent.body.id, taskId: sent.body.tasks[0].taskId };
}

describe("every scope is checked on reads too", () => {
  const world = useMockDingTalk();
  const taskQueries = async () => (await world.mock.admin.journal()).entries.filter((e) => e.endpoint === "getSendResult" || e.endpoint === "getSendProgress");

  it.each(TASK_QUERIES)("%s: a key scoped to agent 123 cannot read agent 948060598's task (400002) and the vendor is not asked", async (route) => {
    const { taskId } = await thirdPartyTask();
    const answer = (await (await taskQuery(route, { agent_id: 948060598, task_id: taskId }, INTERNAL_APP_KEY)).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ errcode: 400002 });
    expect(answer).not.toHaveProperty("send_result");
    expect(answer).not.toHaveProperty("progress");
    expect(await taskQueries()).toEqual([]);
  });

  it.each(TASK_QUERIES)("%s: a key limited to templates reads only tasks the worker sent with one of them", async (route) => {
    const { taskId } = await thirdPartyTask();
    const refused = (await (await taskQuery(route, { agent_id: 948060598, task_id: taskId }, OTHER_TEMPLATE_KEY)).json()) as Record<string, any>;
    expect(refused.errcode).toBe(40035);
    expect(refused.errmsg).toContain("task_id");
    // A task id this worker never sent (another service's, say) tells nothing about its template.
    const unknown = (await (await taskQuery(route, { agent_id: 948060598, task_id: taskId + 1_000 }, SCOPED_KEY)).json()) as Record<string, any>;
    expect(unknown.errcode).toBe(40035);
    expect(await taskQueries()).toEqual([]);
    const allowed = (await (await taskQuery(route, { agent_id: 948060598, task_id: taskId }, SCOPED_KEY)).json()) as Record<string, any>;
    expect(allowed.errcode).toBe(0);
    expect(await taskQueries()).toHaveLength(1);
  });

  it("lets a key whose scope holds the agent read its task", async () => {
    const { taskId } = await thirdPartyTask();
    const answer = (await (await taskQuery("getsendresult", { agent_id: 948060598, task_id: taskId }, ALL_APPS_KEY)).json()) as Record<string, any>;
    expect(answer.errcode).toBe(0);
    expect(answer.send_result.unread_user_id_list.sort()).toEqual(["123", "456"]);
    expect(await taskQueries()).toHaveLength(1);
  });

  it("GET /v1/notifications/:id: a notification of a template outside the key's scope reads as not found", async () => {
    const { id } = await thirdPartyTask();
    const hidden = await getNotification(id, OTHER_TEMPLATE_KEY);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("content-type")).toBe("application/problem+json");
    expect(hidden.body).toMatchObject({ code: "notification-not-found" });
    expect(JSON.stringify(hidden.body)).not.toContain("private");
    expect((await getNotification(id, SCOPED_KEY)).status).toBe(200);
  });

  it("GET /v1/notifications/:id: another app's notification reads as not found", async () => {
    const { id } = await thirdPartyTask();
    const hidden = await getNotification(id, INTERNAL_APP_KEY);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ code: "notification-not-found", errors: [{ path: "path.id" }] });
  });
});
