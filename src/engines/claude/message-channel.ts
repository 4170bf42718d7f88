/**
 * A minimal unbounded async queue: one producer pushes, one consumer iterates.
 * Used for the streaming input of a live CLI (user messages in) and for the
 * messages of one turn (SDK messages out). Hand-written: it is twenty lines
 * and a library would add a dependency for less control over `end`/`fail`.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;

  push(item: T): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#notify();
  }

  /** Ends the iteration after the items already pushed. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** Ends the iteration with an error after the items already pushed. */
  fail(error: Error): void {
    if (this.#ended) return;
    this.#error = error;
    this.#ended = true;
    this.#notify();
  }

  get ended(): boolean {
    return this.#ended;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      while (this.#items.length > 0) yield this.#items.shift() as T;
      if (this.#ended) {
        if (this.#error) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
