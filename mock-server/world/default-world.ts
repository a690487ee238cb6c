import { WorldSeed, type WorldSeedInput } from "./world-schema.ts";
import { World } from "./directory.ts";

/**
 * The world every fresh mock starts in. Its values are a public contract: the
 * README, the examples and other tools rely on them exactly as written here.
 */
export const DEFAULT_CORP_ID = "dingdemocorp";
export const DEFAULT_THIRD_PARTY_AGENT_ID = 948060598;
export const DEFAULT_SUITE = {
  suiteKey: "suite-demo-key",
  suiteSecret: "suite-demo-secret",
  suiteTicket: "suite-demo-ticket",
} as const;
export const DEFAULT_INTERNAL_APP = {
  agentId: 123,
  appKey: "app-demo-key",
  appSecret: "app-demo-secret",
} as const;
export const DEFAULT_APPROVED_TEMPLATE_ID = "e27a9eed42b34a14a2xxxx";
export const DEFAULT_PENDING_TEMPLATE_ID = "tpl-pending";
export const DEFAULT_DEMO_DEPT_ID = 421897262;

/** 10,000 generated users, u00001…u10000, 1,000 per team department 2001…2010 under 2000. */
export const GENERATED_USER_COUNT = 10_000;
export const GENERATED_USERS_PER_TEAM = 1_000;
export const GENERATED_PARENT_DEPT_ID = 2000;
export const GENERATED_FIRST_TEAM_DEPT_ID = 2001;
/** A sub-department of team 2001 whose 20 members also belong to 2001 directly. */
export const GENERATED_GUILD_DEPT_ID = 2101;
export const GENERATED_GUILD_SIZE = 20;

export function generatedUserId(n: number): string {
  return `u${String(n).padStart(5, "0")}`;
}

function defaultWorldInput(): WorldSeedInput {
  const teamCount = GENERATED_USER_COUNT / GENERATED_USERS_PER_TEAM;
  const teams = Array.from({ length: teamCount }, (_, i) => ({
    deptId: GENERATED_FIRST_TEAM_DEPT_ID + i,
    name: `Team ${i + 1}`,
    parentId: GENERATED_PARENT_DEPT_ID,
  }));
  const generatedUsers = Array.from({ length: GENERATED_USER_COUNT }, (_, i) => {
    const n = i + 1;
    const team = GENERATED_FIRST_TEAM_DEPT_ID + Math.floor(i / GENERATED_USERS_PER_TEAM);
    const deptIds = n <= GENERATED_GUILD_SIZE ? [team, GENERATED_GUILD_DEPT_ID] : [team];
    return { userid: generatedUserId(n), name: `Employee ${n}`, deptIds };
  });
  return {
    corps: [
      {
        corpId: DEFAULT_CORP_ID,
        name: "DingTalk Demo Co.",
        departments: [
          { deptId: 1, name: "DingTalk Demo Co." },
          { deptId: DEFAULT_DEMO_DEPT_ID, name: "Demo department", parentId: 1 },
          { deptId: GENERATED_PARENT_DEPT_ID, name: "Staff", parentId: 1 },
          ...teams,
          { deptId: GENERATED_GUILD_DEPT_ID, name: "Platform guild", parentId: GENERATED_FIRST_TEAM_DEPT_ID },
        ],
        users: [
          { userid: "123", name: "Zhang San", deptIds: [DEFAULT_DEMO_DEPT_ID] },
          { userid: "456", name: "Li Si", deptIds: [DEFAULT_DEMO_DEPT_ID] },
          ...generatedUsers,
        ],
      },
    ],
    internalApps: [{ corpId: DEFAULT_CORP_ID, ...DEFAULT_INTERNAL_APP, name: "Demo internal app" }],
    suites: [
      {
        ...DEFAULT_SUITE,
        name: "Demo third-party app",
        authorizations: [{ corpId: DEFAULT_CORP_ID, agentId: DEFAULT_THIRD_PARTY_AGENT_ID }],
      },
    ],
    templates: [
      {
        templateId: DEFAULT_APPROVED_TEMPLATE_ID,
        status: "approved",
        title: "Order update",
        content: "Hello ${name}, your order is ready: ${name2}",
      },
      {
        templateId: DEFAULT_PENDING_TEMPLATE_ID,
        status: "pending",
        title: "Awaiting approval",
        content: "This template is still under review, ${name}.",
      },
    ],
  };
}

export function defaultWorld(): WorldSeed {
  return WorldSeed.parse(defaultWorldInput());
}

let index: World | undefined;

/**
 * The default world indexed once per process (about 2.5 MB for its 10,000
 * users) and shared by every mock state that starts from it.
 */
export function defaultWorldIndex(): World {
  return (index ??= new World(defaultWorld()));
}
