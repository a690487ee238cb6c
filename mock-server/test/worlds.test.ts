import { describe, expect, it } from "vitest";
import { ErrCode } from "../../protocol/index.ts";
import { createMockDingTalk } from "../create-mock.ts";
import { MemoryWorlds } from "../hosting/memory-worlds.ts";
import { WorldFactory } from "../hosting/world-factory.ts";
import { adminCall, expectProblem } from "./admin-helpers.ts";
import { frozenMock, generatedUsers, internalToken, MORNING, send, sendResult, type MockView } from "./harness.ts";

const acme = {
  corps: [{ corpId: "acme", name: "Acme", departments: [{ deptId: 1, name: "Acme" }], users: [{ userid: "wile", name: "Wile E.", deptIds: [1] }] }],
  internalApps: [{ corpId: "acme", agentId: 7, appKey: "acme-key", appSecret: "acme-secret", name: "Acme app" }],
  suites: [],
  templates: [{ templateId: "tpl-acme", status: "approved" as const, title: "Hi", content: "Hi ${name}" }],
};

/** Opens the world's event stream, does `action` once it is open, and reads the stream to its end. */
async function streamUntilEnd(view: MockView, action: () => Promise<unknown>): Promise<string> {
  const reader = (await view.fetch(`${view.baseUrl}/__admin/events`)).body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: hello")) text += decoder.decode((await reader.read()).value);
  await action();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
  return text;
}

async function sendTo(view: MockView, userids: string[]) {
  return send(view, await internalToken(view), { userids });
}

describe("worlds under /w/<name>", () => {
  it("are created on first use from the server's template and answer any SDK-style base URL", async () => {
    const mock = frozenMock();
    const team = mock.world("team-a");
    expect(team.baseUrl).toBe(`${mock.baseUrl}/w/team-a`);
    expect(mock.worlds.peek("team-a")).toBeUndefined();

    const answer = await sendTo(team, ["123"]);
    expect(answer.errcode).toBe(0);
    // Same template: the frozen morning clock and the default directory.
    expect((await team.admin.clock()).now).toBe(MORNING);
    expect(mock.worlds.peek("team-a")).toBeDefined();
    expect((await mock.admin.worlds()).worlds.map((w) => w.name).sort()).toEqual(["default", "team-a"]);
  });

  it("keep sends, inboxes, tokens, clocks, quotas, faults and journals apart", async () => {
    const mock = frozenMock({ settings: { recipientsPerMinute: 5 } });
    const a = mock.world("a");
    const b = mock.world("b");

    const tokenA = await internalToken(a);
    const sent = await send(a, tokenA, { userids: generatedUsers(1, 7) });
    expect(sent.errcode).toBe(0);
    expect((await sendResult(a, tokenA, sent.task_id)).send_result.forbidden_list).toHaveLength(2);
    await a.admin.advanceClock(3_600_000);
    await a.admin.addFault({ endpoint: "/gettoken", errcode: ErrCode.SYSTEM_BUSY });

    // b: its own minute window is untouched, its clock still reads the morning, no fault, no journal of a's calls.
    expect((await b.admin.clock()).now).toBe(MORNING);
    expect(await b.admin.faults()).toEqual([]);
    const tokenB = await internalToken(b);
    expect(tokenB).not.toBe(tokenA);
    const inB = await send(b, tokenB, { userids: generatedUsers(1, 5) });
    expect((await sendResult(b, tokenB, inB.task_id)).send_result.forbidden_list).toEqual([]);
    expect((await b.admin.inbox("u00001")).messages).toHaveLength(1);
    expect((await b.admin.journal()).entries.map((e) => e.endpoint)).toEqual(["getToken", "sendByTemplate", "getSendResult"]);
    // A token of one world is unknown in another.
    expect((await send(b, tokenA, { userids: ["123"] })).sub_code).toBe(String(ErrCode.INVALID_ACCESS_TOKEN));
    // And nothing leaked into the default world.
    expect((await mock.admin.journal()).size).toBe(0);
    expect((await mock.admin.inbox("u00001")).messages).toEqual([]);
  });

  it("keep each world's journal within its own bound over a long run, oldest dropped first and counted", async () => {
    const mock = frozenMock();
    await mock.admin.createWorld("long", { settings: { journalLimit: 500, qpsPerAppPerApi: null }, clock: { start: MORNING, frozen: true } });
    await mock.admin.createWorld("short", { settings: { journalLimit: 50, qpsPerAppPerApi: null }, clock: { start: MORNING, frozen: true } });
    const long = mock.world("long");
    const short = mock.world("short");
    for (let i = 1; i <= 6_000; i++) {
      await internalToken(i % 3 === 0 ? short : long);
      if (i % 500 === 0) {
        expect(long.state.journal.size).toBeLessThanOrEqual(500);
        expect(short.state.journal.size).toBeLessThanOrEqual(50);
      }
    }
    const longJournal = await long.admin.journal();
    expect({ size: longJournal.size, dropped: longJournal.dropped }).toEqual({ size: 500, dropped: 3_500 });
    expect(longJournal.entries.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 3_501 + i));
    const shortJournal = await short.admin.journal();
    expect({ size: shortJournal.size, dropped: shortJournal.dropped }).toEqual({ size: 50, dropped: 1_950 });
    expect((await mock.admin.describeWorld("long")).journal).toEqual({ size: 500, dropped: 3_500, limit: 500 });
    expect((await mock.admin.journal()).size).toBe(0);
  });

  it("can be created seeded, with their own settings and clock, or replaced", async () => {
    const mock = frozenMock();
    const admin = await mock.admin.createWorld("acme", { world: acme, settings: { dailyMessagesPerEmployee: 1 }, clock: { start: "2027-01-01T00:00:00Z", frozen: true } });
    const summary = (await admin.seedWorld(acme)) as { corps: { corpId: string }[] };
    expect(summary.corps.map((corp) => corp.corpId)).toEqual(["acme"]);
    expect((await admin.settings()).dailyMessagesPerEmployee).toBe(1);
    expect((await admin.clock()).now).toBe("2027-01-01T00:00:00.000Z");

    const replaced = await adminCall(mock, "PUT", "/__admin/worlds/acme", {});
    expect(replaced.status).toBe(200);
    expect((await admin.settings()).dailyMessagesPerEmployee).toBe(100);
    expect((await admin.clock()).now).toBe(MORNING);
    const created = await adminCall(mock, "PUT", "/__admin/worlds/fresh", { world: "empty" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: "fresh", basePath: "/w/fresh", journal: { size: 0, dropped: 0, limit: 1000 }, tasks: 0 });
  });

  it("reset goes back to the world's own start, not the server default", async () => {
    const mock = frozenMock();
    const admin = await mock.admin.createWorld("acme", { world: acme });
    await admin.seedWorld({ corps: [], internalApps: [], suites: [], templates: [] });
    const summary = (await admin.reset()) as { corps: { corpId: string }[] };
    expect(summary.corps.map((corp) => corp.corpId)).toEqual(["acme"]);
  });

  it("are dropped with DELETE, which forgets everything; the next use starts afresh", async () => {
    const mock = frozenMock();
    const team = mock.world("gone");
    expect((await sendTo(team, ["123"])).errcode).toBe(0);
    await team.admin.advanceClock(60_000);
    await mock.admin.dropWorld("gone");
    expect(mock.worlds.peek("gone")).toBeUndefined();
    await expectProblem(await adminCall(mock, "DELETE", "/__admin/worlds/gone"), 404, "world-not-found");
    await expectProblem(await adminCall(mock, "GET", "/__admin/worlds/gone"), 404, "world-not-found");

    expect((await team.admin.journal()).size).toBe(0);
    expect((await team.admin.clock()).now).toBe(MORNING);
    expect((await team.admin.inbox("123")).messages).toEqual([]);
  });

  it("dropping the default world starts it afresh too", async () => {
    const mock = frozenMock();
    expect((await sendTo(mock, ["123"])).errcode).toBe(0);
    await mock.admin.dropWorld("default");
    expect((await mock.admin.journal()).size).toBe(0);
    expect(mock.state.journal.size).toBe(0);
  });

  it("are scoped: a world's admin API cannot list or drop other worlds", async () => {
    const mock = frozenMock();
    const team = mock.world("team");
    await expectProblem(await team.fetch(`${team.baseUrl}/__admin/worlds`), 404, "not-found");
    await expectProblem(await team.fetch(`${team.baseUrl}/__admin/worlds/default`, { method: "DELETE" }), 404, "not-found");
    expect(mock.worlds.peek("default")).toBeDefined();
    // Problems name the full path the caller used.
    expect(((await (await team.fetch(`${team.baseUrl}/__admin/nothing`)).json()) as { instance: string }).instance).toBe("/w/team/__admin/nothing");
  });

  it("refuses bad names with a problem naming the field, and creates nothing", async () => {
    const mock = frozenMock();
    await expectProblem(await mock.fetch(`${mock.baseUrl}/w/-bad/gettoken`), 400, "invalid-world-name", "path.world");
    await expectProblem(await mock.fetch(`${mock.baseUrl}/w/${"x".repeat(65)}/gettoken`), 400, "invalid-world-name", "path.world");
    await expectProblem(await mock.fetch(`${mock.baseUrl}/w/%E0%A4%A/gettoken`), 400, "invalid-world-name", "path.world");
    await expectProblem(await adminCall(mock, "PUT", "/__admin/worlds/a%20b", {}), 400, "invalid-world-name", "path.name");
    await expectProblem(await adminCall(mock, "PUT", "/__admin/worlds/ok", { world: "nope" }), 400, "invalid-request", "body.world");
    await expectProblem(await adminCall(mock, "PUT", "/__admin/worlds/ok", { settings: { journalLimit: 0 } }), 400, "invalid-request", "body.settings.journalLimit");
    expect(mock.worlds.size).toBe(1);
  });

  it("stop at maxWorlds named worlds with a clear problem, create nothing, and always let the default one in", async () => {
    const mock = createMockDingTalk({ clock: { start: MORNING, frozen: true }, worlds: { maxWorlds: 2 } });
    await mock.admin.createWorld("one");
    await mock.admin.createWorld("two");
    const refused = await mock.fetch(`${mock.baseUrl}/w/three/gettoken?appkey=a&appsecret=b`);
    const problem = await expectProblem(refused, 503, "world-limit-reached");
    expect(problem.detail).toContain("2 named worlds exist, at most 2");
    await expectProblem(await adminCall(mock, "PUT", "/__admin/worlds/three", {}), 503, "world-limit-reached");
    expect(mock.worlds.size).toBe(3);
    // Replacing a world that exists is not one more.
    expect((await adminCall(mock, "PUT", "/__admin/worlds/two", {})).status).toBe(200);
    expect((await mock.admin.worlds()).limits).toEqual({ maxWorlds: 2, idleMs: 6 * 3_600_000 });
    // Dropping the default world at the cap does not lock it out.
    await mock.admin.dropWorld("default");
    expect((await mock.fetch(`${mock.baseUrl}/__admin/clock`)).status).toBe(200);
    expect(mock.worlds.peek("default")).toBeDefined();
  });

  it("forget worlds idle for idleMs of real time, but never the default one", async () => {
    let now = 0;
    const worlds = new MemoryWorlds(new WorldFactory({ clock: { start: MORNING, frozen: true } }), { maxWorlds: 2, idleMs: 1000 }, () => now);
    worlds.open("default");
    worlds.open("a");
    worlds.open("b");
    worlds.open("b").clock.advance(60_000);
    now = 500;
    worlds.open("a");
    now = 1400;
    expect((await worlds.list()).map((w) => w.name)).toEqual(["default", "a"]);
    // At the cap a new world makes room only by forgetting idle ones.
    worlds.open("c");
    expect(() => worlds.open("d")).toThrow(/at most 2/);
    now = 2000;
    worlds.open("d");
    expect((await worlds.list()).map((w) => w.name)).toEqual(["default", "c", "d"]);
    // An idle world is gone when it is next used, even before anything sweeps: it starts afresh.
    worlds.open("c").clock.advance(60_000);
    now = 3500;
    expect(await worlds.describe("c")).toBeUndefined();
    expect(worlds.open("d").clock.now()).toBe(Date.parse(MORNING));
    expect(worlds.peek("default")).toBeDefined();
  });

  it("serve the OpenAPI document and the web inbox inside each world", async () => {
    const mock = frozenMock();
    const team = mock.world("team");
    const document = (await (await team.fetch(`${team.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toContain("/__admin/worlds/{name}");
    const page = await team.fetch(`${team.baseUrl}/__inbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Mock DingTalk inbox");
    const redirect = await team.fetch(`${team.baseUrl}/__inbox/`, { redirect: "manual" });
    expect(new URL(redirect.headers.get("location")!, `${team.baseUrl}/__inbox/`).pathname).toBe("/w/team/__inbox");
  });

  it("tell a live inbox when its world is dropped or replaced, and end its stream", async () => {
    const mock = frozenMock();
    expect(await streamUntilEnd(mock.world("live"), () => mock.admin.dropWorld("live"))).toContain("event: world-dropped");
    const replaced = await streamUntilEnd(mock.world("live"), () => mock.admin.createWorld("live"));
    expect(replaced).toContain("event: world-replaced");
    expect(replaced).not.toContain("world-dropped");
  });
});
