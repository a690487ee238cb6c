import { describe, expect, it } from "vitest";
import { MockClock } from "../clock.ts";
import { contentFingerprint } from "../engine/content-fingerprint.ts";
import { MockState, SNAPSHOT_VERSION, type MockSnapshot } from "../engine/mock-state.ts";
import { agentKey } from "../world/directory.ts";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_CORP_ID, DEFAULT_INTERNAL_APP, frozenMock, generatedUsers, internalToken, send } from "./harness.ts";

const APP_KEY = agentKey(DEFAULT_CORP_ID, DEFAULT_INTERNAL_APP.agentId);

/** What the Durable Object host does: the snapshot goes through JSON into a fresh state. */
function roundTrip(state: MockState): MockState {
  const restored = new MockState({ clock: new MockClock() });
  restored.restore(JSON.parse(JSON.stringify(state.snapshot())) as MockSnapshot);
  return restored;
}

describe("MockState snapshots", () => {
  it("round-trip the ledger, minute window, inboxes and tasks, and the restored mock applies the same limits", async () => {
    const mock = frozenMock({ settings: { recipientsPerMinute: 5, inboxLimitPerUser: 2, taskLimit: 3 } });
    const token = await internalToken(mock);
    const data = { name: "x", name2: "" };
    await send(mock, token, { userids: ["123", "456"], data });
    await send(mock, token, { userids: ["123", "u00001", "u00002"], data }); // 123 is a duplicate today
    // The fifth recipient of the minute fits; the sixth is dropped.
    for (const name of ["a", "b"]) await send(mock, token, { userids: ["456"], data: { name, name2: "" } });

    const snapshot = mock.state.snapshot();
    expect(snapshot.version).toBe(SNAPSHOT_VERSION);
    const restored = roundTrip(mock.state);
    // Everything but the clock's real-time anchor, which moves on.
    const { clock: _, ...again } = JSON.parse(JSON.stringify(restored.snapshot())) as MockSnapshot;
    const { clock: __, ...before } = JSON.parse(JSON.stringify(snapshot)) as MockSnapshot;
    expect(again).toEqual(before);

    // The inbox kept its last two; tasks their last three; the ledger its counts.
    expect(restored.inbox.of("456").map((m) => m.data.name)).toEqual(["x", "a"]);
    expect(restored.tasks.list()).toHaveLength(3);
    const day = "2026-11-25"; // MORNING, China time
    expect(restored.ledger.count(APP_KEY, "456", day)).toBe(2);
    expect(restored.ledger.count(APP_KEY, "123", day)).toBe(1);
    // The restored window counts what the original does, and the same duplicate rule holds.
    const nowMs = mock.state.clock.now();
    const window = restored.minuteWindow.use(APP_KEY, nowMs, "sliding");
    expect(window).toEqual(mock.state.minuteWindow.use(APP_KEY, nowMs, "sliding"));
    expect(window.used).toBe(5);
    const fingerprint = contentFingerprint(DEFAULT_APPROVED_TEMPLATE_ID, data);
    expect(restored.ledger.of(APP_KEY).admit("123", day, fingerprint, { dailyCap: 100, dedupe: true }, false).kind).toBe("duplicateContent");
  });

  it("refuses a snapshot of another version", () => {
    const state = frozenMock().state;
    const snapshot = { ...state.snapshot(), version: SNAPSHOT_VERSION - 1 };
    expect(() => new MockState({ clock: new MockClock() }).restore(snapshot)).toThrow(/unsupported snapshot version/);
  });

  it("keeps whole-send users in delivery order when many are sent at once", async () => {
    const mock = frozenMock({ settings: { qpsPerAppPerApi: null } });
    const token = await internalToken(mock);
    const users = generatedUsers(1, 1000);
    const answer = await send(mock, token, { userids: users });
    const restored = roundTrip(mock.state);
    expect(restored.tasks.get(answer.task_id)?.delivered).toEqual(users);
    expect(restored.inbox.of("u01000").map((m) => m.taskId)).toEqual([answer.task_id]);
  });

  it("keep what a reset goes back to: the world and settings the state started with", async () => {
    const seed = { corps: [{ corpId: "acme", name: "Acme", departments: [{ deptId: 1, name: "Acme" }], users: [] }], internalApps: [], suites: [], templates: [] };
    const mock = frozenMock();
    await mock.admin.createWorld("acme", { world: seed, settings: { journalLimit: 7 } });
    const acme = mock.world("acme");
    await acme.admin.seedWorld({ corps: [], internalApps: [], suites: [], templates: [] });
    await acme.admin.updateSettings({ journalLimit: 9 });

    const restored = roundTrip(acme.state);
    expect([...restored.world.corps()]).toEqual([]);
    restored.reset();
    expect([...restored.world.corps()].map((corp) => corp.corpId)).toEqual(["acme"]);
    expect(restored.settings.journalLimit).toBe(7);
    // A state whose world is still its origin shares it after the round trip too.
    const untouched = roundTrip(roundTrip(mock.world("other").state));
    untouched.reset();
    expect(untouched.isDefaultWorld).toBe(true);
  });
});
