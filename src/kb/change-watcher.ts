/**
 * Notices files changed on disk by someone else. fs.watch (recursive) marks
 * paths dirty; the knowledge base re-checks them on its next use. Where
 * watching is unavailable, `needsRescan()` asks for a full (stat-only) check
 * at most every `rescanIntervalMs`, again only on use — no idle timers.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../logger.ts';

export class ChangeWatcher {
  readonly #rescanIntervalMs: number;
  #watcher: FSWatcher | undefined;
  #dirty = new Set<string>();
  #overflow = false;
  #lastRescan = Date.now();

  constructor(root: string, options: { enabled: boolean; rescanIntervalMs: number; logger?: Logger }) {
    this.#rescanIntervalMs = options.rescanIntervalMs;
    if (!options.enabled) return;
    try {
      this.#watcher = watch(root, { recursive: true, persistent: false }, (_event, filename) => {
        if (!filename) {
          this.#overflow = true;
          return;
        }
        const rel = filename.toString().split(/[\\/]/).join('/');
        if (this.#dirty.size > 10_000) this.#overflow = true;
        else this.#dirty.add(rel);
      });
      this.#watcher.on('error', (error) => {
        options.logger?.warn({ err: error }, 'knowledge-base watch failed; falling back to checks on use');
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch (error) {
      options.logger?.warn({ err: error }, 'knowledge-base watch unavailable; checking on use');
      this.#watcher = undefined;
    }
  }

  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  /** Paths reported changed since the last call. */
  takeDirty(): string[] {
    const paths = [...this.#dirty];
    this.#dirty.clear();
    return paths;
  }

  /** True when a full check is due: the watcher overflowed, or there is no watcher and the interval passed. */
  needsRescan(now = Date.now()): boolean {
    if (this.#overflow) return true;
    return !this.#watcher && now - this.#lastRescan >= this.#rescanIntervalMs;
  }

  markRescanned(now = Date.now()): void {
    this.#overflow = false;
    this.#lastRescan = now;
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
