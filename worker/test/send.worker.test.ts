import { describe, expect, it } from "vitest";
import { getNotification, postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

describe("POST /v1/notifications", () => {
  const world = useMockDingTalk();

  it("sends through the default third-party app and reports each recipient", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "Ada", name2: "x" } });
    expect(answer.status).toBe(201);
    expect(answer.body.summary).toMatchObject({ recipients: 2, sent: 2, suppressed: 0, failed: 0 });
    expect(answer.body.recipients[0]).toMatchObject({ userid: "123", status: "sent" });
    expect((await world.mock.admin.inbox("456")).messages[0]?.text).toBe("Hello Ada, your order is ready: x");
    const story = await getNotification(answer.body.id);
    expect(story.status).toBe(200);
    expect(story.body.tasks[0].result.unread_user_id_list.sort()).toEqual(["123", "456"]);
  });
});

describe("the answer's shape", () => {
  useMockDingTalk();

  it("holds exactly the documented fields", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "shape", name2: "" } });
    expect(Object.keys(answer.body).sort()).toEqual(["agentId", "corpId", "createdAt", "id", "invalidDepartments", "recipients", "summary", "tasks", "templateId", "verifyDelivery"]);
  });
});
