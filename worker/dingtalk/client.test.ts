import { describe, expect, it, vi } from "vitest";
import { createMockDingTalk } from "../../mock-server/create-mock.ts";
import { DingTalkClient } from "./client.ts";
import { DingTalkApiError, DingTalkTransportError } from "./errors.ts";
import { internalAppTokenFetcher } from "./token-fetchers.ts";
import { TokenProvider } from "./token-provider.ts";

function setup(options: { timeoutMs?: number } = {}) {
  const mock = createMockDingTalk({ clock: { start: "2026-11-25T02:00:00Z", frozen: true }, settings: { qpsPerAppPerApi: null } });
  const fetcher = internalAppTokenFetcher({ appKey: "app-demo-key", appSecret: "app-demo-secret" }, { baseUrl: mock.baseUrl, fetch: mock.fetch, timeoutMs: 1000 });
  const tokens = new TokenProvider(fetcher, { now: () => mock.state.clock.now() });
  const sleeps: number[] = [];
  const client = new DingTalkClient({
    tokens,
    baseUrl: mock.baseUrl,
    fetch: mock.fetch,
    timeoutMs: options.timeoutMs ?? 1000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { mock, client, sleeps };
}

const send = { agent_id: 123, template_id: "e27a9eed42b34a14a2xxxx", userid_list: "123", data: JSON.stringify({ name: "a", name2: "b" }) };

describe("DingTalkClient", () => {
  it("sends JSON with the token in the query and parses the answer", async () => {
    const { mock, client } = setup();
    const answer = await client.sendByTemplate(send);
    expect(answer.task_id).toBeGreaterThan(0);
    const entry = (await mock.admin.journal({ endpoint: "sendByTemplate" })).entries[0]!;
    expect(entry.params.agent_id).toBe(123); // a JSON number, not a form string
  });

  it("throws DingTalkApiError with the vendor's code for a refusal, without retrying", async () => {
    const { mock, client, sleeps } = setup();
    const error = await client.sendByTemplate({ ...send, template_id: "missing" }).catch((e) => e);
    expect(error).toBeInstanceOf(DingTalkApiError);
    expect(error.code).toBe(885001);
    expect(error.retryable).toBe(false);
    expect(sleeps).toEqual([]);
    expect((await mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
  });

  it("branches on sub_code inside errcode 88", async () => {
    const { mock, client } = setup();
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 88, subCode: "90018", times: 1 });
    await expect(client.sendByTemplate(send)).resolves.toMatchObject({ errcode: 0 });
  });

  it("retries -1, 500, 90018 and 5xx with growing jittered delays, at most 3 attempts", async () => {
    const { mock, client, sleeps } = setup();
    await mock.admin.addFault({ endpoint: "getSendProgress", errcode: -1, times: 1 });
    await mock.admin.addFault({ endpoint: "getSendProgress", httpStatus: 502, times: 1 });
    const { task_id } = await client.sendByTemplate(send);
    await expect(client.getSendProgress(123, task_id)).resolves.toMatchObject({ errcode: 0 });
    expect(sleeps).toEqual([100, 200]); // half of 200 ms, then half of 400 ms (random() = 0.5)

    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 500, times: 3 });
    const error = await client.sendByTemplate({ ...send, userid_list: "456" }).catch((e) => e);
    expect(error).toBeInstanceOf(DingTalkApiError);
    expect(error.code).toBe(500);
  });

  it("waits at least a second after a QPS refusal", async () => {
    const { mock, client, sleeps } = setup();
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 88, subCode: "90018", times: 1 });
    await client.sendByTemplate(send);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  });

  it("refreshes the token once when the vendor refuses it, then gives up", async () => {
    const { mock, client } = setup();
    await client.sendByTemplate(send);
    mock.state.tokens.revokeAll();
    await expect(client.sendByTemplate({ ...send, userid_list: "456" })).resolves.toMatchObject({ errcode: 0 });
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 88, subCode: "40014", times: 5 });
    const error = await client.sendByTemplate({ ...send, userid_list: "u00001" }).catch((e) => e);
    expect(error).toBeInstanceOf(DingTalkApiError);
    expect(error.tokenRejected).toBe(true);
    expect((await mock.admin.journal({ endpoint: "getToken" })).entries).toHaveLength(3);
  });

  it("times out with AbortSignal and reports that the send may have reached the vendor", async () => {
    const { mock, client } = setup({ timeoutMs: 30 });
    await mock.admin.addFault({ endpoint: "sendByTemplate", latencyMs: 200, times: 3 });
    const error = await client.sendByTemplate(send).catch((e) => e);
    expect(error).toBeInstanceOf(DingTalkTransportError);
    expect(error.mayHaveReachedVendor).toBe(true);
    expect(error.message).toContain("no answer within 30 ms");
  });

  it("does not retry a send whose answer may have come after delivery, so the caller learns it may have been sent", async () => {
    const { mock, client, sleeps } = setup();
    await mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 502, phase: "after", times: 1 });
    const error = await client.sendByTemplate(send).catch((e) => e);
    expect(error).toBeInstanceOf(DingTalkTransportError);
    expect(error.mayHaveReachedVendor).toBe(true);
    expect(sleeps).toEqual([]);
    expect((await mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(1);
    // A refusal that says nothing was done is still retried.
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: -1, times: 1 });
    await expect(client.sendByTemplate({ ...send, userid_list: "456" })).resolves.toMatchObject({ errcode: 0 });
  });

  it("calls a 5xx or a broken body uncertain (the vendor may have acted before a gateway failed) and a 4xx not reached", async () => {
    const { mock, client } = setup();
    const once = client.withRetry({ maxAttempts: 1 });
    await mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 502, phase: "after", times: 1 });
    const afterDelivery = await once.sendByTemplate(send).catch((e) => e);
    expect(afterDelivery).toBeInstanceOf(DingTalkTransportError);
    expect(afterDelivery.mayHaveReachedVendor).toBe(true);
    // It had: the employee got it.
    expect((await mock.admin.inbox("123")).messages).toHaveLength(1);
    await mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 503, times: 1 });
    expect((await once.sendByTemplate({ ...send, userid_list: "456" }).catch((e) => e)).mayHaveReachedVendor).toBe(true);
    await mock.admin.addFault({ endpoint: "sendByTemplate", httpStatus: 429, times: 1 });
    const refused = await once.sendByTemplate({ ...send, userid_list: "456" }).catch((e) => e);
    expect(refused).toBeInstanceOf(DingTalkTransportError);
    expect(refused.mayHaveReachedVendor).toBe(false);
  });

  it("reports a dropped connection as a transport error", async () => {
    const { mock, client } = setup();
    await mock.admin.addFault({ endpoint: "sendByTemplate", drop: true, times: 3 });
    await expect(client.sendByTemplate(send)).rejects.toBeInstanceOf(DingTalkTransportError);
  });

  it("never puts the token or the secret in an error message", async () => {
    const { mock, client } = setup();
    await mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 500, times: 3 });
    const error = (await client.sendByTemplate(send).catch((e) => e)) as Error;
    const issued = [...mock.state.tokens.snapshot().grants.map(([t]) => t)];
    for (const secret of [...issued, "app-demo-secret"]) expect(`${error.message} ${String(error.stack)}`).not.toContain(secret);
  });
});

describe("TokenProvider", () => {
  it("fetches once for concurrent callers and reuses until 10 minutes before expiry", async () => {
    let now = 0;
    const fetchToken = vi.fn(async () => ({ token: `t${fetchToken.mock.calls.length}`, expiresInSeconds: 7200 }));
    const provider = new TokenProvider(fetchToken, { now: () => now });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.token()));
    expect(new Set(tokens)).toEqual(new Set(["t1"]));
    now = (7200 - 600) * 1000 - 1;
    expect(await provider.token()).toBe("t1");
    now += 1;
    expect(await provider.token()).toBe("t2");
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it("replaces a token the vendor refused even if it looks fresh", async () => {
    let n = 0;
    const provider = new TokenProvider(async () => ({ token: `t${++n}`, expiresInSeconds: 7200 }), { now: () => 0 });
    expect(await provider.token()).toBe("t1");
    expect(await provider.token("t1")).toBe("t2");
    expect(await provider.token("t1")).toBe("t2");
  });
});
