import { describe, expect, it } from "vitest";
import { UserSlots } from "../world/user-slots.ts";
import { DELIVERY_BYTES } from "./delivery-table.ts";
import { Inbox, INBOX_BYTES_PER_RING_SLOT, INBOX_BYTES_PER_USER, type InboxDelivery, type InboxMessage } from "./inbox.ts";
import { seededRandom } from "./seeded-random.ts";

function delivery(taskId: number): InboxDelivery {
  return { taskId, corpId: "corp", agentId: 1, appName: "app", templateId: "t", title: "T", text: `message ${taskId}`, data: {}, receivedAtMs: taskId };
}

/** The inbox before bulk trimming: cut to the limit on every delivery. */
class ReferenceInbox {
  readonly lists = new Map<string, InboxMessage[]>();
  #sequence = 0;

  deliver(userid: string, taskId: number, limit: number): void {
    const list = this.lists.get(userid) ?? [];
    this.lists.set(userid, list);
    list.push({ ...delivery(taskId), messageId: `${taskId}-${++this.#sequence}` });
    if (list.length > limit) list.splice(0, list.length - limit);
  }
}

describe("Inbox", () => {
  it("shows at most the limit, newest last, while trimming only now and then", () => {
    const inbox = new Inbox();
    for (let taskId = 1; taskId <= 1_000; taskId++) {
      inbox.deliver("u", delivery(taskId), 8);
      const shown = inbox.of("u");
      expect(shown.length).toBe(Math.min(taskId, 8));
      expect(shown.at(-1)!.taskId).toBe(taskId);
      expect(shown[0]!.taskId).toBe(Math.max(1, taskId - 7));
    }
    // A snapshot holds only what is shown.
    expect(inbox.snapshot().messages[0]![1]).toHaveLength(8);
  });

  it("matches cutting on every delivery, across limit changes, reads, recalls and snapshots", () => {
    const random = seededRandom(42);
    let inbox = new Inbox();
    const reference = new ReferenceInbox();
    const users = ["a", "b", "c"];
    let limit = 5;
    for (let taskId = 1; taskId <= 3_000; taskId++) {
      const roll = random();
      if (roll < 0.03) limit = 1 + Math.floor(random() * 12);
      else if (roll < 0.04) {
        const restored = new Inbox();
        restored.restore(JSON.parse(JSON.stringify(inbox.snapshot())));
        inbox = restored;
      }
      const userid = users[Math.floor(random() * users.length)]!;
      inbox.deliver(userid, delivery(taskId), limit);
      reference.deliver(userid, taskId, limit);
      expect(inbox.of(userid).at(-1)!.messageId).toBe(reference.lists.get(userid)!.at(-1)!.messageId);

      if (random() < 0.2) {
        // Read (or recall) one visible message in both.
        const shown = reference.lists.get(userid)!;
        const target = shown[Math.floor(random() * shown.length)]!;
        if (random() < 0.5) {
          expect(inbox.markRead(userid, target.messageId, taskId)).toBe(true);
          target.readAtMs ??= taskId;
        } else {
          inbox.recallTask([userid], target.taskId, taskId);
          for (const message of shown) if (message.taskId === target.taskId) message.recalledAtMs ??= taskId;
        }
      }
      for (const user of users) {
        const expected = reference.lists.get(user) ?? [];
        expect(inbox.of(user)).toEqual(expected);
        if (expected.length > 0) expect(inbox.hasRead(user, expected[0]!.taskId)).toBe(expected[0]!.readAtMs !== undefined);
      }
    }
    expect(inbox.snapshot().messages).toEqual([...reference.lists]);
  });

  it("does not bring back messages cut off under a smaller limit when the limit grows", () => {
    const inbox = new Inbox();
    for (let taskId = 1; taskId <= 6; taskId++) inbox.deliver("u", delivery(taskId), 5);
    expect(inbox.of("u").map((m) => m.taskId)).toEqual([2, 3, 4, 5, 6]);
    inbox.deliver("u", delivery(7), 100);
    expect(inbox.of("u").map((m) => m.taskId)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(inbox.markRead("u", inbox.snapshot().messages[0]![1][0]!.messageId, 1)).toBe(true);
    expect(inbox.markRead("u", "1-1", 1)).toBe(false);
  });

  it("stores one send's delivery once for all its recipients, also after a snapshot round trip", () => {
    const inbox = new Inbox();
    const shared = delivery(1);
    for (const userid of ["a", "b", "c"]) inbox.deliver(userid, shared, 10);
    inbox.deliver("a", delivery(2), 10);
    expect(inbox.stored("b")[0]!.delivery).toBe(shared);
    inbox.markRead("b", inbox.stored("b")[0]!.messageId, 5);
    expect(inbox.of("a")[0]).not.toHaveProperty("readAtMs");
    expect(inbox.of("b")[0]).toMatchObject({ taskId: 1, text: "message 1", readAtMs: 5 });

    const restored = new Inbox();
    restored.restore(JSON.parse(JSON.stringify(inbox.snapshot())));
    expect(restored.stored("a")[0]!.delivery).toBe(restored.stored("c")[0]!.delivery);
    expect(restored.stored("a")[1]!.delivery).not.toBe(restored.stored("a")[0]!.delivery);
    expect(restored.snapshot()).toEqual(inbox.snapshot());
  });
});

describe("Inbox by directory slot", () => {
  it("delivers to a slot exactly as to its userid", () => {
    const directory = new UserSlots(["a", "b", "c"]);
    const bySlot = new Inbox();
    const byUserid = new Inbox();
    for (let taskId = 1; taskId <= 50; taskId++) {
      const shared = delivery(taskId);
      for (let slot = 0; slot < 3; slot++) {
        if ((taskId + slot) % 4 === 0) continue;
        bySlot.deliverToSlot(directory, slot, shared, 5);
        byUserid.deliver(directory.useridAt(slot), shared, 5);
      }
    }
    expect(bySlot.snapshot()).toEqual(byUserid.snapshot());
    expect(bySlot.size).toBe(15);
    // The slab's first 512 places (three rings of 8 fit), the three inboxes, and every send so far (fewer than 1,024: never checked yet).
    const sendBytes = Array.from({ length: 50 }, (_, i) => DELIVERY_BYTES + `message ${i + 1}`.length).reduce((a, b) => a + b);
    expect(bySlot.bytes).toBe(512 * INBOX_BYTES_PER_RING_SLOT + 3 * INBOX_BYTES_PER_USER + sendBytes);
    expect(bySlot.bytes).toBe(byUserid.bytes);
    const restored = new Inbox();
    restored.restore(JSON.parse(JSON.stringify(bySlot.snapshot())));
    expect(restored.snapshot()).toEqual(bySlot.snapshot());
  });

  it("delivers a send's slots in one call exactly as one by one, limits changing and rings growing included", () => {
    const directory = new UserSlots(Array.from({ length: 40 }, (_, i) => `u${i}`));
    const random = seededRandom(11);
    const batched = new Inbox();
    const single = new Inbox();
    const slots = new Uint32Array(40);
    for (let taskId = 1; taskId <= 300; taskId++) {
      const shared = delivery(taskId);
      // Some sends reach nobody, some everyone; the limit drops and rises again mid-run.
      let count = 0;
      for (let slot = 0; slot < 40; slot++) if (random() < (taskId % 7) / 6) slots[count++] = slot;
      const limit = taskId > 100 && taskId <= 200 ? 3 : 20;
      batched.deliverToSlots(directory, slots, count, shared, limit);
      for (let i = 0; i < count; i++) single.deliverToSlot(directory, slots[i]!, shared, limit);
    }
    expect(batched.size).toBeGreaterThan(0);
    expect(batched.snapshot()).toEqual(single.snapshot());
    expect(batched.bytes).toBe(single.bytes);
    for (let slot = 0; slot < 40; slot++) expect(batched.of(`u${slot}`)).toEqual(single.of(`u${slot}`));
    // Message ids name each copy's sequence number: the same copies in the same order got the same numbers.
    expect(batched.of("u7").map((m) => m.messageId)).toEqual(single.of("u7").map((m) => m.messageId));
  });

  it("keeps at most about twice the sends some inbox still shows, over a long run", () => {
    const inbox = new Inbox();
    const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
    for (let taskId = 1; taskId <= 20_000; taskId++) {
      const shared = delivery(taskId);
      for (const userid of users) inbox.deliver(userid, shared, 100);
      if (taskId % 1_000 === 0) {
        expect(inbox.of("u0").map((m) => m.taskId)).toEqual(Array.from({ length: 100 }, (_, i) => taskId - 99 + i));
        // 100 sends shown; the table is checked once it holds 1,024 records. Rings of 128 places, in a slab of at most twice that.
        const ringAndSendBytes = inbox.bytes - 10 * INBOX_BYTES_PER_USER;
        expect(ringAndSendBytes).toBeLessThanOrEqual(2 * 10 * 128 * INBOX_BYTES_PER_RING_SLOT + 1_024 * (DELIVERY_BYTES + 12));
        expect(ringAndSendBytes).toBeGreaterThanOrEqual(10 * 128 * INBOX_BYTES_PER_RING_SLOT + 100 * (DELIVERY_BYTES + 9));
      }
    }
  });

  it("keeps read marks with their copy and drops them when the copy goes", () => {
    const inbox = new Inbox();
    for (let taskId = 1; taskId <= 3; taskId++) inbox.deliver("u", delivery(taskId), 2);
    const [older, newer] = inbox.of("u");
    expect(inbox.markRead("u", newer!.messageId, 7)).toBe(true);
    inbox.deliver("u", delivery(4), 2);
    expect(inbox.of("u").map((m) => [m.taskId, m.readAtMs])).toEqual([[3, 7], [4, undefined]]);
    expect(inbox.markRead("u", older!.messageId, 8)).toBe(false);
    expect(inbox.hasRead("u", 3)).toBe(true);
  });
});
