/**
 * The Claude conversations of several nodes, in Redis: the transcripts the
 * Agent SDK mirrors through its `sessionStore` option (one adapter per
 * worker, `mirror()`), and what the engine keeps beside them on one node in a
 * state file (transcripts.ts): which CLI session holds a Docent session's
 * conversation, and which turn is open (a turn that failed is left out on the
 * next resume).
 *
 *   docent:conv:{sid}               hash: cli, open
 *   docent:tx:{sid}:<cli>           list: the CLI's transcript entries (JSON), in append order
 *   docent:tx:{sid}:<cli>:<subpath> list: a subagent's transcript
 *   docent:txsub:{sid}:<cli>        set: the subpaths written
 *   docent:txid:{sid}:<cli>         set: entry uuids written (a retried append is not written twice)
 *
 * Transcripts are keyed by the Docent session and the CLI session id, never
 * by the SDK's `projectKey` (derived from the cwd, so nodes with different
 * paths would miss each other's conversations).
 *
 * Fenced: an append, and opening or closing a turn, is accepted only under
 * the conversation's newest lease token (`docent:fence:{sid}`,
 * conversation-lease.ts), checked in the same script that writes. A node
 * that stalled past its lease and wakes up cannot write into a conversation
 * another node has moved on; the SDK reports its refused append as
 * `mirror_error`. Every key lives `retentionMs` after its last write.
 */
import { randomUUID } from 'node:crypto';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { fenceKey } from './conversation-lease.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const convKey = (sid: string) => `docent:conv:{${sid}}`;
export const txKey = (sid: string, cli: string, subpath?: string) =>
  `docent:tx:{${sid}}:${cli}${subpath ? `:${subpath}` : ''}`;
const subKey = (sid: string, cli: string) => `docent:txsub:{${sid}}:${cli}`;
const idsKey = (sid: string, cli: string) => `docent:txid:{${sid}}:${cli}`;

/** KEYS: fence, list, subpaths, ids. ARGV: token, ttl, subpath, n, n uuids ('' for none), n entries. */
const APPEND = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STALE_FENCE the conversation moved on under a newer lease') end
local n = tonumber(ARGV[4])
local written = 0
for i = 1, n do
  local uuid = ARGV[4 + i]
  if uuid == '' or redis.call('SADD', KEYS[4], uuid) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[4 + n + i])
    written = written + 1
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[2]) end
if ARGV[3] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
return written
`;

/** KEYS: fence, conv. ARGV: token ('' = unfenced), ttl, field, value ('' = delete the field). */
const SET_STATE = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('STALE_FENCE the conversation moved on under a newer lease') end
if ARGV[4] == '' then redis.call('HDEL', KEYS[2], ARGV[3]) else redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

export interface SharedConversationsOptions {
  readonly redis: Redis;
  /** How long keys live after their last write (SESSION_RETENTION). */
  readonly retentionMs: number;
  readonly logger: Logger;
}

/** One worker's `sessionStore`: the worker tells it which Docent session it serves and under which token it writes. */
export interface TranscriptMirror extends SessionStore {
  /** The Docent session whose transcripts this worker reads and writes. */
  bindSession(sessionId: string): void;
  /** The lease token of the turn in flight; appends outside a turn are refused. */
  setFence(token: string | undefined): void;
}

/** Transcript appends refused by the fence, and those Redis failed (exported in /metrics). */
export interface TranscriptStats {
  fenceRefusals: number;
  redisErrors: number;
}

export class SharedConversations {
  readonly #redis: Redis;
  readonly #ttl: number;
  readonly #logger: Logger;
  readonly #stats: TranscriptStats = { fenceRefusals: 0, redisErrors: 0 };

  constructor(options: SharedConversationsOptions) {
    this.#redis = options.redis;
    this.#ttl = options.retentionMs;
    this.#logger = options.logger;
  }

  stats(): TranscriptStats {
    return { ...this.#stats };
  }

  /** A new `sessionStore` adapter for one worker. */
  mirror(workerId: string): TranscriptMirror {
    const stats = this.#stats;
    let sessionId: string | undefined;
    let token: string | undefined;
    const redis = this.#redis;
    const ttl = this.#ttl;
    const logger = this.#logger;
    const sid = (): string => {
      if (sessionId === undefined) throw new Error(`worker ${workerId} serves no session yet`);
      return sessionId;
    };
    return {
      bindSession: (id) => {
        sessionId = id;
      },
      setFence: (next) => {
        token = next;
      },
      async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
        const session = sid();
        if (entries.length === 0) return;
        if (token === undefined) {
          stats.fenceRefusals += 1;
          logger.warn({ workerId, sessionId: session }, 'transcript append outside a turn refused');
          throw new Error('STALE_FENCE no turn of this worker holds the conversation');
        }
        const uuids = entries.map((entry) => (typeof entry.uuid === 'string' ? entry.uuid : ''));
        try {
          await redis.eval(
            APPEND,
            4,
            fenceKey(session),
            txKey(session, key.sessionId, key.subpath),
            subKey(session, key.sessionId),
            idsKey(session, key.sessionId),
            token,
            ttl,
            key.subpath ?? '',
            entries.length,
            ...uuids,
            ...entries.map((entry) => JSON.stringify(entry)),
          );
        } catch (error) {
          if ((error as Error).message.includes('STALE_FENCE')) stats.fenceRefusals += 1;
          else stats.redisErrors += 1;
          logger.warn(
            { workerId, sessionId: session, fence: token, err: (error as Error).message },
            'transcript append refused',
          );
          throw error;
        }
      },
      async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
        const rows = await redis.lrange(txKey(sid(), key.sessionId, key.subpath), 0, -1);
        return rows.length === 0 ? null : rows.map((row) => JSON.parse(row) as SessionStoreEntry);
      },
      async listSubkeys(key: { projectKey: string; sessionId: string }): Promise<string[]> {
        return redis.smembers(subKey(sid(), key.sessionId));
      },
    };
  }

  async #state(sessionId: string): Promise<{ cli?: string; open?: string }> {
    return (await this.#redis.hgetall(convKey(sessionId))) as { cli?: string; open?: string };
  }

  async #setState(sessionId: string, field: string, value: string, token: string | undefined): Promise<void> {
    await this.#redis.eval(SET_STATE, 2, fenceKey(sessionId), convKey(sessionId), token ?? '', this.#ttl, field, value);
  }

  /** True when the CLI conversation has a transcript whose first entry is an object. */
  async readable(sessionId: string, cli: string): Promise<boolean> {
    const first = await this.#redis.lindex(txKey(sessionId, cli), 0);
    if (first === null) return false;
    try {
      const entry: unknown = JSON.parse(first);
      return entry !== null && typeof entry === 'object' && !Array.isArray(entry);
    } catch {
      return false;
    }
  }

  /** As TranscriptStore.resumePoint, from Redis. */
  async resumePoint(sessionId: string): Promise<{ cli: string; at?: string | null }> {
    const state = await this.#state(sessionId);
    const cli = state.cli ?? sessionId;
    if (state.open === undefined) return { cli };
    const rows = await this.#redis.lrange(txKey(sessionId, cli), 0, -1);
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i]!;
      if (!row.includes(state.open)) continue;
      try {
        const entry = JSON.parse(row) as { uuid?: unknown; parentUuid?: unknown };
        if (entry.uuid !== state.open) continue;
        return { cli, at: typeof entry.parentUuid === 'string' ? entry.parentUuid : null };
      } catch {}
    }
    // The failed prompt never reached the transcript: nothing to leave out.
    return { cli };
  }

  /** The Docent id itself when the CLI accepts it and no transcript uses it yet, else a fresh one. */
  async newCliIdFor(sessionId: string): Promise<string> {
    if (UUID.test(sessionId) && (await this.#redis.exists(txKey(sessionId, sessionId))) === 0) return sessionId;
    return randomUUID();
  }

  /** The conversation lives under `cli` now (no open turn); the transcript it replaces is dropped. */
  async bind(sessionId: string, cli: string): Promise<void> {
    const replaced = (await this.#state(sessionId)).cli ?? sessionId;
    await this.#redis
      .multi()
      .hset(convKey(sessionId), 'cli', cli)
      .hdel(convKey(sessionId), 'open')
      .pexpire(convKey(sessionId), this.#ttl)
      .exec();
    if (replaced !== cli) await this.#dropTranscript(sessionId, replaced);
  }

  openTurn(sessionId: string, promptId: string, token: string | undefined): Promise<void> {
    return this.#setState(sessionId, 'open', promptId, token);
  }

  keepTurn(sessionId: string, token: string | undefined): Promise<void> {
    return this.#setState(sessionId, 'open', '', token);
  }

  async #dropTranscript(sessionId: string, cli: string): Promise<number> {
    const subpaths = await this.#redis.smembers(subKey(sessionId, cli));
    return this.#redis.del(
      txKey(sessionId, cli),
      subKey(sessionId, cli),
      idsKey(sessionId, cli),
      ...subpaths.map((subpath) => txKey(sessionId, cli, subpath)),
    );
  }

  /** Deletes everything kept of the session in Redis; how many keys went. */
  async forget(sessionId: string): Promise<number> {
    const cli = (await this.#state(sessionId)).cli;
    let removed = await this.#dropTranscript(sessionId, sessionId);
    if (cli !== undefined && cli !== sessionId) removed += await this.#dropTranscript(sessionId, cli);
    return removed + (await this.#redis.del(convKey(sessionId)));
  }
}
