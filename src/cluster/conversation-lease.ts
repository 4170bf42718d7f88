/**
 * One turn of a conversation at a time across nodes: a lease per
 * conversation in Redis with a fencing token. The token comes from Redis
 * TIME (microseconds) or the last token plus one, whichever is larger, so it
 * only grows, even after a restart that lost the last second of writes.
 * Writes a turn makes (transcript, session record) are accepted only while
 * the conversation's fence still holds the turn's token.
 */
import type { Redis } from 'ioredis';

const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current, redis.call('PTTL', KEYS[1])} end
local t = redis.call('TIME')
local token = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = redis.call('GET', KEYS[2])
if last and tonumber(last) >= token then token = tonumber(last) + 1 end
local text = string.format('%.0f', token)
redis.call('SET', KEYS[2], text)
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. text, 'PX', ARGV[2])
return {1, text, last or ''}
`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

/** The channel on which a released conversation is announced, to wake waiters on every node. */
export const RELEASED_CHANNEL = 'docent:released';

export const leaseKey = (sessionId: string) => `docent:lease:{${sessionId}}`;
export const fenceKey = (sessionId: string) => `docent:fence:{${sessionId}}`;

export type AcquireAttempt =
  | { readonly ok: true; readonly token: string; readonly previousToken: string | undefined }
  | { readonly ok: false; readonly holder: string; readonly retryInMs: number };

export class LeaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseUnavailableError';
  }
}

/** The wait for a busy conversation's lease ran out (another turn of it kept running). */
export class LeaseBusyError extends LeaseUnavailableError {
  constructor(
    message: string,
    readonly holder: string,
    readonly retryInMs: number,
  ) {
    super(message);
    this.name = 'LeaseBusyError';
  }
}

/** Where a kind of lease lives in Redis: its lease and fence keys by id. */
export interface LeaseKeys {
  lease(id: string): string;
  fence(id: string): string;
}

export const CONVERSATION_KEYS: LeaseKeys = { lease: leaseKey, fence: fenceKey };

export interface ConversationLeasesOptions {
  /** Who holds a lease: `node:worker`, for operators reading Redis. */
  readonly node: string;
  /** @default the conversation keys (`docent:lease:{id}`, `docent:fence:{id}`) */
  readonly keys?: LeaseKeys;
  /** A lease lapses this long after its last renewal. */
  readonly ttlMs?: number;
  /** Longest a Redis command may take before the lease counts as unavailable. */
  readonly commandTimeoutMs?: number;
}

export class ConversationLeases {
  readonly #redis: Redis;
  readonly #node: string;
  readonly ttlMs: number;
  readonly #commandTimeoutMs: number;
  readonly #keys: LeaseKeys;

  constructor(redis: Redis, options: ConversationLeasesOptions) {
    this.#redis = redis;
    this.#keys = options.keys ?? CONVERSATION_KEYS;
    this.#node = options.node;
    this.ttlMs = options.ttlMs ?? 15_000;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  }

  /** One attempt: the lease and its token, or who holds it and for how long. */
  async tryAcquire(sessionId: string, worker: string): Promise<AcquireAttempt> {
    const reply = (await this.#run(
      this.#redis.eval(
        ACQUIRE,
        2,
        this.#keys.lease(sessionId),
        this.#keys.fence(sessionId),
        `${this.#node}:${worker}`,
        this.ttlMs,
      ),
    )) as [number, string, string | number];
    if (reply[0] === 1) {
      return { ok: true, token: reply[1], previousToken: reply[2] === '' ? undefined : String(reply[2]) };
    }
    const pttl = Number(reply[2]);
    return { ok: false, holder: reply[1].split('|')[0] ?? reply[1], retryInMs: Math.max(pttl, 0) };
  }

  /** Extends a held lease; false when it lapsed or another turn took it. */
  async renew(sessionId: string, worker: string, token: string): Promise<boolean> {
    const reply = await this.#run(
      this.#redis.eval(RENEW, 1, this.#keys.lease(sessionId), `${this.#node}:${worker}|${token}`, this.ttlMs),
    );
    return reply === 1;
  }

  /** Gives the lease back and wakes waiters; false when it was not held any more. */
  async release(sessionId: string, worker: string, token: string): Promise<boolean> {
    const reply = await this.#run(
      this.#redis.eval(
        RELEASE,
        1,
        this.#keys.lease(sessionId),
        `${this.#node}:${worker}|${token}`,
        RELEASED_CHANNEL,
        sessionId,
      ),
    );
    return reply === 1;
  }

  /** Whether `token` is still the conversation's newest: a write under an older one is stale. */
  async holdsFence(sessionId: string, token: string): Promise<boolean> {
    return (await this.#run(this.#redis.get(this.#keys.fence(sessionId)))) === token;
  }

  /**
   * Waits for the lease: retries when the holder releases (announced on
   * RELEASED_CHANNEL through `released`) or at most every 250 ms, until
   * `timeoutMs`. Throws LeaseBusyError on timeout, LeaseUnavailableError when Redis fails.
   */
  async acquire(
    sessionId: string,
    worker: string,
    options: { readonly timeoutMs: number; readonly signal?: AbortSignal; readonly released?: ReleaseNotices },
  ): Promise<{ readonly token: string; readonly previousToken: string | undefined }> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const attempt = await this.tryAcquire(sessionId, worker);
      if (attempt.ok) return attempt;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LeaseBusyError(
          `conversation ${sessionId} is busy on ${attempt.holder}`,
          attempt.holder,
          attempt.retryInMs,
        );
      }
      const wait = Math.min(left, Math.max(attempt.retryInMs, 10), 250);
      await (options.released?.waitFor(sessionId, wait, options.signal) ?? sleep(wait, options.signal));
    }
  }

  /** Runs a command bounded by the command timeout; any failure is a LeaseUnavailableError. */
  run<T>(command: Promise<T>): Promise<T> {
    return this.#run(command);
  }

  async #run<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LeaseUnavailableError('Redis did not answer in time')),
        this.#commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([command, timeout]);
    } catch (error) {
      if (error instanceof LeaseUnavailableError) throw error;
      throw new LeaseUnavailableError(`Redis failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Wakes waiters of one node when any node releases a conversation (one subscriber connection per node). */
export class ReleaseNotices {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #subscriber: Redis;

  constructor(subscriber: Redis) {
    this.#subscriber = subscriber;
    subscriber.on('message', (_channel: string, sessionId: string) => {
      for (const wake of this.#waiters.get(sessionId) ?? []) wake();
    });
  }

  async start(): Promise<void> {
    await this.#subscriber.subscribe(RELEASED_CHANNEL);
  }

  waitFor(sessionId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(sessionId);
      if (!set) {
        set = new Set();
        this.#waiters.set(sessionId, set);
      }
      const waiters = set;
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
      waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect();
  }
}
