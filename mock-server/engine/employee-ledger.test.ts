import { describe, expect, it } from "vitest";
import { UserSlots } from "../world/user-slots.ts";
import { EmployeeLedger, LEDGER_BYTES_PER_PLACE, LEDGER_BYTES_PER_UNLISTED_EMPLOYEE } from "./employee-ledger.ts";

const rules = { dailyCap: 3, dedupe: true };

describe("EmployeeLedger by directory slot", () => {
  it("answers by slot exactly as by userid", () => {
    const directory = new UserSlots(["a", "b", "c"]);
    const bySlot = new EmployeeLedger().of("corp/1", directory);
    const byUserid = new EmployeeLedger().of("corp/1");
    for (let i = 0; i < 40; i++) {
      const slot = i % 3;
      const day = i < 20 ? "2026-12-01" : "2026-12-02";
      const fingerprint = i % 5;
      const windowFull = i % 7 === 6;
      expect(bySlot.admitAt(slot, bySlot.dayNumber(day), fingerprint, rules, windowFull)).toEqual(
        byUserid.admit(directory.useridAt(slot), day, fingerprint, rules, windowFull),
      );
    }
    expect(bySlot.snapshot()).toEqual(byUserid.snapshot());
  });

  it("keeps what it knew before its directory was given, and employees the directory does not list", () => {
    const ledger = new EmployeeLedger();
    ledger.restore([["corp/1", [["b", { day: "2026-12-01", count: 2, fingerprints: ["a", "b"] }], ["gone", { day: "2026-12-01", count: 1, fingerprints: ["c"] }]]]]);
    const directory = new UserSlots(["a", "b"]);
    const app = ledger.of("corp/1", directory);
    expect(ledger.count("corp/1", "b", "2026-12-01")).toBe(2);
    expect(ledger.count("corp/1", "gone", "2026-12-01")).toBe(1);
    expect(app.admitAt(1, app.dayNumber("2026-12-01"), Number.parseInt("b", 36), rules, false).kind).toBe("duplicateContent");
    expect(app.admitAt(1, app.dayNumber("2026-12-01"), 99, rules, false).kind).toBe("ok");
    expect(app.admitAt(1, app.dayNumber("2026-12-01"), 98, rules, false)).toEqual({ kind: "dailyCap", day: "2026-12-01", count: 3 });
    // 64 places: the unlisted employee needed one past the directory's two, and room grows by at least 64.
    expect(app.bytes).toBe(64 * LEDGER_BYTES_PER_PLACE + LEDGER_BYTES_PER_UNLISTED_EMPLOYEE + 2 * 13);
    expect(ledger.snapshot()).toEqual([
      ["corp/1", [["b", { day: "2026-12-01", count: 3, fingerprints: ["a", "b", (99).toString(36)] }], ["gone", { day: "2026-12-01", count: 1, fingerprints: ["c"] }]]],
    ]);
  });

  it("stays right over more days than it names at once", () => {
    const directory = new UserSlots(["a", "b"]);
    const app = new EmployeeLedger().of("corp/1", directory);
    // "b" keeps its first day while "a" moves through 200 more.
    app.admitAt(1, app.dayNumber("2026-01-01"), 1, rules, false);
    for (let d = 0; d < 200; d++) {
      const day = new Date(Date.UTC(2026, 1, 1) + d * 86_400_000).toISOString().slice(0, 10);
      expect(app.admitAt(0, app.dayNumber(day), 1, rules, false).kind).toBe("ok");
      expect(app.count("a", day)).toBe(1);
    }
    expect(app.count("b", "2026-01-01")).toBe(1);
    expect(app.snapshot().map(([userid, entry]) => [userid, entry.day])).toEqual([
      ["a", "2026-08-19"],
      ["b", "2026-01-01"],
    ]);
  });
});
