import type { AppKind } from "../../protocol/index.ts";
import { UserSlots } from "./user-slots.ts";
import type { CorpSeed, TemplateSeed, WorldSeed } from "./world-schema.ts";

/** An app as the send path sees it: who it is, where it sends, which codes it gets. */
export interface AppIdentity {
  kind: AppKind;
  corpId: string;
  agentId: number;
  name: string;
  /** appKey for internal apps, suiteKey for third-party apps. */
  credentialKey: string;
}

export interface DirectoryUser {
  userid: string;
  name: string;
  deptIds: number[];
}

/** One organisation's directory, indexed for the send path. */
export class CorpDirectory {
  readonly corpId: string;
  readonly name: string;
  readonly #users = new Map<string, DirectoryUser>();
  readonly #departments = new Map<number, { name: string; parentId?: number }>();
  readonly #children = new Map<number, number[]>();
  readonly #members = new Map<number, string[]>();
  /** The same members as slots, for expanding a send's departments without a lookup per member. */
  readonly #memberSlots = new Map<number, number[]>();
  /** Every employee numbered, in seed order (a userid seeded twice keeps its first number). */
  readonly slots: UserSlots;

  constructor(seed: CorpSeed) {
    this.corpId = seed.corpId;
    this.name = seed.name;
    for (const dept of seed.departments) {
      this.#departments.set(dept.deptId, { name: dept.name, parentId: dept.parentId });
      if (dept.parentId !== undefined) pushTo(this.#children, dept.parentId, dept.deptId);
    }
    const userids: string[] = [];
    for (const user of seed.users) {
      if (!this.#users.has(user.userid)) userids.push(user.userid);
      this.#users.set(user.userid, user);
      for (const deptId of user.deptIds) pushTo(this.#members, deptId, user.userid);
    }
    this.slots = new UserSlots(userids);
    for (const [deptId, members] of this.#members) this.#memberSlots.set(deptId, members.map((userid) => this.slots.slotOf(userid)));
  }

  user(userid: string): DirectoryUser | undefined {
    return this.#users.get(userid);
  }

  hasDepartment(deptId: number): boolean {
    return this.#departments.has(deptId);
  }

  departmentName(deptId: number): string | undefined {
    return this.#departments.get(deptId)?.name;
  }

  subDepartments(deptId: number): readonly number[] {
    return this.#children.get(deptId) ?? [];
  }

  directMembers(deptId: number): readonly string[] {
    return this.#members.get(deptId) ?? [];
  }

  users(): IterableIterator<DirectoryUser> {
    return this.#users.values();
  }

  departments(): { deptId: number; name: string; parentId?: number }[] {
    return [...this.#departments].map(([deptId, dept]) => ({ deptId, ...dept }));
  }

  /**
   * Every employee in the departments, sub-departments included, in tree
   * order, as slots: `visit` is called for each direct membership (an
   * employee in two of them comes twice; the caller keeps the first).
   */
  forEachMemberSlot(deptIds: readonly number[], visit: (slot: number) => void): void {
    const visited = new Set<number>();
    const stack: number[] = [];
    for (const root of deptIds) {
      stack.push(root);
      while (stack.length > 0) {
        const deptId = stack.pop()!;
        if (visited.has(deptId)) continue;
        visited.add(deptId);
        for (const slot of this.#memberSlots.get(deptId) ?? []) visit(slot);
        const children = this.subDepartments(deptId);
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
    }
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The seeded world, indexed: directories, apps by credential and by agent, templates. */
export class World {
  readonly seed: WorldSeed;
  readonly #corps = new Map<string, CorpDirectory>();
  readonly #appsByAgent = new Map<string, AppIdentity>();
  readonly #internalByKey = new Map<string, WorldSeed["internalApps"][number]>();
  readonly #suitesByKey = new Map<string, WorldSeed["suites"][number]>();
  readonly #templates = new Map<string, TemplateSeed>();

  constructor(seed: WorldSeed) {
    this.seed = seed;
    for (const corp of seed.corps) this.#corps.set(corp.corpId, new CorpDirectory(corp));
    for (const app of seed.internalApps) {
      this.#internalByKey.set(app.appKey, app);
      this.#appsByAgent.set(agentKey(app.corpId, app.agentId), {
        kind: "internal",
        corpId: app.corpId,
        agentId: app.agentId,
        name: app.name,
        credentialKey: app.appKey,
      });
    }
    for (const suite of seed.suites) {
      this.#suitesByKey.set(suite.suiteKey, suite);
      for (const auth of suite.authorizations) {
        this.#appsByAgent.set(agentKey(auth.corpId, auth.agentId), {
          kind: "thirdParty",
          corpId: auth.corpId,
          agentId: auth.agentId,
          name: suite.name,
          credentialKey: suite.suiteKey,
        });
      }
    }
    for (const template of seed.templates) this.#templates.set(template.templateId, template);
  }

  corp(corpId: string): CorpDirectory | undefined {
    return this.#corps.get(corpId);
  }

  corps(): IterableIterator<CorpDirectory> {
    return this.#corps.values();
  }

  app(corpId: string, agentId: number): AppIdentity | undefined {
    return this.#appsByAgent.get(agentKey(corpId, agentId));
  }

  apps(): IterableIterator<AppIdentity> {
    return this.#appsByAgent.values();
  }

  internalAppByKey(appKey: string) {
    return this.#internalByKey.get(appKey);
  }

  suiteByKey(suiteKey: string) {
    return this.#suitesByKey.get(suiteKey);
  }

  template(templateId: string): TemplateSeed | undefined {
    return this.#templates.get(templateId);
  }
}

export function agentKey(corpId: string, agentId: number): string {
  return `${corpId}/${agentId}`;
}
