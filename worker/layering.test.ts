import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every module specifier a source file imports or re-exports, types included. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/g;
  const dynamic = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of source.matchAll(statement)) found.push(match[1]!);
  for (const match of source.matchAll(dynamic)) found.push(match[1]!);
  return found;
}

/** The worker as deployed: its sources without the tests, which may use the mock as their DingTalk. */
function workerSources(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "test") walk(path);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts")) files.push(path);
    }
  };
  walk(join(ROOT, "worker"));
  return files;
}

/** "from -> to" for each relative import, as repository paths. */
function importEdges(): string[] {
  const edges: string[] = [];
  for (const file of workerSources()) {
    for (const specifier of importsOf(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      edges.push(`${relative(ROOT, file).split(sep).join("/")} -> ${relative(ROOT, target).split(sep).join("/")}`);
    }
  }
  return edges;
}

describe("the worker's import directions", () => {
  it("reads every kind of import statement", () => {
    const source = [
      'import { a } from "../mock-server/a.ts";',
      'import type { B } from "../durable/b.ts";',
      "import {\n  c,\n  d,\n} from './c.ts';",
      'export * from "./e.ts";',
      'import "./f.ts";',
      'const g = await import("./g.ts");',
    ].join("\n");
    expect(importsOf(source)).toEqual(["../mock-server/a.ts", "../durable/b.ts", "./c.ts", "./e.ts", "./f.ts", "./g.ts"]);
  });

  it("finds the worker's own modules (so the rules below look at something)", () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(50);
    expect(edges).toContain("worker/index.ts -> worker/app.ts");
  });

  it("never imports the mock: the deployed worker must not bundle its own test double", () => {
    expect(importEdges().filter((edge) => edge.split(" -> ")[1]!.startsWith("mock-server/"))).toEqual([]);
  });

  it("keeps send/ and http/ below durable/: the Durable Object uses them, never the other way round", () => {
    const upward = importEdges().filter((edge) => /^worker\/(send|http)\/\S+ -> worker\/durable\//.test(edge));
    expect(upward).toEqual([]);
  });
});
