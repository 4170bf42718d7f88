/**
 * Serialises writes to the shared Markdown files (README, FAQ, BADCASE):
 * an in-process queue per file, plus proper-lockfile so two Docent
 * processes on one knowledge base do not interleave either.
 */
import path from 'node:path';
import lockfile from 'proper-lockfile';

const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  update: 2_000,
  retries: { retries: 60, minTimeout: 10, maxTimeout: 250, factor: 1.5 },
} as const;

export class WriteLocks {
  readonly #root: string;
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.#root = root;
  }

  /** Runs `fn` holding the lock named `name` (e.g. 'FAQ.md') in this process and across processes. */
  async with<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#crossProcess(name, fn));
    const tail = run.catch(() => undefined);
    this.#chains.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#chains.get(name) === tail) this.#chains.delete(name);
    }
  }

  async #crossProcess<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const target = path.join(this.#root, name);
    const release = await lockfile.lock(target, {
      ...LOCK_OPTIONS,
      lockfilePath: path.join(this.#root, `.${name.replace(/[/\\]/g, '_')}.lock`),
    });
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }
}
