import { describe, expect, it } from "vitest";
import { DELIVERY_BYTES, DeliveryTable } from "./delivery-table.ts";
import type { InboxDelivery } from "./inbox.ts";

function delivery(taskId: number): InboxDelivery {
  return { taskId, corpId: "c", agentId: 1, appName: "a", templateId: "t", title: "T", text: "hello", data: {}, receivedAtMs: 0 };
}

describe("DeliveryTable", () => {
  it("keeps a record while copies hold it, frees it with the last, and reuses its handle", () => {
    const table = new DeliveryTable();
    const first = table.add(delivery(1), 10);
    table.hold(first);
    table.hold(first);
    const second = table.add(delivery(2), 20);
    table.hold(second);
    expect(table.size).toBe(2);
    expect(table.bytes).toBe(2 * (DELIVERY_BYTES + 5));
    table.release(first);
    expect(table.isLive(first)).toBe(true);
    table.release(first);
    expect(table.isLive(first)).toBe(false);
    expect(table.size).toBe(1);
    expect(table.bytes).toBe(DELIVERY_BYTES + 5);
    const third = table.add(delivery(3), 30);
    expect(third).toBe(first);
    expect(table.get(third)).toMatchObject({ firstSequence: 30, messageId: undefined });
    expect(table.get(second).delivery.taskId).toBe(2);
  });

  it("never holds more handles than records alive at once, over many sends", () => {
    const table = new DeliveryTable();
    const live: number[] = [];
    let highest = 0;
    for (let taskId = 0; taskId < 10_000; taskId++) {
      const handle = table.add(delivery(taskId), taskId);
      table.hold(handle);
      live.push(handle);
      highest = Math.max(highest, handle);
      if (live.length > 100) table.release(live.shift()!);
    }
    expect(table.size).toBe(100);
    expect(highest).toBeLessThan(101);
  });
});
