import type { CorpDirectory } from "../world/directory.ts";
import { splitList } from "../../protocol/wire-fields.ts";
import { readUseridList } from "./userid-list-reader.ts";

export { splitList };

export interface ResolvedRecipients {
  /** Entries in userid_list, blanks left out, repeats and unknown ids counted (what `splitList(list).length` says). */
  listedUserIds: number;
  /** Known employees as slots of the corp's directory, each once, named ones first, then department members in tree order. */
  slots: Uint32Array;
  invalidUserIds: string[];
  invalidDeptIds: number[];
}

/** Reused between sends (never across an await): the slots found so far, at most one per employee of the corp. */
let found = new Uint32Array(1024);

/**
 * Turns the requested ids into employees: unknown ids are reported,
 * departments expand to their members. `useridList` is read in place
 * (readUseridList): only unknown ids become strings.
 */
export function resolveRecipients(corp: CorpDirectory | undefined, useridList: string | undefined, deptIds: readonly number[]): ResolvedRecipients {
  const slots = corp?.slots;
  if (slots && found.length < slots.size) found = new Uint32Array(slots.size);
  slots?.clearMarks();
  let count = 0;
  let listed = 0;
  const invalidUsers = new Set<string>();
  const add = (slot: number) => {
    if (slots!.mark(slot)) found[count++] = slot;
  };
  if (useridList !== undefined && slots) {
    const reading = readUseridList(useridList, slots, found, invalidUsers);
    listed = reading.listed;
    count = reading.found;
  } else if (useridList !== undefined) {
    // No corp: every entry is unknown.
    for (const userid of splitList(useridList)) {
      listed += 1;
      invalidUsers.add(userid);
    }
  }
  const validDepts: number[] = [];
  const invalidDepts = new Set<number>();
  for (const deptId of deptIds) {
    if (corp?.hasDepartment(deptId)) validDepts.push(deptId);
    else invalidDepts.add(deptId);
  }
  if (corp && validDepts.length > 0) corp.forEachMemberSlot(validDepts, add);
  return { listedUserIds: listed, slots: found.slice(0, count), invalidUserIds: [...invalidUsers], invalidDeptIds: [...invalidDepts] };
}
