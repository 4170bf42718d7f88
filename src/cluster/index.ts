/**
 * Several nodes on one Redis (REDIS_URL): what main.ts swaps in for the
 * single-node parts, behind the interfaces those already use. The session
 * records (RedisSessionStore for SqliteSessionStore), the turn gate (a
 * cluster lease around each turn, on top of the pool's in-process order), and
 * the conversations' transcripts (SharedConversations, handed to the Claude
 * engine as the SDK's sessionStore), and the knowledge base's writer lease
 * and change stream (KbSync, handed to the knowledge base as its
 * cross-process lock; it follows the other nodes' changes).
 */
import os from 'node:os';
import type { Logger } from '../logger.ts';
import { guardedRedisStore, RedisSessionStore } from '../sessions/redis-store.ts';
import type { SessionStore } from '../sessions/types.ts';
import { ConversationLeases, ReleaseNotices } from './conversation-lease.ts';
import { KbSync } from './kb-sync.ts';
import { openRedis, type RedisConnections, redactUrl } from './redis.ts';
import { SharedConversations } from './shared-conversations.ts';
import { LeaseTurnGate, type TurnGate } from './turn-gate.ts';

export interface ClusterOptions {
  readonly url: string;
  readonly nodeId?: string | undefined;
  readonly leaseTtlMs: number;
  readonly sessionTimeoutMs: number;
  readonly retentionMs: number;
  readonly logger: Logger;
}

export interface Cluster {
  readonly node: string;
  readonly redis: RedisConnections;
  readonly sessions: SessionStore;
  readonly gate: TurnGate;
  readonly conversations: SharedConversations;
  /** The knowledge base's writer lease (a CrossProcessLock) and change stream. */
  readonly kb: KbSync;
  /**
   * A secret every node must hold alike (the key that signs identity
   * cookies): `proposed` when no node stored one yet, else the stored one.
   */
  sharedSecret(name: string, proposed: string): Promise<{ value: string; created: boolean }>;
  /** Counters by area, for /metrics: the turn leases, the transcript fence, the knowledge base's lease and stream. */
  counters(): Record<string, Record<string, number>>;
  close(): Promise<void>;
}

export async function openCluster(options: ClusterOptions): Promise<Cluster> {
  const node = options.nodeId ?? `${os.hostname()}-${process.pid}`;
  const logger = options.logger.child({ node });
  const redis = await openRedis(options.url, { logger, node });
  const leases = new ConversationLeases(redis.command, { node, ttlMs: options.leaseTtlMs });
  const notices = new ReleaseNotices(redis.subscriber);
  await notices.start();
  const gate = new LeaseTurnGate(leases, notices, logger);
  const sessionCounts = { redisErrors: 0 };
  const sessions = guardedRedisStore(
    new RedisSessionStore({
      redis: redis.command,
      timeoutMs: options.sessionTimeoutMs,
      retentionMs: options.retentionMs,
    }),
    sessionCounts,
  );
  const conversations = new SharedConversations({ redis: redis.command, retentionMs: options.retentionMs, logger });
  const kb = new KbSync({ command: redis.command, reader: redis.reader, notices, node, logger });
  await kb.start();
  logger.info(
    { redis: redactUrl(options.url), leaseTtlMs: leases.ttlMs },
    'several nodes: sharing conversations through Redis',
  );
  return {
    node,
    redis,
    sessions,
    gate,
    conversations,
    kb,
    counters: () => ({
      sessions: { ...sessionCounts },
      turn_lease: { ...gate.stats() },
      transcript: { ...conversations.stats() },
      kb: { ...kb.stats() },
    }),
    sharedSecret: async (name, proposed) => {
      const key = `docent:secret:${name}`;
      const created = (await redis.command.set(key, proposed, 'NX')) === 'OK';
      const value = created ? proposed : await redis.command.get(key);
      if (!value) throw new Error(`Redis lost ${key}`);
      return { value, created };
    },
    close: async () => {
      await kb.close();
      await gate.close();
      await redis.close();
    },
  };
}
