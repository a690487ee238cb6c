/**
 * Concurrent sends to one object share storage commits (durable/commit-group.ts):
 * in `wrangler dev` each commit waits for an fsync on the object's thread, so
 * one or two commits per send, not the work, capped how many sends a second
 * an object took (issue 15, goal 3).
 *
 * workerd commits what one event's work wrote, so the test counts runs of
 * writes that one event's microtasks could hold. The vendor answers each call
 * after a timer of its own, as a socket would, so without the group every
 * send writes in two runs of its own (24 for 12 sends; 13 when only the
 * outcomes wait for the group). With it: the admissions in one run, the
 * outcomes in the next.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { postNotification, TEMPLATE_ID, users, useMockDingTalk } from "./harness.ts";

const APP = { corpId: "dingdemocorp", agentId: 123 };
const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/123");

type CountedSql = SqlStorage & { writeRuns?: number };

/**
 * Counts, from now on, the runs of synchronous writes of the sends (INSERT and
 * UPDATE: the alarm's pruning only deletes): a run starts at a write and ends
 * when the microtasks queued so far have run, which is as far as one event's
 * work, and so one commit, can reach.
 */
async function countWriteRuns(): Promise<{ runs(): Promise<number> }> {
  await runInDurableObject(sender(), (_, state) => {
    const sql = state.storage.sql as CountedSql;
    const exec = sql.exec.bind(sql);
    let inRun = false;
    sql.writeRuns = 0;
    sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      if (/^\s*(INSERT|UPDATE)\b/i.test(query) && !inRun) {
        inRun = true;
        sql.writeRuns! += 1;
        queueMicrotask(() => (inRun = false));
      }
      return exec(query, ...bindings);
    }) as typeof sql.exec;
  });
  return { runs: () => runInDurableObject(sender(), (_, state) => (state.storage.sql as CountedSql).writeRuns ?? 0) };
}

describe("concurrent sends to one object", () => {
  const world = useMockDingTalk();

  it("write their admissions in one turn and their outcomes in the next, and every recipient is sent and recorded", async () => {
    // The object exists (schema, owner, token) before counting.
    await postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "warm-up", name2: "" } });
    // Each vendor answer comes after a timer of its own, as over a socket: an event of its own.
    const route = vi.mocked(globalThis.fetch).getMockImplementation()!;
    vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return route(input, init);
    });
    const counter = await countWriteRuns();

    const sends = 12;
    const answers = await Promise.all(
      Array.from({ length: sends }, (_, i) => postNotification({ ...APP, templateId: TEMPLATE_ID, userIds: users(i * 10 + 1, 10), data: { name: `concurrent ${i}`, name2: "" } })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.body.summary).toMatchObject({ sent: 10, queued: 0, failed: 0 });
    }
    const runs = await counter.runs();
    // Two: admissions, then outcomes (a third only if a slow machine spread the answers past the group's wait).
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(3);

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
