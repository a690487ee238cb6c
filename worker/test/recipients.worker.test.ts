import { describe, expect, it } from "vitest";
import { getNotification, postNotification, TEMPLATE_ID, users, useMockDingTalk } from "./harness.ts";

describe("recipients", () => {
  const world = useMockDingTalk();

  it("splits 1,500 recipients into two vendor calls", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 1500), data: { name: "big", name2: "" } });
    expect(answer.status).toBe(201);
    expect(answer.body.tasks.map((t: { recipients: number }) => t.recipients)).toEqual([1000, 500]);
    const calls = (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries;
    expect(calls).toHaveLength(2);
    expect(String(calls[0]!.params.userid_list).split(",")).toHaveLength(1000);
    expect((await world.mock.admin.inbox("u01500")).messages).toHaveLength(1);
  });

  it("expands a department with sub-departments, each employee counted once", async () => {
    // Team 2001 holds u00001–u01000; its sub-department 2101 holds u00001–u00020 again.
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["u00001"], deptIds: [2001, 777], data: { name: "team", name2: "" } });
    expect(answer.status).toBe(201);
    expect(answer.body.summary).toMatchObject({ recipients: 1000, sent: 1000, invalidDepartments: 1 });
    expect(answer.body.invalidDepartments).toEqual([777]);
    expect((await world.mock.admin.inbox("u00001")).messages).toHaveLength(1);
    // The vendor got user ids only: the worker expanded the departments itself.
    const call = (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries[0]!;
    expect(call.params.dept_id_list).toBeUndefined();

    // The second send of the same department reads the cached directory.
    const directoryCalls = (await world.mock.admin.journal({ endpoint: "listDepartmentUsers" })).entries.length;
    await postNotification({ templateId: TEMPLATE_ID, deptIds: [2001], data: { name: "team again", name2: "" } });
    expect((await world.mock.admin.journal({ endpoint: "listDepartmentUsers" })).entries.length).toBe(directoryCalls);
  });

  it("refuses departments that reach nobody with 422 naming deptIds, storing and sending nothing", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, deptIds: [777, 778], data: { name: "nobody", name2: "" } });
    expect(answer.status).toBe(422);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body).toMatchObject({ code: "no-recipients", errors: [{ path: "body.deptIds", message: "unknown departments: 777, 778" }] });
    expect(answer.headers.get("location")).toBeNull();
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("tells the story of a request with the vendor's result", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123", "ghost"], data: { name: "x", name2: "" } });
    const story = await getNotification(answer.body.id);
    expect(story.status).toBe(200);
    expect(story.body.tasks[0]).toMatchObject({ progress: { progress_in_percent: 100, status: 2 } });
    expect(story.body.tasks[0].result.invalid_user_id_list).toEqual(["ghost"]);
  });

  it("says a big task's per-recipient result is not available from the vendor", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 101), data: { name: "x", name2: "" } });
    const story = await getNotification(answer.body.id);
    expect(story.body.tasks[0].result).toBeUndefined();
    expect(story.body.tasks[0].resultUnavailable).toContain("at most 100 recipients");
  });

  it("answers 404 problem for an unknown or malformed notification id", async () => {
    expect((await getNotification("nope")).status).toBe(404);
    const unknown = await getNotification("948060598.ZGluZ2RlbW9jb3Jw.00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("notification-not-found");
  });
});
