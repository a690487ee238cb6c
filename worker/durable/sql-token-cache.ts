import type { CachedToken, TokenCache } from "../dingtalk/token-provider.ts";

/** The token cache in the object's SQLite, so an evicted object does not ask the vendor again. */
export class SqlTokenCache implements TokenCache {
  readonly #sql: SqlStorage;
  readonly #credentialKey: string;

  constructor(sql: SqlStorage, credentialKey: string) {
    this.#sql = sql;
    this.#credentialKey = credentialKey;
  }

  read(): CachedToken | undefined {
    const row = this.#sql
      .exec<{ token: string; expires_at_ms: number }>("SELECT token, expires_at_ms FROM token_cache WHERE credential_key = ?", this.#credentialKey)
      .toArray()[0];
    return row ? { token: row.token, expiresAtMs: row.expires_at_ms } : undefined;
  }

  write(token: CachedToken): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO token_cache (credential_key, token, expires_at_ms) VALUES (?, ?, ?)",
      this.#credentialKey,
      token.token,
      token.expiresAtMs,
    );
  }

  clear(): void {
    this.#sql.exec("DELETE FROM token_cache WHERE credential_key = ?", this.#credentialKey);
  }
}
