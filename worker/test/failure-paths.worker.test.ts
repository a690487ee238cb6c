import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALL_APPS_KEY } from "./credentials.ts";
import { getNotification, postNotification, TEMPLATE_ID, users, useMockDingTalk, WINDOW_AND_GUARD_MS } from "./harness.ts";

const sender = () => env.CORP_APP_SENDER.getByName("dingdemocorp/948060598");
const ASYNC = { prefer: "respond-async" };

async function dropIn(body: unknown, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const response = await exports.default.fetch(`http://worker/topapi/message/corpconversation/sendbytemplate?access_token=${ALL_APPS_KEY}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, any>;
}

describe("the refusals of a send that cannot be resolved, each sending nothing", () => {
  const world = useMockDingTalk();
  const sends = async () => (await world.mock.admin.journal({ endpoint: "sendByTemplate" })).entries.length;

  it("answers 422 too-many-departments past MAX_DEPARTMENTS_PER_SEND (200), before any directory call", async () => {
    const deptIds = Array.from({ length: 201 }, (_, i) => 900_001 + i);
    const answer = await postNotification({ templateId: TEMPLATE_ID, deptIds });
    expect(answer.status).toBe(422);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body).toMatchObject({ code: "too-many-departments", errors: [{ path: "body.deptIds" }] });
    const vendor = await dropIn({ agent_id: 948060598, template_id: TEMPLATE_ID, dept_id_list: deptIds.join(",") });
    expect(vendor).toMatchObject({ errcode: 40035, dingtalk_edge: { problem: "too-many-departments" } });
    expect(vendor.errmsg).toContain("dept_id_list");
    expect((await world.mock.admin.journal()).entries).toEqual([]);
  });

  it("answers 502 directory-unavailable when the vendor's directory fails, and -1 (not remembered) on the drop-in route", async () => {
    await world.mock.admin.addFault({ endpoint: "listSubDepartments", errcode: -1, times: 6 });
    const answer = await postNotification({ templateId: TEMPLATE_ID, deptIds: [421897262], data: { name: "dept", name2: "" } });
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ code: "directory-unavailable" });
    expect(answer.body.detail).toContain("Nothing was sent");
    const request = { agent_id: 948060598, template_id: TEMPLATE_ID, dept_id_list: "421897262", data: JSON.stringify({ name: "dept", name2: "" }) };
    const vendor = await dropIn(request, { "idempotency-key": "dir-1" });
    expect(vendor).toMatchObject({ errcode: -1, dingtalk_edge: { problem: "directory-unavailable" } });
    expect(await sends()).toBe(0);
    await world.mock.admin.clearFaults();
    expect(await dropIn(request, { "idempotency-key": "dir-1" })).toMatchObject({ errcode: 0 });
    expect(await sends()).toBe(1);
  });

  it("fails a queued recipient for good after MAX_QUEUE_ATTEMPTS (8) vendor attempts, and tries no more", async () => {
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", errcode: -1, times: 100 });
    const answer = await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "doomed", name2: "" } }, ASYNC);
    expect(answer.status).toBe(202);
    for (let round = 0; round < 12; round++) {
      await world.mock.admin.advanceClock(10 * 60_000);
      await runDurableObjectAlarm(sender());
    }
    expect(await sends()).toBe(8);
    const recipient = (await getNotification(answer.body.id)).body.recipients[0];
    expect(recipient).toMatchObject({ userid: "123", status: "failed", error: { code: -1 } });
    expect((await world.mock.admin.inbox("123")).messages).toHaveLength(0);
  });

  it("makes at most MAX_SENDS_PER_DRAIN (20) vendor sends per alarm, and the next alarm goes on", async () => {
    await postNotification({ templateId: TEMPLATE_ID, userIds: users(1, 5000), data: { name: "fill", name2: "" } });
    expect(await sends()).toBe(5);
    const queued = [];
    for (let i = 0; i < 25; i++) {
      queued.push(await postNotification({ templateId: TEMPLATE_ID, userIds: [`u0${9000 + i}`], data: { name: `queued ${i}`, name2: "" } }, ASYNC));
    }
    expect(queued.every((answer) => answer.status === 202 && answer.body.summary.queued === 1)).toBe(true);
    expect(await sends()).toBe(5);
    await world.mock.admin.advanceClock(WINDOW_AND_GUARD_MS);
    await runDurableObjectAlarm(sender());
    expect(await sends()).toBe(5 + 20);
    await runDurableObjectAlarm(sender());
    expect(await sends()).toBe(5 + 25);
    for (const answer of queued) expect((await getNotification(answer.body.id)).body.summary).toMatchObject({ sent: 1, queued: 0 });
  });
});
