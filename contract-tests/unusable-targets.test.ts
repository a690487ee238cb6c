import { describe, expect, it } from "vitest";
import { createMockDingTalk } from "../mock-server/create-mock.ts";
import type { ContractCase } from "./contract-case.ts";
import { CONTRACT_CASES } from "./contract-cases.ts";
import { CaseCannotRun, TargetUnavailableError, type ContractTarget } from "./contract-target.ts";
import { describeContract, type TestApi } from "./describe-contract.ts";
import { runCase, runContract } from "./run-contract.ts";
import { doubleTarget } from "./targets/double-target.ts";

/** Nothing listening: what undici throws for a refused connection. */
const refusedFetch = (async () => {
  throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4711"), { code: "ECONNREFUSED" }) });
}) as unknown as typeof fetch;

/** A server that answers 400 to everything, its admin routes included. */
const badRequestFetch = (async () => new Response("Bad Request", { status: 400 })) as unknown as typeof fetch;

/** A target built by hand around a broken server, steering included, so every case runs rather than being skipped. */
function brokenTarget(fetchFn: typeof fetch, app: "internal" | "thirdParty"): ContractTarget {
  const steer = async () => {
    const response = await fetchFn("http://127.0.0.1:4711/__admin/clock");
    if (!response.ok) throw new Error(`admin answered ${response.status}`);
    return 0;
  };
  return {
    name: "broken",
    baseUrl: "http://127.0.0.1:4711/w/job-1",
    fetch: fetchFn,
    app:
      app === "internal"
        ? { kind: "internal", agentId: 123, appKey: "app-demo-key", appSecret: "app-demo-secret" }
        : { kind: "thirdParty", agentId: 948060598, corpId: "dingdemocorp", suiteKey: "k", suiteSecret: "s", suiteTicket: "t" },
    fixtures: { approvedTemplateId: "t", pendingTemplateId: "p", userIds: ["123", "456"], deptId: 1, data: { name: "x" } },
    control: {
      reset: async () => void (await steer()),
      advanceClock: async () => void (await steer()),
      setClock: async () => void (await steer()),
      now: steer,
      bulkUserIds: (count) => Array.from({ length: count }, (_, i) => `u${i}`),
    },
  };
}

describe("a case never passes without checking anything", () => {
  for (const [what, fetchFn] of [
    ["nothing listening", refusedFetch],
    ["a server answering 400 to everything", badRequestFetch],
  ] as const) {
    for (const app of ["internal", "thirdParty"] as const) {
      it(`against ${what} (${app} app), every case fails or is skipped with a reason`, async () => {
        const results = [];
        for (const contractCase of CONTRACT_CASES) results.push(await runCase(contractCase, brokenTarget(fetchFn, app)));
        expect(results.filter((r) => r.status === "pass").map((r) => r.id)).toEqual([]);
        for (const result of results.filter((r) => r.status !== "pass")) expect(result.reason, result.id).toMatch(/\S/);
      });
    }
  }

  it("reports a case that returns having checked nothing as failed", async () => {
    const lazy: ContractCase = { id: "x.lazy", title: "checks nothing", source: "-", known: true, run: async () => undefined };
    const target = await doubleTarget({ name: "mock", ...inProcess() });
    const result = await runCase(lazy, target);
    expect(result).toMatchObject({ status: "fail", reason: expect.stringContaining("checked nothing") });
  });

  it("reports a case that finds it cannot run as skipped, with what it found", async () => {
    const cannot: ContractCase = {
      id: "x.cannot",
      title: "needs more",
      source: "-",
      known: true,
      run: async () => {
        throw new CaseCannotRun("the target has 3 employees");
      },
    };
    const result = await runCase(cannot, await doubleTarget({ name: "mock", ...inProcess() }));
    expect(result).toMatchObject({ status: "skip", reason: "the target has 3 employees" });
  });
});

describe("a target that cannot be used fails once, before the cases, with its cause", () => {
  it("nothing listening: doubleTarget names the URL and the refused connection", async () => {
    const error = await doubleTarget({ name: "nobody", baseUrl: "http://127.0.0.1:4711/w/job-1", fetch: refusedFetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as Error).message).toContain("http://127.0.0.1:4711/w/job-1");
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("a server answering 400: runContract names the token URL (world path included), the status and the body, and runs no case", async () => {
    let calls = 0;
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls++;
      return badRequestFetch(input, init);
    }) as typeof fetch;
    const error = await runContract({ ...brokenTarget(counting, "internal"), control: undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain("GET http://127.0.0.1:4711/w/job-1/gettoken?appkey=app-demo-key&appsecret=***");
    expect(message).toContain("HTTP 400: Bad Request");
    expect(message).not.toContain("app-demo-secret");
    expect(calls).toBe(1);
  });

  it("a world name the mock refuses: the mock's own answer is quoted", async () => {
    const mock = createMockDingTalk();
    const error = await doubleTarget({ name: "refused", baseUrl: `${mock.baseUrl}/w/bad%20name`, fetch: mock.fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as Error).message).toContain(`${mock.baseUrl}/w/bad%20name/gettoken`);
    expect((error as Error).message).toContain("HTTP 400");
    expect((error as Error).message).toContain("invalid-world-name");
  });

  it("describeContract: the first test fails with the cause, every case is skipped pointing at it", async () => {
    const registered: { name: string; body: (context: { skip: (note?: string) => void }) => Promise<void> }[] = [];
    const api: TestApi = {
      describe: (_name, body) => body(),
      it: (name, _options, body) => registered.push({ name, body }),
    };
    describeContract(api, "nobody", () => doubleTarget({ name: "nobody", baseUrl: "http://127.0.0.1:4711", fetch: refusedFetch }));
    const outcomes = [];
    for (const test of registered) {
      let skipped: string | undefined;
      const outcome = await test.body({ skip: (note) => void (skipped = note ?? "") }).then(
        () => (skipped === undefined ? "pass" : `skip: ${skipped}`),
        (error: Error) => `fail: ${error.message}`,
      );
      outcomes.push({ name: test.name, outcome });
    }
    expect(outcomes[0]).toEqual({ name: "the target can be used: it answers a token for its app", outcome: expect.stringMatching(/^fail: .*ECONNREFUSED/) });
    const rest = outcomes.slice(1, 1 + CONTRACT_CASES.length);
    expect(rest.every(({ outcome }) => outcome.startsWith("skip: not run: the target cannot be used"))).toBe(true);
    expect(outcomes.filter(({ outcome }) => outcome === "pass").map(({ name }) => name)).toEqual(["leaves the target as it found it"]);
  });
});

describe("an internal-app target", () => {
  it("skips the suite-ticket case, saying why, and passes the rest", async () => {
    const results = await runContract(await doubleTarget({ name: "mock", ...inProcess() }));
    expect(results.filter((r) => r.status !== "pass")).toEqual([
      expect.objectContaining({ id: "token.bad-suite-ticket-853005", status: "skip", reason: expect.stringContaining("sends as an internal app") }),
    ]);
  }, 60_000);
});

describe("a run leaves a shared double as it found it", () => {
  it("puts back a running clock and changed settings after resetting and freezing them", async () => {
    const mock = createMockDingTalk({ clock: { start: "2026-03-01T08:00:00Z" } });
    await mock.admin.updateSettings({ recipientsPerMinute: 4000 });
    const before = { clock: await mock.admin.clock(), settings: await mock.admin.settings(), at: Date.now() };
    const results = await runContract(await doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: mock.fetch }));
    expect(results.filter((r) => r.status === "fail")).toEqual([]);
    const after = await mock.admin.clock();
    expect(after.frozen).toBe(false);
    const expected = before.clock.nowMs + (Date.now() - before.at);
    expect(Math.abs(after.nowMs - expected)).toBeLessThan(5_000);
    expect(await mock.admin.settings()).toEqual(before.settings);
  }, 60_000);

  it("puts back a frozen clock where it stood", async () => {
    const mock = createMockDingTalk({ clock: { start: "2026-03-01T08:00:00Z", frozen: true } });
    await runContract(await doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: mock.fetch }));
    expect(await mock.admin.clock()).toMatchObject({ now: "2026-03-01T08:00:00.000Z", frozen: true });
  }, 60_000);

  it("with freshWorld, runs in a world of its own and drops it, touching nothing else", async () => {
    const mock = createMockDingTalk({ clock: { start: "2026-03-01T08:00:00Z", frozen: true } });
    const worldsBefore = (await mock.admin.worlds()).worlds.map((w) => w.name);
    const seen: string[] = [];
    const watching = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      return mock.fetch(request);
    }) as typeof fetch;
    const target = await doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: watching, freshWorld: "contract-run-1" });
    expect(target.baseUrl).toBe(`${mock.baseUrl}/w/contract-run-1`);
    const results = await runContract(target);
    expect(results.filter((r) => r.status === "fail")).toEqual([]);
    expect((await mock.admin.worlds()).worlds.map((w) => w.name)).toEqual(worldsBefore);
    expect(await mock.admin.clock()).toMatchObject({ now: "2026-03-01T08:00:00.000Z", frozen: true });
    // Outside its world the run only created and dropped it.
    expect(seen.filter((call) => !call.includes("/w/contract-run-1"))).toEqual(["PUT /__admin/worlds/contract-run-1", "DELETE /__admin/worlds/contract-run-1"]);
    expect(seen.at(-1)).toBe("DELETE /__admin/worlds/contract-run-1");
  }, 60_000);
});

describe("bulk employees", () => {
  it("come from the target when it names them, and a case that needs more is skipped saying how many", async () => {
    const mock = createMockDingTalk();
    const ids = Array.from({ length: 2000 }, (_, i) => `u${String(i + 8001).padStart(5, "0")}`);
    const sentTo = new Set<string>();
    const watching = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = typeof init?.body === "string" ? init.body : "";
      for (const match of body.matchAll(/u\d{5}/g)) sentTo.add(match[0]);
      return mock.fetch(input, init);
    }) as typeof fetch;
    const results = await runContract(await doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: watching, bulkUserIds: ids }));
    expect(results.find((r) => r.id === "limits.per-minute-silent")).toMatchObject({ status: "skip", reason: expect.stringContaining("5001 employees") });
    expect(results.find((r) => r.id === "send.over-1000-recipients")?.status).toBe("pass");
    expect([...sentTo].filter((id) => !ids.includes(id))).toEqual([]);
    expect(sentTo.has("u09001")).toBe(true);
  }, 60_000);

  it("must be distinct ids", async () => {
    const mock = createMockDingTalk();
    await expect(doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: mock.fetch, bulkUserIds: ["a", "b", "a"] })).rejects.toThrow('"a" appears twice');
  });
});

function inProcess() {
  const mock = createMockDingTalk();
  return { baseUrl: mock.baseUrl, fetch: mock.fetch };
}
