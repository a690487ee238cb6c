import { describe, expect, it } from "vitest";
import { splitList } from "../../protocol/wire-fields.ts";
import { UserSlots } from "../world/user-slots.ts";
import { seededRandom } from "./seeded-random.ts";
import { readUseridList } from "./userid-list-reader.ts";

const userids = ["u00001", "u00002", "u0000001", "u00000001", "manager4", "张三", "uÿ1", "a"];
const slots = new UserSlots(userids);

/** What the reader must agree with: splitList, then one lookup per entry, first sighting kept. */
function reference(list: string): { listed: number; slots: number[]; invalid: string[] } {
  const ids = splitList(list);
  const seen = new Set<number>();
  const invalid = new Set<string>();
  for (const id of ids) {
    const slot = slots.slotOf(id);
    if (slot < 0) invalid.add(id);
    else seen.add(slot);
  }
  return { listed: ids.length, slots: [...seen], invalid: [...invalid] };
}

function read(list: string): { listed: number; slots: number[]; invalid: string[] } {
  slots.clearMarks();
  const out = new Uint32Array(slots.size);
  const invalid = new Set<string>();
  const reading = readUseridList(list, slots, out, invalid);
  return { listed: reading.listed, slots: [...out.subarray(0, reading.found)], invalid: [...invalid] };
}

describe("readUseridList", () => {
  it("reads ASCII lists and lists with other characters as splitList and a lookup per entry would", () => {
    const random = seededRandom(5);
    // Known ids, near-misses, blanks, padding trim() removes, and characters above ASCII (which switch the reader to code units).
    const pieces = [...userids, "u00003", "u0000002", "manager", "managers4", "", " ", " u00001", "u00002\t", "\u00a0a", "x", "张四", "é"];
    for (let round = 0; round < 400; round++) {
      const ascii = round % 2 === 0;
      const entries = Array.from({ length: Math.floor(random() * 12) }, () => {
        for (;;) {
          const piece = pieces[Math.floor(random() * pieces.length)]!;
          if (!ascii || /^[\x00-\x7f]*$/.test(piece)) return piece;
        }
      });
      const list = entries.join(",");
      expect(read(list), JSON.stringify(list)).toEqual(reference(list));
    }
  });

  it("reads a list too long for its byte buffer by code units, with the same result", () => {
    const list = Array.from({ length: 200_000 }, (_, i) => userids[i % userids.length]!.replace("张三", "u00001")).join(",") + ",nobody";
    expect(list.length).toBeGreaterThan(1 << 20);
    expect(read(list)).toEqual(reference(list));
    expect(read(list).listed).toBe(200_001);
  });
});
