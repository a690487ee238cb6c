import { describe, expect, it } from "vitest";
import { CommitGroup } from "./commit-group.ts";

/** A group whose turns come when the test says, counting how many were asked for. */
function manualGroup(): { group: CommitGroup; scheduled: () => number; delays: number[]; runNext: () => void } {
  const pending: (() => void)[] = [];
  const delays: number[] = [];
  const group = new CommitGroup({
    gatherMs: 3,
    schedule: (run, delayMs) => {
      delays.push(delayMs);
      pending.push(run);
    },
  });
  return { group, scheduled: () => delays.length, delays, runNext: () => pending.shift()!() };
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("CommitGroup", () => {
  it("lets every caller that asked before the turn write in it, before any other task runs", async () => {
    const { group, scheduled, runNext } = manualGroup();
    const wrote: string[] = [];
    const sends = ["a", "b", "c"].map(async (name) => {
      await group.turn();
      wrote.push(name);
    });
    await macrotask();
    expect(wrote).toEqual([]);
    expect(scheduled()).toBe(1);

    // Whatever runs between the turn and the next task sees all three writes made: one commit holds them.
    let seenByNextTask: string[] | undefined;
    setImmediate(() => (seenByNextTask = [...wrote]));
    runNext();
    await Promise.all(sends);
    await macrotask();
    expect(seenByNextTask).toEqual(["a", "b", "c"]);
  });

  it("sends a caller that asks from inside a turn to the next one", async () => {
    const { group, scheduled, runNext } = manualGroup();
    const order: string[] = [];
    const first = (async () => {
      await group.turn();
      order.push("admitted");
      await group.turn();
      order.push("settled");
    })();
    runNext();
    await macrotask();
    expect(order).toEqual(["admitted"]);
    expect(scheduled()).toBe(2);
    runNext();
    await first;
    expect(order).toEqual(["admitted", "settled"]);
  });

  it("waits to gather more callers only while the last turn had company", async () => {
    const { group, delays, runNext } = manualGroup();
    const turnOf = async (callers: number) => {
      const turns = Array.from({ length: callers }, () => group.turn());
      runNext();
      await Promise.all(turns);
    };
    await turnOf(1);
    await turnOf(3);
    await turnOf(2);
    await turnOf(1);
    await turnOf(1);
    // A lone caller is never held; after a shared turn, the next one gathers for gatherMs.
    expect(delays).toEqual([0, 0, 3, 3, 0]);
  });

  it("reaches its turn by itself with the default schedule", async () => {
    const group = new CommitGroup();
    const turns = await Promise.all([group.turn(), group.turn()]);
    expect(turns).toEqual([undefined, undefined]);
  });
});
