import { describe, expect, it } from "vitest";
import { createMockDingTalk } from "./create-mock.ts";
import { MockAdminClient } from "./admin-client.ts";

async function sendOnce(mock: ReturnType<typeof createMockDingTalk>, token: string, data: Record<string, string>) {
  const response = await mock.fetch(`${mock.baseUrl}/topapi/message/corpconversation/sendbytemplate?access_token=${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agent_id: 123, template_id: "e27a9eed42b34a14a2xxxx", userid_list: "123", data: JSON.stringify(data) }),
  });
  return (await response.json()) as { errcode: number; sub_code?: string; task_id?: number };
}

async function token(mock: ReturnType<typeof createMockDingTalk>) {
  const answer = (await (await mock.fetch(`${mock.baseUrl}/gettoken?appkey=app-demo-key&appsecret=app-demo-secret`)).json()) as { access_token: string };
  return answer.access_token;
}

describe("MockAdminClient", () => {
  it("advanceToNextChinaDay moves to 00:00 China time, where the same content may be sent again", async () => {
    const mock = createMockDingTalk({ clock: { start: "2026-11-25T09:30:00Z", frozen: true } });
    const access = await token(mock);
    const data = { name: "Ada", name2: "https://example.com" };
    const first = await sendOnce(mock, access, data);
    const clock = await mock.admin.advanceToNextChinaDay();
    expect(clock).toMatchObject({ now: "2026-11-25T16:00:00.000Z", chinaDay: "2026-11-26", frozen: true });
    // Six and a half hours later the first token (7,200 s) has expired.
    const again = await sendOnce(mock, await token(mock), data);
    expect(again.errcode).toBe(0);
    expect((await mock.admin.inbox("123")).messages.map((m) => m.taskId)).toEqual([first.task_id, again.task_id]);
  });

  it("a frozen clock and a loop meet the 20 calls a second limit (90018) unless qpsPerAppPerApi is lifted", async () => {
    const loop = async (mock: ReturnType<typeof createMockDingTalk>) => {
      const access = await token(mock);
      const codes: string[] = [];
      for (let n = 0; n < 25; n++) {
        const answer = await sendOnce(mock, access, { name: `n${n}`, name2: "x" });
        codes.push(answer.errcode === 88 ? `88/${answer.sub_code}` : String(answer.errcode));
      }
      return codes;
    };
    const limited = await loop(createMockDingTalk({ clock: { start: "2026-11-25T02:00:00Z", frozen: true } }));
    expect(limited.slice(0, 20).every((code) => code === "0")).toBe(true);
    expect(limited.slice(20)).toEqual(Array(5).fill("88/90018"));
    const lifted = await loop(createMockDingTalk({ clock: { start: "2026-11-25T02:00:00Z", frozen: true }, settings: { qpsPerAppPerApi: null } }));
    expect(lifted.every((code) => code === "0")).toBe(true);
  });

  it("a refused call names the full URL, the status and the mock's problem", async () => {
    const mock = createMockDingTalk();
    const error = await mock.world("job-1").admin.moveClock({ advanceMs: -1 }).catch((e: Error) => e.message);
    expect(error).toContain(`POST ${mock.baseUrl}/w/job-1/__admin/clock answered HTTP 400`);
    expect(error).toContain("advanceMs");
  });

  it("a call that gets no answer names the URL and the cause", async () => {
    const refused = (async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:4711") });
    }) as unknown as typeof fetch;
    await expect(new MockAdminClient(refused, "http://127.0.0.1:4711/w/x").clock()).rejects.toThrow(
      "mock admin GET http://127.0.0.1:4711/w/x/__admin/clock got no answer: connect ECONNREFUSED 127.0.0.1:4711",
    );
  });
});
