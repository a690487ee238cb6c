/**
 * worker/STORAGE.md documents every table and column the object stores: the
 * page and the migrations must not drift apart. The schema is built for real
 * (node:sqlite, through the benchmarks' SqlStorage look-alike) and read back.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NodeSqlStorage } from "../bench/node-sql-storage.ts";
import { migrate, MIGRATIONS, SCHEMA_VERSION, storedSchemaVersion } from "./durable/schema.ts";
import { SqlQuotaStore } from "./durable/sql-quota-store.ts";

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

  it("sum the minute window already stored per second when they reach version 5", () => {
    const storage = new NodeSqlStorage();
    const sql = storage.asSqlStorage();
    for (const statement of MIGRATIONS.slice(0, 4).flat()) sql.exec(statement);
    sql.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '4')");
    const T0 = 1_795_572_000_000;
    // Settled sends across a few seconds, two in the same second, and one still in flight.
    for (const [id, atMs, recipients, inFlight] of [["a/0", T0 + 200, 5, 0], ["b/0", T0 + 900, 7, 0], ["c/0", T0 + 1_000, 11, 0], ["d/0", T0 + 2_500, 13, 0], ["e/0", T0 + 100, 17, 1]] as const) {
      sql.exec("INSERT INTO minute_window (reservation_id, at_ms, recipients, in_flight) VALUES (?, ?, ?, ?)", id, atMs, recipients, inFlight);
    }
    expect(migrate(sql)).toEqual({ from: 4, to: SCHEMA_VERSION });
    expect(sql.exec("SELECT second, recipients FROM minute_window_seconds ORDER BY second").toArray()).toEqual([
      { second: 1_795_572_000, recipients: 12 },
      { second: 1_795_572_001, recipients: 11 },
      { second: 1_795_572_002, recipients: 13 },
    ]);
    const store = new SqlQuotaStore(sql);
    for (const since of [T0, T0 + 201, T0 + 1_000, T0 + 1_001, T0 + 2_600]) {
      expect(store.recipientsInWindow(since), `since T0 + ${since - T0}`).toBe(store.windowEntries(since).reduce((sum, e) => sum + e.recipients, 0));
    }
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
