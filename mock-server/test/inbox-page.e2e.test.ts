import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSuiteRequest } from "../../protocol/index.ts";
import { startMockServer, type RunningMockServer } from "../node-server.ts";
import { launchChromium } from "./browser.ts";

/** The README's screenshot is this test's last picture of the page. */
const SCREENSHOT = fileURLToPath(new URL("../../docs/inbox.png", import.meta.url));

describe("the web inbox, in headless Chromium", () => {
  let server: RunningMockServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // 23:58 China time, so "Next China day" is two minutes away.
    server = await startMockServer({ port: 0, clock: { start: "2026-11-25T15:58:00.000Z", frozen: true } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Sends through the vendor endpoint as the third-party app, as a client would. */
  async function vendorSend(userids: string[], data: Record<string, string>, base = server.url): Promise<number> {
    const timestamp = String((await server.mock.admin.clock()).nowMs);
    const query = new URLSearchParams({
      accessKey: "suite-demo-key",
      timestamp,
      suiteTicket: "suite-demo-ticket",
      signature: await signSuiteRequest("suite-demo-secret", timestamp, "suite-demo-ticket"),
    });
    const token = (await (await fetch(`${base}/service/get_corp_token?${query}`, { method: "POST", body: JSON.stringify({ auth_corpid: "dingdemocorp" }) })).json()) as { access_token: string };
    const answer = (await (
      await fetch(`${base}/topapi/message/corpconversation/sendbytemplate?access_token=${token.access_token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ agent_id: 948060598, template_id: "e27a9eed42b34a14a2xxxx", userid_list: userids.join(","), data: JSON.stringify(data) }),
      })
    ).json()) as { errcode: number; task_id: number };
    expect(answer.errcode).toBe(0);
    return answer.task_id;
  }

  it("shows a notification live, opens it, and after the next China day shows a throttled recipient with its code", async () => {
    await page.goto(`${server.url}/__inbox`);
    await page.locator("#live.on").waitFor({ timeout: 10_000 });
    await page.getByText("Demo department").click();
    await page.getByText("Zhang San").click();
    await expect.poll(() => page.locator("#messages").textContent()).toContain("Nothing received.");

    // Live: the page refreshes itself when the send is answered.
    const first = await vendorSend(["123", "456"], { name: "Ada", name2: "https://example.com/orders/1" });
    const message = page.locator(`.message[data-task="${first}"]`);
    await message.waitFor({ timeout: 10_000 });
    expect(await message.textContent()).toContain("Hello Ada, your order is ready: https://example.com/orders/1");
    expect(await message.textContent()).toContain("unread");
    expect(await page.locator('li[data-user="123"] .badge').textContent()).toBe("1");

    // Open it: the task's story, and the message is read.
    await message.click();
    await expect.poll(() => page.locator("#task").textContent()).toContain(`Task ${first}`);
    expect(await page.locator("#task").textContent()).toContain("2 delivered");
    await expect.poll(() => page.locator(`.message[data-task="${first}"]`).textContent()).toContain("read");
    expect(await page.locator('li[data-user="123"] .badge').textContent()).toBe("0");

    // The clock control: 00:00 China time of the next day.
    await page.getByRole("button", { name: "Next China day" }).click();
    await expect.poll(() => page.locator("#clock").textContent()).toContain("2026-11-26 00:00:00");

    // The same content twice on the new day: the second is dropped silently by the vendor's rule.
    await vendorSend(["123"], { name: "Daily digest", name2: "" });
    const throttled = await vendorSend(["123"], { name: "Daily digest", name2: "" });
    const withheld = page.locator(`.message.withheld[data-task="${throttled}"]`);
    await withheld.waitFor({ timeout: 10_000 });
    expect(await withheld.locator(".code").textContent()).toBe("143206");
    expect(await withheld.textContent()).toContain("same content already sent to this employee today");

    await page.screenshot({ path: SCREENSHOT, fullPage: false });
  }, 60_000);

  it("switches between worlds, each with its own inboxes, and notices when one is dropped", async () => {
    const other = await vendorSend(["123"], { name: "Team B", name2: "https://example.com/b" }, `${server.url}/w/team-b`);
    await page.goto(`${server.url}/__inbox`);
    await expect.poll(() => page.locator("#world option").allTextContents()).toContain("team-b");
    await page.locator("#world").selectOption("team-b");
    await page.waitForURL(`${server.url}/w/team-b/__inbox`);
    await page.locator("#live.on").waitFor({ timeout: 10_000 });
    await page.getByText("Demo department").click();
    await page.getByText("Zhang San").click();
    const message = page.locator(`.message[data-task="${other}"]`);
    await message.waitFor({ timeout: 10_000 });
    expect(await message.textContent()).toContain("Hello Team B");
    // The default world's notifications are not here.
    expect(await page.locator("#messages").textContent()).not.toContain("Hello Ada");
    // This world's clock is its own: still the evening before, though the default world moved to the next day.
    expect(await page.locator("#clock").textContent()).toContain("2026-11-25 23:58:00");

    // A world that does not exist yet is created by opening it.
    await page.locator("#world-name").fill("fresh-world");
    await page.locator("#open-world button").click();
    await page.waitForURL(`${server.url}/w/fresh-world/__inbox`);
    await page.locator("#live.on").waitFor({ timeout: 10_000 });
    expect(await page.locator("#world").inputValue()).toBe("fresh-world");

    await server.mock.admin.dropWorld("fresh-world");
    await expect.poll(() => page.locator("#live").textContent()).toBe("world dropped");
  }, 60_000);

  it("fits a phone's width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBe(0);
  });
});
