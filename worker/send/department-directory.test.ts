import { describe, expect, it } from "vitest";
import { createMockDingTalk } from "../../mock-server/create-mock.ts";
import { DingTalkClient } from "../dingtalk/client.ts";
import { internalAppTokenFetcher } from "../dingtalk/token-fetchers.ts";
import { TokenProvider } from "../dingtalk/token-provider.ts";
import { expandDepartments, TooManyDepartmentsError, type DepartmentCache, type DepartmentEntry } from "./department-directory.ts";

function setup() {
  const mock = createMockDingTalk({ settings: { qpsPerAppPerApi: null } });
  const options = { baseUrl: mock.baseUrl, fetch: mock.fetch, timeoutMs: 1000 };
  const tokens = new TokenProvider(internalAppTokenFetcher({ appKey: "app-demo-key", appSecret: "app-demo-secret" }, options));
  const client = new DingTalkClient({ tokens, ...options });
  const entries = new Map<number, DepartmentEntry>();
  const cache: DepartmentCache = { read: (id) => entries.get(id), write: (id, entry) => void entries.set(id, entry) };
  return { mock, client, cache };
}

describe("expandDepartments", () => {
  it("walks sub-departments and counts each employee once", async () => {
    const { client, cache } = setup();
    const expanded = await expandDepartments(client, cache, [2001, 2101], { nowMs: 0, ttlMs: 60_000, maxDepartments: 50 });
    expect(expanded.userids).toHaveLength(1000);
    expect(new Set(expanded.userids).size).toBe(1000);
    expect(expanded.invalidDeptIds).toEqual([]);
  });

  it("reports unknown departments and caches them for the TTL", async () => {
    const { mock, client, cache } = setup();
    const first = await expandDepartments(client, cache, [421897262, 999], { nowMs: 0, ttlMs: 60_000, maxDepartments: 50 });
    expect(first).toEqual({ userids: ["123", "456"], invalidDeptIds: [999] });
    const calls = (await mock.admin.journal()).entries.length;
    await expandDepartments(client, cache, [421897262, 999], { nowMs: 59_999, ttlMs: 60_000, maxDepartments: 50 });
    expect((await mock.admin.journal()).entries.length).toBe(calls);
    await expandDepartments(client, cache, [421897262], { nowMs: 60_000, ttlMs: 60_000, maxDepartments: 50 });
    expect((await mock.admin.journal()).entries.length).toBeGreaterThan(calls);
  });

  it("stops at the department budget", async () => {
    const { client, cache } = setup();
    await expect(expandDepartments(client, cache, [1], { nowMs: 0, ttlMs: 0, maxDepartments: 5 })).rejects.toBeInstanceOf(TooManyDepartmentsError);
  });
});
