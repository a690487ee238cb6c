import type { CorpDirectory } from "../world/directory.ts";

export { splitList } from "../../protocol/wire-fields.ts";

export interface ResolvedRecipients {
  /** Known employees, each once, named ones first, then department members in tree order. */
  userids: string[];
  invalidUserIds: string[];
  invalidDeptIds: number[];
}

/** Turns the requested ids into employees: unknown ids are reported, departments expand to their members. */
export function resolveRecipients(
  corp: CorpDirectory | undefined,
  userids: readonly string[],
  deptIds: readonly number[],
): ResolvedRecipients {
  const recipients = new Set<string>();
  const invalidUsers = new Set<string>();
  for (const userid of userids) {
    const user = corp?.user(userid);
    // The directory's own string, equal to the requested one: tasks and inboxes
    // then hold no per-request copy of every id.
    if (user) recipients.add(user.userid);
    else invalidUsers.add(userid);
  }
  const validDepts: number[] = [];
  const invalidDepts = new Set<number>();
  for (const deptId of deptIds) {
    if (corp?.hasDepartment(deptId)) validDepts.push(deptId);
    else invalidDepts.add(deptId);
  }
  corp?.expandDepartments(validDepts, recipients);
  return { userids: [...recipients], invalidUserIds: [...invalidUsers], invalidDeptIds: [...invalidDepts] };
}
