import { describe, expect, it } from "vitest";
import { DELIVERY_BYTES, DeliveryTable } from "./delivery-table.ts";
import type { InboxDelivery } from "./inbox.ts";

function delivery(taskId: number): InboxDelivery {
  return { taskId, corpId: "c", agentId: 1, appName: "a", templateId: "t", title: "T", text: "hello", data: {}, receivedAtMs: 0 };
}

describe("DeliveryTable", () => {
  it("drops the records not marked held, gives their bytes back and reuses their handles", () => {
    const table = new DeliveryTable();
    const handles = [1, 2, 3].map((taskId) => table.add(delivery(taskId), taskId * 10));
    expect(handles).toEqual([0, 1, 2]);
    expect(table.bytes).toBe(3 * (DELIVERY_BYTES + 5));
    table.keepOnly(Uint8Array.from([0, 1, 0]));
    expect(table.size).toBe(1);
    expect(table.bytes).toBe(DELIVERY_BYTES + 5);
    expect([table.isLive(0), table.isLive(1), table.isLive(2)]).toEqual([false, true, false]);
    expect(table.get(1)).toMatchObject({ firstSequence: 20, messageId: undefined, delivery: { taskId: 2 } });
    const reused = table.add(delivery(4), 40, "odd-id");
    expect([0, 2]).toContain(reused);
    expect(table.get(reused)).toMatchObject({ firstSequence: 40, messageId: "odd-id" });
    expect(table.handles).toBe(3);
  });
});
