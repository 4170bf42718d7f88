/**
 * Session records in Redis, for several nodes sharing conversations (with
 * REDIS_URL). Keys carry the session id as a `{hash tag}` so each session's
 * keys sit in one slot. A record lives `retentionMs` after its last activity
 * (SESSION_RETENTION): every turn refreshes the TTL, and the retention sweep
 * deletes it (with its transcripts) at about the time the TTL would.
 *
 *   docent:sess:{id}          hash: the record (+ archivedAt)
 *   docent:msgs:{id}          list: JSON question/answer pairs, last 500
 *   docent:owner:<role>:<who> zset: session id by last activity
 *   docent:active             zset: live session id by last activity (for expire)
 *   docent:kept               zset: every record's id by last activity (for the retention sweep)
 *
 * Records written before `docent:kept` existed are not in it: their TTL
 * removes them, and the sweep then finds their transcripts orphaned.
 *
 * Every call is bounded by the client's command timeout (cluster/redis.ts);
 * any Redis failure surfaces as a StoreUnavailableError (a 503), never as a
 * hang or a bare client error.
 */
import type { Redis } from 'ioredis';
import type { Role } from '../engines/types.ts';
import {
  DEFAULT_RETENTION_GRACE_MS,
  type NewSession,
  type SessionKind,
  type SessionMessage,
  type SessionRecord,
  type SessionStore,
  StoreUnavailableError,
  type TurnRecord,
  titleFrom,
} from './types.ts';

export interface RedisSessionStoreOptions {
  readonly redis: Redis;
  /** Inactivity after which a record expires (archived, not resumed). */
  readonly timeoutMs: number;
  /** How long after its last activity a record and its messages are kept; at least `timeoutMs`. @default timeoutMs + 7 days */
  readonly retentionMs?: number;
  readonly now?: () => number;
}

const MAX_TURNS_KEPT = 500;
const ACTIVE = 'docent:active';
const KEPT = 'docent:kept';
const sessKey = (id: string) => `docent:sess:{${id}}`;
const msgsKey = (id: string) => `docent:msgs:{${id}}`;
const ownerKey = (role: Role, ownerId: string) => `docent:owner:${role}:${ownerId}`;

/** Counts the turn, titles from the first question, appends the pair: one step, or nothing for a missing record. */
const RECORD_TURN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'turns', 1)
local last = tonumber(redis.call('HGET', KEYS[1], 'lastActiveAt'))
local at = tonumber(ARGV[1])
if at > last then redis.call('HSET', KEYS[1], 'lastActiveAt', ARGV[1]) else at = last end
if redis.call('HGET', KEYS[1], 'title') == '' then redis.call('HSET', KEYS[1], 'title', ARGV[2]) end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local owner = 'docent:owner:' .. redis.call('HGET', KEYS[1], 'role') .. ':' .. redis.call('HGET', KEYS[1], 'ownerId')
redis.call('ZADD', '${KEPT}', at, ARGV[6])
if not redis.call('HGET', KEYS[1], 'archivedAt') then
  redis.call('ZADD', owner, at, ARGV[6])
  redis.call('ZADD', '${ACTIVE}', at, ARGV[6])
end
return 1
`;

type Hash = Record<string, string>;

function toRecord(id: string, hash: Hash): SessionRecord {
  return {
    id,
    role: hash.role as Role,
    ownerId: hash.ownerId ?? '',
    kind: hash.kind as SessionKind,
    title: hash.title ?? '',
    createdAt: Number(hash.createdAt),
    lastActiveAt: Number(hash.lastActiveAt),
    turns: Number(hash.turns),
  };
}

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #timeoutMs: number;
  readonly #keepMs: number;
  readonly #now: () => number;

  constructor(options: RedisSessionStoreOptions) {
    this.#redis = options.redis;
    this.#timeoutMs = options.timeoutMs;
    this.#keepMs = options.retentionMs ?? options.timeoutMs + DEFAULT_RETENTION_GRACE_MS;
    if (!(this.#keepMs >= options.timeoutMs)) {
      throw new RangeError(
        `Expected \`retentionMs\` to be at least \`timeoutMs\` (${options.timeoutMs}), got ${this.#keepMs}`,
      );
    }
    this.#now = options.now ?? Date.now;
  }

  #since(now = this.#now()): number {
    return now - this.#timeoutMs;
  }

  async #live(id: string, since = this.#since()): Promise<SessionRecord | undefined> {
    const hash = await this.#redis.hgetall(sessKey(id));
    if (!hash.role || hash.archivedAt || Number(hash.lastActiveAt) < since) return undefined;
    return toRecord(id, hash);
  }

  async create(session: NewSession): Promise<SessionRecord> {
    const now = this.#now();
    const record: SessionRecord = { ...session, title: '', createdAt: now, lastActiveAt: now, turns: 0 };
    await this.#redis
      .multi()
      .hset(sessKey(session.id), {
        role: session.role,
        ownerId: session.ownerId,
        kind: session.kind,
        title: '',
        createdAt: now,
        lastActiveAt: now,
        turns: 0,
      })
      .pexpire(sessKey(session.id), this.#keepMs)
      .zadd(ownerKey(session.role, session.ownerId), now, session.id)
      .zadd(ACTIVE, now, session.id)
      .zadd(KEPT, now, session.id)
      .exec();
    return record;
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.#live(id);
  }

  async list(ownerId: string, role: Role, limit = 100): Promise<SessionRecord[]> {
    const since = this.#since();
    const ids = await this.#redis.zrevrangebyscore(ownerKey(role, ownerId), '+inf', since, 'LIMIT', 0, limit * 2);
    const records = await Promise.all(ids.map((id) => this.#live(id, since)));
    return records.filter((r): r is SessionRecord => r !== undefined).slice(0, limit);
  }

  async current(ownerId: string, role: Role): Promise<SessionRecord | undefined> {
    return (await this.list(ownerId, role, 50)).find((r) => r.kind === 'persistent');
  }

  async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    const pair = JSON.stringify({ question: turn.question, answer: turn.answer, at: turn.at });
    await this.#redis.eval(
      RECORD_TURN,
      2,
      sessKey(id),
      msgsKey(id),
      turn.at,
      titleFrom(turn.question),
      pair,
      MAX_TURNS_KEPT,
      this.#keepMs,
      id,
    );
  }

  async messages(id: string, limit = 1000): Promise<SessionMessage[]> {
    const rows = await this.#redis.lrange(msgsKey(id), -Math.ceil(limit / 2), -1);
    return rows
      .flatMap((row): SessionMessage[] => {
        const r = JSON.parse(row) as { question: string; answer: string; at: number };
        return [
          { role: 'user', content: r.question, at: r.at },
          { role: 'assistant', content: r.answer, at: r.at },
        ];
      })
      .slice(-limit);
  }

  async rename(oldId: string, newId: string): Promise<void> {
    if (await this.#redis.exists(sessKey(newId))) return;
    const hash = await this.#redis.hgetall(sessKey(oldId));
    if (!hash.role) return;
    const score = Number(hash.lastActiveAt);
    const owner = ownerKey(hash.role as Role, hash.ownerId ?? '');
    // Copied, not RENAMEd: the two ids hash to different slots in a Redis Cluster.
    const pairs = await this.#redis.lrange(msgsKey(oldId), 0, -1);
    const tx = this.#redis.multi().hset(sessKey(newId), hash).pexpire(sessKey(newId), this.#keepMs);
    if (pairs.length > 0) tx.rpush(msgsKey(newId), ...pairs).pexpire(msgsKey(newId), this.#keepMs);
    await tx
      .zrem(owner, oldId)
      .zrem(ACTIVE, oldId)
      .zrem(KEPT, oldId)
      .zadd(owner, score, newId)
      .zadd(ACTIVE, score, newId)
      .zadd(KEPT, score, newId)
      .del(sessKey(oldId), msgsKey(oldId))
      .exec();
  }

  async archive(id: string): Promise<boolean> {
    const record = await this.#live(id);
    if (!record) return false;
    await this.#redis
      .multi()
      .hset(sessKey(id), 'archivedAt', this.#now())
      .zrem(ownerKey(record.role, record.ownerId), id)
      .zrem(ACTIVE, id)
      .exec();
    return true;
  }

  async archiveCurrent(ownerId: string, role: Role): Promise<number> {
    const live = (await this.list(ownerId, role, 1000)).filter((r) => r.kind === 'persistent');
    let archived = 0;
    for (const record of live) if (await this.archive(record.id)) archived += 1;
    return archived;
  }

  async delete(id: string): Promise<boolean> {
    const hash = await this.#redis.hgetall(sessKey(id));
    const tx = this.#redis.multi().del(sessKey(id), msgsKey(id)).zrem(ACTIVE, id).zrem(KEPT, id);
    if (hash.role) tx.zrem(ownerKey(hash.role as Role, hash.ownerId ?? ''), id);
    await tx.exec();
    return Boolean(hash.role);
  }

  /** Archives records idle past the timeout, in batches of 500 (bounded work per call). */
  async expire(now = this.#now()): Promise<number> {
    const ids = await this.#redis.zrangebyscore(ACTIVE, '-inf', `(${this.#since(now)}`, 'LIMIT', 0, 500);
    let archived = 0;
    for (const id of ids) {
      const hash = await this.#redis.hgetall(sessKey(id));
      const tx = this.#redis.multi().zrem(ACTIVE, id);
      if (hash.role && !hash.archivedAt) {
        tx.hset(sessKey(id), 'archivedAt', now).zrem(ownerKey(hash.role as Role, hash.ownerId ?? ''), id);
        archived += 1;
      }
      await tx.exec();
    }
    return archived;
  }

  /** From `docent:kept`: an id whose record the TTL already removed is still listed, so its transcripts go too. */
  staleIds(lastActiveBefore: number, limit: number): Promise<string[]> {
    return this.#redis.zrangebyscore(KEPT, '-inf', `(${lastActiveBefore}`, 'LIMIT', 0, limit);
  }

  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.exists(sessKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return new Set(ids.filter((_, i) => replies[i]?.[1] === 1));
  }

  async close(): Promise<void> {}
}

/**
 * `store` with every Redis failure turned into a StoreUnavailableError, so
 * callers can tell "Redis is down" (retry soon) from a bug.
 */
export function guardedRedisStore(store: RedisSessionStore, counts?: { redisErrors: number }): SessionStore {
  const guard =
    <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        if (error instanceof RangeError || error instanceof TypeError) throw error;
        if (counts) counts.redisErrors += 1;
        throw new StoreUnavailableError(`Session store unavailable (${name}): ${(error as Error).message}`, {
          cause: error,
        });
      }
    };
  return {
    create: guard('create', (session) => store.create(session)),
    get: guard('get', (id) => store.get(id)),
    current: guard('current', (ownerId, role) => store.current(ownerId, role)),
    list: guard('list', (ownerId, role, limit) => store.list(ownerId, role, limit)),
    recordTurn: guard('recordTurn', (id, turn) => store.recordTurn(id, turn)),
    messages: guard('messages', (id, limit) => store.messages(id, limit)),
    rename: guard('rename', (oldId, newId) => store.rename(oldId, newId)),
    archive: guard('archive', (id) => store.archive(id)),
    archiveCurrent: guard('archiveCurrent', (ownerId, role) => store.archiveCurrent(ownerId, role)),
    delete: guard('delete', (id) => store.delete(id)),
    expire: guard('expire', (now) => store.expire(now)),
    staleIds: guard('staleIds', (before, limit) => store.staleIds(before, limit)),
    existing: guard('existing', (ids) => store.existing(ids)),
    close: () => store.close(),
  };
}
