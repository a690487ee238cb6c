/**
 * The requirement, end to end over real HTTP: an existing third-party
 * DingTalk client (node-dingtalk, unchanged) pointed at the worker's drop-in
 * route gets its task_id, and the message reaches the employee's inbox in the
 * mock DingTalk. The worker runs in `wrangler dev`, wired to the Node mock,
 * with a throw-away API key that the SDK sends where it sends a vendor token.
 */
import DingTalk, { type DingTalkClientResponseError } from "node-dingtalk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, type RunningMockServer } from "../../mock-server/node-server.ts";
import { DEFAULT_APPROVED_TEMPLATE_ID, DEFAULT_THIRD_PARTY_AGENT_ID } from "../../mock-server/world/default-world.ts";
import { startWorkerDev, throwAwayApiKey, type RunningWorkerDev } from "../../scripts/wrangler-dev-launcher.ts";

const SEND_API = "topapi/message/corpconversation/sendbytemplate";
const { key: API_KEY, apiKeys: API_KEYS } = throwAwayApiKey("third-party-sdk-test");

describe("a third-party DingTalk SDK (node-dingtalk) pointed at the drop-in route", () => {
  let mock: RunningMockServer | undefined;
  let worker: RunningWorkerDev | undefined;
  let dingtalk: DingTalk;

  beforeAll(async () => {
    mock = await startMockServer({ port: 0 });
    worker = await startWorkerDev({ dingtalkBaseUrl: mock.url, apiKeys: API_KEYS, startupTimeoutMs: 60_000 });
    // corpid/corpsecret are required by the SDK but unused: the API key is passed as the access token.
    dingtalk = new DingTalk({ host: worker.url, corpid: "unused-corpid", corpsecret: "unused-corpsecret" });
  }, 90_000);

  afterAll(async () => {
    // Both, even if one fails or beforeAll stopped half-way.
    await Promise.allSettled([worker?.stop(), mock?.close()]);
  }, 20_000);

  const inboxTaskIds = async (userid: string) => (await mock!.mock.admin.inbox(userid)).messages.map((m) => m.taskId);

  it("sends by template with our API key as access_token and gets the task_id the employees' inboxes show", async () => {
    const answer = await dingtalk.client.post(
      SEND_API,
      {
        agent_id: DEFAULT_THIRD_PARTY_AGENT_ID,
        template_id: DEFAULT_APPROVED_TEMPLATE_ID,
        userid_list: "123,456",
        data: JSON.stringify({ name: "sdk", name2: "" }),
      },
      { accessToken: API_KEY },
    );
    expect(answer).toMatchObject({ errcode: 0, errmsg: "ok" });
    const taskId = answer.task_id;
    expect(typeof taskId).toBe("number");
    expect(Number.isInteger(taskId) && (taskId as number) > 0).toBe(true);

    // Over HTTP, as anyone would look: GET <mock>/__admin/inbox/123.
    const inbox = (await (await fetch(`${mock!.url}/__admin/inbox/123`)).json()) as { messages: { taskId: number; templateId: string; data: Record<string, string> }[] };
    expect(inbox.messages).toContainEqual(expect.objectContaining({ taskId, templateId: DEFAULT_APPROVED_TEMPLATE_ID, data: { name: "sdk", name2: "" } }));
    expect(await inboxTaskIds("456")).toContain(taskId);
  }, 30_000);

  it("rejects a wrong key with the vendor's token error, as the SDK reports it, and delivers nothing", async () => {
    const sendsBefore = (await mock!.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.length;
    const inboxBefore = await inboxTaskIds("123");

    const sending = dingtalk.client.post(
      SEND_API,
      { agent_id: DEFAULT_THIRD_PARTY_AGENT_ID, template_id: DEFAULT_APPROVED_TEMPLATE_ID, userid_list: "123", data: JSON.stringify({ name: "wrong key", name2: "" }) },
      { accessToken: `${API_KEY}-wrong` },
    );
    // node-dingtalk throws on any non-zero errcode, keeping the answer in `data`.
    const error = (await sending.then(
      () => expect.unreachable("a wrong key must not be accepted"),
      (e: unknown) => e,
    )) as DingTalkClientResponseError;
    expect(error.name).toBe("DingTalkClientResponseError");
    expect(error.code).toBe(88);
    expect(error.data).toMatchObject({ errcode: 88, sub_code: "40014" });
    expect(error.message).toContain('"sub_code":"40014"');
    // The SDK puts the request URL, token included, in its message; the worker's own answer does not echo the key.
    expect(JSON.stringify(error.data)).not.toContain(API_KEY);

    expect((await mock!.mock.admin.journal({ endpoint: "sendByTemplate" })).entries).toHaveLength(sendsBefore);
    expect(await inboxTaskIds("123")).toEqual(inboxBefore);
  }, 30_000);
});
