/**
 * The knowledge base of several nodes: one folder on a shared volume (the
 * same KB_ROOT_PATH on every node), one search index per node, kept in line
 * through Redis.
 *
 * - **Writer lease.** Each of the knowledge base's write locks (FAQ.md,
 *   README.md, BADCASE.md, INGEST; src/kb/locks.ts) is a fenced lease in
 *   Redis, with the scripts of the conversation leases: `docent:{kb}:lease:<name>`
 *   (PX ttl, renewed every ttl/3) and `docent:{kb}:fence:<name>` (a token
 *   that only grows). Before every write the holder checks that the fence
 *   still holds its token, so a node paused past its lease cannot overwrite
 *   what the next holder wrote (up to the write itself: the file system
 *   checks no token).
 * - **Change stream.** When a holder lets go, the paths it wrote go to the
 *   stream `docent:{kb}:events` (MAXLEN ~10,000), appended in the same script
 *   that checks its fence: a holder that lost its lease announces nothing.
 *   Every node follows the stream with a blocking XREAD on a connection of its
 *   own and marks the paths dirty in its index (re-read on next use, as a
 *   watcher event would be); a node that takes a lease first reads the stream
 *   up to date, so it never writes from a stale index. After a Redis outage a
 *   node re-checks the whole folder once, since notices may have been missed.
 *
 * A stream, not pub/sub: pub/sub forgets what a briefly disconnected
 * subscriber missed. The `{kb}` hash tag keeps the fence and the stream in
 * one slot, as the fenced append needs.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CrossProcessLock, HeldWrite } from '../kb/locks.ts';
import { KbError } from '../kb/types.ts';
import type { Logger } from '../logger.ts';
import {
  ConversationLeases,
  LeaseBusyError,
  type LeaseKeys,
  LeaseUnavailableError,
  type ReleaseNotices,
} from './conversation-lease.ts';
import { ClusterUnavailableError } from './turn-gate.ts';

export const KB_EVENTS = 'docent:{kb}:events';
export const KB_LEASE_KEYS: LeaseKeys = {
  lease: (id) => `docent:{kb}:lease:${id}`,
  fence: (id) => `docent:{kb}:fence:${id}`,
};
const STREAM_MAXLEN = 10_000;
/** More paths than this in one write are announced as "re-check everything". */
const MAX_PATHS_PER_EVENT = 500;
const READ_BATCH = 500;
/** How long one blocking read waits; the reader connection's timeout is above it. */
export const KB_READ_BLOCK_MS = 1_000;

/** KEYS: fence, stream. ARGV: token, maxlen, node, lock, paths (JSON), rescan ('1' or '0'). */
const ANNOUNCE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STALE_FENCE another node holds the knowledge-base lock now') end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'node', ARGV[3], 'lock', ARGV[4], 'fence', ARGV[1], 'paths', ARGV[5], 'rescan', ARGV[6])
`;

const eventSchema = z.object({
  node: z.string().max(200),
  lock: z.string().max(200),
  paths: z.string().max(1_000_000),
  rescan: z.enum(['0', '1']).optional(),
});
const pathsSchema = z.array(z.string().min(1).max(4096)).max(MAX_PATHS_PER_EVENT);

/** What the stream's follower changes: the node's knowledge base. */
export interface KbChangeTarget {
  markChanged(paths: readonly string[]): void;
  requestRescan(): void;
}

export interface KbSyncStats {
  /** Writes that found the lock held by another node and waited. */
  leaseWaits: number;
  /** Waits that ran out (KB_BUSY). */
  leaseTimeouts: number;
  /** Writes refused because the lease was lost (KB_LEASE_LOST), and notices refused by the fence. */
  fenceRefusals: number;
  eventsPublished: number;
  /** Other nodes' notices applied to this node's index. */
  eventsApplied: number;
  /** Redis failures met by the lease or the stream follower. */
  redisErrors: number;
}

export interface KbSyncOptions {
  readonly command: Redis;
  /** A connection of its own for the blocking reads. */
  readonly reader: Redis;
  readonly notices: ReleaseNotices;
  readonly node: string;
  readonly logger: Logger;
  /** A lease lapses this long after its last renewal. @default 30000 */
  readonly ttlMs?: number;
  /** Longest a write waits for another node's lock. @default 60000 */
  readonly waitMs?: number;
}

/** Stream ids ("ms-seq") in order. */
function newer(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

type StreamEntry = [id: string, fields: string[]];

export class KbSync implements CrossProcessLock {
  readonly #command: Redis;
  readonly #reader: Redis;
  readonly #notices: ReleaseNotices;
  readonly #leases: ConversationLeases;
  readonly #node: string;
  readonly #logger: Logger;
  readonly #waitMs: number;
  readonly #stats: KbSyncStats = {
    leaseWaits: 0,
    leaseTimeouts: 0,
    fenceRefusals: 0,
    eventsPublished: 0,
    eventsApplied: 0,
    redisErrors: 0,
  };
  #lastId = '0-0';
  #target: KbChangeTarget | undefined;
  #following: Promise<void> | undefined;
  #closed = false;
  #holds = 0;

  constructor(options: KbSyncOptions) {
    this.#command = options.command;
    this.#reader = options.reader;
    this.#notices = options.notices;
    this.#node = options.node;
    this.#logger = options.logger.child({ area: 'kb-sync' });
    this.#waitMs = options.waitMs ?? 60_000;
    this.#leases = new ConversationLeases(options.command, {
      node: options.node,
      ttlMs: options.ttlMs ?? 30_000,
      keys: KB_LEASE_KEYS,
    });
  }

  /** Notes where the stream stands: call before the knowledge base is read, so no later change is missed. */
  async start(): Promise<void> {
    const last = (await this.#leases.run(this.#command.xrevrange(KB_EVENTS, '+', '-', 'COUNT', 1))) as StreamEntry[];
    this.#lastId = last[0]?.[0] ?? '0-0';
  }

  /** Applies other nodes' changes to `target` from now on (a blocking read loop on the reader connection). */
  follow(target: KbChangeTarget): void {
    this.#target = target;
    this.#following ??= this.#loop();
  }

  stats(): KbSyncStats {
    return { ...this.#stats };
  }

  async hold<T>(name: string, fn: (held: HeldWrite) => Promise<T>): Promise<T> {
    const id = `kb:${name}`;
    const holder = `kb${++this.#holds}`;
    const log = { lock: name, node: this.#node };
    let token: string;
    try {
      const first = await this.#leases.tryAcquire(id, holder);
      if (first.ok) token = first.token;
      else {
        this.#stats.leaseWaits += 1;
        this.#logger.debug({ ...log, holder: first.holder }, 'knowledge-base lock held by another node; waiting');
        token = (await this.#leases.acquire(id, holder, { timeoutMs: this.#waitMs, released: this.#notices })).token;
      }
    } catch (error) {
      if (error instanceof LeaseBusyError) {
        this.#stats.leaseTimeouts += 1;
        throw new KbError(
          'KB_BUSY',
          `Another node is still writing the knowledge base (${name}, held by ${error.holder}); retry shortly`,
        );
      }
      throw this.#unavailable(error, log);
    }
    const changed = new Set<string>();
    let rescan = false;
    let lost = false;
    const ttlMs = this.#leases.ttlMs;
    const timer = setInterval(
      () => {
        this.#leases.renew(id, holder, token).then(
          (held) => {
            if (!held) lost = true;
          },
          () => {
            this.#stats.redisErrors += 1;
          },
        );
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    const held: HeldWrite = {
      check: async () => {
        // Asked before each write: a lease that lapsed while this node was paused is caught here, not only by the renewal.
        const ours =
          !lost &&
          (await this.#leases.holdsFence(id, token).catch((error: unknown) => {
            throw this.#unavailable(error, log);
          }));
        if (!ours) {
          lost = true;
          this.#stats.fenceRefusals += 1;
          this.#logger.warn({ ...log, fence: token }, 'knowledge-base write refused: the lock was lost');
          throw new KbError('KB_LEASE_LOST', `This node lost the knowledge-base lock (${name}); the write was refused`);
        }
      },
      changed: (rel) => {
        if (changed.size >= MAX_PATHS_PER_EVENT) rescan = true;
        else changed.add(rel);
      },
    };
    try {
      // The previous holder announced its writes before letting go: read them before writing on top.
      await this.#catchUp();
      return await fn(held);
    } finally {
      clearInterval(timer);
      if (changed.size > 0 || rescan) await this.#announce(name, token, [...changed], rescan, log);
      await this.#leases.release(id, holder, token).catch(() => {
        this.#stats.redisErrors += 1;
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.disconnect();
    await this.#following;
  }

  async #announce(
    name: string,
    token: string,
    paths: string[],
    rescan: boolean,
    log: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.#leases.run(
        this.#command.eval(
          ANNOUNCE,
          2,
          KB_LEASE_KEYS.fence(`kb:${name}`),
          KB_EVENTS,
          token,
          STREAM_MAXLEN,
          this.#node,
          name,
          JSON.stringify(paths),
          rescan ? '1' : '0',
        ),
      );
      this.#stats.eventsPublished += 1;
    } catch (error) {
      const message = (error as Error).message;
      if (message.includes('STALE_FENCE')) this.#stats.fenceRefusals += 1;
      else this.#stats.redisErrors += 1;
      // The other nodes see these paths at their next full re-check (after an outage) or the next change of them.
      this.#logger.warn({ ...log, paths: paths.length, err: message }, 'knowledge-base change not announced');
    }
  }

  #unavailable(error: unknown, log: Record<string, unknown>): Error {
    if (error instanceof KbError) return error;
    if (error instanceof LeaseUnavailableError) {
      this.#stats.redisErrors += 1;
      this.#logger.warn({ ...log, err: error.message }, 'knowledge-base lock unavailable');
      return new ClusterUnavailableError('Shared state (Redis) is unavailable; retry shortly', { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Reads what the stream holds past the last entry seen (not blocking). */
  async #catchUp(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const entries = (await this.#leases
        .run(this.#command.xrange(KB_EVENTS, `(${this.#lastId}`, '+', 'COUNT', READ_BATCH))
        .catch((error: unknown) => {
          throw this.#unavailable(error, { lock: 'catch-up' });
        })) as StreamEntry[];
      this.#apply(entries);
      if (entries.length < READ_BATCH) return;
    }
  }

  async #loop(): Promise<void> {
    let failing = false;
    while (!this.#closed) {
      try {
        const reply = (await this.#reader.xread(
          'COUNT',
          READ_BATCH,
          'BLOCK',
          KB_READ_BLOCK_MS,
          'STREAMS',
          KB_EVENTS,
          this.#lastId,
        )) as Array<[string, StreamEntry[]]> | null;
        if (failing) {
          failing = false;
          // Notices written while this node could not read may be trimmed, or their writes may have half-happened.
          this.#target?.requestRescan();
          this.#logger.info('knowledge-base change stream followed again; the folder is re-checked on next use');
        }
        this.#apply(reply?.[0]?.[1] ?? []);
      } catch (error) {
        if (this.#closed) return;
        if (!failing) {
          this.#stats.redisErrors += 1;
          this.#logger.warn({ err: (error as Error).message }, 'knowledge-base change stream unreadable; retrying');
        }
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
  }

  #apply(entries: readonly StreamEntry[]): void {
    // Before follow() there is nobody to tell: leave the entries for then.
    if (!this.#target) return;
    for (const [id, fields] of entries) {
      if (!newer(id, this.#lastId)) continue;
      this.#lastId = id;
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
      const event = eventSchema.safeParse(record);
      if (!event.success) {
        this.#logger.warn({ id }, 'malformed knowledge-base change notice ignored');
        continue;
      }
      if (event.data.node === this.#node) continue;
      let paths: string[] = [];
      try {
        paths = pathsSchema.parse(JSON.parse(event.data.paths));
      } catch {
        this.#target?.requestRescan();
        continue;
      }
      this.#target?.markChanged(paths);
      if (event.data.rescan === '1') this.#target?.requestRescan();
      this.#stats.eventsApplied += 1;
      this.#logger.debug({ id, from: event.data.node, lock: event.data.lock, paths }, 'knowledge-base change applied');
    }
  }
}
