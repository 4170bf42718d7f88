/**
 * The Redis connections of one node (with REDIS_URL): every command bounded
 * by a timeout, none queued while Redis is unreachable (they fail at once, so
 * a request gets a 503 instead of waiting for a reconnect), reconnecting in
 * the background at most every second. `ready()` is what readiness reports.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** Longest any Redis command may take. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

export interface RedisConnections {
  /** Commands (sessions, leases, transcripts). */
  readonly command: Redis;
  /** The pub/sub subscriber (release notices). */
  readonly subscriber: Redis;
  /** Blocking reads of the knowledge-base change stream (each blocks at most a second). */
  readonly reader: Redis;
  /** True while the command connection is up. */
  ready(): boolean;
  close(): Promise<void>;
}

function connect(url: string, name: string, logger: Logger, commandTimeoutMs: number): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    connectTimeout: commandTimeoutMs,
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ redis: name, err: error.message }, 'Redis connection failed; retrying every second');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'Redis connection is back');
    down = false;
  });
  return redis;
}

/** Connects both; rejects (with the reason) when Redis does not answer within the timeout at start. */
export async function openRedis(
  url: string,
  options: { readonly logger: Logger; readonly node: string; readonly commandTimeoutMs?: number },
): Promise<RedisConnections> {
  const timeout = options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  const command = connect(url, `docent:${options.node}`, options.logger, timeout);
  // A subscriber issues no commands but SUBSCRIBE: its replies are pushed, not awaited.
  const subscriber = connect(url, `docent:${options.node}:sub`, options.logger, timeout);
  // A blocking read holds its connection up to its BLOCK time: its own, with room above it.
  const reader = connect(url, `docent:${options.node}:kb`, options.logger, timeout + 2_000);
  const close = async () => {
    command.disconnect();
    subscriber.disconnect();
    reader.disconnect();
  };
  try {
    await Promise.all([command.connect(), subscriber.connect(), reader.connect()]);
  } catch (error) {
    await close();
    throw new Error(`Redis at ${redactUrl(url)} did not answer: ${(error as Error).message}`);
  }
  return { command, subscriber, reader, ready: () => command.status === 'ready', close };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'xxx';
    return parsed.toString();
  } catch {
    return '<invalid REDIS_URL>';
  }
}
