import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

function putTicket(ticket: string, authorization?: string, suiteKey = "suite-demo-key") {
  return exports.default.fetch(`http://worker/v1/suite-tickets/${suiteKey}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ suiteTicket: ticket }),
  });
}

describe("PUT /v1/suite-tickets/:suiteKey", () => {
  const world = useMockDingTalk();

  it("refuses a caller without the bearer token and changes nothing", async () => {
    const refused = await putTicket("stolen", "Bearer wrong");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    expect((await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } })).status).toBe(201);
  });

  it("uses the pushed ticket for the next corp token", async () => {
    expect((await putTicket("stale-ticket", "Bearer test-suite-ticket-token")).status).toBe(204);
    const refused = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain("853005");
    expect((await putTicket("suite-demo-ticket", "Bearer test-suite-ticket-token")).status).toBe(204);
    expect((await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } })).status).toBe(201);
    expect((await world.mock.admin.journal({ endpoint: "getCorpToken" })).entries).toHaveLength(2);
  });

  it("answers 404 for a suite no app uses", async () => {
    const answer = await putTicket("t", "Bearer test-suite-ticket-token", "other-suite");
    expect(answer.status).toBe(404);
  });
});
