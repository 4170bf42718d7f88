/**
 * Serialises writes to the knowledge base's shared files (README, FAQ,
 * BADCASE) and its structure (INGEST: ingestion and deletes): an in-process
 * queue per lock name, then a lock that holds across processes. On one host
 * that is proper-lockfile; with several nodes (REDIS_URL) it is the cluster's
 * fenced KB writer lease (src/cluster/kb-sync.ts), handed in as a
 * `CrossProcessLock`. This module knows nothing of Redis.
 *
 * While a lock is held, every write through safe-write.ts first asks it
 * `check()` (a lease that lapsed refuses the write) and tells it which path
 * changed (`changed()`), so that the holder can announce the change to the
 * other nodes when it lets go.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

const LOCK_OPTIONS = { realpath: false, stale: 10_000, update: 2_000 } as const;
/** The waits between attempts (as proper-lockfile's `retries` would make them): about 13 s in all. */
const RETRIES = { retries: 60, minTimeout: 10, maxTimeout: 250, factor: 1.5 } as const;

/** What a write under a held lock may ask of it. */
export interface HeldWrite {
  /** Throws when the lock is no longer this holder's (a write now could undo another holder's). */
  check(): Promise<void>;
  /** A path (relative to the root) was written or removed under the lock. */
  changed(rel: string): void;
}

/** A lock that holds across processes, and across hosts where the implementation says so. */
export interface CrossProcessLock {
  /** Runs `fn` holding the lock `name` (e.g. 'FAQ.md'); released however `fn` ends. */
  hold<T>(name: string, fn: (held: HeldWrite) => Promise<T>): Promise<T>;
}

const current = new AsyncLocalStorage<HeldWrite>();

/** The lock the running write is under, if any (safe-write.ts asks it before each write). */
export function heldWrite(): HeldWrite | undefined {
  return current.getStore();
}

/** This process among the lock holders (a PID alone may be reused: a container's Docent is often PID 1). */
const HOLDER = JSON.stringify({ pid: process.pid, token: randomUUID() });

/**
 * proper-lockfile: one host, any number of processes. `check()` never refuses. Beside each lock, an owner
 * file names the holding process: a lock whose holder is gone (killed) is taken over at once, where
 * proper-lockfile alone would wait until it is stale (LOCK_OPTIONS.stale) by its mtime. The owner is
 * looked at before every attempt, not only the first, so a holder that dies while we wait is taken over
 * too; hence the retries are made here rather than by proper-lockfile.
 */
export function lockfileLock(root: string): CrossProcessLock {
  return {
    async hold<T>(name: string, fn: (held: HeldWrite) => Promise<T>): Promise<T> {
      const lockPath = path.join(root, `.${name.replace(/[/\\]/g, '_')}.lock`);
      const ownerPath = `${lockPath}.owner`;
      const release = await acquire(path.join(root, name), lockPath, ownerPath);
      try {
        await writeFile(ownerPath, HOLDER).catch(() => undefined);
        return await fn({ check: async () => {}, changed: () => {} });
      } finally {
        await rm(ownerPath, { force: true }).catch(() => undefined);
        await release().catch(() => undefined);
      }
    },
  };
}

async function acquire(file: string, lockPath: string, ownerPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    await takeOverFromDeadOwner(lockPath, ownerPath);
    try {
      return await lockfile.lock(file, { ...LOCK_OPTIONS, lockfilePath: lockPath, retries: 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || attempt >= RETRIES.retries) throw error;
    }
    const wait = Math.min(RETRIES.minTimeout * RETRIES.factor ** attempt, RETRIES.maxTimeout);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Removes the lock when its owner file names a process that is gone. The owner file is first claimed
 * by renaming it: of several waiters that saw the same dead owner, only one removes the lock (a second
 * removal would remove the lock its new holder had just made).
 */
async function takeOverFromDeadOwner(lockPath: string, ownerPath: string): Promise<void> {
  const owner = await readFile(ownerPath, 'utf8').catch(() => undefined);
  if (!holderIsGone(owner)) return;
  const claimed = `${ownerPath}.${randomUUID()}`;
  try {
    await rename(ownerPath, claimed);
  } catch {
    return; // another waiter claimed it first
  }
  if ((await readFile(claimed, 'utf8').catch(() => undefined)) !== owner) {
    // Another waiter took over first and this is its holder's file: put it back.
    await rename(claimed, ownerPath).catch(() => undefined);
    return;
  }
  await rm(lockPath, { recursive: true, force: true });
  await rm(claimed, { force: true });
}

/** True when an owner file names a process that no longer runs on this host (or an earlier one with this PID). */
function holderIsGone(owner: string | undefined): boolean {
  if (owner === undefined || owner === HOLDER) return false;
  let pid: unknown;
  try {
    pid = (JSON.parse(owner) as { pid?: unknown }).pid;
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || (pid as number) <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid as number, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface WriteLocksOptions {
  /** @default proper-lockfile on `root` */
  readonly crossProcess?: CrossProcessLock;
  /** Runs once the lock is held, before `fn`: bring what `fn` reads in line with the other holders' writes. */
  readonly afterAcquire?: () => Promise<void>;
}

export class WriteLocks {
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #cross: CrossProcessLock;
  readonly #afterAcquire: (() => Promise<void>) | undefined;

  constructor(root: string, options: WriteLocksOptions = {}) {
    this.#cross = options.crossProcess ?? lockfileLock(root);
    this.#afterAcquire = options.afterAcquire;
  }

  /** Runs `fn` holding the lock named `name` (e.g. 'FAQ.md') in this process and across processes. */
  async with<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // The chain holds only tails that never reject.
    const previous = this.#chains.get(name) ?? Promise.resolve();
    const run = previous.then(() =>
      this.#cross.hold(name, (held) =>
        current.run(held, async () => {
          await this.#afterAcquire?.();
          return fn();
        }),
      ),
    );
    const tail = run.catch(() => undefined);
    this.#chains.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#chains.get(name) === tail) this.#chains.delete(name);
    }
  }
}
