import { describe, expect, it } from "vitest";
import { newNotificationId, parseNotificationId, uuidV7 } from "./notification-id.ts";

const AT = Date.UTC(2026, 11, 2, 13, 0, 0, 123);

describe("notification ids", () => {
  it("are version 7 uuids (RFC 9562) that start with the time they were made", () => {
    const uuid = uuidV7(AT);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(uuid.replaceAll("-", "").slice(0, 12), 16)).toBe(AT);
  });

  it("sort by time, so the object's indexes take new ones at their right edge", () => {
    const made = Array.from({ length: 200 }, (_, i) => newNotificationId("dingdemocorp", 123, AT + i));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made.map((id) => id.slice(-12))).size).toBe(200);
  });

  it("differ within one millisecond (74 random bits)", () => {
    const made = new Set(Array.from({ length: 1_000 }, () => uuidV7(AT)));
    expect(made.size).toBe(1_000);
  });

  it("name their corp and app, and ids made before (version 4) still parse", () => {
    expect(parseNotificationId(newNotificationId("dingdemocorp", 123, AT))).toEqual({ corpId: "dingdemocorp", agentId: 123 });
    expect(parseNotificationId("123.ZGluZ2RlbW9jb3Jw.0f0e0d0c-0b0a-4908-8706-050403020100")).toEqual({ corpId: "dingdemocorp", agentId: 123 });
  });
});
