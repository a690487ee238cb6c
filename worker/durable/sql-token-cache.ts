import type { CachedToken, TokenCache } from "../dingtalk/token-provider.ts";

/**
 * The token cache in the object's SQLite, so an evicted object does not ask
 * the vendor again. Every vendor call reads it, and only this cache writes its
 * row, so the row is also kept in memory once read: a read is then no statement.
 */
export class SqlTokenCache implements TokenCache {
  readonly #sql: SqlStorage;
  readonly #credentialKey: string;
  /** The row as last read or written; `null` when there is none, undefined until first read. */
  #known: CachedToken | null | undefined;

  constructor(sql: SqlStorage, credentialKey: string) {
    this.#sql = sql;
    this.#credentialKey = credentialKey;
  }

  read(): CachedToken | undefined {
    if (this.#known === undefined) {
      const row = this.#sql
        .exec<{ token: string; expires_at_ms: number }>("SELECT token, expires_at_ms FROM token_cache WHERE credential_key = ?", this.#credentialKey)
        .toArray()[0];
      this.#known = row ? { token: row.token, expiresAtMs: row.expires_at_ms } : null;
    }
    return this.#known ?? undefined;
  }

  write(token: CachedToken): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO token_cache (credential_key, token, expires_at_ms) VALUES (?, ?, ?)",
      this.#credentialKey,
      token.token,
      token.expiresAtMs,
    );
    this.#known = { ...token };
  }

  clear(): void {
    this.#sql.exec("DELETE FROM token_cache WHERE credential_key = ?", this.#credentialKey);
    this.#known = null;
  }
}
