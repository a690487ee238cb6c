import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEV_APPS } from "../dev-apps.ts";
import { TEST_API_KEYS, TEST_WEBHOOK_SENDERS } from "./credentials.ts";
import { getNotification, postNotification, TEMPLATE_ID, useMockDingTalk } from "./harness.ts";

/**
 * No secret appears in any log line, answer or error: every scenario below
 * runs with the console captured, and everything the worker said or logged is
 * searched for every secret it knows.
 */
describe("secrets", () => {
  const world = useMockDingTalk();
  const logged: string[] = [];
  beforeEach(() => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" ")));
    }
  });
  afterEach(() => void (logged.length = 0));

  it("never leak from answers, errors or logs, whatever goes wrong", async () => {
    const said: string[] = [];
    const issued = new Set<string>();
    const rememberTokens = () => world.mock.state.tokens.snapshot().grants.forEach(([token]) => issued.add(token));
    const keep = async (answer: { status: number; headers: Headers; body: unknown }) => said.push(JSON.stringify(answer.body), JSON.stringify([...answer.headers]));

    await keep(await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "ok", name2: "" } }));
    await keep(await postNotification({ templateId: TEMPLATE_ID, userIds: ["123"] }, { authorization: "Bearer wrong" }));
    rememberTokens();
    world.mock.state.tokens.revokeAll(); // forces a token refusal and refresh
    await world.mock.admin.addFault({ endpoint: "sendByTemplate", errcode: 500, times: 3 });
    await keep(await postNotification({ templateId: TEMPLATE_ID, userIds: ["456"], data: { name: "fails", name2: "" } }));
    await world.mock.admin.addFault({ endpoint: "getCorpToken", errcode: 853005, times: 1 });
    rememberTokens();
    world.mock.state.tokens.revokeAll();
    const refused = await postNotification({ templateId: TEMPLATE_ID, userIds: ["u00001"], data: { name: "ticket", name2: "" } });
    await keep(refused);
    const story = await postNotification({ templateId: TEMPLATE_ID, userIds: ["u00002"], data: { name: "story", name2: "" } });
    await keep(story);
    await keep(await getNotification(story.body.id));
    const dropIn = await exports.default.fetch("http://worker/topapi/message/corpconversation/sendbytemplate?access_token=not-a-key", { method: "POST", body: "{}" });
    said.push(await dropIn.text());

    rememberTokens();
    const issuedTokens = [...issued];
    const secrets = [
      ...DEV_APPS.apps.flatMap((app) => ("appSecret" in app ? [app.appSecret] : [app.suiteSecret, app.suiteTicket])),
      ...TEST_API_KEYS.map((key) => key.key),
      ...TEST_WEBHOOK_SENDERS.map((sender) => sender.secret),
      ...issuedTokens,
    ];
    expect(issuedTokens.length).toBeGreaterThan(1);
    expect(said.length).toBeGreaterThan(5);
    const everything = [...said, ...logged].join("\n");
    // A boolean, so a failure names the secret by its first characters instead of printing it.
    for (const secret of secrets) expect(everything.includes(secret), `a secret leaked: ${secret.slice(0, 3)}…`).toBe(false);
  });
});
