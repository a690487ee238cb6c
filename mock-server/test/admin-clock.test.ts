import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockDingTalk } from "../create-mock.ts";
import { adminCall, expectProblem } from "./admin-helpers.ts";
import { DEFAULT_CORP_ID, DEFAULT_INTERNAL_APP, frozenMock, internalToken, MORNING, send } from "./harness.ts";

const MORNING_MS = Date.parse(MORNING);

describe("GET and POST /__admin/clock", () => {
  it("shows the frozen start with its China-time day", async () => {
    expect(await frozenMock().admin.clock()).toEqual({
      now: MORNING,
      nowMs: MORNING_MS,
      frozen: true,
      chinaDay: "2026-11-25",
      nextChinaMidnight: "2026-11-25T16:00:00.000Z",
    });
  });

  it("moves forward by advanceMs, exactly, while frozen", async () => {
    const mock = frozenMock();
    const view = await mock.admin.advanceClock(90_500);
    expect(view).toMatchObject({ nowMs: MORNING_MS + 90_500, now: "2026-11-25T02:01:30.500Z", frozen: true });
    expect(await mock.admin.clock()).toEqual(view);
    expect(mock.state.clock.now()).toBe(MORNING_MS + 90_500);
  });

  it("jumps to an ISO instant with any offset, forwards or backwards", async () => {
    const mock = frozenMock();
    expect((await mock.admin.setClock("2026-12-01T08:30:00+08:00")).now).toBe("2026-12-01T00:30:00.000Z");
    const rewound = await mock.admin.moveClock({ now: "2026-01-02T03:04:05.006Z" });
    expect(rewound).toMatchObject({ now: "2026-01-02T03:04:05.006Z", chinaDay: "2026-01-02", frozen: true });
  });

  describe("frozen true/false", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("runs with real time once unfrozen and stands still once frozen again", async () => {
      // Real time is faked so the running clock can be read exactly, without sleeping.
      vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
      const mock = createMockDingTalk({ clock: { start: MORNING, frozen: true } });

      expect(await mock.admin.freezeClock(false)).toMatchObject({ frozen: false, nowMs: MORNING_MS });
      vi.setSystemTime(Date.now() + 5_000);
      expect(await mock.admin.clock()).toMatchObject({ frozen: false, nowMs: MORNING_MS + 5_000 });

      expect(await mock.admin.freezeClock(true)).toMatchObject({ frozen: true, nowMs: MORNING_MS + 5_000 });
      vi.setSystemTime(Date.now() + 60_000);
      expect(await mock.admin.clock()).toMatchObject({ frozen: true, nowMs: MORNING_MS + 5_000 });
    });

    it("keeps running after advanceMs on a running clock", async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
      const mock = createMockDingTalk({ clock: { start: MORNING } });
      expect(await mock.admin.advanceClock(1_000)).toMatchObject({ frozen: false, nowMs: MORNING_MS + 1_000 });
      vi.setSystemTime(Date.now() + 250);
      expect((await mock.admin.clock()).nowMs).toBe(MORNING_MS + 1_250);
    });
  });

  it.each([
    ["a negative advance", { advanceMs: -1 }, ["body.advanceMs"]],
    ["a fractional advance", { advanceMs: 1.5 }, ["body.advanceMs"]],
    ["two moves at once", { advanceMs: 1_000, frozen: false }, ["body.advanceMs", "body.frozen"]],
    ["a date that does not exist", { now: "2026-02-30T00:00:00Z" }, ["body.now"]],
    ["a date without an offset", { now: "2026-11-25T10:00:00" }, ["body.now"]],
    ["words for a date", { now: "tomorrow" }, ["body.now"]],
    ["frozen as a string", { frozen: "yes" }, ["body.frozen"]],
    ["an unknown move", { rewindMs: 5 }, ["body.rewindMs"]],
  ])("refuses %s with a problem naming the field, and leaves the clock", async (_, command, fields) => {
    const mock = frozenMock();
    const problem = await expectProblem(await adminCall(mock, "POST", "/__admin/clock", command), 400, "invalid-request");
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(fields));
    expect(problem.detail).toContain(fields[0]);
    expect(await mock.admin.clock()).toMatchObject({ nowMs: MORNING_MS, frozen: true });
  });

  it("refuses an empty command, saying which moves exist", async () => {
    const mock = frozenMock();
    const problem = await expectProblem(await adminCall(mock, "POST", "/__admin/clock", {}), 400, "invalid-request", "body");
    expect(problem.detail).toMatch(/advanceMs.*now.*frozen/);
    expect((await mock.admin.clock()).nowMs).toBe(MORNING_MS);
  });
});

describe("China-time day", () => {
  it("rolls over at 16:00:00Z, which is 00:00 in China", async () => {
    const mock = frozenMock();
    const before = await mock.admin.setClock("2026-11-25T15:59:59.999Z");
    expect(before).toMatchObject({ chinaDay: "2026-11-25", nextChinaMidnight: "2026-11-25T16:00:00.000Z" });
    const after = await mock.admin.advanceClock(1);
    expect(after).toMatchObject({ now: "2026-11-25T16:00:00.000Z", chinaDay: "2026-11-26", nextChinaMidnight: "2026-11-26T16:00:00.000Z" });
  });

  it("starts a fresh daily quota at the rollover, not at UTC midnight", async () => {
    const mock = frozenMock();
    const quota = async () => {
      const response = await adminCall(mock, "GET", `/__admin/quota/${DEFAULT_CORP_ID}/${DEFAULT_INTERNAL_APP.agentId}/123`);
      return (await response.json()) as { chinaDay: string; used: number };
    };
    await mock.admin.setClock("2026-11-25T15:59:59.000Z");
    expect((await send(mock, await internalToken(mock), { userids: ["123"] })).errcode).toBe(0);
    expect(await quota()).toMatchObject({ chinaDay: "2026-11-25", used: 1 });

    await mock.admin.advanceClock(999);
    expect(await quota()).toMatchObject({ chinaDay: "2026-11-25", used: 1 });
    await mock.admin.advanceClock(1);
    expect(await quota()).toMatchObject({ chinaDay: "2026-11-26", used: 0 });
  });
});
