import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTRACT_CASES } from "./contract-cases.ts";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
const VENDOR_FACTS = read("../docs/dingtalk-api.md");
const SECTIONS = new Set([...VENDOR_FACTS.matchAll(/^## (.+)$/gm)].map((match) => match[1]!.trim()));

/** "docs/dingtalk-api.md § A; § B" → ["A", "B"]. */
function citedSections(source: string): string[] {
  return [...source.matchAll(/§ ([^;]+)/g)].map((match) => match[1]!.trim());
}

describe("every case cites a source anyone can open", () => {
  it("the vendor-facts page links the vendor's own pages", () => {
    const links = [...VENDOR_FACTS.matchAll(/\]\((https:\/\/[^)]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThanOrEqual(8);
    expect(links).toContain("https://help.dingtalk.io/zh/open/development/work-notification-templating-send-notification-interface");
  });

  for (const contractCase of CONTRACT_CASES) {
    it(`${contractCase.id} cites sections of docs/dingtalk-api.md that exist`, () => {
      expect(contractCase.source).toMatch(/^docs\/dingtalk-api\.md § /);
      const cited = citedSections(contractCase.source);
      expect(cited.length).toBeGreaterThan(0);
      for (const section of cited) expect(SECTIONS, `${contractCase.id}: § ${section}`).toContain(section);
    });
  }

  it("contract-tests/README.md lists every case with the same source", () => {
    const rows = new Map(
      [...read("./README.md").matchAll(/^\| `([a-z0-9.-]+)` \| .+? \| (docs\/dingtalk-api\.md § [^|]+?) \| [^|]+ \|$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    expect([...rows.keys()]).toEqual(CONTRACT_CASES.map((c) => c.id));
    for (const contractCase of CONTRACT_CASES) expect(rows.get(contractCase.id), contractCase.id).toBe(contractCase.source);
  });
});
