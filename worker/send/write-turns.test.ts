/**
 * A synchronous send writes only when its object's CommitGroup says so
 * (`writeTurn`), twice: its admission before the vendor call, and each
 * chunk's outcome after the answer. Writes made anywhere else would fall
 * into a commit of their own (worker/durable/commit-group.ts).
 */
import { describe, expect, it } from "vitest";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { VendorPath } from "../../protocol/index.ts";
import { DingTalkApiError } from "../dingtalk/errors.ts";
import { admitSend } from "../quota/admission.ts";
import { MemoryQuotaStore } from "../quota/memory-quota-store.ts";
import { acceptNotification, type NotificationRequest, type SendDependencies } from "./send-notification.ts";

const LIMITS = { recipientsPerMinute: 5_000, dailyMessagesPerEmployee: 100, recipientsPerSend: 2, windowMs: 60_000, clockSkewGuardMs: 2_000 };
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A send path whose turns and vendor answers come when the test says; `log` lists what happened, in order. */
function sendPath(answer: (call: number) => Promise<{ task_id: number }>, options: { recordFails?: boolean } = {}) {
  const log: string[] = [];
  const turns: (() => void)[] = [];
  const quota = new MemoryQuotaStore();
  let calls = 0;
  const client = {
    sendByTemplate: (request: { userid_list: string }) => {
      log.push(`call ${request.userid_list}`);
      return answer(++calls);
    },
  } as unknown as DingTalkClient;
  const deps: SendDependencies = {
    client,
    quota,
    writeTurn: () =>
      new Promise<void>((resolve) => {
        log.push("waits for a turn");
        turns.push(resolve);
      }),
    admit: (admission, stored) => {
      log.push("admit");
      const admitted = admitSend(quota, LIMITS, admission);
      if (admitted.kind === "admitted") stored(admitted);
      return admitted;
    },
    create: () => log.push("create"),
    record: (outcomes) => {
      log.push(`record ${outcomes.map((o) => `${o.userid}:${o.status}`).join(",")}`);
      if (options.recordFails) throw new Error("storage full");
    },
    release: (reservationId) => log.push(`release ${reservationId}`),
    settle: (reservationId) => log.push(`settle ${reservationId}`),
    transaction: (fn) => fn(),
    expandDepartments: async () => ({ userids: [], invalidDeptIds: [] }),
    now: () => Date.UTC(2026, 10, 25, 2),
    clockSkewGuardMs: LIMITS.clockSkewGuardMs,
    vendorTimeoutMs: 10_000,
    dailyCap: LIMITS.dailyMessagesPerEmployee,
    appKind: "internal",
    recipientsPerMinute: LIMITS.recipientsPerMinute,
    maxQueuedRecipients: 10_000,
    verifyDelivery: false,
    verifyAfterMs: 1_000,
    retryDelayMs: () => 1_000,
  };
  /** Lets the oldest waiter write, then lets everything it set off run. */
  const turn = async () => {
    turns.shift()!();
    await macrotask();
  };
  /** Until the send waits for its first turn (its content's hash is computed off the thread first). */
  const firstWait = async () => {
    for (let i = 0; i < 1_000 && turns.length === 0; i++) await macrotask();
  };
  return { deps, log, turn, firstWait, waiting: () => turns.length };
}

const request: NotificationRequest = {
  id: "n1",
  corpId: "dingdemocorp",
  agentId: 123,
  templateId: "tpl",
  userIds: ["a", "b", "c"],
  deptIds: [],
  data: { name: "x" },
  async: false,
};

describe("a synchronous send's writes", () => {
  it("wait for a turn before the admission and before each chunk's outcome", async () => {
    const path = sendPath(async (call) => ({ task_id: call }));
    const accepted = acceptNotification(path.deps, request);
    await path.firstWait();
    // Nothing written, nothing sent: the admission waits for its turn.
    expect(path.log).toEqual(["waits for a turn"]);

    await path.turn();
    expect(path.log).toEqual(["waits for a turn", "admit", "create", "call a,b", "waits for a turn"]);

    await path.turn();
    expect(path.log.slice(5)).toEqual(["settle n1/0", "record a:sent,b:sent", "call c", "waits for a turn"]);

    await path.turn();
    expect(await accepted).toEqual({ kind: "accepted" });
    expect(path.log.slice(9)).toEqual(["settle n1/1", "record c:sent"]);
    expect(path.waiting()).toBe(0);
  });

  it("wait for a turn before a refused chunk gives its reservation back", async () => {
    const path = sendPath(async () => {
      throw new DingTalkApiError(VendorPath.sendByTemplate, { errcode: 40035, errmsg: "invalid parameter" });
    });
    const accepted = acceptNotification(path.deps, request);
    await path.firstWait();
    await path.turn();
    expect(path.log.at(-1)).toBe("waits for a turn");
    expect(path.log).not.toContain("release n1/0");

    await path.turn();
    expect(await accepted).toEqual({ kind: "accepted" });
    // The vendor refused the message itself: the second chunk is given back unsent, in the same turn.
    expect(path.log.slice(5)).toEqual(["release n1/0", "record a:failed,b:failed", "release n1/1", "record c:failed"]);
  });

  it("give the unsent chunks' places back when recording a sent one fails, and leave the sent one settled", async () => {
    const path = sendPath(async (call) => ({ task_id: call }), { recordFails: true });
    const failure = acceptNotification(path.deps, request).then(
      () => undefined,
      (error: unknown) => error,
    );
    await path.firstWait();
    await path.turn();
    await path.turn();
    expect(await failure).toEqual(new Error("storage full"));
    // Chunk 0 (a, b) reached the vendor: its place is kept. Chunk 1 (c) never left: its place is given back.
    expect(path.log.slice(5)).toEqual(["settle n1/0", "record a:sent,b:sent", "release n1/1", "record c:failed"]);
    expect(path.log).not.toContain("release n1/0");
    expect(path.log.filter((entry) => entry.startsWith("call"))).toEqual(["call a,b"]);
  });
});
