import { describe, expect, it } from "vitest";
import { createMockDingTalk } from "../mock-server/create-mock.ts";
import { effectiveErrcode, VendorAnswer } from "../protocol/index.ts";
import { callVendor } from "../worker/dingtalk/vendor-call.ts";
import { DingTalkApiError } from "../worker/dingtalk/errors.ts";
import { ANSWER_SCHEMAS } from "./answer-schemas.ts";
import { describeContract } from "./describe-contract.ts";
import { brokenDouble } from "./fixtures/broken-double.ts";
import { runContract } from "./run-contract.ts";
import { doubleTarget } from "./targets/double-target.ts";
import { realDingTalkTarget } from "./targets/real-dingtalk-target.ts";

describeContract({ describe, it }, "the mock, in-process (internal app)", () => {
  const mock = createMockDingTalk();
  return doubleTarget({ name: "mock (internal app)", baseUrl: mock.baseUrl, fetch: mock.fetch });
});

describeContract({ describe, it }, "the mock, in-process (third-party app)", () => {
  const mock = createMockDingTalk();
  return doubleTarget({ name: "mock (third-party app)", baseUrl: mock.baseUrl, fetch: mock.fetch, appKind: "thirdParty" });
});

describeContract({ describe, it }, "the real DingTalk (opt-in)", () => realDingTalkTarget(process.env));

describe("the suite can fail", () => {
  it("fails exactly the cases a broken double breaks", async () => {
    const broken = brokenDouble();
    const results = await runContract(await doubleTarget({ name: "broken double", baseUrl: broken.baseUrl, fetch: broken.fetch }));
    const failed = results.filter((r) => r.status === "fail").map((r) => r.id);
    expect(failed.sort()).toEqual(["limits.daily-cap-silent", "wire.unknown-topapi-path-is-22"]);
    // Sending as the internal app, the suite-ticket case has nothing to check: skipped, and saying why.
    expect(results.filter((r) => r.status === "skip").map((r) => r.id)).toEqual(["token.bad-suite-ticket-853005"]);
    expect(results.filter((r) => r.status === "pass").length).toBe(results.length - 3);
  }, 120_000);
});

describe("every answer the mock gives in the suite", () => {
  it("matches the shared schemas, and the worker's client reads each one as the contract says", async () => {
    const mock = createMockDingTalk();
    const recorded: { path: string; answer: Record<string, unknown> }[] = [];
    const recording = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await mock.fetch(input, init);
      const path = new URL(new Request(input, init).url).pathname;
      if (!path.startsWith("/__admin")) recorded.push({ path, answer: (await response.clone().json()) as Record<string, unknown> });
      return response;
    }) as typeof fetch;
    const results = await runContract(await doubleTarget({ name: "mock", baseUrl: mock.baseUrl, fetch: recording }));
    expect(results.filter((r) => r.status === "fail")).toEqual([]);
    expect(recorded.length).toBeGreaterThan(100);

    for (const { path, answer } of recorded) {
      expect(VendorAnswer.safeParse(answer).success, `${path}: ${JSON.stringify(answer)}`).toBe(true);
      const schema = ANSWER_SCHEMAS[path];
      if (answer.errcode === 0 && schema) expect(schema.safeParse(answer).success, `${path} success shape`).toBe(true);
      // The worker's client, fed the same bytes: a success parses, an error becomes DingTalkApiError with the effective code.
      if (!schema) continue;
      const replay = (async () => Response.json(answer)) as unknown as typeof fetch;
      const outcome = await callVendor({ fetch: replay, baseUrl: "http://replay", path, method: "POST", answer: schema, timeoutMs: 1000 }).then(
        () => "parsed",
        (error: unknown) => error,
      );
      if (answer.errcode === 0) expect(outcome, path).toBe("parsed");
      else {
        expect(outcome, path).toBeInstanceOf(DingTalkApiError);
        expect((outcome as DingTalkApiError).code).toBe(effectiveErrcode(answer as { errcode: number; sub_code?: unknown }));
      }
    }
  }, 120_000);
});
