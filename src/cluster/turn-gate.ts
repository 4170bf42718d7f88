/**
 * One turn of a conversation at a time across nodes, for the HTTP layer: a
 * turn enters the gate before it asks the pool for a worker and leaves it
 * once its record is saved. Inside, it holds the conversation's lease
 * (conversation-lease.ts), renewed every third of the TTL; a renewal that
 * fails (the lease lapsed, another node took it, Redis stayed unreachable)
 * aborts `lost`, and the turn is failed rather than allowed to fork the
 * history. The ticket's fencing token travels with the turn to the engine,
 * whose transcript writes are accepted only under the newest token.
 */
import type { SessionPolicy } from '../config.ts';
import type { Logger } from '../logger.ts';
import {
  type ConversationLeases,
  LeaseBusyError,
  LeaseUnavailableError,
  type ReleaseNotices,
} from './conversation-lease.ts';

export interface TurnTicket {
  /** The fencing token of this turn. */
  readonly token: string;
  /** The token of the turn before it (any node), undefined for the first ever. */
  readonly previousToken: string | undefined;
  /** Aborted when the lease was lost while the turn ran. */
  readonly lost: AbortSignal;
  /** Gives the lease back (wakes waiters on every node). Idempotent; never throws. */
  release(): Promise<void>;
}

export interface EnterOptions {
  /** `reject`: a busy conversation fails at once (409); `enqueue`: wait up to `waitMs`. */
  readonly policy: SessionPolicy;
  readonly waitMs: number;
  /** The caller went away: stop waiting. */
  readonly signal?: AbortSignal;
  /** For the holder name and logs. */
  readonly requestId: string;
}

/** Where turns of a conversation line up across nodes. */
export interface TurnGate {
  enter(sessionId: string, options: EnterOptions): Promise<TurnTicket>;
  close(): Promise<void>;
}

/** Another node (or another request) runs a turn of this conversation, and the policy is `reject`. */
export class ConversationBusyError extends Error {
  readonly code = 'CONVERSATION_BUSY';
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'ConversationBusyError';
  }
}

/** The wait for a busy conversation ran out (`enqueue`). */
export class ConversationWaitTimeoutError extends Error {
  readonly code = 'CONVERSATION_WAIT_TIMEOUT';
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'ConversationWaitTimeoutError';
  }
}

/** Redis could not be reached or did not answer in time. */
export class ClusterUnavailableError extends Error {
  readonly code = 'CLUSTER_UNAVAILABLE';
  readonly retryAfterS = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterUnavailableError';
  }
}

/** What the gate counted since start (exported in /metrics). */
export interface TurnGateStats {
  /** Turns that took the conversation's lease. */
  leases: number;
  /** Turns that found the conversation busy (another node or request) and waited. */
  leaseWaits: number;
  /** Turns refused at once under `reject` (409 CONVERSATION_BUSY). */
  busyRefusals: number;
  /** Waits that ran out (503 CONVERSATION_WAIT_TIMEOUT). */
  waitTimeouts: number;
  /** Turns stopped because their lease was lost (LEASE_LOST). */
  leasesLost: number;
  /** Redis failures met by acquire, renew or release. */
  redisErrors: number;
}

export class LeaseTurnGate implements TurnGate {
  readonly #leases: ConversationLeases;
  readonly #notices: ReleaseNotices;
  readonly #logger: Logger;
  readonly #held = new Set<() => Promise<void>>();
  readonly #stats: TurnGateStats = {
    leases: 0,
    leaseWaits: 0,
    busyRefusals: 0,
    waitTimeouts: 0,
    leasesLost: 0,
    redisErrors: 0,
  };

  constructor(leases: ConversationLeases, notices: ReleaseNotices, logger: Logger) {
    this.#leases = leases;
    this.#notices = notices;
    this.#logger = logger;
  }

  stats(): TurnGateStats {
    return { ...this.#stats };
  }

  async enter(sessionId: string, options: EnterOptions): Promise<TurnTicket> {
    const holder = options.requestId;
    let granted: { token: string; previousToken: string | undefined };
    try {
      const attempt = await this.#leases.tryAcquire(sessionId, holder);
      if (attempt.ok) granted = attempt;
      else if (options.policy === 'reject') {
        this.#stats.busyRefusals += 1;
        throw new ConversationBusyError(
          'This conversation already has a turn in flight; retry when it has answered',
          Math.max(1, Math.ceil(attempt.retryInMs / 1000)),
        );
      } else {
        this.#stats.leaseWaits += 1;
        granted = await this.#leases.acquire(sessionId, holder, {
          timeoutMs: options.waitMs,
          released: this.#notices,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      }
    } catch (error) {
      if (error instanceof ConversationBusyError) throw error;
      if (error instanceof LeaseBusyError) {
        this.#stats.waitTimeouts += 1;
        throw new ConversationWaitTimeoutError(
          'This conversation is still answering an earlier question; retry shortly',
          Math.max(1, Math.ceil(error.retryInMs / 1000)),
        );
      }
      if (error instanceof LeaseUnavailableError) {
        this.#stats.redisErrors += 1;
        this.#logger.warn({ sessionId, requestId: holder, err: error.message }, 'conversation lease unavailable');
        throw new ClusterUnavailableError('Shared state (Redis) is unavailable; retry shortly', { cause: error });
      }
      throw error;
    }
    this.#stats.leases += 1;
    return this.#ticket(sessionId, holder, granted);
  }

  #ticket(sessionId: string, holder: string, granted: { token: string; previousToken: string | undefined }) {
    const lost = new AbortController();
    const { token } = granted;
    const log = { sessionId, requestId: holder, fence: token };
    let released: Promise<void> | undefined;
    const ttlMs = this.#leases.ttlMs;
    const renewEvery = Math.max(50, Math.floor(ttlMs / 3));
    let renewedAt = Date.now();
    const timer = setInterval(() => {
      this.#leases.renew(sessionId, holder, token).then(
        (held) => {
          if (held) renewedAt = Date.now();
          if (held || released) return;
          this.#logger.warn(log, 'conversation lease lost (another turn took it); the turn is stopped');
          this.#stats.leasesLost += 1;
          lost.abort(new Error('LEASE_LOST'));
        },
        (error: Error) => {
          if (released || lost.signal.aborted) return;
          this.#stats.redisErrors += 1;
          this.#logger.warn({ ...log, err: error.message }, 'conversation lease renewal failed');
          // Retried at the next tick, until the lease may have lapsed: then another node may hold it.
          if (Date.now() - renewedAt >= ttlMs - renewEvery) {
            this.#stats.leasesLost += 1;
            lost.abort(new Error('LEASE_LOST'));
          }
        },
      );
    }, renewEvery);
    timer.unref();
    const release = (): Promise<void> => {
      released ??= (async () => {
        clearInterval(timer);
        this.#held.delete(release);
        try {
          await this.#leases.release(sessionId, holder, token);
        } catch (error) {
          this.#stats.redisErrors += 1;
          // It lapses by itself after its TTL.
          this.#logger.warn({ ...log, err: (error as Error).message }, 'conversation lease release failed');
        }
      })();
      return released;
    };
    this.#held.add(release);
    this.#logger.debug({ ...log, previous: granted.previousToken }, 'conversation lease acquired');
    return { token, previousToken: granted.previousToken, lost: lost.signal, release };
  }

  /** Releases every held lease (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#held].map((release) => release()));
    await this.#notices.close();
  }
}
