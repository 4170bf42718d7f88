/**
 * Validates a pool's options once, in the constructor: every key known, every
 * number in range, cross-checks (minSpares <= maxWorkers, backoff base <= max).
 * Hand-written rather than zod so the messages keep one short format:
 * "Expected `maxWorkers` to be a positive integer, got `0`".
 */
import type { PoolOptions } from './types.ts';

type Rule = 'positive' | 'nonNegative';

const NUMBER_RULES: Readonly<Record<Exclude<keyof PoolOptions, 'name' | 'sessionPolicy'>, Rule>> = {
  maxWorkers: 'positive',
  minSpares: 'nonNegative',
  acquireTimeoutMs: 'positive',
  maxQueue: 'nonNegative',
  maxQueuedPerUser: 'nonNegative',
  maxTurnsPerUser: 'positive',
  turnTimeoutMs: 'positive',
  abortGraceMs: 'nonNegative',
  idleTtlMs: 'positive',
  maxTurnsPerWorker: 'positive',
  maxLifetimeMs: 'positive',
  maxWorkerMemoryBytes: 'positive',
  startTimeoutMs: 'positive',
  closeTimeoutMs: 'positive',
  startBackoffBaseMs: 'positive',
  startBackoffMaxMs: 'positive',
};

const KNOWN_KEYS = new Set<string>(['name', 'sessionPolicy', ...Object.keys(NUMBER_RULES)]);

/** Timers cannot wait longer than this (Node clamps larger delays to 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
}

export class PoolOptionsError extends TypeError {
  readonly code = 'POOL_OPTIONS_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'PoolOptionsError';
  }
}

/** Returns a frozen copy of valid options, or throws {@link PoolOptionsError} naming the first bad key. */
export function validatePoolOptions(options: PoolOptions): Readonly<PoolOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new PoolOptionsError(`Expected \`options\` to be an object, got \`${describe(options)}\``);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new PoolOptionsError(`Unknown pool option \`${key}\``);
  }
  const record = options as unknown as Record<string, unknown>;
  if (typeof options.name !== 'string' || options.name.length === 0) {
    throw new PoolOptionsError(`Expected \`name\` to be a non-empty string, got \`${describe(options.name)}\``);
  }
  if (options.sessionPolicy !== 'enqueue' && options.sessionPolicy !== 'reject') {
    throw new PoolOptionsError(
      `Expected \`sessionPolicy\` to be \`enqueue\` or \`reject\`, got \`${describe(options.sessionPolicy)}\``,
    );
  }
  for (const [key, rule] of Object.entries(NUMBER_RULES)) {
    const value = record[key];
    const ok =
      typeof value === 'number' &&
      Number.isInteger(value) &&
      (rule === 'positive' ? value > 0 : value >= 0) &&
      (!key.endsWith('Ms') || value <= MAX_TIMER_MS);
    if (!ok) {
      const what = rule === 'positive' ? 'a positive integer' : 'a non-negative integer';
      const bound = typeof value === 'number' && value > MAX_TIMER_MS ? ` of at most ${MAX_TIMER_MS}` : '';
      throw new PoolOptionsError(`Expected \`${key}\` to be ${what}${bound}, got \`${describe(value)}\``);
    }
  }
  if (options.minSpares > options.maxWorkers) {
    throw new PoolOptionsError(
      `Expected \`minSpares\` to be at most \`maxWorkers\` (${options.maxWorkers}), got \`${options.minSpares}\``,
    );
  }
  if (options.startBackoffBaseMs > options.startBackoffMaxMs) {
    throw new PoolOptionsError(
      `Expected \`startBackoffBaseMs\` to be at most \`startBackoffMaxMs\` (${options.startBackoffMaxMs}), got \`${options.startBackoffBaseMs}\``,
    );
  }
  return Object.freeze({ ...options });
}
