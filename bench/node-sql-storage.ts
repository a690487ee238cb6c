/**
 * A Cloudflare `SqlStorage` look-alike over `node:sqlite`, so the Durable
 * Object's SQL modules (worker/durable/*) run unchanged in Node, where a
 * benchmark's clock advances during CPU work (inside workerd it does not).
 *
 * Benchmark support only, not product code. What it mimics:
 *   - `exec(sql, ...bindings)` runs the statement at once and returns a cursor
 *     with `toArray()`, `one()`, `next()`, `raw()` and iteration;
 *   - prepared statements are cached by their SQL text, as workerd's
 *     SqlStorage caches them;
 *   - `one()` throws unless exactly one row came back.
 * What it does not: workerd refuses BEGIN/COMMIT/SAVEPOINT in `exec` (the
 * object uses `transactionSync`); here the caller opens transactions itself
 * with `beginTransaction()` / `commit()` / `rollback()`.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";

type Row = Record<string, SqlStorageValue>;

class NodeSqlCursor<T extends Row> implements Iterable<T> {
  readonly #rows: T[];
  #index = 0;
  readonly columnNames: string[];
  readonly rowsRead: number;
  readonly rowsWritten: number;

  constructor(rows: T[], columnNames: string[], rowsWritten: number) {
    this.#rows = rows;
    this.columnNames = columnNames;
    this.rowsRead = rows.length;
    this.rowsWritten = rowsWritten;
  }

  next(): IteratorResult<T, undefined> {
    if (this.#index < this.#rows.length) return { done: false, value: this.#rows[this.#index++]! };
    return { done: true, value: undefined };
  }

  toArray(): T[] {
    const rest = this.#rows.slice(this.#index);
    this.#index = this.#rows.length;
    return rest;
  }

  one(): T {
    const rows = this.toArray();
    if (rows.length !== 1) throw new Error(`Expected exactly one result from SQL query, but got ${rows.length === 0 ? "no" : "multiple"} results.`);
    return rows[0]!;
  }

  *raw<U extends SqlStorageValue[]>(): IterableIterator<U> {
    for (const row of this.toArray()) yield this.columnNames.map((name) => row[name]) as U;
  }

  [Symbol.iterator](): IterableIterator<T> {
    const cursor = this;
    return (function* () {
      for (let step = cursor.next(); !step.done; step = cursor.next()) yield step.value;
    })();
  }
}

export interface NodeSqlStorageStats {
  /** Statements run through `exec`. */
  statements: number;
  /** Distinct SQL texts prepared (the statement cache's misses). */
  prepared: number;
}

export class NodeSqlStorage {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, { statement: StatementSync; columnNames: string[] }>();
  readonly stats: NodeSqlStorageStats = { statements: 0, prepared: 0 };

  /** `:memory:` by default: the Durable Object's SQLite does not fsync per transaction either. */
  constructor(location = ":memory:") {
    this.#db = new DatabaseSync(location);
  }

  exec<T extends Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    let cached = this.#statements.get(query);
    if (!cached) {
      const statement = this.#db.prepare(query);
      cached = { statement, columnNames: statement.columns().map((column) => column.name) };
      this.#statements.set(query, cached);
      this.stats.prepared += 1;
    }
    this.stats.statements += 1;
    // node:sqlite binds typed arrays, not bare ArrayBuffers.
    const params = bindings.map((value) => (value instanceof ArrayBuffer ? new Uint8Array(value) : value));
    let cursor: NodeSqlCursor<T>;
    if (cached.columnNames.length === 0) {
      const result = cached.statement.run(...params);
      cursor = new NodeSqlCursor<T>([], [], Number(result.changes));
    } else {
      cursor = new NodeSqlCursor<T>(cached.statement.all(...params) as T[], cached.columnNames, 0);
    }
    // Structurally the cursor workerd returns; the declared type is an abstract class.
    return cursor as unknown as SqlStorageCursor<T>;
  }

  get databaseSize(): number {
    const row = this.#db.prepare("SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()").get() as { size: number };
    return row.size;
  }

  beginTransaction(): void {
    this.#db.exec("BEGIN");
  }

  commit(): void {
    this.#db.exec("COMMIT");
  }

  rollback(): void {
    this.#db.exec("ROLLBACK");
  }

  /** Runs `closure` in one transaction, as `ctx.storage.transactionSync` does in the object. */
  transactionSync<R>(closure: () => R): R {
    this.beginTransaction();
    try {
      const result = closure();
      this.commit();
      return result;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }

  /** This object typed as the workers runtime's SqlStorage, for the modules that take one. */
  asSqlStorage(): SqlStorage {
    return this as unknown as SqlStorage;
  }
}
