/**
 * A platform access token, cached until shortly before it expires, with one
 * refresh at a time: callers arriving during a refresh share its result.
 */

export interface IssuedToken {
  readonly token: string;
  /** Lifetime the platform granted, in seconds. */
  readonly expiresInS: number;
}

export interface AccessTokenCacheOptions {
  readonly fetch: () => Promise<IssuedToken>;
  /** Refresh this long before the platform's expiry. */
  readonly marginMs?: number;
  readonly now?: () => number;
}

export class AccessTokenCache {
  readonly #fetch: () => Promise<IssuedToken>;
  readonly #marginMs: number;
  readonly #now: () => number;
  #token: string | undefined;
  #expiresAt = 0;
  #refreshing: Promise<string> | undefined;
  /** Refreshes done, for health reporting and tests. */
  refreshes = 0;

  constructor(options: AccessTokenCacheOptions) {
    this.#fetch = options.fetch;
    this.#marginMs = options.marginMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    if (this.#token && this.#now() < this.#expiresAt - this.#marginMs) return this.#token;
    return this.refresh();
  }

  /**
   * Forgets `stale` (the platform said it is invalid). A token other than
   * `stale` is kept: it came from a refresh after that call was made, and
   * dropping it would make each of many callers failing at once refresh again.
   */
  invalidate(stale: string): void {
    if (this.#token !== stale) return;
    this.#token = undefined;
    this.#expiresAt = 0;
  }

  refresh(): Promise<string> {
    this.#refreshing ??= this.#fetch()
      .then((issued) => {
        this.refreshes += 1;
        this.#token = issued.token;
        this.#expiresAt = this.#now() + issued.expiresInS * 1000;
        return issued.token;
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }
}
