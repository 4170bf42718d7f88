/**
 * Notices files changed on disk by someone else. One fs.watch per folder
 * (not Node's recursive mode, which on Linux opens a watcher and runs a
 * synchronous stat per FILE) marks paths dirty; the knowledge base re-checks
 * them on its next use. When watching is unavailable or gives up (too many
 * folders, a watcher error, a new folder whose files were not seen),
 * `needsRescan()` asks for a full stat-only check, at most every
 * `rescanIntervalMs` and only on use — no idle timers.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { isHiddenName } from './kb-files.ts';

const MAX_WATCHED_FOLDERS = 4096;
const MAX_DIRTY = 10_000;

export interface ChangeWatcherOptions {
  readonly enabled: boolean;
  readonly rescanIntervalMs: number;
  readonly logger?: Logger;
  /** Called after a path is marked dirty (tests wait on it). */
  readonly onDirty?: (rel: string) => void;
}

export class ChangeWatcher {
  readonly #root: string;
  readonly #options: ChangeWatcherOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  #dirty = new Set<string>();
  #rescanDue = false;
  #degraded: boolean;
  #closed = false;
  #lastRescan = Date.now();
  /** Resolves once the initial folders are watched. */
  readonly ready: Promise<void>;

  constructor(root: string, options: ChangeWatcherOptions) {
    this.#root = root;
    this.#options = options;
    this.#degraded = !options.enabled;
    this.ready = options.enabled ? this.#watchTree(root, 0) : Promise.resolve();
  }

  get watching(): boolean {
    return !this.#degraded && this.#watchers.size > 0;
  }

  /** Paths reported changed since the last call. */
  takeDirty(): string[] {
    const paths = [...this.#dirty];
    this.#dirty.clear();
    return paths;
  }

  /** Marks paths changed by someone this watcher cannot see (another node), as its own events would. */
  markDirty(paths: readonly string[]): void {
    for (const rel of paths) this.#addDirty(rel);
  }

  /** Asks for a full stat-only check on the next use. */
  requestRescan(): void {
    this.#rescanDue = true;
  }

  /** True when a full check is due: an event could not be followed, or there is no watcher and the interval passed. */
  needsRescan(now = Date.now()): boolean {
    if (this.#rescanDue) return true;
    return this.#degraded && now - this.#lastRescan >= this.#options.rescanIntervalMs;
  }

  markRescanned(now = Date.now()): void {
    this.#rescanDue = false;
    this.#lastRescan = now;
  }

  close(): void {
    this.#closed = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  async #watchTree(dir: string, depth: number): Promise<void> {
    if (this.#closed || depth > 24) return;
    this.#watchFolder(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && !isHiddenName(entry.name))
        await this.#watchTree(path.join(dir, entry.name), depth + 1);
    }
  }

  #watchFolder(dir: string): void {
    if (this.#closed || this.#watchers.has(dir)) return;
    if (this.#watchers.size >= MAX_WATCHED_FOLDERS) {
      this.#degrade('too many folders to watch');
      return;
    }
    try {
      const watcher = watch(dir, { persistent: false }, (event, filename) => this.#onEvent(dir, event, filename));
      watcher.on('error', (error) => {
        watcher.close();
        this.#watchers.delete(dir);
        this.#rescanDue = true;
        this.#options.logger?.debug({ err: error, dir }, 'folder watch ended');
      });
      this.#watchers.set(dir, watcher);
    } catch (error) {
      this.#degrade(error instanceof Error ? error.message : String(error));
    }
  }

  #onEvent(dir: string, event: string, filename: string | Buffer | null): void {
    if (!filename) {
      this.#rescanDue = true;
      return;
    }
    const name = filename.toString();
    if (isHiddenName(name)) return;
    const abs = path.join(dir, name);
    const rel = path.relative(this.#root, abs).split(path.sep).join('/');
    this.#addDirty(rel);
    if (event === 'rename') {
      // Maybe a new folder: watch it, and rescan once since files may have landed before the watch.
      void readdir(abs)
        .then(() => {
          this.#rescanDue = true;
          return this.#watchTree(abs, 1);
        })
        .catch(() => undefined);
    }
    this.#options.onDirty?.(rel);
  }

  /** Past MAX_DIRTY paths, a full check replaces the list. */
  #addDirty(rel: string): void {
    if (this.#dirty.size >= MAX_DIRTY) this.#rescanDue = true;
    else this.#dirty.add(rel);
  }

  #degrade(reason: string): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#options.logger?.warn({ reason }, 'knowledge-base watch limited; checking for changes on use');
  }
}
