import { ErrCode } from "../../protocol/index.ts";
import type { DingTalkClient } from "../dingtalk/client.ts";
import { DingTalkApiError } from "../dingtalk/errors.ts";

/** One department as the vendor's directory calls describe it. */
export interface DepartmentEntry {
  found: boolean;
  subDeptIds: number[];
  userids: string[];
  fetchedAtMs: number;
}

export interface DepartmentCache {
  read(deptId: number): DepartmentEntry | undefined;
  write(deptId: number, entry: DepartmentEntry): void;
}

export interface ExpandedDepartments {
  /** Every employee in the departments, sub-departments included, each once. */
  userids: string[];
  /** Requested departments the vendor does not know. */
  invalidDeptIds: number[];
}

export class TooManyDepartmentsError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`the departments expand to more than ${limit} departments`);
    this.limit = limit;
  }
}

/**
 * Expands departments to employees through the vendor's own directory calls
 * (listsubid, listid), so the per-employee limits hold for department sends
 * too. Each department is cached for `ttlMs`: a directory changes slowly, and
 * every call counts against the vendor's QPS and the Worker's subrequests.
 */
export async function expandDepartments(
  client: DingTalkClient,
  cache: DepartmentCache,
  deptIds: readonly number[],
  options: { nowMs: number; ttlMs: number; maxDepartments: number },
): Promise<ExpandedDepartments> {
  const userids = new Set<string>();
  const invalidDeptIds: number[] = [];
  const visited = new Set<number>();
  const requested = new Set(deptIds);
  let frontier = [...requested];
  while (frontier.length > 0) {
    const next: number[] = [];
    const fresh = frontier.filter((deptId) => !visited.has(deptId));
    for (const deptId of fresh) visited.add(deptId);
    if (visited.size > options.maxDepartments) throw new TooManyDepartmentsError(options.maxDepartments);
    const entries = await Promise.all(fresh.map((deptId) => department(client, cache, deptId, options)));
    fresh.forEach((deptId, i) => {
      const entry = entries[i]!;
      if (!entry.found) {
        if (requested.has(deptId)) invalidDeptIds.push(deptId);
        return;
      }
      for (const userid of entry.userids) userids.add(userid);
      next.push(...entry.subDeptIds);
    });
    frontier = next;
  }
  return { userids: [...userids], invalidDeptIds };
}

async function department(
  client: DingTalkClient,
  cache: DepartmentCache,
  deptId: number,
  options: { nowMs: number; ttlMs: number },
): Promise<DepartmentEntry> {
  const cached = cache.read(deptId);
  if (cached && options.nowMs - cached.fetchedAtMs < options.ttlMs) return cached;
  let entry: DepartmentEntry;
  try {
    const [subs, users] = await Promise.all([client.listSubDepartments(deptId), client.listDepartmentUsers(deptId)]);
    entry = { found: true, subDeptIds: subs.result.dept_id_list, userids: users.result.userid_list, fetchedAtMs: options.nowMs };
  } catch (error) {
    if (!(error instanceof DingTalkApiError && error.code === ErrCode.DEPARTMENT_NOT_FOUND)) throw error;
    entry = { found: false, subDeptIds: [], userids: [], fetchedAtMs: options.nowMs };
  }
  cache.write(deptId, entry);
  return entry;
}
