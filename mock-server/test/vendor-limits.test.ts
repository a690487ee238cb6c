import { describe, expect, it } from "vitest";
import type { MockDingTalk } from "../create-mock.ts";
import {
  DEFAULT_THIRD_PARTY_AGENT_ID,
  frozenMock,
  generatedUsers,
  internalToken,
  send,
  sendResult,
  thirdPartyToken,
} from "./harness.ts";

/** Sends to `count` distinct generated users from `from`, in sends of at most 1,000. */
async function sendToMany(mock: MockDingTalk, token: string, from: number, count: number, agentId?: number): Promise<number[]> {
  const taskIds: number[] = [];
  for (let offset = 0; offset < count; offset += 1000) {
    const answer = await send(mock, token, { agentId, userids: generatedUsers(from + offset, Math.min(1000, count - offset)) });
    expect(answer.errcode).toBe(0);
    taskIds.push(answer.task_id);
  }
  return taskIds;
}

describe("5,000 recipients per minute per (corp, app), dropped silently", () => {
  it("delivers the 4,999th and 5,000th recipient and drops the 5,001st with 143103", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await sendToMany(mock, token, 1, 4999);
    const fiveThousandth = await send(mock, token, { userids: ["u05000"] });
    expect((await sendResult(mock, token, fiveThousandth.task_id)).send_result.unread_user_id_list).toEqual(["u05000"]);

    const over = await send(mock, token, { userids: ["u05001"] });
    expect(over.errcode).toBe(0); // the vendor says nothing at send time
    const result = (await sendResult(mock, token, over.task_id)).send_result;
    expect(result.forbidden_user_id_list).toEqual(["u05001"]);
    expect(result.forbidden_list).toEqual([{ code: "143103", count: 5000, userid: "u05001" }]);
    expect((await mock.admin.inbox("u05001")).messages).toHaveLength(0);
  });

  it("frees the sliding window exactly 60 s after the sends", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await sendToMany(mock, token, 1, 5000);
    await mock.admin.advanceClock(59_999);
    const stillFull = await send(mock, token, { userids: ["u05001"] });
    expect((await mock.admin.task(stillFull.task_id)).counts.forbidden).toBe(1);
    await mock.admin.advanceClock(1);
    const freed = await send(mock, token, { userids: ["u05002"] });
    expect((await mock.admin.task(freed.task_id)).counts.delivered).toBe(1);
  });

  it("resets at the calendar minute under minuteWindow: calendar", async () => {
    const mock = frozenMock({ settings: { minuteWindow: "calendar" }, clock: { start: "2026-11-25T02:00:30.000Z" } });
    const token = await internalToken(mock);
    await sendToMany(mock, token, 1, 5000);
    await mock.admin.advanceClock(29_999); // 10:00:59.999 China time
    expect((await mock.admin.task((await send(mock, token, { userids: ["u05001"] })).task_id)).counts.forbidden).toBe(1);
    await mock.admin.advanceClock(1); // 10:01:00.000
    expect((await mock.admin.task((await send(mock, token, { userids: ["u05002"] })).task_id)).counts.delivered).toBe(1);
  });

  it("counts each app separately and uses 143203 for a third-party app", async () => {
    const mock = frozenMock();
    const internal = await internalToken(mock);
    const suite = await thirdPartyToken(mock);
    await sendToMany(mock, internal, 1, 5000);
    const [suiteTask] = await sendToMany(mock, suite, 1, 1000, DEFAULT_THIRD_PARTY_AGENT_ID);
    expect((await mock.admin.task(suiteTask!)).counts.delivered).toBe(1000);
    await sendToMany(mock, suite, 1001, 4000, DEFAULT_THIRD_PARTY_AGENT_ID);
    const over = await send(mock, suite, { agentId: DEFAULT_THIRD_PARTY_AGENT_ID, userids: ["u09999"] });
    const result = (await sendResult(mock, suite, over.task_id, DEFAULT_THIRD_PARTY_AGENT_ID)).send_result;
    expect(result.forbidden_list).toEqual([{ code: "143203", count: 5000, userid: "u09999" }]);
  });

  it("splits one send at the boundary: the first recipients fit, the rest are dropped", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    await sendToMany(mock, token, 1, 4500);
    const answer = await send(mock, token, { userids: generatedUsers(4501, 1000) });
    const task = await mock.admin.task(answer.task_id);
    expect(task.counts).toMatchObject({ delivered: 500, forbidden: 500 });
    expect(task.forbidden[0]?.userid).toBe("u05001");
    // The rule and the numbers behind the drop, in the task, the journal and the employee's inbox; not in the vendor's answer.
    const why = "u05001: 5,000 of 5,000 recipients already sent by agent 123 in the sliding minute from 09:59:00 China time → 143103";
    expect(task.forbidden[0]?.explanation).toContain(why);
    const journalled = (await mock.admin.journal({ endpoint: "sendByTemplate" })).entries.at(-1)!;
    expect(journalled.notes.join("\n")).toContain(why);
    expect(JSON.stringify(journalled.answer)).not.toContain("already sent");
    const inbox = await mock.admin.inbox("u05001");
    expect(inbox.withheld.map((entry) => entry.explanation)).toEqual([expect.stringContaining(why)]);
  });
});

describe("per employee per app per China-time day", () => {
  it("delivers the 100th message of a day and drops the 101st with 143105", async () => {
    const mock = frozenMock({ settings: { qpsPerAppPerApi: null } });
    const token = await internalToken(mock);
    for (let i = 1; i <= 99; i++) expect((await send(mock, token, { userids: ["123"], data: { name: `m${i}`, name2: "" } })).errcode).toBe(0);
    const hundredth = await send(mock, token, { userids: ["123"], data: { name: "m100", name2: "" } });
    expect((await sendResult(mock, token, hundredth.task_id)).send_result.unread_user_id_list).toEqual(["123"]);
    const hundredFirst = await send(mock, token, { userids: ["123"], data: { name: "m101", name2: "" } });
    const result = (await sendResult(mock, token, hundredFirst.task_id)).send_result;
    expect(result.forbidden_list).toEqual([{ code: "143105", count: 100, userid: "123" }]);
    expect((await mock.admin.inbox("123")).messages).toHaveLength(100);
  });

  it("drops the same content to the same employee on the same day with 143106", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const data = { name: "same", name2: "same" };
    await send(mock, token, { userids: ["123"], data });
    // Same variables in another key order: still the same content.
    const again = await send(mock, token, { userids: ["123", "456"], data: { name2: "same", name: "same" } });
    const result = (await sendResult(mock, token, again.task_id)).send_result;
    expect(result.forbidden_list).toEqual([{ code: "143106", count: 1, userid: "123" }]);
    expect(result.unread_user_id_list).toEqual(["456"]);
    const different = await send(mock, token, { userids: ["123"], data: { name: "other", name2: "same" } });
    expect((await mock.admin.task(different.task_id)).counts.delivered).toBe(1);
  });

  it("delivers around a dropped recipient in the middle of a send, in order", async () => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const data = { name: "once", name2: "" };
    await send(mock, token, { userids: ["456"], data });
    const answer = await send(mock, token, { userids: ["123", "456", "u00001"], data });
    const task = await mock.admin.task(answer.task_id);
    expect(task.delivered).toEqual(["123", "u00001"]);
    expect(task.forbidden.map((f: { userid: string }) => f.userid)).toEqual(["456"]);
    const everyone = await send(mock, token, { userids: ["u00002", "u00003"], data });
    expect((await mock.admin.task(everyone.task_id)).delivered).toEqual(["u00002", "u00003"]);
  });

  it("uses 143205 and 143206 for a third-party app", async () => {
    const mock = frozenMock({ settings: { dailyMessagesPerEmployee: 1 } });
    const token = await thirdPartyToken(mock);
    const agentId = DEFAULT_THIRD_PARTY_AGENT_ID;
    await send(mock, token, { agentId, userids: ["123"], data: { name: "a", name2: "" } });
    const duplicate = await send(mock, token, { agentId, userids: ["123"], data: { name: "a", name2: "" } });
    const capped = await send(mock, token, { agentId, userids: ["123"], data: { name: "b", name2: "" } });
    expect((await sendResult(mock, token, duplicate.task_id, agentId)).send_result.forbidden_list[0]?.code).toBe("143206");
    expect((await sendResult(mock, token, capped.task_id, agentId)).send_result.forbidden_list[0]).toMatchObject({ code: "143205", count: 1 });
  });

  it("rolls the day over at 00:00 China time (16:00 UTC)", async () => {
    const mock = frozenMock({ settings: { dailyMessagesPerEmployee: 1 }, clock: { start: "2026-11-25T15:59:59.999Z" } });
    const token = await internalToken(mock);
    const data = { name: "daily digest", name2: "" };
    await send(mock, token, { userids: ["123"], data });
    const sameDay = await send(mock, token, { userids: ["123"], data: { name: "second", name2: "" } });
    expect((await mock.admin.task(sameDay.task_id)).forbidden[0]?.code).toBe("143105");
    await mock.admin.advanceClock(1); // 2026-11-26 00:00:00.000 China time
    const nextDay = await send(mock, token, { userids: ["123"], data });
    expect((await mock.admin.task(nextDay.task_id)).counts.delivered).toBe(1);
  });

  it("counts each app's cap separately", async () => {
    const mock = frozenMock({ settings: { dailyMessagesPerEmployee: 1 } });
    await send(mock, await internalToken(mock), { userids: ["123"] });
    const suite = await send(mock, await thirdPartyToken(mock), { agentId: DEFAULT_THIRD_PARTY_AGENT_ID, userids: ["123"] });
    expect((await mock.admin.task(suite.task_id)).counts.delivered).toBe(1);
  });

  it("lets throttled recipients not count against the minute window", async () => {
    const mock = frozenMock({ settings: { recipientsPerMinute: 2 } });
    const token = await internalToken(mock);
    const data = { name: "x", name2: "" };
    await send(mock, token, { userids: ["123"], data });
    const second = await send(mock, token, { userids: ["123", "456"], data });
    expect((await mock.admin.task(second.task_id)).counts).toMatchObject({ delivered: 1, forbidden: 1 });
    const third = await send(mock, token, { userids: ["u00001"], data });
    expect((await mock.admin.task(third.task_id)).forbidden[0]?.code).toBe("143103");
  });
});
