import { describe, expect, it } from "vitest";
import { ErrCode } from "../../protocol/index.ts";
import { KeptTask } from "../engine/kept-task.ts";
import { TaskStore } from "../engine/task-store.ts";
import { frozenMock, generatedUsers, internalToken, send, sendResult } from "./harness.ts";

describe("a world's memory budget", () => {
  it("drops the oldest tasks first when over it, counts them, answers them as unknown and keeps the newest", async () => {
    const mock = frozenMock({ settings: { qpsPerAppPerApi: null, duplicateContentOncePerDay: false } });
    const token = await internalToken(mock);
    const first = await send(mock, token, { userids: generatedUsers(1, 50), data: { name: "first", name2: "" } });
    const one = (await mock.admin.describeWorld("default")).memory;
    expect(one.tasks).toBeGreaterThan(50 * 8);
    expect(one.total).toBe(one.tasks + one.inbox + one.ledger + one.journal + one.minuteWindow);

    // Room for what the world holds now and a little more: the next sends push the oldest task out.
    await mock.admin.updateSettings({ worldMemoryBudgetBytes: one.total + 2_000 });
    const later: number[] = [];
    for (let i = 0; i < 5; i++) later.push((await send(mock, token, { userids: generatedUsers(100 + i * 50, 50), data: { name: `n${i}`, name2: "" } })).task_id);

    const info = await mock.admin.describeWorld("default");
    expect(info.tasksDropped.budget).toBeGreaterThan(0);
    expect(info.tasksDropped).toMatchObject({ limit: 0, age: 0 });
    expect(info.tasks + info.tasksDropped.budget).toBe(6);
    expect(mock.state.tasks.get(first.task_id)).toBeUndefined();
    expect((await sendResult(mock, token, first.task_id)).errcode).toBe(ErrCode.INVALID_PARAMETER);
    // The newest is always kept, even when the rest of the world alone is over the budget.
    await mock.admin.updateSettings({ worldMemoryBudgetBytes: 1 });
    const newest = await send(mock, token, { userids: generatedUsers(900, 10), data: { name: "last", name2: "" } });
    expect(mock.state.tasks.size).toBe(1);
    expect((await sendResult(mock, token, newest.task_id)).errcode).toBe(0);
    // Inboxes keep their own bound: the dropped task's message is still there.
    expect((await mock.admin.inbox("u00001")).messages.map((m) => m.taskId)).toEqual([first.task_id]);
  });

  it("reports bytes that grow with what is sent and fall when tasks are dropped", async () => {
    const mock = frozenMock({ settings: { qpsPerAppPerApi: null, duplicateContentOncePerDay: false, taskLimit: 2 } });
    const token = await internalToken(mock);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      await send(mock, token, { userids: generatedUsers(1 + i * 500, 500), data: { name: `n${i}`, name2: "" } });
      sizes.push((await mock.admin.describeWorld("default")).memory.tasks);
    }
    expect(sizes[1]!).toBeGreaterThan(sizes[0]!);
    // Two tasks of 500 kept from the third send on: the tasks' bytes stop growing.
    expect(sizes[2]).toBe(sizes[1]);
    expect(sizes[3]).toBe(sizes[1]);
    expect((await mock.admin.describeWorld("default")).tasksDropped.limit).toBe(2);
  });
});

describe("tasks kept compactly", () => {
  it("rebuild delivered, forbidden and every explanation word for word, also through a snapshot", async () => {
    const mock = frozenMock({ settings: { qpsPerAppPerApi: null, recipientsPerMinute: 30, dailyMessagesPerEmployee: 2 } });
    const token = await internalToken(mock);
    const data = { name: "Ada", name2: "x" };
    await send(mock, token, { userids: generatedUsers(1, 10), data });
    await send(mock, token, { userids: generatedUsers(11, 10), data: { name: "Bo", name2: "x" } });
    await mock.admin.advanceClock(60_000);
    await send(mock, token, { userids: generatedUsers(1, 5), data: { name: "Cy", name2: "x" } });
    // u00001–u00005: duplicate; u00001–u00005 again with new content: daily cap; u00021…: past the 30 a minute.
    const mixed = await send(mock, token, { userids: [...generatedUsers(1, 3), ...generatedUsers(21, 40)], data });
    const kept = mock.state.tasks.get(mixed.task_id)!;
    const view = kept.view();
    const codes = new Set(view.forbidden.map((entry) => entry.code));
    expect(codes).toEqual(new Set(["143106", "143103"]));
    expect(view.delivered).toHaveLength(25);
    expect(view.forbidden.find((entry) => entry.userid === "u00001")!.explanation).toBe(
      'u00001: template "e27a9eed42b34a14a2xxxx" with the same data was already delivered by agent 123 on 2026-11-25 (China time) → 143106 (same content already sent to this employee today)',
    );
    expect(view.forbidden.at(-1)!.explanation).toMatch(/^u00060: 30 of 30 recipients already sent by agent 123 in the sliding minute from 10:00:00 China time → 143103 \(/);
    const capped = await send(mock, token, { userids: generatedUsers(1, 1), data: { name: "Di", name2: "x" } });
    expect(mock.state.tasks.get(capped.task_id)!.forbidden[0]!.explanation).toBe(
      "u00001: 2 of 2 messages from agent 123 already delivered on 2026-11-25 (China time) → 143105 (daily per-employee message cap of the app reached)",
    );
    // What the admin API shows is the task whole, as before.
    const task = (await mock.admin.task(mixed.task_id)) as unknown as Record<string, unknown>;
    expect(task.delivered).toEqual(view.delivered);
    expect(task.forbidden).toEqual(view.forbidden);

    const store = new TaskStore();
    store.restore(JSON.parse(JSON.stringify(mock.state.tasks.snapshot())));
    expect(store.get(mixed.task_id)!.view()).toEqual(view);
    expect(store.snapshot().tasks).toEqual(mock.state.tasks.snapshot().tasks);
  });

  it("restores tasks of snapshots written before (delivered as stored, explanations as stored)", () => {
    const legacy = {
      taskId: 7,
      corpId: "corp",
      agentId: 1,
      templateId: "t",
      data: { name: "x" },
      createdAtMs: 5,
      recipients: ["a", "b", "c"],
      delivered: ["a", "c"],
      forbidden: [{ code: "143105", count: 100, userid: "b", explanation: "words of an older mock" }],
      invalidUserIds: ["zz"],
      invalidDeptIds: [9],
      failed: [],
      recalledAtMs: 6,
    };
    const kept = KeptTask.fromView(legacy);
    expect(kept.view()).toEqual(legacy);
    expect(kept.deliveredCount).toBe(2);
    expect(kept.forbiddenFor("b")?.explanation).toBe("words of an older mock");
    expect(kept.forbiddenFor("a")).toBeUndefined();
  });
});
