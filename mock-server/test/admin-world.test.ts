import { describe, expect, it } from "vitest";
import { ErrCode } from "../../protocol/index.ts";
import { defaultSettings } from "../settings.ts";
import type { WorldSeedInput } from "../world/world-schema.ts";
import { adminCall, expectProblem, getToken } from "./admin-helpers.ts";
import { DEFAULT_CORP_ID, DEFAULT_INTERNAL_APP, frozenMock, internalToken, send } from "./harness.ts";

/** A small world: one corp with two departments and two employees, one internal app, one template. */
function acmeWorld(): WorldSeedInput {
  return {
    corps: [
      {
        corpId: "acme",
        name: "Acme",
        departments: [
          { deptId: 1, name: "Acme" },
          { deptId: 10, name: "Ops", parentId: 1 },
        ],
        users: [
          { userid: "alice", name: "Alice", deptIds: [10] },
          { userid: "bob", name: "Bob", deptIds: [1] },
        ],
      },
    ],
    internalApps: [{ corpId: "acme", agentId: 777, appKey: "acme-key", appSecret: "acme-secret", name: "Acme bot" }],
    templates: [{ templateId: "tpl-shift", status: "approved", title: "Shift", content: "Hi ${who}, you are on shift" }],
  };
}

describe("PUT /__admin/world", () => {
  it("seeds a world whose app gets a token and sends with its template", async () => {
    const mock = frozenMock();
    const summary = await mock.admin.seedWorld(acmeWorld());
    expect(summary).toEqual({
      corps: [{ corpId: "acme", name: "Acme", departments: 2, users: 2 }],
      apps: [{ kind: "internal", corpId: "acme", agentId: 777, name: "Acme bot" }],
      templates: [{ templateId: "tpl-shift", status: "approved", title: "Shift" }],
    });

    const token = await getToken(mock, "acme-key", "acme-secret");
    expect(token.errcode).toBe(0);
    const sent = await send(mock, token.access_token, { agentId: 777, templateId: "tpl-shift", deptIds: [10], data: { who: "Alice" } });
    expect(sent.errcode).toBe(0);
    const inbox = await mock.admin.inbox("alice");
    expect(inbox.name).toBe("Alice");
    expect(inbox.messages.map((m) => [m.taskId, m.text, m.appName])).toEqual([[sent.task_id, "Hi Alice, you are on shift", "Acme bot"]]);
    expect((await mock.admin.inbox("bob")).messages).toHaveLength(0);
  });

  it("replaces the default world: its app, its tokens and its template are gone", async () => {
    const mock = frozenMock();
    const oldToken = await internalToken(mock);
    await mock.admin.seedWorld(acmeWorld());

    const refused = await getToken(mock, DEFAULT_INTERNAL_APP.appKey, DEFAULT_INTERNAL_APP.appSecret);
    expect(refused.errcode).toBe(ErrCode.INVALID_APP_KEY_OR_SECRET);
    expect(refused.access_token).toBeUndefined();
    const withOldToken = await send(mock, oldToken, { userids: ["123"] });
    expect(withOldToken).toMatchObject({ errcode: ErrCode.WRAPPED, sub_code: String(ErrCode.INVALID_ACCESS_TOKEN) });

    const acmeToken = (await getToken(mock, "acme-key", "acme-secret")).access_token;
    const defaultTemplate = await send(mock, acmeToken, { agentId: 777, userids: ["alice"] });
    expect(defaultTemplate.errcode).toBe(ErrCode.TEMPLATE_NOT_FOUND);
  });

  const broken: [string, (world: WorldSeedInput) => void, string][] = [
    ["a department under an unknown parent", (w) => w.corps![0]!.departments!.push({ deptId: 11, name: "Lost", parentId: 99 }), "body.corps.0.departments.2.parentId"],
    ["an app in an unknown corp", (w) => (w.internalApps![0]!.corpId = "nowhere"), "body.internalApps.0.corpId"],
    ["a user in an unknown department", (w) => (w.corps![0]!.users![1]!.deptIds = [1, 42]), "body.corps.0.users.1.deptIds"],
    ["a suite authorised in an unknown corp", (w) => (w.suites = [{ suiteKey: "s", suiteSecret: "x", suiteTicket: "t", authorizations: [{ corpId: "nowhere", agentId: 5 }] }]), "body.suites.0.authorizations.0"],
    ["the same agent declared twice", (w) => w.internalApps!.push({ corpId: "acme", agentId: 777, appKey: "k2", appSecret: "s2" }), "body.internalApps.1.corpId"],
    ["a template with an unknown status", (w) => (w.templates![0]!.status = "draft" as "approved"), "body.templates.0.status"],
    ["a corp without a name", (w) => delete (w.corps![0] as { name?: string }).name, "body.corps.0.name"],
  ];

  it.each(broken)("refuses %s with a problem naming the field, and changes nothing", async (_, breakIt, field) => {
    const mock = frozenMock();
    const token = await internalToken(mock);
    const worldBefore = await (await adminCall(mock, "GET", "/__admin/world")).json();
    const world = acmeWorld();
    breakIt(world);

    const problem = await expectProblem(await adminCall(mock, "PUT", "/__admin/world", world), 400, "invalid-request", field);
    expect(problem.detail).toContain(field);

    expect(await (await adminCall(mock, "GET", "/__admin/world")).json()).toEqual(worldBefore);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(0);
    expect((await getToken(mock, "acme-key", "acme-secret")).errcode).toBe(ErrCode.INVALID_APP_KEY_OR_SECRET);
  });

  it("refuses a body that is not JSON", async () => {
    const mock = frozenMock();
    await expectProblem(await adminCall(mock, "PUT", "/__admin/world", "{corps: ["), 400, "invalid-json");
    expect((await getToken(mock, DEFAULT_INTERNAL_APP.appKey, DEFAULT_INTERNAL_APP.appSecret)).errcode).toBe(0);
  });
});

describe("POST /__admin/reset", () => {
  it("restores the default world and settings, without faults or journal", async () => {
    const mock = frozenMock();
    await mock.admin.seedWorld(acmeWorld());
    await mock.admin.updateSettings({ journalLimit: 7 });
    await mock.admin.addFault({ endpoint: "/gettoken", errcode: ErrCode.SYSTEM_BUSY });
    await getToken(mock, "acme-key", "acme-secret");

    const summary = (await mock.admin.reset()) as { corps: { corpId: string; users: number }[]; apps: { agentId: number }[] };
    expect(summary.corps.map((c) => c.corpId)).toEqual([DEFAULT_CORP_ID]);
    expect(summary.corps[0]!.users).toBeGreaterThan(10_000);
    expect(summary.apps.map((a) => a.agentId)).toContain(DEFAULT_INTERNAL_APP.agentId);
    expect(await mock.admin.settings()).toEqual(defaultSettings());
    expect(await mock.admin.faults()).toEqual([]);
    expect((await mock.admin.journal()).size).toBe(0);

    expect((await getToken(mock, "acme-key", "acme-secret")).errcode).toBe(ErrCode.INVALID_APP_KEY_OR_SECRET);
    const token = await internalToken(mock);
    expect((await send(mock, token, { userids: ["123"] })).errcode).toBe(0);
  });
});

describe("GET and PUT /__admin/settings", () => {
  it("starts from the documented defaults", async () => {
    expect(await frozenMock().admin.settings()).toEqual(defaultSettings());
  });

  it("changes only the switches named in a patch, and they take effect", async () => {
    const mock = frozenMock();
    const first = await mock.admin.updateSettings({ tokenTtlSeconds: 60, templateVariables: "strict" });
    expect(first).toEqual({ ...defaultSettings(), tokenTtlSeconds: 60, templateVariables: "strict" });
    const second = await mock.admin.updateSettings({ qpsPerAppPerApi: null });
    expect(second).toEqual({ ...defaultSettings(), tokenTtlSeconds: 60, templateVariables: "strict", qpsPerAppPerApi: null });
    expect(await mock.admin.settings()).toEqual(second);

    const token = await getToken(mock, DEFAULT_INTERNAL_APP.appKey, DEFAULT_INTERNAL_APP.appSecret);
    expect(token.expires_in).toBe(60);
    const missingVariable = await send(mock, token.access_token, { userids: ["123"], data: { name: "Ada" } });
    expect(missingVariable.errcode).toBe(ErrCode.INVALID_PARAMETER);
  });

  it.each([
    ["an unknown switch", { journalLimt: 10 }, "body.journalLimt"],
    ["a value out of range", { journalLimit: 0 }, "body.journalLimit"],
    ["a value of the wrong type", { minuteWindow: "hourly" }, "body.minuteWindow"],
  ])("refuses %s with a problem naming it, and changes nothing", async (_, patch, field) => {
    const mock = frozenMock();
    await mock.admin.updateSettings({ recipientsPerMinute: 1234 });
    const before = await mock.admin.settings();
    await expectProblem(await adminCall(mock, "PUT", "/__admin/settings", { recipientsPerMinute: 99, ...patch }), 400, "invalid-request", field);
    expect(await mock.admin.settings()).toEqual(before);
  });
});
