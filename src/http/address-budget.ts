/**
 * Requests per key (a client address) in a fixed one-minute window. The
 * per-user limit (@fastify/rate-limit, keyed by identity) cannot see that
 * one address is minting identity cookies to get a fresh budget each time;
 * this counts by address underneath it. @fastify/rate-limit takes one key per
 * request, hence this small counter beside it. Bounded: at most `maxKeys`
 * addresses are tracked; past that, windows that have ended are swept and,
 * failing that, the oldest entry goes.
 */
export class AddressBudget {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #perMinute: number;
  readonly #maxKeys: number;

  constructor(perMinute: number, maxKeys = 100_000) {
    this.#perMinute = perMinute;
    this.#maxKeys = maxKeys;
  }

  get perMinute(): number {
    return this.#perMinute;
  }

  /** Counts one request; returns the seconds to wait when the budget is spent, else 0. */
  take(key: string, now = Date.now()): number {
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      this.#windows.delete(key);
      window = { count: 0, resetAt: now + 60_000 };
      this.#makeRoom(now);
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window.count > this.#perMinute ? Math.ceil((window.resetAt - now) / 1000) : 0;
  }

  #makeRoom(now: number): void {
    if (this.#windows.size < this.#maxKeys) return;
    for (const [key, window] of this.#windows) {
      if (window.resetAt <= now) this.#windows.delete(key);
    }
    if (this.#windows.size >= this.#maxKeys) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
  }
}
