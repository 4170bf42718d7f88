/** The last lines a CLI wrote to stderr, to explain why it failed. */
const TAIL_LINES = 20;
const SHOWN_LINES = 3;

export class StderrTail {
  readonly #lines: string[] = [];

  add(chunk: Buffer): void {
    this.#lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (this.#lines.length > TAIL_LINES) this.#lines.splice(0, this.#lines.length - TAIL_LINES);
  }

  /** The error, with the last stderr lines appended when they add something. */
  annotate(error: unknown): Error {
    const base = error instanceof Error ? error : new Error(String(error));
    const last = this.#lines.at(-1);
    if (last === undefined || base.message.includes(last)) return base;
    return new Error(
      `${base.message || 'Claude CLI failed'} (stderr: ${this.#lines.slice(-SHOWN_LINES).join(' | ')})`,
      {
        cause: base,
      },
    );
  }
}
