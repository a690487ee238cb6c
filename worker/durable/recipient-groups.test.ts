/**
 * Recipients stored in groups that share a state: the order of a request and
 * of the queue survives splits, a whole group moves in place, and no group
 * outgrows its bound. Over the object's own SQL (node:sqlite).
 */
import { describe, expect, it } from "vitest";
import { NodeSqlStorage } from "../../bench/node-sql-storage.ts";
import type { RecipientOutcome } from "../send/notification-record.ts";
import { NotificationLog } from "./notification-log.ts";
import { decodePositions, encodePositions } from "./position-runs.ts";
import { MAX_GROUP_MEMBERS } from "./recipient-groups.ts";
import { stateAfter, stateKey, StateKeys } from "./recipient-state.ts";
import { migrate, MIGRATIONS } from "./schema.ts";

const OWNER = { corpId: "c", agentId: 1 };

function store() {
  const storage = new NodeSqlStorage();
  const sql = storage.asSqlStorage();
  migrate(sql);
  const log = new NotificationLog(sql);
  const create = (id: string, recipients: RecipientOutcome[], sending?: { chunks: { reservationId: string; userids: string[] }[]; day: string }) =>
    log.create({ id, createdAtMs: 0, templateId: "t", data: {}, fingerprint: `f-${id}`, invalidDepartments: [], verify: false }, recipients, sending);
  const groups = () =>
    storage.exec<{ seq: number; notification_id: string; queue_order: number; members: number; status: string }>(
      "SELECT seq, notification_id, queue_order, members, status FROM recipient_groups ORDER BY seq",
    ).toArray();
  return { storage, log, create, groups };
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const queued = (userid: string): RecipientOutcome => ({ userid, status: "queued" });

describe("positions as runs", () => {
  it("writes a chunk as one run and reads back exactly the positions given", () => {
    expect(encodePositions(Array.from({ length: 1_000 }, (_, i) => i))).toBe("0+1000");
    expect(encodePositions([3, 4, 5, 9, 11, 12])).toBe("3+3,9,11+2");
    expect(decodePositions("3+3,9,11+2")).toEqual([3, 4, 5, 9, 11, 12]);
    expect(decodePositions("")).toEqual([]);
    // Version 2's rows came over as single positions.
    expect(decodePositions("7,2,5")).toEqual([7, 2, 5]);
  });
});

describe("state keys", () => {
  it("give equal states one key and different states different keys, however many states a batch holds", () => {
    const keys = new StateKeys();
    const states = Array.from({ length: 20 }, (_, task) => stateAfter({ userid: "u", status: "sent", taskId: task }));
    const first = states.map((state) => keys.key(state));
    expect(new Set(first).size).toBe(20);
    // Equal states met again, some long after: the same keys, the ones stateKey gives.
    expect(states.map((state) => keys.key({ ...state }))).toEqual(first);
    expect(first).toEqual(states.map(stateKey));
    expect(keys.key(stateAfter({ userid: "v", status: "sent", taskId: 3, verification: "not verified" }))).not.toBe(first[3]);
  });
});

describe("recipient groups", () => {
  it("stores a request as one row per state and chunk of at most 1,000, and lists it back in request order", () => {
    const { log, create, groups } = store();
    const userids = ids("u", 2_500);
    // Every tenth one suppressed, interleaved with the queued ones.
    create(
      "r",
      userids.map((userid, i) => (i % 10 === 0 ? { userid, status: "suppressed", reason: "daily-cap", detail: "cap" } : queued(userid))),
    );
    expect(groups().map((g) => [g.status, g.members])).toEqual([
      ["suppressed", 250],
      ["queued", 1_000],
      ["queued", 1_000],
      ["queued", 250],
    ]);
    expect(Math.max(...groups().map((g) => g.members))).toBeLessThanOrEqual(MAX_GROUP_MEMBERS);
    const record = log.record("r", OWNER)!;
    expect(record.recipients.map((r) => r.userid)).toEqual(userids);
    expect(record.recipients[10]).toMatchObject({ status: "suppressed" });
    expect(record.summary).toMatchObject({ recipients: 2_500, suppressed: 250, queued: 2_250 });
  });

  it("moves a whole chunk in place with one row, and splits off only the members that change", () => {
    const { log, create, groups, storage } = store();
    const userids = ids("u", 100);
    create("r", userids.map(queued), { chunks: [{ reservationId: "r/0", userids }], day: "2026-11-25" });
    const [chunk] = groups();
    const before = storage.exec<{ n: number }>("SELECT total_changes() AS n").one().n;
    log.update("r", userids.map((userid) => ({ userid, status: "sent", taskId: 7 })), { from: { reservationId: "r/0" } });
    expect(storage.exec<{ n: number }>("SELECT total_changes() AS n").one().n - before).toBe(1);
    expect(groups()).toEqual([{ ...chunk, status: "sent" }]);

    // The verdicts of the task: three read, one dropped, the rest unread.
    const verifiedAt = "2026-11-25T08:00:00.000Z";
    log.update(
      "r",
      userids.map((userid, i): RecipientOutcome =>
        i < 3
          ? { userid, status: "delivered", taskId: 7, read: true, verifiedAt }
          : i === 50
            ? { userid, status: "dropped", taskId: 7, code: "143105", reason: "daily-cap", detail: "cap", verifiedAt }
            : { userid, status: "delivered", taskId: 7, read: false, verifiedAt },
      ),
      { from: { taskId: 7 } },
    );
    expect(groups().map((g) => [g.status, g.members])).toEqual([
      ["delivered", 96],
      ["delivered", 3],
      ["dropped", 1],
    ]);
    const record = log.record("r", OWNER)!;
    expect(record.recipients.map((r) => r.userid)).toEqual(userids);
    expect(record.recipients[1]).toEqual({ userid: "u1", status: "delivered", taskId: 7, read: true, verifiedAt });
    expect(record.recipients[50]).toEqual({ userid: "u50", status: "dropped", taskId: 7, code: "143105", reason: "daily-cap", detail: "cap", verifiedAt });
    expect(record.recipients[99]).toMatchObject({ userid: "u99", status: "delivered", read: false });
  });

  it("keeps a retried recipient's place in the queue ahead of later requests", () => {
    const { log, create } = store();
    create("first", ids("a", 3).map(queued));
    create("second", ids("b", 2).map(queued));
    const head = log.queued(2, 0);
    expect(head.map((r) => r.userid)).toEqual(["a0", "a1"]);
    log.markSending("first", head, "first#1", "2026-11-25");
    // The send failed for a1 (a retry later), went out for a0.
    log.update("first", [{ userid: "a0", status: "sent", taskId: 1 }], { from: { reservationId: "first#1" } });
    log.update("first", [{ userid: "a1", status: "queued", attempts: 1, lastError: { message: "HTTP 503" } }], { from: { reservationId: "first#1" }, notBeforeMs: 1_000 });
    // Not due yet: the rest of the queue goes first.
    expect(log.queued(10, 0).map((r) => r.userid)).toEqual(["a2", "b0", "b1"]);
    expect(log.nextQueuedAt()).toBe(0);
    // Once due, it is back with its request, ahead of the later one (within a request, groups go in the order they were made).
    expect(log.queued(10, 1_000).map((r) => r.userid)).toEqual(["a2", "a1", "b0", "b1"]);
    expect(log.record("first", OWNER)!.recipients.map((r) => r.userid)).toEqual(["a0", "a1", "a2"]);
    expect(log.record("first", OWNER)!.recipients[1]).toEqual({ userid: "a1", status: "queued", attempts: 1, lastError: { message: "HTTP 503" } });
  });

  it("puts the members of sends cut short back in the queue as possibly delivered, counted one by one", () => {
    const { log, create } = store();
    const userids = ids("u", 1_500);
    create("r", userids.map(queued), { chunks: [{ reservationId: "r/0", userids: userids.slice(0, 1_000) }, { reservationId: "r/1", userids: userids.slice(1_000) }], day: "2026-11-25" });
    expect(log.requeueInterrupted("2026-11-26")).toBe(1_500);
    expect(log.requeueInterrupted("2026-11-26")).toBe(0);
    expect(log.record("r", OWNER)!.recipients[1_499]).toEqual({ userid: "u1499", status: "queued", attempts: 1, mayHaveBeenSent: true });
  });

  it("leaves an update's recipients that are not where it says they are alone", () => {
    const { log, create } = store();
    create("r", ["u1", "u2"].map(queued), { chunks: [{ reservationId: "r/0", userids: ["u1"] }], day: "2026-11-25" });
    log.update("r", [{ userid: "u2", status: "sent", taskId: 1 }], { from: { reservationId: "r/0" } });
    expect(log.record("r", OWNER)!.recipients.map((r) => r.status)).toEqual(["queued", "queued"]);
  });
});

describe("version 2's recipients, migrated", () => {
  /** An object at version 2: `rows` are its notification_recipients, in seq order. */
  function version2(rows: { notificationId: string; userid: string; status: string }[]) {
    const storage = new NodeSqlStorage();
    const sql = storage.asSqlStorage();
    for (const statement of [...MIGRATIONS[0]!, ...MIGRATIONS[1]!]) sql.exec(statement);
    sql.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '2')");
    for (const id of new Set(rows.map((r) => r.notificationId))) {
      sql.exec("INSERT INTO notifications (id, created_at_ms, template_id, data, fingerprint, invalid_departments) VALUES (?, 0, 't', '{}', ?, '[]')", id, `f-${id}`);
    }
    for (const row of rows) {
      sql.exec("INSERT INTO notification_recipients (notification_id, userid, status, task_id) VALUES (?, ?, ?, ?)", row.notificationId, row.userid, row.status, row.status === "sent" ? 1 : null);
    }
    migrate(sql);
    return { storage, log: new NotificationLog(sql) };
  }

  it("keeps a queued request ahead of one accepted after the migration", () => {
    // Version 2 numbered every recipient: a queue behind 2,000 sent recipients starts at seq 2,001,
    // while the migrated table holds only a few groups.
    const { log } = version2([
      ...ids("s", 2_000).map((userid) => ({ notificationId: "done", userid, status: "sent" })),
      ...ids("old", 3).map((userid) => ({ notificationId: "old", userid, status: "queued" })),
    ]);
    log.create({ id: "new", createdAtMs: 0, templateId: "t", data: {}, fingerprint: "f-new", invalidDepartments: [], verify: false }, ids("new", 2).map(queued));
    expect(log.queued(10, 0).map((r) => r.userid)).toEqual(["old0", "old1", "old2", "new0", "new1"]);
  });
});
