import { describe, expect, it } from "vitest";
import { postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

describe("Idempotency-Key", () => {
  const world = useMockDingTalk();
  const request = { templateId: TEMPLATE_ID, userIds: ["123", "456"], data: { name: "once", name2: "" } };

  it("answers the first answer again for the same key and body, and sends nothing", async () => {
    const first = await postNotification(request, { "idempotency-key": "k-1" });
    const second = await postNotification(request, { "idempotency-key": "k-1" });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotency-replayed")).toBe("true");
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
  });

  it("refuses the same key with another body (422) and sends nothing for it", async () => {
    await postNotification(request, { "idempotency-key": "k-2" });
    const reused = await postNotification({ ...request, userIds: ["u00001"] }, { "idempotency-key": "k-2" });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency-key-reused");
    expect((await world.mock.admin.inbox("u00001")).messages).toHaveLength(0);
  });

  it("delivers once when requests with one key race", async () => {
    const racers = await Promise.all(
      Array.from({ length: 10 }, () => postNotification({ ...request, userIds: users(1, 300) }, { "idempotency-key": "k-race" })),
    );
    expect(new Set(racers.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(racers.map((r) => r.body.id)).size).toBe(1);
    expect((await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
    expect((await world.mock.admin.inbox("u00001")).messages).toHaveLength(1);
  });

  it("expires after 24 hours", async () => {
    const first = await postNotification(request, { "idempotency-key": "k-3" });
    await world.mock.admin.advanceClock(24 * 3600 * 1000);
    const later = await postNotification(request, { "idempotency-key": "k-3" });
    expect(later.body.id).not.toBe(first.body.id);
  });

  it("does not remember a 429: a retry later may succeed", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 5000), data: { name: "fill", name2: "" } });
    const full = await postNotification({ ...request, userIds: ["u09999"] }, { "idempotency-key": "k-4" });
    expect(full.status).toBe(429);
    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    const retried = await postNotification({ ...request, userIds: ["u09999"] }, { "idempotency-key": "k-4" });
    expect(retried.status).toBe(201);
  });
});
