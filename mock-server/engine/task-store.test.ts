import { describe, expect, it } from "vitest";
import { TaskStore, type SendTask } from "./task-store.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

function task(store: TaskStore, createdAtMs: number): SendTask {
  return {
    taskId: store.nextTaskId(),
    corpId: "corp",
    agentId: 1,
    templateId: "t",
    data: {},
    createdAtMs,
    recipients: ["u"],
    delivered: ["u"],
    forbidden: [],
    invalidUserIds: [],
    invalidDeptIds: [],
    failed: [],
  };
}

describe("TaskStore", () => {
  it("keeps at most the limit, dropping the oldest first", () => {
    const store = new TaskStore(1);
    for (let i = 0; i < 25; i++) store.add(task(store, 1_000 + i), 10);
    expect(store.list().map((t) => t.taskId)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(store.get(15)).toBeUndefined();
    // A lower limit takes effect at the next send; a higher one keeps what is left.
    store.add(task(store, 2_000), 3);
    expect(store.list().map((t) => t.taskId)).toEqual([24, 25, 26]);
    store.add(task(store, 2_001), 10);
    expect(store.list()).toHaveLength(4);
  });

  it("still drops tasks older than a week, however few there are", () => {
    const store = new TaskStore(1);
    store.add(task(store, 0), 10);
    store.add(task(store, 7 * DAY_MS), 10);
    expect(store.list().map((t) => t.taskId)).toEqual([1, 2]);
    store.add(task(store, 7 * DAY_MS + 1), 10);
    expect(store.list().map((t) => t.taskId)).toEqual([2, 3]);
  });

  it("drops the oldest in order over a long run and after a restore", () => {
    let store = new TaskStore(1);
    for (let i = 1; i <= 5_000; i++) {
      store.add(task(store, i), 100);
      if (i === 2_500) {
        const restored = new TaskStore();
        restored.restore(JSON.parse(JSON.stringify(store.snapshot())));
        store = restored;
      }
      expect(store.list()).toHaveLength(Math.min(i, 100));
    }
    expect(store.list().map((t) => t.taskId)).toEqual(Array.from({ length: 100 }, (_, k) => 4_901 + k));
    expect(store.get(4_900)).toBeUndefined();
    expect(store.get(4_901)?.createdAtMs).toBe(4_901);
  });
});
