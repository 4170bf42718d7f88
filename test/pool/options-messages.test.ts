/**
 * validatePoolOptions() on every option: which numbers each accepts, the
 * timer bound on the `...Ms` options only, and how the message shows the
 * value it got (a string quoted, a bigint with its `n`, an array or object as
 * JSON, one JSON cannot show as String() does).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoolOptionsError, validatePoolOptions } from '../../src/pool/index.ts';
import type { PoolOptions } from '../../src/pool/types.ts';
import { BackgroundStartError } from '../../src/pool/worker.ts';
import { TEST_OPTIONS } from './helpers.ts';

const MAX_TIMER_MS = 2_147_483_647;

const POSITIVE = [
  'maxWorkers',
  'acquireTimeoutMs',
  'maxTurnsPerUser',
  'turnTimeoutMs',
  'idleTtlMs',
  'maxTurnsPerWorker',
  'maxLifetimeMs',
  'maxWorkerMemoryBytes',
  'startTimeoutMs',
  'closeTimeoutMs',
  'startBackoffBaseMs',
  'startBackoffMaxMs',
] as const;
const NON_NEGATIVE = ['minSpares', 'maxQueue', 'maxQueuedPerUser', 'abortGraceMs'] as const;

function validate(options: unknown): Readonly<PoolOptions> {
  return validatePoolOptions(options as PoolOptions);
}

function messageOf(options: unknown): string {
  try {
    validate(options);
  } catch (error) {
    assert.ok(error instanceof PoolOptionsError, `not a PoolOptionsError: ${String(error)}`);
    assert.equal(error.code, 'POOL_OPTIONS_INVALID');
    assert.equal(error.name, 'PoolOptionsError');
    return error.message;
  }
  return 'accepted';
}

describe('validatePoolOptions() per option', () => {
  it('refuses 0 for each option that must be positive', () => {
    for (const key of POSITIVE) {
      // The cross-checks need a base below the max and no spares above the workers.
      const options = { ...TEST_OPTIONS, minSpares: 0, [key]: 0 };
      assert.equal(messageOf(options), `Expected \`${key}\` to be a positive integer, got \`0\``, key);
    }
  });

  it('accepts 0 and refuses -1 for each option that may be 0', () => {
    for (const key of NON_NEGATIVE) {
      assert.equal(messageOf({ ...TEST_OPTIONS, [key]: 0 }), 'accepted', key);
      assert.equal(
        messageOf({ ...TEST_OPTIONS, [key]: -1 }),
        `Expected \`${key}\` to be a non-negative integer, got \`-1\``,
        key,
      );
    }
  });

  it('bounds the ...Ms options by the longest timer, and only those', () => {
    assert.equal(messageOf({ ...TEST_OPTIONS, idleTtlMs: MAX_TIMER_MS }), 'accepted');
    assert.equal(
      messageOf({ ...TEST_OPTIONS, idleTtlMs: MAX_TIMER_MS + 1 }),
      `Expected \`idleTtlMs\` to be a positive integer of at most ${MAX_TIMER_MS}, got \`${MAX_TIMER_MS + 1}\``,
    );
    assert.equal(
      messageOf({ ...TEST_OPTIONS, abortGraceMs: MAX_TIMER_MS + 1 }),
      `Expected \`abortGraceMs\` to be a non-negative integer of at most ${MAX_TIMER_MS}, got \`${MAX_TIMER_MS + 1}\``,
    );
    assert.equal(messageOf({ ...TEST_OPTIONS, maxWorkerMemoryBytes: 8 * 1024 ** 3 }), 'accepted');
    assert.equal(messageOf({ ...TEST_OPTIONS, maxQueue: MAX_TIMER_MS + 1 }), 'accepted');
  });

  it('shows the value it got as JSON, a bigint with its n, and otherwise as String() does', () => {
    assert.equal(
      messageOf({ ...TEST_OPTIONS, idleTtlMs: 5_000_000_000n }),
      'Expected `idleTtlMs` to be a positive integer, got `5000000000n`',
    );
    assert.equal(
      messageOf({ ...TEST_OPTIONS, maxWorkers: '2' }),
      'Expected `maxWorkers` to be a positive integer, got `"2"`',
    );
    assert.equal(
      messageOf({ ...TEST_OPTIONS, maxWorkers: [2] }),
      'Expected `maxWorkers` to be a positive integer, got `[2]`',
    );
    assert.equal(
      messageOf({ ...TEST_OPTIONS, maxWorkers: null }),
      'Expected `maxWorkers` to be a positive integer, got `null`',
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(
      messageOf({ ...TEST_OPTIONS, maxWorkers: circular }),
      'Expected `maxWorkers` to be a positive integer, got `[object Object]`',
    );
  });

  it('refuses options that are not an object', () => {
    assert.equal(messageOf(null), 'Expected `options` to be an object, got `null`');
    assert.equal(messageOf(5), 'Expected `options` to be an object, got `5`');
    assert.equal(messageOf(undefined), 'Expected `options` to be an object, got `undefined`');
  });

  it('refuses an empty or non-string name', () => {
    assert.equal(messageOf({ ...TEST_OPTIONS, name: '' }), 'Expected `name` to be a non-empty string, got `""`');
    assert.equal(messageOf({ ...TEST_OPTIONS, name: 7 }), 'Expected `name` to be a non-empty string, got `7`');
    const { name: _, ...unnamed } = TEST_OPTIONS;
    assert.equal(messageOf(unnamed), 'Expected `name` to be a non-empty string, got `undefined`');
  });

  it('returns a frozen copy', () => {
    const options = { ...TEST_OPTIONS };
    const valid = validate(options);
    assert.notEqual(valid, options);
    assert.deepEqual(valid, options);
    assert.ok(Object.isFrozen(valid));
  });
});

describe('BackgroundStartError', () => {
  it('is an Error named for what it is, with its cause', () => {
    const cause = new Error('no model');
    const error = new BackgroundStartError('worker could not finish starting', { cause });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'BackgroundStartError');
    assert.equal(error.cause, cause);
  });
});
