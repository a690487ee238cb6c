import { MockAdminClient } from "../../mock-server/admin-client.ts";
import {
  DEFAULT_APPROVED_TEMPLATE_ID,
  DEFAULT_CORP_ID,
  DEFAULT_DEMO_DEPT_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_PENDING_TEMPLATE_ID,
  DEFAULT_SUITE,
  DEFAULT_THIRD_PARTY_AGENT_ID,
  generatedUserId,
} from "../../mock-server/world/default-world.ts";
import type { ContractApp, ContractControl, ContractFixtures, ContractTarget } from "../contract-target.ts";

/** Where the suite's limit scenarios start: mid-morning China time, far from a day boundary. */
const SCENARIO_START = "2026-11-25T02:00:00.000Z";

export interface DoubleTargetOptions {
  name: string;
  baseUrl: string;
  fetch?: typeof fetch;
  /** Send as the default world's internal app (1431xx codes, the default) or its third-party app (1432xx). */
  appKind?: "internal" | "thirdParty";
  app?: ContractApp;
  fixtures?: Partial<ContractFixtures>;
}

/**
 * A DingTalk double that speaks this project's /__admin API (the mock, or any
 * double that implements the same admin routes), seeded with the documented
 * default world. Without /__admin, the limit scenarios are skipped.
 */
export async function doubleTarget(options: DoubleTargetOptions): Promise<ContractTarget> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const admin = new MockAdminClient(fetchFn, options.baseUrl);
  const hasAdmin = await admin.clock().then(
    () => true,
    () => false,
  );
  const control: ContractControl | undefined = hasAdmin
    ? {
        async reset() {
          await admin.reset();
          await admin.setClock(SCENARIO_START);
          await admin.freezeClock(true);
          // The suite sends faster than the vendor's 20 calls a second.
          await admin.updateSettings({ qpsPerAppPerApi: null });
        },
        async advanceClock(ms) {
          await admin.advanceClock(ms);
        },
        async setClock(iso) {
          await admin.setClock(iso);
        },
        async now() {
          return (await admin.clock()).nowMs;
        },
        bulkUserIds: (count) => Array.from({ length: count }, (_, i) => generatedUserId(i + 1)),
      }
    : undefined;
  await control?.reset();
  const app: ContractApp =
    options.app ??
    (options.appKind === "thirdParty"
      ? { kind: "thirdParty", agentId: DEFAULT_THIRD_PARTY_AGENT_ID, corpId: DEFAULT_CORP_ID, ...DEFAULT_SUITE }
      : { kind: "internal", ...DEFAULT_INTERNAL_APP });
  return {
    name: options.name,
    baseUrl: options.baseUrl,
    fetch: fetchFn,
    app,
    fixtures: {
      approvedTemplateId: DEFAULT_APPROVED_TEMPLATE_ID,
      pendingTemplateId: DEFAULT_PENDING_TEMPLATE_ID,
      userIds: ["123", "456"],
      deptId: DEFAULT_DEMO_DEPT_ID,
      data: { name: "Contract", name2: "https://example.com" },
      ...options.fixtures,
    },
    ...(control ? { control } : {}),
  };
}
