import { describe, expect, it } from "vitest";
import { postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

/** How many sendbytemplate calls reached the mock. */
async function vendorSends(world: ReturnType<typeof useMockDingTalk>): Promise<number> {
  return (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.length;
}

function message(n: number | string) {
  return { templateId: TEMPLATE_ID, data: { name: `message ${n}`, name2: "" } };
}

describe("the minute window, enforced before sending", () => {
  const world = useMockDingTalk();

  it("sends the 4,999th and 5,000th recipient and answers 429 for the 5,001st, sending nothing", async () => {
    expect((await postNotification({ ...message(1), userIds: users(1, 4999) })).status).toBe(201);
    const fiveThousandth = await postNotification({ ...message(1), userIds: ["u05000"] });
    expect(fiveThousandth.body.summary.sent).toBe(1);
    const sendsBefore = await vendorSends(world);

    const over = await postNotification({ ...message(1), userIds: ["u05001"] });
    expect(over.status).toBe(429);
    expect(over.headers.get("content-type")).toContain("application/problem+json");
    expect(over.headers.get("retry-after")).toBe("62");
    expect(over.body).toMatchObject({ code: "minute-window-full", status: 429 });
    expect(await vendorSends(world)).toBe(sendsBefore);
    expect((await world.mock.admin.inbox("u05001")).messages).toHaveLength(0);

    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    expect((await postNotification({ ...message(1), userIds: ["u05001"] })).status).toBe(201);
    expect((await world.mock.admin.inbox("u05001")).messages).toHaveLength(1);
  });

  it("never lets 50 concurrent sends put more than 5,000 recipients into one minute", async () => {
    const requests = Array.from({ length: 50 }, (_, i) => postNotification({ ...message("burst"), userIds: users(1 + i * 200, 200) }));
    const answers = await Promise.all(requests);
    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted.length + refused.length).toBe(50);
    expect(accepted).toHaveLength(25);
    const sent = accepted.reduce((sum, a) => sum + a.body.summary.sent, 0);
    expect(sent).toBe(5000);

    const tasks = (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.map((e) => (e.answer as { task_id: number }).task_id);
    let delivered = 0;
    let forbidden = 0;
    for (const taskId of tasks) {
      const task = await world.mock.admin.task(taskId);
      delivered += task.counts.delivered;
      forbidden += task.counts.forbidden;
    }
    expect(delivered).toBe(5000);
    expect(forbidden).toBe(0); // not one silent drop at the vendor
  });
});

describe("the per-employee rules, enforced before sending", () => {
  const world = useMockDingTalk();

  it("sends the 100th message of a day and suppresses the 101st without calling the vendor", async () => {
    for (let n = 1; n <= 100; n++) {
      const answer = await postNotification({ ...message(n), userIds: ["123"] });
      expect(answer.body.summary.sent).toBe(1);
    }
    const sendsBefore = await vendorSends(world);
    const hundredFirst = await postNotification({ ...message(101), userIds: ["123", "456"] });
    expect(hundredFirst.status).toBe(201);
    expect(hundredFirst.body.recipients).toEqual([
      // The default app is a third-party one: DingTalk would drop it with the 1432xx code.
      expect.objectContaining({ userid: "123", status: "suppressed", reason: "daily-cap", detail: expect.stringContaining("(143205)") }),
      expect.objectContaining({ userid: "456", status: "sent" }),
    ]);
    expect(await vendorSends(world)).toBe(sendsBefore + 1);
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(100);
  });

  it("suppresses the same content to the same employee on the same China-time day, until 00:00", async () => {
    await world.mock.admin.setClock("2026-11-25T15:59:59.000Z");
    expect((await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "b" } })).body.summary.sent).toBe(1);
    await world.mock.admin.advanceClock(999);
    const again = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name2: "b", name: "a" } });
    expect(again.body.recipients[0]).toMatchObject({ status: "suppressed", reason: "duplicate-content", detail: expect.stringContaining("(143206)") });
    await world.mock.admin.advanceClock(1); // 00:00:00.000 China time
    const nextDay = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "b" } });
    expect(nextDay.body.recipients[0]).toMatchObject({ status: "sent" });
  });

  it("quotes the internal app's own codes (1431xx) in its suppressions", async () => {
    const send = () => postNotification({ ...message("internal"), agentId: 123, userIds: ["123"] });
    expect((await send()).body.summary.sent).toBe(1);
    const again = await send();
    expect(again.body.recipients[0]).toMatchObject({ status: "suppressed", reason: "duplicate-content" });
    expect(again.body.recipients[0].detail).toContain("(143106)");
    expect(again.body.recipients[0].detail).not.toContain("1432");
  });
});
