/**
 * Access tokens, cached until 10 minutes before they expire (the vendor's
 * advice) and fetched once for all concurrent callers. Where the cache lives
 * is pluggable: memory by default, a Durable Object's SQLite in the worker.
 */
export interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export interface TokenCache {
  read(): CachedToken | undefined | Promise<CachedToken | undefined>;
  write(token: CachedToken): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** Fetches a fresh token from the vendor; `expiresInSeconds` comes from its answer. */
export type TokenFetcher = () => Promise<{ token: string; expiresInSeconds: number }>;

export const TOKEN_REFRESH_MARGIN_MS = 10 * 60 * 1000;

export class MemoryTokenCache implements TokenCache {
  #token: CachedToken | undefined;
  read() {
    return this.#token;
  }
  write(token: CachedToken) {
    this.#token = token;
  }
  clear() {
    this.#token = undefined;
  }
}

export class TokenProvider {
  readonly #fetchToken: TokenFetcher;
  readonly #cache: TokenCache;
  readonly #now: () => number;
  #inFlight: Promise<string> | undefined;

  constructor(fetchToken: TokenFetcher, options: { cache?: TokenCache; now?: () => number } = {}) {
    this.#fetchToken = fetchToken;
    this.#cache = options.cache ?? new MemoryTokenCache();
    this.#now = options.now ?? Date.now;
  }

  /** A token valid for at least the refresh margin; `rejected` is the token the vendor just refused. */
  async token(rejected?: string): Promise<string> {
    const cached = await this.#cache.read();
    if (cached && cached.token !== rejected && cached.expiresAtMs - TOKEN_REFRESH_MARGIN_MS > this.#now()) return cached.token;
    this.#inFlight ??= this.#refresh().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #refresh(): Promise<string> {
    const startedAt = this.#now();
    const { token, expiresInSeconds } = await this.#fetchToken();
    // Count the lifetime from before the call: the vendor's clock started no later.
    await this.#cache.write({ token, expiresAtMs: startedAt + expiresInSeconds * 1000 });
    return token;
  }
}
