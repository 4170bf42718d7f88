/**
 * Answers that already got feedback, so one answer counts once (a script
 * cannot pump an FAQ row's usage, or log the same bad case a thousand times).
 * In memory and bounded: the oldest entries go first; after a restart an
 * answer may be rated once more, which the per-user rate limit still bounds.
 */
export class FeedbackLedger {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max = 50_000) {
    this.#max = max;
  }

  /** Records the answer; false when it was already recorded. */
  claim(sessionId: string, turn: number): boolean {
    const key = `${sessionId}#${turn}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > this.#max) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }
}
