import { describe, expect, it } from "vitest";
import { seededRandom } from "../engine/seeded-random.ts";
import { packUnits, UserSlots } from "./user-slots.ts";

describe("UserSlots", () => {
  it("finds every userid at its seed position, by string and by a range of a longer text, and nobody else", () => {
    const random = seededRandom(7);
    // Varied lengths and characters, two-byte ones and near-misses of each other included.
    const userids = Array.from({ length: 3_000 }, (_, i) => `${i % 3 === 0 ? "员工" : "u"}${i.toString(36)}${"-".repeat(Math.floor(random() * 4))}`);
    const slots = new UserSlots(userids);
    expect(slots.size).toBe(3_000);
    userids.forEach((userid, slot) => {
      expect(slots.slotOf(userid)).toBe(slot);
      expect(slots.useridAt(slot)).toBe(userid);
      const text = `,,${userid},`;
      expect(slots.slotOfRange(text, 2, 2 + userid.length)).toBe(slot);
      // A prefix or an extension of a userid is someone else (or nobody).
      expect(slots.slotOf(userid + "?")).toBe(-1);
      expect(slots.slotOfRange(text, 2, 1 + userid.length)).toBe(userids.indexOf(userid.slice(0, -1)));
    });
    expect(slots.slotOf("")).toBe(-1);
    expect(new UserSlots([]).slotOf("u1")).toBe(-1);
  });

  it("finds a packed range (packed while read) exactly as slotOfRange does", () => {
    // Around the packing limit: 7, 8 and 9 units, units above 255, and near-misses that differ in one unit or in length.
    const userids = ["u00001", "u0000001", "u00000001", "manager4", "manager", "员工01", "uÿ000001", "a", "ab,c".slice(0, 2), "x\u0100"];
    const slots = new UserSlots(userids);
    const probes = [...userids, "u00002", "u0000002", "u00000002", "manager5", "managers", "员工02", "uÿ000002", "b", "abc", "x\u0101", "u0000"];
    for (const probe of probes) {
      const text = `,${probe},`;
      const [start, end] = [1, 1 + probe.length];
      const packed = packUnits(text, start, end);
      const found = slots.slotOfPackedRange(text, start, end, packed?.[0] ?? 0, packed?.[1] ?? 0, packed !== undefined);
      expect(found).toBe(slots.slotOfRange(text, start, end));
      expect(found).toBe(userids.indexOf(probe));
    }
    expect(packUnits("u0000001", 0, 8)).toBeDefined();
    expect(packUnits("u00000001", 0, 9)).toBeUndefined();
    expect(packUnits("员工", 0, 2)).toBeUndefined();
  });

  it("refuses a userid twice (the directory numbers each once)", () => {
    expect(() => new UserSlots(["a", "b", "a"])).toThrow(/appears twice/);
  });

  it("marks each slot once per round, and a new round starts with none marked", () => {
    const slots = new UserSlots(["a", "b", "c"]);
    slots.clearMarks();
    expect([slots.mark(0), slots.mark(2), slots.mark(0)]).toEqual([true, true, false]);
    slots.clearMarks();
    expect([slots.mark(0), slots.mark(1), slots.mark(1)]).toEqual([true, true, false]);
  });
});
