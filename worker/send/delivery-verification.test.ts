/**
 * Verification over the object's own SQL stores (node:sqlite), with a vendor
 * whose getsendresult the test writes.
 */
import { describe, expect, it } from "vitest";
import { NodeSqlStorage } from "../../bench/node-sql-storage.ts";
import type { SendResult } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { NotificationLog } from "../durable/notification-log.ts";
import { migrate } from "../durable/schema.ts";
import { verifyDueTasks } from "./delivery-verification.ts";

function world(result: SendResult) {
  const storage = new NodeSqlStorage();
  const sql = storage.asSqlStorage();
  migrate(sql);
  const log = new NotificationLog(sql);
  const userids = ["u1", "u2"];
  log.create({ id: "r", createdAtMs: 0, templateId: "t", data: {}, fingerprint: "f", invalidDepartments: [], verify: true }, userids.map((userid) => ({ userid, status: "queued" })), {
    chunks: [{ reservationId: "r/0", userids }],
    day: "2026-11-25",
  });
  log.addTask("r", { taskId: 9, recipients: 2, reservationId: "r/0", sentAtMs: 0, verifyAtMs: 1_000 });
  log.update("r", userids.map((userid) => ({ userid, status: "sent", taskId: 9 })), { from: { reservationId: "r/0" } });
  const client = {
    getSendProgress: async () => ({ errcode: 0, progress: { progress_in_percent: 100, status: 2 } }),
    getSendResult: async () => ({ errcode: 0, send_result: result }),
  } as unknown as DingTalkClient;
  const released: string[] = [];
  const verify = () =>
    verifyDueTasks({
      client,
      agentId: 1,
      store: log,
      releaseEmployees: (_, ids) => released.push(...ids),
      transaction: (fn) => storage.transactionSync(fn),
      now: () => 2_000,
      maxTasks: 10,
      verifyAfterMs: 1_000,
      windowMs: 60_000,
      maxAttempts: 3,
    });
  return { log, verify, released };
}

describe("a recipient the vendor lists as forbidden without a code", () => {
  it("goes back to the queue a window later, its ledger entries given back, with the vendor's word and no error code", async () => {
    const { log, verify, released } = world({
      read_user_id_list: ["u1"],
      unread_user_id_list: [],
      forbidden_user_id_list: ["u2"],
      forbidden_list: [],
      failed_user_id_list: [],
      invalid_user_id_list: [],
      invalid_dept_id_list: [],
    });
    expect(await verify()).toBe(1);
    const [u1, u2] = log.record("r", { corpId: "c", agentId: 1 })!.recipients;
    expect(u1).toMatchObject({ userid: "u1", status: "delivered", read: true });
    expect(u2).toEqual({ userid: "u2", status: "queued", attempts: 1, lastError: { message: expect.stringContaining("dropped by DingTalk") } });
    expect(released).toEqual(["u2"]);
    expect(log.nextQueuedAt()).toBe(62_000);
  });
});
