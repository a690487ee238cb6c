import type { CorpDirectory } from "../world/directory.ts";
import { PACKED_UNITS } from "../world/user-slots.ts";

import { splitList } from "../../protocol/wire-fields.ts";

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
  if (useridList !== undefined && slots) {
    const out = found;
    const text = useridList;
    const length = text.length;
    let start = 0;
    while (start <= length) {
      // One pass finds the entry's end and packs its units: the directory then hashes and confirms it from two integers, without reading it again.
      let low = 0;
      let high = 0;
      let wide = false;
      let end = start;
      for (; end < length; end++) {
        const code = text.charCodeAt(end);
        if (code === COMMA) break;
        const k = end - start;
        if (k < 4) low |= code << (k * 8);
        else if (k < PACKED_UNITS) high |= code << ((k - 4) * 8);
        if (code > 0xff) wide = true;
      }
      if (end > start && isPlain(text.charCodeAt(start)) && isPlain(text.charCodeAt(end - 1))) {
        listed += 1;
        const packs = !wide && end - start <= PACKED_UNITS;
        const slot = slots.slotOfPackedRange(text, start, end, low, high, packs);
        // `add` written out: the hot path of a 1,000-recipient send.
        if (slot < 0) invalidUsers.add(text.slice(start, end));
        else if (slots.mark(slot)) out[count++] = slot;
      } else {
        // Blank, or padded with what trim() removes: the rare case, read as splitList does.
        const trimmed = text.slice(start, end).trim();
        if (trimmed !== "") {
          listed += 1;
          const slot = slots.slotOf(trimmed);
          if (slot >= 0) add(slot);
          else invalidUsers.add(trimmed);
        }
      }
      start = end + 1;
    }
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

const COMMA = 0x2c;

/** A character trim() never removes: every whitespace and line terminator it knows is ≤ U+0020 or ≥ U+00A0. */
function isPlain(code: number): boolean {
  return code > 32 && code < 160;
}
