import type { AppKind } from "../../protocol/index.ts";

/**
 * Access tokens the mock issued. A token belongs to one organisation and one
 * credential (an internal app's appKey or a suite's suiteKey): it may send as
 * any agent that credential owns in that organisation.
 */
export interface TokenGrant {
  corpId: string;
  kind: AppKind;
  credentialKey: string;
  expiresAtMs: number;
}

export type TokenCheck =
  | { kind: "valid"; grant: TokenGrant }
  | { kind: "missing" }
  | { kind: "invalid" }
  | { kind: "expired"; grant: TokenGrant };

export class TokenStore {
  #grants = new Map<string, TokenGrant>();
  /** The live token of each (credential, corp), for the vendor's reuse-while-valid behaviour. */
  #current = new Map<string, string>();

  issue(
    grant: Omit<TokenGrant, "expiresAtMs">,
    nowMs: number,
    ttlSeconds: number,
    options: { reuse: boolean; newToken: () => string },
  ): { token: string; grant: TokenGrant } {
    const slot = `${grant.credentialKey}@${grant.corpId}`;
    const expiresAtMs = nowMs + ttlSeconds * 1000;
    const existing = this.#current.get(slot);
    if (options.reuse && existing) {
      const held = this.#grants.get(existing);
      if (held && held.expiresAtMs > nowMs) {
        held.expiresAtMs = expiresAtMs;
        return { token: existing, grant: held };
      }
    }
    const token = options.newToken();
    const issued: TokenGrant = { ...grant, expiresAtMs };
    this.#grants.set(token, issued);
    this.#current.set(slot, token);
    this.#pruneExpired(nowMs);
    return { token, grant: issued };
  }

  check(token: string | undefined, nowMs: number): TokenCheck {
    if (!token) return { kind: "missing" };
    const grant = this.#grants.get(token);
    if (!grant) return { kind: "invalid" };
    // Valid through its last millisecond: a token at 7,199 s works, at 7,200 s it does not.
    if (nowMs >= grant.expiresAtMs) return { kind: "expired", grant };
    return { kind: "valid", grant };
  }

  /** Revokes every token, as if the vendor rotated them (admin use). */
  revokeAll(): void {
    this.#grants.clear();
    this.#current.clear();
  }

  get size(): number {
    return this.#grants.size;
  }

  /** Keeps expired tokens for a day so they answer 42001, not 40014; then forgets them. */
  #pruneExpired(nowMs: number): void {
    const forgetBefore = nowMs - 24 * 60 * 60 * 1000;
    for (const [token, grant] of this.#grants) {
      if (grant.expiresAtMs < forgetBefore) this.#grants.delete(token);
    }
  }

  snapshot(): { grants: [string, TokenGrant][]; current: [string, string][] } {
    return { grants: [...this.#grants], current: [...this.#current] };
  }

  restore(data: { grants: [string, TokenGrant][]; current: [string, string][] }): void {
    this.#grants = new Map(data.grants);
    this.#current = new Map(data.current);
  }
}
