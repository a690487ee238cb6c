import { describe, expect, it } from "vitest";
import { createMockDingTalk } from "../mock-server/create-mock.ts";
import {
  DEFAULT_CORP_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_SUITE,
  DEFAULT_THIRD_PARTY_AGENT_ID,
} from "../mock-server/world/default-world.ts";
import { signSuiteRequest } from "../protocol/index.ts";
import { DEV_APPS } from "./dev-apps.ts";

// The worker keeps its own copy of the demo apps (it must not import the mock):
// these tests are what keeps the two from drifting apart.
describe("DEV_APPS, the worker's copy of the mock's demo apps", () => {
  it("names exactly the default world's corp, agents and credentials", () => {
    expect(DEV_APPS).toEqual({
      default: { corpId: DEFAULT_CORP_ID, agentId: DEFAULT_THIRD_PARTY_AGENT_ID },
      apps: [
        { kind: "thirdParty", corpId: DEFAULT_CORP_ID, agentId: DEFAULT_THIRD_PARTY_AGENT_ID, ...DEFAULT_SUITE },
        { kind: "internal", corpId: DEFAULT_CORP_ID, ...DEFAULT_INTERNAL_APP },
      ],
    });
  });

  it("gets a token from the mock for each app", async () => {
    const mock = createMockDingTalk();
    const [thirdParty, internal] = DEV_APPS.apps;
    const fromGettoken = await (await mock.fetch(`${mock.baseUrl}/gettoken?appkey=${internal.appKey}&appsecret=${internal.appSecret}`)).json();
    expect(fromGettoken).toMatchObject({ errcode: 0 });

    const timestamp = String((await mock.admin.clock()).nowMs);
    const signature = await signSuiteRequest(thirdParty.suiteSecret, timestamp, thirdParty.suiteTicket);
    const query = new URLSearchParams({ accessKey: thirdParty.suiteKey, timestamp, suiteTicket: thirdParty.suiteTicket, signature });
    const fromCorpToken = await (
      await mock.fetch(`${mock.baseUrl}/service/get_corp_token?${query}`, { method: "POST", body: JSON.stringify({ auth_corpid: thirdParty.corpId }) })
    ).json();
    expect(fromCorpToken).toMatchObject({ errcode: 0 });
  });
});
