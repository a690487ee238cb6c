import { z } from "zod";

/**
 * The world the mock simulates: organisations with their directory, the apps
 * that may send into them, and the message templates. Seeded with
 * `PUT /__admin/world`; the default is in default-world.ts.
 */
export const Department = z.object({
  deptId: z.number().int().positive(),
  name: z.string().min(1),
  /** Absent for the root department (id 1). */
  parentId: z.number().int().positive().optional(),
});

export const User = z.object({
  userid: z.string().min(1),
  name: z.string().min(1),
  deptIds: z.array(z.number().int().positive()).default([]),
});

export const Corp = z.object({
  corpId: z.string().min(1),
  name: z.string().min(1),
  departments: z.array(Department).default([]),
  users: z.array(User).default([]),
});

/** An app an organisation built for itself: tokens from `/gettoken`, 1431xx codes. */
export const InternalApp = z.object({
  corpId: z.string().min(1),
  agentId: z.number().int().positive(),
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  name: z.string().min(1).default("Internal app"),
});

/** A third-party suite: tokens from `/service/get_corp_token` per authorised corp, 1432xx codes. */
export const Suite = z.object({
  suiteKey: z.string().min(1),
  suiteSecret: z.string().min(1),
  suiteTicket: z.string().min(1),
  name: z.string().min(1).default("Third-party app"),
  authorizations: z.array(z.object({ corpId: z.string().min(1), agentId: z.number().int().positive() })).default([]),
});

export const Template = z.object({
  templateId: z.string().min(1),
  status: z.enum(["approved", "pending", "rejected"]),
  title: z.string().min(1),
  /** Text with `${name}` placeholders, rendered into each employee's inbox. */
  content: z.string(),
  /** Apps that own the template; absent means every app may use it. */
  agentIds: z.array(z.number().int().positive()).optional(),
});

export const WorldSeed = z
  .object({
    corps: z.array(Corp).default([]),
    internalApps: z.array(InternalApp).default([]),
    suites: z.array(Suite).default([]),
    templates: z.array(Template).default([]),
  })
  .superRefine((world, ctx) => {
    const corpIds = new Set(world.corps.map((corp) => corp.corpId));
    const agents = new Set<string>();
    const claimAgent = (corpId: string, agentId: number, path: (string | number)[]) => {
      if (!corpIds.has(corpId)) ctx.addIssue({ code: "custom", path, message: `unknown corpId "${corpId}"` });
      const key = `${corpId}/${agentId}`;
      if (agents.has(key)) ctx.addIssue({ code: "custom", path, message: `agent ${agentId} is declared twice in ${corpId}` });
      agents.add(key);
    };
    world.internalApps.forEach((app, i) => claimAgent(app.corpId, app.agentId, ["internalApps", i, "corpId"]));
    world.suites.forEach((suite, i) =>
      suite.authorizations.forEach((auth, j) => claimAgent(auth.corpId, auth.agentId, ["suites", i, "authorizations", j])),
    );
    world.corps.forEach((corp, i) => {
      const deptIds = new Set(corp.departments.map((dept) => dept.deptId));
      corp.departments.forEach((dept, j) => {
        if (dept.parentId !== undefined && !deptIds.has(dept.parentId)) {
          ctx.addIssue({ code: "custom", path: ["corps", i, "departments", j, "parentId"], message: `unknown parent department ${dept.parentId}` });
        }
      });
      corp.users.forEach((user, j) => {
        const missing = user.deptIds.find((id) => !deptIds.has(id));
        if (missing !== undefined) {
          ctx.addIssue({ code: "custom", path: ["corps", i, "users", j, "deptIds"], message: `unknown department ${missing}` });
        }
      });
    });
  });

export type WorldSeedInput = z.input<typeof WorldSeed>;
export type WorldSeed = z.output<typeof WorldSeed>;
export type CorpSeed = z.output<typeof Corp>;
export type TemplateSeed = z.output<typeof Template>;
