/**
 * Concurrent sends to one object share storage commits (durable/commit-group.ts):
 * in `wrangler dev` each commit waits for an fsync on the object's thread, so
 * one or two commits per send, not the work, capped how many sends a second
 * an object took (issue 15, goal 3).
 *
 * workerd commits what a turn of the event loop wrote, so the test counts
 * write turns: runs of writes with no timer firing between them. The group
 * takes its turns on a zero timer; here the vendor (the in-process mock)
 * answers without one. So with the group, every admission falls into one
 * turn and every outcome into the next: exactly two, however many sends.
 * (Without it, this runtime would put all of them in the one turn the requests
 * arrive in; on a real socket each answer is an event of its own, and the
 * commits apiece show only there: `npm run bench:worker` counts sends/s.)
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { postNotification, TEMPLATE_ID, users, useMockDingTalk } from "./harness.ts";

const APP = { corpId: "dingdemocorp", agentId: 123 };
const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/123");

type CountedSql = SqlStorage & { writeTurns?: number };

/** Counts, from now on, the turns in which the object writes; read it with `turns()`. */
async function countWriteTurns(): Promise<{ turns(): Promise<number> }> {
  await runInDurableObject(sender(), (_, state) => {
    const sql = state.storage.sql as CountedSql;
    const exec = sql.exec.bind(sql);
    let inTurn = false;
    sql.writeTurns = 0;
    sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      if (!/^\s*(SELECT|WITH|PRAGMA|EXPLAIN)\b/i.test(query) && !inTurn) {
        inTurn = true;
        sql.writeTurns! += 1;
        // A zero timer fires once the events already waiting have run: the turn is over.
        setTimeout(() => (inTurn = false), 0);
      }
      return exec(query, ...bindings);
    }) as typeof sql.exec;
  });
  return { turns: () => runInDurableObject(sender(), (_, state) => (state.storage.sql as CountedSql).writeTurns ?? 0) };
}

describe("concurrent sends to one object", () => {
  const world = useMockDingTalk();

  it("write their admissions in one turn and their outcomes in the next, and every recipient is sent and recorded", async () => {
    // The object exists (schema, owner, token) before counting.
    await postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "warm-up", name2: "" } });
    const counter = await countWriteTurns();

    const sends = 12;
    const answers = await Promise.all(
      Array.from({ length: sends }, (_, i) => postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: users(i * 10 + 1, 10), data: { name: `concurrent ${i}`, name2: "" } })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.body.summary).toMatchObject({ sent: 10, queued: 0, failed: 0 });
    }
    const turns = await counter.turns();
    expect(turns).toBe(2);

    // Grouped writes lost nothing: everyone a record says was sent has that send's message.
    for (const [i, answer] of answers.entries()) {
      for (const recipient of answer.body.recipients as { userid: string; status: string }[]) {
        expect(recipient.status).toBe("sent");
        const texts = (await world.mock.admin.inbox(recipient.userid)).messages.map((m) => m.text);
        expect(texts, recipient.userid).toEqual([`Hello concurrent ${i}, your order is ready: `]);
      }
    }
  });
});
