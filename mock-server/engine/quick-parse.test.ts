import { describe, expect, it } from "vitest";
import { SendByTemplateWire, TemplateData } from "../../protocol/index.ts";
import { quickSendByTemplateParams, quickTemplateData } from "./quick-parse.ts";
import { seededRandom } from "./seeded-random.ts";

const random = seededRandom(2026);
const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const ANY_VALUES: unknown[] = [
  undefined, null, true, 0, -0, 1, 123, -7, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 53 - 1,
  "", " ", "123", " 12 ", "u00001,u00002", '{"name":"x"}', [], ["x"], {}, { a: "b" }, { a: 1 },
];

describe("quickSendByTemplateParams", () => {
  it("takes the shape the worker and the SDKs send", () => {
    const params = { access_token: "t", agent_id: 123, template_id: "tpl", userid_list: "u00001", data: '{"name":"x"}' };
    expect(quickSendByTemplateParams(params)).toStrictEqual(SendByTemplateWire.parse(params));
  });

  it("returns what the schema returns whenever it answers, and leaves everything else to the schema", () => {
    let answered = 0;
    for (let i = 0; i < 5_000; i++) {
      const params: Record<string, unknown> = { access_token: "t", extra: pick(ANY_VALUES) };
      for (const key of ["agent_id", "template_id", "userid_list", "dept_id_list", "data"]) {
        const value = pick(ANY_VALUES);
        if (value !== undefined || random() < 0.5) params[key] = value;
      }
      // Bias towards well-formed sends so both branches are exercised.
      if (random() < 0.5) params.agent_id = pick([0, 1, 123, -5]);
      if (random() < 0.5) params.template_id = pick(["t", "e27a9eed42b34a14a2xxxx"]);
      for (const key of ["userid_list", "dept_id_list", "data"]) {
        if (random() < 0.5) params[key] = pick(["", "u00001", '{"name":"x"}']);
        else if (random() < 0.5) delete params[key];
      }
      const quick = quickSendByTemplateParams(params);
      if (quick === undefined) continue;
      answered += 1;
      const parsed = SendByTemplateWire.safeParse(params);
      expect(parsed.success, JSON.stringify(params)).toBe(true);
      expect(quick).toStrictEqual(parsed.data);
    }
    expect(answered).toBeGreaterThan(100);
  });
});

describe("quickTemplateData", () => {
  const KEYS = ["name", "name2", "constructor", "toString", "__proto__", "1", "0", "b", "a"];
  const VALUES: unknown[] = ["", "x", "中文", 1, null, true, {}, []];

  it("copies the data as the schema does, keys in the same order, whenever it answers", () => {
    let answered = 0;
    for (let i = 0; i < 5_000; i++) {
      // Built as JSON text, so keys like __proto__ are own keys, as JSON.parse makes them.
      const entries: string[] = [];
      for (let n = Math.floor(random() * 4); n > 0; n--) {
        const value = random() < 0.8 ? pick(["", "x", "中文"]) : pick(VALUES);
        entries.push(`${JSON.stringify(pick(KEYS))}:${JSON.stringify(value)}`);
      }
      const value: unknown = random() < 0.95 ? JSON.parse(`{${entries.join(",")}}`) : pick(VALUES);
      const quick = quickTemplateData(value);
      if (quick === undefined) continue;
      answered += 1;
      const parsed = TemplateData.safeParse(value);
      expect(parsed.success, JSON.stringify(value)).toBe(true);
      expect(quick).toStrictEqual(parsed.data);
      expect(Object.keys(quick)).toEqual(Object.keys(parsed.data!));
      expect(quick).not.toBe(value);
    }
    expect(answered).toBeGreaterThan(1_000);
  });

  it("leaves a __proto__ key, non-string values and non-objects to the schema", () => {
    expect(quickTemplateData(JSON.parse('{"__proto__":"x","a":"b"}'))).toBeUndefined();
    expect(quickTemplateData({ a: 1 })).toBeUndefined();
    expect(quickTemplateData(["x"])).toBeUndefined();
    expect(quickTemplateData("x")).toBeUndefined();
    expect(quickTemplateData(null)).toBeUndefined();
  });
});
