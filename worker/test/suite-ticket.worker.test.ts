import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { onRealTime, postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

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

describe("an app whose suite ticket has not come yet", () => {
  const world = useMockDingTalk();
  const ticketless = () => env.CORP_APP_SENDER.getByName("ticketlesscorp/948060599");

  it("refuses a queued send with 503 and stores nothing, so nothing goes out later either", async () => {
    const answer = await postNotification(
      { corpId: "ticketlesscorp", agentId: 948060599, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "early", name2: "" } },
      { prefer: "respond-async" },
    );
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: "misconfigured" });
    expect(answer.body.detail).toContain("Nothing was sent");
    const stored = await runInDurableObject(ticketless(), async (_, state) => ({
      recipients: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipient_groups").one().n,
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ recipients: 0, alarm: null });
    expect(await runDurableObjectAlarm(ticketless())).toBe(false);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(0);
  });

  it("lets a queue it cannot send wait a minute between tries instead of spinning, and goes on once the ticket comes", async () => {
    // A queue left from when the app had a ticket (one pushed to an object that was since reset, say).
    const id = "948060599.queued-without-ticket";
    await runInDurableObject(ticketless(), async (_, state) => {
      const sql = state.storage.sql;
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner', ?)", JSON.stringify({ corpId: "ticketlesscorp", agentId: 948060599 }));
      sql.exec("INSERT INTO notifications (id, created_at_ms, template_id, data, fingerprint, invalid_departments) VALUES (?, ?, ?, '{}', 'f', '[]')", id, Date.now(), TEMPLATE_ID);
      sql.exec("INSERT INTO recipient_groups (seq, notification_id, queue_order, userids, positions, members, status) VALUES (1, ?, 1, '123', '0', 1, 'queued')", id);
      await state.storage.setAlarm(Date.now());
    });
    // The alarm runs on the runtime's clock: read it there too.
    const after = await onRealTime(async () => {
      expect(await runDurableObjectAlarm(ticketless())).toBe(true);
      return runInDurableObject(ticketless(), async (_, state) => ({
        now: Date.now(),
        alarm: await state.storage.getAlarm(),
        queued: state.storage.sql.exec<{ n: number }>("SELECT SUM(members) AS n FROM recipient_groups WHERE status = 'queued'").one().n,
      }));
    });
    expect(after.queued).toBe(1);
    expect(after.alarm).toBeGreaterThanOrEqual(after.now + 55_000);
    // With a ticket pushed, the next run tries the vendor, which knows no such suite and refuses it for good.
    expect((await putTicket("a-ticket", "Bearer test-suite-ticket-token", "suite-without-ticket")).status).toBe(204);
    expect(await runDurableObjectAlarm(ticketless())).toBe(true);
    const record = await runInDurableObject(ticketless(), (instance) => instance.record(id, "ticketlesscorp", 948060599));
    expect(record!.recipients).toEqual([{ userid: "123", status: "failed", error: { code: 40096, message: expect.stringContaining("get_corp_token") } }]);
  });
});
