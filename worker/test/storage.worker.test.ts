import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { onRealTime, postNotification, TEMPLATE_ID, users, useMockDingTalk } from "./harness.ts";

const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/948060598");

async function rowCounts(): Promise<Record<string, number>> {
  return runInDurableObject(sender(), (_, state) => {
    const count = (table: string) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return {
      minute_window: count("minute_window"),
      employee_day: count("employee_day"),
      day_contents: count("day_contents"),
      reservations: count("reservations"),
      notifications: count("notifications"),
      department_cache: count("department_cache"),
    };
  });
}

describe("the object's storage", () => {
  const world = useMockDingTalk();

  it("keeps quotas and the token across an eviction", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } });
    await onRealTime(() => evictDurableObject(sender()));
    const again = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "a", name2: "" } });
    expect(again.body.recipients[0]).toMatchObject({ status: "suppressed", reason: "duplicate-content" });
    expect((await world.mock.admin.journal({ endpoint: "getCorpToken" })).entries).toHaveLength(1);
  });

  it("prunes by alarm what no rule can read again, and stops when nothing is left", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 50), deptIds: [421897262], data: { name: "a", name2: "" } });
    expect(await rowCounts()).toEqual({ minute_window: 1, employee_day: 52, day_contents: 1, reservations: 1, notifications: 1, department_cache: 1 });

    await world.mock.admin.advanceClock(5 * 60_000 + 1); // past the window and the 300 s directory cache
    expect(await runDurableObjectAlarm(sender())).toBe(true);
    expect(await rowCounts()).toMatchObject({ minute_window: 0, employee_day: 52, department_cache: 0 });

    await world.mock.admin.advanceClock(8 * 24 * 60 * 60_000);
    expect(await runDurableObjectAlarm(sender())).toBe(true);
    expect(await rowCounts()).toEqual({ minute_window: 0, employee_day: 0, day_contents: 0, reservations: 0, notifications: 0, department_cache: 0 });
    // Nothing left to prune: the alarm is not re-armed.
    expect(await runDurableObjectAlarm(sender())).toBe(false);
  });

  it("leaves an alarm after every synchronous send: the prune alarm, or the earlier verification's", async () => {
    const alarm = () => runInDurableObject(sender(), (_, state) => state.storage.getAlarm());
    const send = async (name: string, verifyDelivery: boolean) =>
      expect((await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name, name2: "" }, verifyDelivery })).status).toBe(201);

    await send("plain-1", false);
    expect(await alarm()).not.toBeNull();
    // Lost somehow (a plain send does not re-arm an alarm that is set): the next plain send sets it again.
    await runInDurableObject(sender(), (_, state) => state.storage.deleteAlarm());
    await send("plain-2", false);
    expect(await alarm()).not.toBeNull();
    // A verified send needs its check soon: an alarm set for much later moves earlier. (On real time: the
    // runtime moves an alarm set in the past, as the mock's frozen morning is, to now.)
    const tomorrow = (await onRealTime(async () => Date.now())) + 24 * 60 * 60_000;
    await runInDurableObject(sender(), (_, state) => state.storage.setAlarm(tomorrow));
    await send("verified", true);
    expect(await alarm()).toBeLessThan(tomorrow);
  });
});
