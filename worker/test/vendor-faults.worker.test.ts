import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getNotification, postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

describe("tokens", () => {
  const world = useMockDingTalk();

  it("gets one token and reuses it from the object's storage", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "1", name2: "" } });
    await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "2", name2: "" } });
    expect((await world.mock.admin.journal({ endpoint: "getCorpToken" })).entries).toHaveLength(1);
  });

  it("refreshes before expiry when the clock passes 7,200 s in the middle of a run", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "before", name2: "" } });
    await world.mock.admin.advanceClock(7201 * 1000);
    const after = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "after", name2: "" } });
    expect(after.body.summary.sent).toBe(1);
    expect((await world.mock.admin.journal({ endpoint: "getCorpToken" })).entries).toHaveLength(2);
    // Not one call was refused for its token: the worker refreshed 10 minutes early.
    expect((await world.mock.admin.journal({ errcode: 42001 })).entries).toHaveLength(0);
  });

  it("refreshes once and retries when the vendor refuses a cached token (40014)", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "before", name2: "" } });
    world.mock.state.tokens.revokeAll();
    const after = await postNotification({ templateId: TEMPLATE_ID, userIds: ["456"], data: { name: "after", name2: "" } });
    expect(after.body.summary.sent).toBe(1);
    expect((await world.mock.admin.journal({ errcode: 40014 })).entries).toHaveLength(1);
    expect((await world.mock.admin.inbox("456")).messages).toHaveLength(1);
  });
});

describe("vendor failures", () => {
  const world = useMockDingTalk();

  it("retries -1 (system busy) and delivers once", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", errcode: -1, times: 2 });
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "busy", name2: "" } });
    expect(answer.body.summary.sent).toBe(1);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(3);
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });

  it("answers 422 vendor-refused for a template the vendor does not know, and gives the quota back", async () => {
    const refused = await postNotification({ templateId: "no-such-template", userIds: ["123"], data: { name: "x", name2: "" } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "vendor-refused" });
    expect(refused.body.detail).toContain("885001");
    // Released: the same employee can still take 100 messages today, and this content is not a duplicate.
    const next = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "x", name2: "" } });
    expect(next.body.recipients[0]).toMatchObject({ status: "sent" });
  });

  it("answers 502 vendor-unavailable when a gateway refuses every attempt (4xx), and releases what it reserved", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 429, times: 3 });
    const failed = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "x", name2: "" } });
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe("vendor-unavailable");
    expect(failed.body.detail).toMatch(/Nothing was sent|HTTP 429/);
    const next = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "x", name2: "" } });
    expect(next.body.recipients[0]).toMatchObject({ status: "sent" });
  });

  it("says 'may have been sent' for a 5xx that came after the vendor delivered, keeps the place, and retries once the same day", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 502, phase: "after", times: 1 });
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "after", name2: "" } });
    expect(answer.status).toBe(202);
    // Not asked for, so not said: the queueing is the worker's, for the retry.
    expect(answer.headers.get("preference-applied")).toBeNull();
    expect(JSON.stringify(answer.body)).not.toMatch(/nothing was sent/i);
    for (const recipient of answer.body.recipients) {
      expect(recipient).toMatchObject({ status: "queued", mayHaveBeenSent: true });
      expect(recipient.lastError.message).toContain("may have been sent");
    }
    // The first attempt delivered, and the client did not retry it behind the caller's back.
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
    // The same content again today is suppressed: the ledger entry was kept.
    const again = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "after", name2: "" } });
    expect(again.body.recipients[0]).toMatchObject({ status: "suppressed", reason: "duplicate-content" });
    // The window place was kept too: 2 recipients still count in this minute.
    const window = await runInDurableObject(env.CORP_APP_SENDER.getByName("dingdemocorp/948060598"), (_, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COALESCE(SUM(recipients), 0) AS n FROM minute_window").one().n,
    );
    expect(window).toBe(2);
    // The queued retry goes out the same day; the vendor drops the repeat, so the inbox still holds one.
    await world.mock.admin.advanceClock(2_000);
    await runDurableObjectAlarm(env.CORP_APP_SENDER.getByName("dingdemocorp/948060598"));
    const record = (await getNotification(answer.body.id)).body;
    expect(record.recipients.map((r: { status: string }) => r.status)).toEqual(["sent", "sent"]);
    // The record says why the retry's task lists them as dropped repeats (143206: this app is a third-party one): the lost send delivered.
    for (const recipient of record.recipients) expect(recipient.afterLostAnswer).toBe(true);
    const retryTask = world.mock.state.tasks.list().find((task) => task.taskId === record.recipients[0].taskId)!;
    expect(retryTask.forbidden.map((entry) => `${entry.userid}:${entry.code}`).sort()).toEqual(["123:143206", "456:143206"]);
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
    expect((await world.mock.admin.inbox("456")).messages).toHaveLength(1);
  });
});
