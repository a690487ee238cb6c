import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** The IETF Idempotency-Key draft's window, as the issue asks: a key is remembered for 24 h. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A first request still "in progress" after this long was cut short (its object restarted): a retry may take over. */
const STALE_IN_PROGRESS_MS = 2 * 60 * 1000;

/**
 * A remembered answer, small whatever the answer was: one SQLite value holds
 * at most 2 MB, and the record of a large send is bigger. Small bodies are
 * kept as they are; a large one is kept as the notification it describes,
 * which the replay reads again.
 */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  notificationId?: string;
}

export type Begin =
  /** `earlier`: a first request with this key was cut short after naming this notification, which may hold its work. */
  | { kind: "proceed"; earlier?: string }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  /** `retryAfterMs`: when the first request's claim goes stale and a retry takes the key over. */
  | { kind: "in-progress"; retryAfterMs: number };

/**
 * One object per caller (API key or webhook sender) remembers its
 * Idempotency-Keys: the hash of the first request's body and its answer.
 * Concurrent requests with one key meet here: the first proceeds, the others
 * wait for its answer and get the same one.
 */
export class IdempotencyKeys extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #waiting = new Map<string, { promise: Promise<StoredResponse | undefined>; settle: (response: StoredResponse | undefined) => void }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.#sql.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        response TEXT
      )`);
      // The notification a request is about to create, stored before it runs: a request cut short leaves it for the retry to find.
      const columns = this.#sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('idempotency_keys')").toArray();
      if (!columns.some((column) => column.name === "notification_id")) this.#sql.exec("ALTER TABLE idempotency_keys ADD COLUMN notification_id TEXT");
      // The alarm forgets expired keys and finds the next to expire through it, not by reading every key.
      this.#sql.exec("CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at_ms)");
    });
  }

  /** `notificationId`: the notification the request will create, remembered before it runs. */
  async begin(key: string, requestHash: string, notificationId?: string): Promise<Begin> {
    const nowMs = Date.now();
    const row = this.#sql
      .exec<{ request_hash: string; created_at_ms: number; response: string | null; notification_id: string | null }>(
        "SELECT request_hash, created_at_ms, response, notification_id FROM idempotency_keys WHERE key = ?",
        key,
      )
      .toArray()[0];
    const live = row && nowMs - row.created_at_ms < IDEMPOTENCY_WINDOW_MS;
    if (live && row.request_hash !== requestHash) return { kind: "mismatch" };
    if (live && row.response !== null) return { kind: "replay", response: JSON.parse(row.response) as StoredResponse };
    if (live) {
      const waiter = this.#waiting.get(key);
      if (waiter) {
        // Bounded: a first request that never reports back (its isolate died) must not hold every retry forever.
        let timer: Parameters<typeof clearTimeout>[0];
        const giveUp = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, STALE_IN_PROGRESS_MS)));
        const response = await Promise.race([waiter.promise, giveUp]).finally(() => clearTimeout(timer));
        return response ? { kind: "replay", response } : { kind: "in-progress", retryAfterMs: staleIn(row.created_at_ms, Date.now()) };
      }
      if (nowMs - row.created_at_ms < STALE_IN_PROGRESS_MS) return { kind: "in-progress", retryAfterMs: staleIn(row.created_at_ms, nowMs) };
    }
    this.#sql.exec(
      "INSERT OR REPLACE INTO idempotency_keys (key, request_hash, created_at_ms, response, notification_id) VALUES (?, ?, ?, NULL, ?)",
      key,
      requestHash,
      nowMs,
      notificationId ?? null,
    );
    let settle!: (response: StoredResponse | undefined) => void;
    const promise = new Promise<StoredResponse | undefined>((resolve) => (settle = resolve));
    this.#waiting.set(key, { promise, settle });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(nowMs + IDEMPOTENCY_WINDOW_MS);
    // Taking over from a first request that was cut short: the caller looks for its notification before running again.
    const earlier = live && row.notification_id !== null ? row.notification_id : undefined;
    return earlier === undefined ? { kind: "proceed" } : { kind: "proceed", earlier };
  }

  /**
   * Stores the answer for replays; false when it could not be stored. Either
   * way the requests waiting for it are let go: unanswered, they would wait forever.
   */
  async complete(key: string, response: StoredResponse): Promise<boolean> {
    try {
      this.#sql.exec("UPDATE idempotency_keys SET response = ? WHERE key = ?", JSON.stringify(response), key);
    } catch {
      // The key stays "in progress" (409) until it is stale: a retry soon after must not run the request again.
      this.#settle(key, undefined);
      return false;
    }
    this.#settle(key, response);
    return true;
  }

  /** Forgets the key: the answer was one a retry could change (a full window, a busy vendor). */
  async abandon(key: string): Promise<void> {
    try {
      this.#sql.exec("DELETE FROM idempotency_keys WHERE key = ?", key);
    } finally {
      this.#settle(key, undefined);
    }
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    this.#sql.exec("DELETE FROM idempotency_keys WHERE created_at_ms < ?", nowMs - IDEMPOTENCY_WINDOW_MS);
    const oldest = this.#sql.exec<{ at: number | null }>("SELECT MIN(created_at_ms) AS at FROM idempotency_keys").one().at;
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + IDEMPOTENCY_WINDOW_MS);
  }

  #settle(key: string, response: StoredResponse | undefined): void {
    this.#waiting.get(key)?.settle(response);
    this.#waiting.delete(key);
  }
}

/** How long until a claim made at `createdAtMs` is stale; at least a second, so a retry is never told "now" too early. */
function staleIn(createdAtMs: number, nowMs: number): number {
  return Math.max(1_000, createdAtMs + STALE_IN_PROGRESS_MS - nowMs);
}
