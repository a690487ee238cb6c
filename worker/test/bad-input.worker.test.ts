import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { postNotification, TEMPLATE_ID, users, useMockDingTalk } from "./harness.ts";

describe("bad input never reaches an object or the vendor", () => {
  const world = useMockDingTalk();

  it.each([
    ["invalid JSON", "{not json", "invalid-json", "body"],
    ["a missing templateId", { userIds: ["123"] }, "invalid-request", "body.templateId"],
    ["no recipients", { templateId: TEMPLATE_ID, userIds: [] }, "invalid-request", "body.userIds"],
    ["a userid with a comma", { templateId: TEMPLATE_ID, userIds: ["1,2"] }, "invalid-request", "body.userIds.0"],
    ["a non-string variable", { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: 1 } }, "invalid-request", "body.data.name"],
    ["an unknown field", { templateId: TEMPLATE_ID, userIds: ["123"], priority: "high" }, "invalid-request", "body.priority"],
    ["a department id that is not a number", { templateId: TEMPLATE_ID, deptIds: ["42"] }, "invalid-request", "body.deptIds.0"],
    ["more than 5,000 userIds", { templateId: TEMPLATE_ID, userIds: users(1, 5001) }, "invalid-request", "body.userIds"],
  ])("refuses %s with 400 problem+json naming the field", async (_, body, code, path) => {
    const answer = await postNotification(body);
    expect(answer.status).toBe(400);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body.code).toBe(code);
    if (path) expect(answer.body.errors[0].path).toBe(path);
    expect(await listDurableObjectIds(env.CORP_APP_SENDER)).toHaveLength(0);
    expect((await world.mock.admin.journal()).entries).toHaveLength(0);
  });

  it.each([
    ["DELETE", "http://worker/v1/notifications/some-id", "GET, HEAD"],
    ["PATCH", "http://worker/v1/notifications", "POST"],
    ["GET", "http://worker/v1/suite-tickets/suite-demo-key", "PUT"],
  ])("answers %s %s with 405 and the methods it takes", async (method, url, allow) => {
    const response = await exports.default.fetch(url, { method, headers: { authorization: "Bearer not-needed" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as { code: string }).code).toBe("method-not-allowed");
    expect(await listDurableObjectIds(env.CORP_APP_SENDER)).toHaveLength(0);
  });

  it("still answers 404 for a path it does not serve at all", async () => {
    const response = await exports.default.fetch("http://worker/v1/nothing-here", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(response.headers.get("allow")).toBeNull();
  });

  it("refuses an app that is not configured with 422", async () => {
    const answer = await postNotification({ corpId: "othercorp", agentId: 1, templateId: TEMPLATE_ID, userIds: ["123"] });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: "unknown-app" });
    expect((await world.mock.admin.journal()).entries).toHaveLength(0);
  });

  it("refuses more employees than one minute can take, departments expanded, with 422", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, deptIds: [2000] });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: "too-many-recipients" });
    // The departments brought them, so the departments are named; no userIds were sent to name.
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.deptIds"]);
    const both = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], deptIds: [2000] });
    expect(both.body.errors.map((e: { path: string }) => e.path)).toEqual(["body.userIds", "body.deptIds"]);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });
});
