import type { DepartmentCache, DepartmentEntry } from "../send/department-directory.ts";

export class SqlDepartmentCache implements DepartmentCache {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  read(deptId: number): DepartmentEntry | undefined {
    const row = this.#sql
      .exec<{ found: number; sub_dept_ids: string; userids: string; fetched_at_ms: number }>(
        "SELECT found, sub_dept_ids, userids, fetched_at_ms FROM department_cache WHERE dept_id = ?",
        deptId,
      )
      .toArray()[0];
    if (!row) return undefined;
    return { found: row.found === 1, subDeptIds: JSON.parse(row.sub_dept_ids), userids: JSON.parse(row.userids), fetchedAtMs: row.fetched_at_ms };
  }

  write(deptId: number, entry: DepartmentEntry): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO department_cache (dept_id, found, sub_dept_ids, userids, fetched_at_ms) VALUES (?, ?, ?, ?, ?)",
      deptId,
      entry.found ? 1 : 0,
      JSON.stringify(entry.subDeptIds),
      JSON.stringify(entry.userids),
      entry.fetchedAtMs,
    );
  }

  prune(olderThanMs: number): void {
    this.#sql.exec("DELETE FROM department_cache WHERE fetched_at_ms < ?", olderThanMs);
  }
}
