import type { CorpDirectory } from "../world/directory.ts";

export { splitList } from "../../protocol/wire-fields.ts";

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
 * departments expand to their members. `useridList` is read in place, the way
 * `splitList` reads it (commas, blanks ignored, each entry trimmed), without
 * building a string per entry: only unknown ids become strings.
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
  if (useridList !== undefined) {
    let start = 0;
    while (start <= useridList.length) {
      let end = useridList.indexOf(",", start);
      if (end === -1) end = useridList.length;
      if (end > start && isPlain(useridList.charCodeAt(start)) && isPlain(useridList.charCodeAt(end - 1))) {
        listed += 1;
        const slot = slots ? slots.slotOfRange(useridList, start, end) : -1;
        if (slot >= 0) add(slot);
        else invalidUsers.add(useridList.slice(start, end));
      } else {
        // Blank, or padded with what trim() removes: the rare case, read as splitList does.
        const trimmed = useridList.slice(start, end).trim();
        if (trimmed !== "") {
          listed += 1;
          const slot = slots ? slots.slotOf(trimmed) : -1;
          if (slot >= 0) add(slot);
          else invalidUsers.add(trimmed);
        }
      }
      start = end + 1;
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

/** A character trim() never removes: every whitespace and line terminator it knows is ≤ U+0020 or ≥ U+00A0. */
function isPlain(code: number): boolean {
  return code > 32 && code < 160;
}
