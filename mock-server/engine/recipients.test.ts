import { describe, expect, it } from "vitest";
import { splitList } from "../../protocol/wire-fields.ts";
import { CorpDirectory } from "../world/directory.ts";
import { resolveRecipients } from "./recipients.ts";
import { seededRandom } from "./seeded-random.ts";

const corp = new CorpDirectory({
  corpId: "c",
  name: "C",
  departments: [
    { deptId: 1, name: "root" },
    { deptId: 2, name: "a", parentId: 1 },
    { deptId: 3, name: "b", parentId: 2 },
  ],
  users: [
    { userid: "u1", name: "U1", deptIds: [2] },
    { userid: "u2", name: "U2", deptIds: [2, 3] },
    { userid: "u3", name: "U3", deptIds: [3] },
    { userid: "张三", name: "Zhang", deptIds: [] },
  ],
});

/** What the mock did before it read lists in place: splitList, a directory lookup per id, a Set for each list. */
function reference(list: string | undefined, deptIds: number[]) {
  const recipients = new Set<string>();
  const invalid = new Set<string>();
  const ids = splitList(list);
  for (const userid of ids) (corp.user(userid) ? recipients : invalid).add(userid);
  const valid = deptIds.filter((id) => corp.hasDepartment(id));
  corp.forEachMemberSlot(valid, (slot) => recipients.add(corp.slots.useridAt(slot)));
  return { listedUserIds: ids.length, userids: [...recipients], invalidUserIds: [...invalid], invalidDeptIds: [...new Set(deptIds.filter((id) => !corp.hasDepartment(id)))] };
}

function resolved(list: string | undefined, deptIds: number[]) {
  const { slots, ...rest } = resolveRecipients(corp, list, deptIds);
  return { ...rest, userids: Array.from(slots, (slot) => corp.slots.useridAt(slot)) };
}

describe("resolveRecipients", () => {
  it("reads the list as splitList does: blanks skipped, entries trimmed, repeats kept once, unknown ids reported", () => {
    expect(resolved(" u2 ,,u1,u2,\u00a0nobody\t, 张三,u1", [])).toEqual({
      listedUserIds: 6,
      userids: ["u2", "u1", "张三"],
      invalidUserIds: ["nobody"],
      invalidDeptIds: [],
    });
    expect(resolved("", [])).toEqual({ listedUserIds: 0, userids: [], invalidUserIds: [], invalidDeptIds: [] });
    expect(resolved(undefined, [3, 9, 9])).toEqual({ listedUserIds: 0, userids: ["u2", "u3"], invalidUserIds: [], invalidDeptIds: [9] });
  });

  it("puts named recipients first, then department members in tree order, each once", () => {
    expect(resolved("u3", [2]).userids).toEqual(["u3", "u1", "u2"]);
  });

  it("matches the reference on random lists, one send after another", () => {
    const random = seededRandom(3);
    const pieces = ["u1", "u2", "u3", "张三", "u", "u12", "U1", " u1", "u2 ", "", " ", "\n", "x,y"];
    for (let round = 0; round < 500; round++) {
      const list = Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join(",");
      const depts = Array.from({ length: Math.floor(random() * 3) }, () => 1 + Math.floor(random() * 4));
      expect(resolved(list, depts)).toEqual(reference(list, depts));
    }
  });

  it("reports every id as unknown without a corp", () => {
    expect(resolveRecipients(undefined, "u1,u1,u2", [2])).toEqual({ listedUserIds: 3, slots: new Uint32Array(0), invalidUserIds: ["u1", "u2"], invalidDeptIds: [2] });
  });
});
