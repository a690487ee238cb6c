import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MockDingTalk } from "../../mock-server/create-mock.ts";
import { getNotification, onRealTime, postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

const ASYNC = { prefer: "respond-async" };
const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/948060598");

/** Delivery times of every recipient the mock delivered, and how many it dropped silently. */
async function deliveries(mock: MockDingTalk): Promise<{ times: number[]; forbidden: number }> {
  const times: number[] = [];
  let forbidden = 0;
  for (const task of mock.state.tasks.list()) {
    for (let i = 0; i < task.delivered.length; i++) times.push(task.createdAtMs);
    forbidden += task.forbidden.length;
  }
  return { times: times.sort((a, b) => a - b), forbidden };
}

/** The most recipients delivered in any 60 s window. */
function busiestMinute(times: number[]): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 60_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe("Prefer: respond-async", () => {
  const world = useMockDingTalk();

  it("answers 201 without Preference-Applied when everything fitted and nothing waits", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 2), data: { name: "fits", name2: "" } }, ASYNC);
    expect(answer.status).toBe(201);
    expect(answer.headers.get("preference-applied")).toBeNull();
    expect(answer.body.summary).toMatchObject({ recipients: 2, sent: 2, queued: 0 });
  });

  it("sends what fits now, queues the rest, and answers 202 with a status URL", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 6000), data: { name: "a", name2: "" } }, ASYNC);
    expect(answer.status).toBe(202);
    expect(answer.headers.get("preference-applied")).toBe("respond-async");
    expect(answer.headers.get("location")).toBe(`/v1/notifications/${answer.body.id}`);
    expect(answer.body.summary).toMatchObject({ recipients: 6000, sent: 5000, queued: 1000 });
    expect(answer.body.recipients[5999]).toEqual({ userid: "u06000", status: "queued" });

    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    expect(await runDurableObjectAlarm(sender())).toBe(true);
    const story = await getNotification(answer.body.id);
    expect(story.body.summary).toMatchObject({ sent: 6000, queued: 0 });
    expect((await world.mock.admin.inbox("u06000")).messages).toHaveLength(1);
  });

  it("drains a 20,000-recipient backlog in about four minutes, never more than 5,000 in any minute", async () => {
    const first = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 10_000), data: { name: "first", name2: "" } }, ASYNC);
    const second = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 10_000), data: { name: "second", name2: "" } }, ASYNC);
    expect(first.body.summary.sent + second.body.summary.sent).toBe(5000);
    const start = world.mock.state.clock.now();
    for (let minute = 1; minute <= 3; minute++) {
      await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
      await runDurableObjectAlarm(sender());
    }
    const { times, forbidden } = await deliveries(world.mock);
    expect(times).toHaveLength(20_000);
    expect(forbidden).toBe(0);
    expect(busiestMinute(times)).toBe(5000);
    expect(times[times.length - 1]! - start).toBe(3 * WINDOW_AND_GUARD_MS); // sent in four windows, each opened a minute and the guard after the last
    for (const id of [first.body.id, second.body.id]) expect((await getNotification(id)).body.summary.sent).toBe(10_000);
  }, 60_000);

  it("tells a refused synchronous send to come back when the queue ahead of it has gone, and keeps that promise", async () => {
    const backlog = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 13_000), data: { name: "backlog", name2: "" } }, ASYNC);
    expect(backlog.body.summary).toMatchObject({ sent: 5000, queued: 8000 });
    const send = () => postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "urgent", name2: "" } });
    const refused = await send();
    expect(refused.status).toBe(429);
    // The window alone frees in one window and the guard; the 8,000 queued take that room and a second window's.
    const retryAfterMs = Number(refused.headers.get("retry-after")) * 1000;
    expect(retryAfterMs).toBe(2 * WINDOW_AND_GUARD_MS);

    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    expect(await runDurableObjectAlarm(sender())).toBe(true);
    // Where the window alone would have sent the caller back: the queue took the room.
    expect((await send()).status).toBe(429);
    await world.mock.admin.advanceClock(retryAfterMs - WINDOW_AND_GUARD_MS);
    await runDurableObjectAlarm(sender());
    const kept = await send();
    expect(kept.status).toBe(201);
    expect(kept.body.summary.sent).toBe(1);
    expect((await getNotification(backlog.body.id)).body.summary).toMatchObject({ sent: 13_000, queued: 0 });
  }, 60_000);

  it("resumes after the object is evicted mid-drain, with nothing lost or sent twice", async () => {
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 10_000), data: { name: "evict", name2: "" } }, ASYNC);
    expect(answer.body.summary.queued).toBe(5000);
    await onRealTime(() => evictDurableObject(sender()));
    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    expect(await runDurableObjectAlarm(sender())).toBe(true);
    const { times, forbidden } = await deliveries(world.mock);
    expect(times).toHaveLength(10_000);
    expect(forbidden).toBe(0);
    expect((await getNotification(answer.body.id)).body.summary).toMatchObject({ sent: 10_000, queued: 0 });
  }, 30_000);
});

describe("vendor faults under load", () => {
  const world = useMockDingTalk();

  it("delivers every accepted recipient exactly once with 20% of vendor calls failing", async () => {
    // Every call stays in the journal, to count the faulted share.
    await world.mock.admin.updateSettings({ journalLimit: 10_000 });
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, phase: "after", probability: 0.1, seed: 7 });
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", errcode: -1, probability: 0.06, seed: 8 });
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 502, probability: 0.05, seed: 9 });
    const recipients = users(1, 2000);
    const ids: string[] = [];
    for (let start = 0; start < recipients.length; start += 25) {
      const batch = recipients.slice(start, start + 25);
      const answers = await Promise.all(batch.map((userid) => postNotification({ templateId: TEMPLATE_ID, userIds: [userid], data: { name: userid, name2: "" } }, ASYNC)));
      for (const answer of answers) {
        expect([201, 202]).toContain(answer.status);
        ids.push(answer.body.id);
      }
    }
    for (let round = 0; round < 30; round++) {
      await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
      if (!(await runDurableObjectAlarm(sender()))) break;
    }
    const faulted = (await world.mock.admin.faults()).reduce((sum, rule) => sum + rule.hits, 0);
    const calls = (await world.mock.admin.journal({ endpoint: "sendByTemplate", limit: 10_000 })).entries.length;
    expect(calls).toBeGreaterThanOrEqual(2000);
    expect(faulted / calls).toBeGreaterThan(0.15);
    for (const userid of recipients) {
      const inbox = await world.mock.admin.inbox(userid);
      expect(inbox.messages.map((m) => m.text), userid).toEqual([`Hello ${userid}, your order is ready: `]);
    }
    const failed = (await Promise.all(ids.map((id) => getNotification(id)))).filter((story) => story.body.summary.sent !== 1);
    expect(failed.map((story) => story.body.recipients)).toEqual([]);
  }, 120_000);
});

describe("a send whose answer was lost", () => {
  // 23:59:30 China time: a retry a second later still lands before the vendor's midnight, whatever the latency.
  const world = useMockDingTalk({ clock: { start: "2026-11-25T15:59:30.000Z", frozen: true } });
  const request = { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "lost", name2: "" } };

  it("is retried on the same China-time day, where the vendor drops the duplicate", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, phase: "after", times: 1 });
    const answer = await postNotification(request, ASYNC);
    expect(answer.body.recipients[0]).toMatchObject({ status: "queued", attempts: 1, mayHaveBeenSent: true });
    await world.mock.admin.advanceClock(1000);
    await runDurableObjectAlarm(sender());
    expect((await getNotification(answer.body.id)).body.recipients[0]).toMatchObject({ status: "sent" });
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });

  it("is not retried when the retry could reach the vendor after its midnight, though ours has not come", async () => {
    await world.mock.admin.advanceClock(20_000); // 23:59:50: a retry may take VENDOR_TIMEOUT_MS (10 s) plus the 2 s guard
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, phase: "after", times: 1 });
    const answer = await postNotification(request, ASYNC);
    await world.mock.admin.advanceClock(1000);
    await runDurableObjectAlarm(sender());
    const recipient = (await getNotification(answer.body.id)).body.recipients[0];
    expect(recipient).toMatchObject({ status: "uncertain" });
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
  });

  it("is not retried after 00:00 China time, where a retry could deliver twice", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, phase: "after", times: 1 });
    const answer = await postNotification(request, ASYNC);
    await world.mock.admin.advanceClock(33_000); // 2026-11-26 00:00:03 China time
    await runDurableObjectAlarm(sender());
    const recipient = (await getNotification(answer.body.id)).body.recipients[0];
    expect(recipient).toMatchObject({ status: "uncertain" });
    expect(recipient.error.message).toContain("was not retried");
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });
});
