import {
  DEFAULT_CORP_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_SUITE,
  DEFAULT_THIRD_PARTY_AGENT_ID,
} from "../mock-server/world/default-world.ts";

/**
 * DINGTALK_APPS for development and tests: the mock's default world's two
 * apps, whose credentials are public by design. Production sets its own as a secret.
 */
export const DEV_APPS = {
  default: { corpId: DEFAULT_CORP_ID, agentId: DEFAULT_THIRD_PARTY_AGENT_ID },
  apps: [
    { kind: "thirdParty", corpId: DEFAULT_CORP_ID, agentId: DEFAULT_THIRD_PARTY_AGENT_ID, ...DEFAULT_SUITE },
    { kind: "internal", corpId: DEFAULT_CORP_ID, ...DEFAULT_INTERNAL_APP },
  ],
} as const;
