/**
 * worker/STORAGE.md documents every table and column the object stores: the
 * page and the migrations must not drift apart. The schema is built for real
 * (node:sqlite, through the benchmarks' SqlStorage look-alike) and read back.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NodeSqlStorage } from "../bench/node-sql-storage.ts";
import { migrate, MIGRATIONS, SCHEMA_VERSION, storedSchemaVersion } from "./durable/schema.ts";

const STORAGE_MD = readFileSync(new URL("./STORAGE.md", import.meta.url), "utf8");

function builtSchema(): Map<string, string[]> {
  const storage = new NodeSqlStorage();
  const sql = storage.asSqlStorage();
  migrate(sql);
  const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").toArray();
  const schema = new Map(tables.map(({ name }) => [name, sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${name}')`).toArray().map((c) => c.name)]));
  storage.close();
  return schema;
}

/** `## \`table\`…` headings, each with the first column of its table. */
function documentedSchema(): Map<string, string[]> {
  const documented = new Map<string, string[]>();
  for (const section of STORAGE_MD.split(/^## /m).slice(1)) {
    const table = /^`([a-z_]+)`/.exec(section)?.[1];
    if (!table) continue;
    const rows = section.split("\n").filter((line) => /^\| `[a-z_]+` \|/.test(line));
    documented.set(table, rows.map((line) => /^\| `([a-z_]+)`/.exec(line)![1]!));
  }
  return documented;
}

describe("worker/STORAGE.md", () => {
  it("documents every table and every column the migrations create, and nothing else", () => {
    const built = builtSchema();
    const documented = documentedSchema();
    expect([...documented.keys()].sort()).toEqual([...built.keys()].sort());
    for (const [table, columns] of built) {
      // meta is a key-value table: its page lists the keys, which the code writes.
      if (table === "meta") continue;
      expect({ table, columns: documented.get(table) }).toEqual({ table, columns });
    }
    expect(documented.get("meta")).toEqual(["schema_version", "owner", "suite_ticket"]);
  });
});

describe("schema migrations", () => {
  it("bring a new object to SCHEMA_VERSION, and run again change nothing", () => {
    const storage = new NodeSqlStorage();
    const sql = storage.asSqlStorage();
    expect(storedSchemaVersion(sql)).toBe(0);
    expect(migrate(sql)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(migrate(sql)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    storage.close();
  });

  it("refuse storage written by a newer version", () => {
    const storage = new NodeSqlStorage();
    const sql = storage.asSqlStorage();
    migrate(sql);
    sql.exec("UPDATE meta SET value = ? WHERE key = 'schema_version'", String(SCHEMA_VERSION + 1));
    expect(() => migrate(sql)).toThrow(`schema version ${SCHEMA_VERSION + 1}`);
    storage.close();
  });
});
