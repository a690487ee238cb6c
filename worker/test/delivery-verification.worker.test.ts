import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, SCHEMA_VERSION } from "../durable/schema.ts";
import { newNotificationId } from "../http/notification-id.ts";
import { getNotification, onRealTime, postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

/** The internal demo app: its token comes from /gettoken, which an outside client can call too. */
const APP = { corpId: "dingdemocorp", agentId: 123 };
const ASYNC = { prefer: "respond-async" };
const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/123");
/** VERIFY_AFTER_MS in the test bindings. */
const VERIFY_AFTER_MS = 1_000;

function verifiedSend(userIds: string[], name: string) {
  return { ...APP, templateId: TEMPLATE_ID, userIds, data: { name, name2: "" }, verifyDelivery: true };
}

/** Runs the object's alarm until it has nothing due now (each run may send, verify, or both). */
async function runAlarms(max = 20): Promise<void> {
  for (let i = 0; i < max; i++) if (!(await runDurableObjectAlarm(sender()))) return;
}

describe("delivery verified with the vendor's getsendresult", () => {
  const world = useMockDingTalk();

  it("sends in tasks of at most 100 and moves each recipient from sent to delivered, read or unread, when the vendor says so", async () => {
    const answer = await postNotification(verifiedSend(users(1, 250), "verified"));
    expect(answer.status).toBe(201);
    expect(answer.body.verifyDelivery).toBe(true);
    expect(answer.body.tasks.map((t: { recipients: number }) => t.recipients)).toEqual([100, 100, 50]);
    expect(answer.body.summary).toMatchObject({ sent: 250, delivered: 0 });
    expect(answer.body.tasks[0].verification).toEqual({ state: "pending" });

    const firstTask = answer.body.tasks[0].taskId as number;
    const read = (await world.mock.admin.inbox("u00001")).messages.find((m) => m.taskId === firstTask)!;
    await world.mock.admin.markRead("u00001", read.messageId);
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();

    const record = (await getNotification(answer.body.id)).body;
    expect(record.summary).toMatchObject({ recipients: 250, delivered: 250, sent: 0 });
    expect(record.recipients[0]).toMatchObject({ userid: "u00001", status: "delivered", taskId: firstTask, read: true });
    expect(record.recipients[1]).toMatchObject({ userid: "u00002", status: "delivered", read: false });
    expect(record.recipients.every((r: { verifiedAt?: string }) => r.verifiedAt === new Date(world.mock.state.clock.now()).toISOString())).toBe(true);
    expect(record.tasks.every((t: { verification: { state: string } }) => t.verification.state === "verified")).toBe(true);
    // Reading the record asks the vendor nothing: what it said is stored.
    const queries = (await world.mock.admin.journal({ endpoint: "getSendResult" })).entries.length;
    await getNotification(answer.body.id);
    expect((await world.mock.admin.journal({ endpoint: "getSendResult" })).entries.length).toBe(queries);
  });

  it("re-queues recipients the vendor dropped because another client spent part of the app's minute, and delivers them in a later window", async () => {
    // Another service of the same company, with the same app, straight at DingTalk: 4,200 of the 5,000.
    const token = ((await (await world.mock.fetch(`${world.mock.baseUrl}/gettoken?appkey=app-demo-key&appsecret=app-demo-secret`)).json()) as { access_token: string }).access_token;
    const outside = await world.mock.fetch(`${world.mock.baseUrl}/topapi/message/corpconversation/sendbytemplate?access_token=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: 123, template_id: TEMPLATE_ID, userid_list: users(5_001, 1_000).join(","), data: JSON.stringify({ name: "outside", name2: "" }) }),
    });
    expect(((await outside.json()) as { errcode: number }).errcode).toBe(0);
    for (let i = 0; i < 4; i++) {
      const more = await world.mock.fetch(`${world.mock.baseUrl}/topapi/message/corpconversation/sendbytemplate?access_token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 123, template_id: TEMPLATE_ID, userid_list: users(6_001 + i * 800, 800).join(","), data: JSON.stringify({ name: "outside", name2: "" }) }),
      });
      expect(((await more.json()) as { errcode: number }).errcode).toBe(0);
    }

    const answer = await postNotification(verifiedSend(users(1, 1_000), "shared"), ASYNC);
    expect(answer.status).toBe(201);
    // The worker's own window had room for all 1,000; the vendor's had room for 800.
    expect(answer.body.summary).toMatchObject({ sent: 1_000 });
    const dropped = world.mock.state.tasks.list().flatMap((task) => task.forbidden).filter((f) => f.userid <= "u01000");
    expect(dropped).toHaveLength(200);
    expect(new Set(dropped.map((f) => f.code))).toEqual(new Set(["143103"]));

    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    let record = (await getNotification(answer.body.id)).body;
    expect(record.summary).toMatchObject({ delivered: 800, queued: 200 });
    const requeued = record.recipients.find((r: { status: string }) => r.status === "queued");
    expect(requeued.lastError).toMatchObject({ code: 143103 });
    expect(requeued.lastError.message).toContain("sent again in a later window");

    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    await runAlarms();
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    record = (await getNotification(answer.body.id)).body;
    expect(record.summary).toMatchObject({ delivered: 1_000, queued: 0, sent: 0, dropped: 0 });
    for (const userid of ["u00001", dropped[0]!.userid, "u01000"]) {
      expect((await world.mock.admin.inbox(userid)).messages.filter((m) => m.data.name === "shared")).toHaveLength(1);
    }
  });

  it("reads a same-content drop of a retry after a lost answer as delivered by the first send", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 502, phase: "after", times: 1 });
    const answer = await postNotification(verifiedSend(["123", "456"], "lost"));
    expect(answer.status).toBe(202);
    expect(answer.body.recipients.every((r: { status: string; mayHaveBeenSent?: boolean }) => r.status === "queued" && r.mayHaveBeenSent)).toBe(true);

    await world.mock.admin.advanceClock(2_000);
    await runAlarms();
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    const record = (await getNotification(answer.body.id)).body;
    for (const recipient of record.recipients) {
      expect(recipient).toMatchObject({ status: "delivered" });
      expect(recipient.detail).toContain("earlier send whose answer was lost");
    }
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });

  it("keeps checking after an error the vendor may not repeat, and then records what it says", async () => {
    await world.mock.admin.addFault({ endpoint: "getSendProgress", errcode: 40035, times: 1 });
    const answer = await postNotification(verifiedSend(["123"], "checked again"));
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    let record = (await getNotification(answer.body.id)).body;
    expect(record.tasks[0].verification).toMatchObject({ state: "pending" });
    expect(record.tasks[0].verification.error).toContain("40035");
    await world.mock.admin.advanceClock(60_000);
    await runAlarms();
    record = (await getNotification(answer.body.id)).body;
    expect(record.recipients[0]).toMatchObject({ status: "delivered" });
  });

  it("gives up re-sending a recipient the vendor keeps dropping for the minute after MAX_QUEUE_ATTEMPTS, and says so", async () => {
    await world.mock.admin.updateSettings({ recipientsPerMinute: 1 });
    const token = ((await (await world.mock.fetch(`${world.mock.baseUrl}/gettoken?appkey=app-demo-key&appsecret=app-demo-secret`)).json()) as { access_token: string }).access_token;
    // Another sender of the app takes the vendor's whole minute, every minute.
    const outside = async (n: number) => {
      const sent = await world.mock.fetch(`${world.mock.baseUrl}/topapi/message/corpconversation/sendbytemplate?access_token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 123, template_id: TEMPLATE_ID, userid_list: `u0900${n % 10}`, data: JSON.stringify({ name: `outside ${n}`, name2: "" }) }),
      });
      expect(((await sent.json()) as { errcode: number }).errcode).toBe(0);
    };
    await outside(0);
    const answer = await postNotification(verifiedSend(["123"], "crowded out"), ASYNC);
    for (let round = 1; round <= 10; round++) {
      await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
      await runAlarms();
      await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
      await outside(round);
      await runAlarms();
    }
    const recipient = (await getNotification(answer.body.id)).body.recipients[0];
    expect(recipient).toMatchObject({ status: "dropped", reason: "minute-window", code: "143103" });
    expect(recipient.detail).toContain("8 times");
    // MAX_QUEUE_ATTEMPTS (8) sends in all, then no more.
    const sends = (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.filter((e) => JSON.stringify(e).includes("crowded out"));
    expect(sends).toHaveLength(8);
  }, 30_000);

  it("reports a recipient the vendor does not know as dropped, invalid", async () => {
    const answer = await postNotification(verifiedSend(["123", "nobody-here"], "invalid"));
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    const record = (await getNotification(answer.body.id)).body;
    expect(record.recipients[1]).toMatchObject({ userid: "nobody-here", status: "dropped", reason: "invalid-user", code: "invalid" });
    expect(record.summary).toMatchObject({ delivered: 1, dropped: 1 });
  });

  it("keeps checking while the vendor is still sending, and gives up with a reason past its 24 h result window", async () => {
    await world.mock.admin.updateSettings({ taskCompletionMs: 48 * 60 * 60 * 1000 });
    const answer = await postNotification(verifiedSend(["123"], "slow"));
    for (let hour = 0; hour < 25; hour++) {
      await world.mock.admin.advanceClock(60 * 60 * 1000);
      await runAlarms();
    }
    const record = (await getNotification(answer.body.id)).body;
    expect(record.recipients[0]).toMatchObject({ status: "sent" });
    expect(record.recipients[0].verification).toContain("not verified");
    expect(record.tasks[0].verification).toMatchObject({ state: "unavailable" });
  }, 30_000);

  it("verifies what was sent before an eviction", async () => {
    const answer = await postNotification(verifiedSend(["123"], "evicted"));
    await onRealTime(() => evictDurableObject(sender()));
    await world.mock.admin.advanceClock(VERIFY_AFTER_MS);
    await runAlarms();
    expect((await getNotification(answer.body.id)).body.recipients[0]).toMatchObject({ status: "delivered" });
  });
});

describe("a synchronous send in flight", () => {
  const world = useMockDingTalk();

  it("has its recipients stored as sending before the vendor is called, so a crash leaves them for the restart to retry", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", latencyMs: 400, times: 1 });
    const sending = postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "in flight", name2: "" } });
    await onRealTime(() => new Promise((resolve) => setTimeout(resolve, 150)));
    const during = await runInDurableObject(sender(), (_, state) =>
      state.storage.sql.exec<{ status: string; n: number }>("SELECT status, SUM(members) AS n FROM recipient_groups GROUP BY status").toArray(),
    );
    expect(during).toEqual([{ status: "sending", n: 2 }]);
    const answer = await sending;
    expect(answer.status).toBe(201);
    expect(answer.body.summary).toMatchObject({ sent: 2 });
  });

  it("does not count a failed token call as a send that may have been delivered", async () => {
    await world.mock.admin.addFault({ endpoint: "/gettoken", httpStatus: 502, times: 3 });
    const answer = await postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "no token", name2: "" } });
    expect(answer.status).toBe(502);
    expect(answer.body.code).toBe("vendor-unavailable");
    // Nothing was held for it: the same content goes out once the token comes.
    const again = await postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "no token", name2: "" } });
    expect(again.body.recipients[0]).toMatchObject({ status: "sent" });
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(1);
  });
});

describe("schema migration", () => {
  const world = useMockDingTalk();

  it("brings an object written by version 1 to the current version on first use, its queue, ledger and records intact", async () => {
    const id = newNotificationId(APP.corpId, APP.agentId);
    // The object as version 1 left it: a queued request, a recipient of another one
    // cut short mid-send, and a ledger row.
    await runInDurableObject(sender(), (_, state) => {
      const sql = state.storage.sql;
      for (const table of ["minute_window", "minute_window_seconds", "employee_day", "day_contents", "reservations", "token_cache", "department_cache", "notifications", "notification_recipients", "recipient_groups", "notification_tasks", "meta"]) {
        sql.exec(`DROP TABLE IF EXISTS ${table}`);
      }
      for (const statement of MIGRATIONS[0]!) sql.exec(statement);
      sql.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('owner', ?)", JSON.stringify(APP));
      sql.exec("INSERT INTO notifications VALUES (?, ?, ?, ?, ?, '[]')", id, Date.now(), TEMPLATE_ID, JSON.stringify({ name: "old", name2: "" }), "f-old");
      sql.exec("INSERT INTO notification_recipients (notification_id, userid, status) VALUES (?, '123', 'queued'), (?, '456', 'queued')", id, id);
      sql.exec("INSERT INTO notifications VALUES ('other', ?, ?, '{}', 'f', '[]')", Date.now(), TEMPLATE_ID);
      sql.exec("INSERT INTO notification_recipients (notification_id, userid, status, reason) VALUES ('other', 'u00007', 'sending', 'other/0')");
      sql.exec("INSERT INTO employee_day (day, userid, messages) VALUES ('2026-11-25', 'u00042', 7), ('2026-11-25', 'u00043', 1)");
      sql.exec("INSERT INTO employee_content (day, userid, fingerprint, reservation_id) VALUES ('2026-11-25', 'u00042', 'f-a', 'r/0'), ('2026-11-25', 'u00042', 'f-b', 'r/1'), ('2026-11-25', 'u00043', 'f-a', 'r/0')");
    });
    await onRealTime(() => evictDurableObject(sender()));

    const migrated = await runInDurableObject(sender(), (_, state) => {
      const sql = state.storage.sql;
      return {
        version: sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").one().value,
        columns: sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('notification_tasks')").toArray().map((c) => c.name),
        ledger: sql.exec("SELECT messages FROM employee_day WHERE userid = 'u00042'").one().messages,
        contents: sql.exec("SELECT e.userid, group_concat(c.fingerprint) AS seen FROM employee_day e JOIN day_contents c ON instr(e.contents, ',' || c.id || ',') > 0 GROUP BY e.userid ORDER BY e.userid").toArray(),
        reservations: sql.exec("SELECT reservation_id, userids FROM reservations ORDER BY reservation_id").toArray(),
        interrupted: sql.exec("SELECT status, uncertain_day FROM recipient_groups WHERE userids = 'u00007'").one(),
      };
    });
    expect(migrated.version).toBe(String(SCHEMA_VERSION));
    expect(migrated.columns).toEqual(expect.arrayContaining(["verify_at_ms", "verified_at_ms", "reservation_id", "sent_at_ms"]));
    expect(migrated.ledger).toBe(7);
    // The same content each employee got that day, now as ids in their day row, and each chunk's employees to release.
    expect(migrated.contents).toEqual([
      { userid: "u00042", seen: expect.stringMatching(/^(f-a,f-b|f-b,f-a)$/) },
      { userid: "u00043", seen: "f-a" },
    ]);
    expect(migrated.reservations).toEqual([
      { reservation_id: "r/0", userids: expect.stringMatching(/^,(u00042,u00043|u00043,u00042),$/) },
      { reservation_id: "r/1", userids: ",u00042," },
    ]);
    // Cut short mid-send: back in the queue, as possibly delivered that day.
    expect(migrated.interrupted).toEqual({ status: "queued", uncertain_day: "2026-11-25" });

    // The version-1 queue drains under the current version.
    await runAlarms();
    const record = (await getNotification(id)).body;
    expect(record.summary).toMatchObject({ recipients: 2, sent: 2, queued: 0 });
    expect(record.verifyDelivery).toBe(false);
    expect((await world.mock.admin.inbox("456")).messages.map((m) => m.data.name)).toEqual(["old"]);
  });

  it("brings an object written by version 2 to groups of recipients, each record, order and queue place intact", async () => {
    const done = newNotificationId(APP.corpId, APP.agentId);
    const queued = newNotificationId(APP.corpId, APP.agentId);
    const verifiedAtMs = Date.parse("2026-11-25T08:00:00Z");
    const queuedUsers = users(10, 2_500);
    await runInDurableObject(sender(), (_, state) => {
      const sql = state.storage.sql;
      for (const table of ["minute_window", "minute_window_seconds", "employee_day", "employee_content", "day_contents", "reservations", "token_cache", "department_cache", "notifications", "notification_recipients", "recipient_groups", "notification_tasks", "meta"]) {
        sql.exec(`DROP TABLE IF EXISTS ${table}`);
      }
      for (const statement of [...MIGRATIONS[0]!, ...MIGRATIONS[1]!]) sql.exec(statement);
      sql.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('owner', ?)", JSON.stringify(APP));
      for (const id of [done, queued, "cut-short"]) {
        sql.exec("INSERT INTO notifications (id, created_at_ms, template_id, data, fingerprint, invalid_departments) VALUES (?, ?, ?, ?, ?, '[]')", id, Date.now(), TEMPLATE_ID, JSON.stringify({ name: id.slice(-6), name2: "" }), `f-${id}`);
      }
      // One request of every settled kind, interleaved, as a synchronous send and its verification leave it.
      const rows: [string, string, string | null, string | null, number | null, string | null, number | null][] = [
        ["u00001", "sent", null, null, 77, null, null],
        ["u00002", "suppressed", "duplicate-content", "dup", null, null, null],
        ["u00003", "sent", null, null, 77, null, null],
        ["u00004", "delivered", "read", null, 78, null, verifiedAtMs],
        ["u00005", "dropped", "daily-cap", "cap", 78, "143105", verifiedAtMs],
      ];
      for (const [userid, status, reason, detail, taskId, errorMessage, verifiedAt] of rows) {
        sql.exec(
          "INSERT INTO notification_recipients (notification_id, userid, status, reason, detail, task_id, error_message, verified_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          done, userid, status, reason, detail, taskId, errorMessage, verifiedAt,
        );
      }
      // A queue longer than one group may hold, one recipient of it on its second attempt.
      for (const userid of queuedUsers) {
        const retried = userid === "u01000";
        sql.exec(
          "INSERT INTO notification_recipients (notification_id, userid, status, attempts, error_message) VALUES (?, ?, 'queued', ?, ?)",
          queued, userid, retried ? 1 : 0, retried ? "HTTP 503" : null,
        );
      }
      sql.exec("INSERT INTO notification_recipients (notification_id, userid, status, reason, attempt_day) VALUES ('cut-short', 'u09999', 'sending', 'cut-short/0', '2026-11-25')");
    });
    await onRealTime(() => evictDurableObject(sender()));

    const migrated = await runInDurableObject(sender(), async (instance, state) => ({
      version: state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").one().value,
      tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%recipient%' ORDER BY name").toArray().map((t) => t.name),
      groups: state.storage.sql.exec<{ members: number }>("SELECT members FROM recipient_groups WHERE notification_id = ? ORDER BY queue_order", queued).toArray().map((g) => g.members),
      interrupted: state.storage.sql.exec("SELECT status, attempts, uncertain_day FROM recipient_groups WHERE notification_id = 'cut-short'").one(),
      done: await instance.record(done, APP.corpId, APP.agentId),
      queued: await instance.record(queued, APP.corpId, APP.agentId),
    }));
    expect(migrated.version).toBe(String(SCHEMA_VERSION));
    expect(migrated.tables).toEqual(["recipient_groups"]);
    const verifiedAt = new Date(verifiedAtMs).toISOString();
    expect(migrated.done!.recipients).toEqual([
      { userid: "u00001", status: "sent", taskId: 77 },
      { userid: "u00002", status: "suppressed", reason: "duplicate-content", detail: "dup" },
      { userid: "u00003", status: "sent", taskId: 77 },
      { userid: "u00004", status: "delivered", taskId: 78, read: true, verifiedAt },
      { userid: "u00005", status: "dropped", taskId: 78, code: "143105", reason: "daily-cap", detail: "cap", verifiedAt },
    ]);
    // Groups of the same state and the same 1,000 places, the retried recipient in one of its own; the request's order kept.
    expect(migrated.groups).toEqual([999, 1, 1_000, 500]);
    expect(migrated.queued!.recipients.map((r) => r.userid)).toEqual(queuedUsers);
    expect(migrated.queued!.recipients[990]).toEqual({ userid: "u01000", status: "queued", attempts: 1, lastError: { message: "HTTP 503" } });
    expect(migrated.interrupted).toEqual({ status: "queued", attempts: 1, uncertain_day: "2026-11-25" });

    // The version-2 queue drains under the current version.
    await runAlarms();
    const drained = (await getNotification(queued)).body;
    expect(drained.summary).toMatchObject({ recipients: 2_500, sent: 2_500, queued: 0 });
    expect((await world.mock.admin.inbox("u02509")).messages.map((m) => m.data.name)).toEqual([queued.slice(-6)]);
  });
});
