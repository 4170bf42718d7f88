import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { AgentPool, PoolOptionsError } from '../../src/pool/index.ts';
import type { PoolOptions } from '../../src/pool/types.ts';
import { FakeWorkerFactory } from '../support/fake-workers.ts';
import { TEST_OPTIONS } from './helpers.ts';

function build(options: Record<string, unknown>): AgentPool<string, unknown> {
  return new AgentPool(new FakeWorkerFactory(), options as unknown as PoolOptions);
}

describe('new AgentPool() options', () => {
  it('accepts the settings loadConfig() produces', async () => {
    const config = loadConfig({});
    const pool = new AgentPool(new FakeWorkerFactory(), { ...config.pools.employee, name: 'employee' });
    assert.equal(pool.stats().maxWorkers, 3);
    await pool.destroy();
  });

  it('refuses a zero maxWorkers with the one message format', () => {
    assert.throws(() => build({ ...TEST_OPTIONS, maxWorkers: 0 }), {
      name: 'PoolOptionsError',
      message: 'Expected `maxWorkers` to be a positive integer, got `0`',
    });
  });

  it('refuses non-integers, strings and negatives', () => {
    assert.throws(
      () => build({ ...TEST_OPTIONS, acquireTimeoutMs: 1.5 }),
      /`acquireTimeoutMs` to be a positive integer/,
    );
    assert.throws(
      () => build({ ...TEST_OPTIONS, maxQueue: '3' }),
      /`maxQueue` to be a non-negative integer.*got `"3"`/,
    );
    assert.throws(() => build({ ...TEST_OPTIONS, minSpares: -1 }), PoolOptionsError);
  });

  it('refuses unknown keys', () => {
    assert.throws(() => build({ ...TEST_OPTIONS, maxWorker: 3 }), { message: 'Unknown pool option `maxWorker`' });
  });

  it('refuses a missing key', () => {
    const { idleTtlMs: _, ...rest } = TEST_OPTIONS;
    assert.throws(() => build(rest), /Expected `idleTtlMs` to be a positive integer, got `undefined`/);
  });

  it('cross-checks minSpares against maxWorkers and the back-off bounds', () => {
    assert.throws(() => build({ ...TEST_OPTIONS, maxWorkers: 2, minSpares: 3 }), /`minSpares` to be at most/);
    assert.throws(
      () => build({ ...TEST_OPTIONS, startBackoffBaseMs: 50, startBackoffMaxMs: 10 }),
      /`startBackoffBaseMs` to be at most/,
    );
  });

  it('refuses an unknown session policy', () => {
    assert.throws(
      () => build({ ...TEST_OPTIONS, sessionPolicy: 'drop' }),
      /`sessionPolicy` to be `enqueue` or `reject`/,
    );
  });
});
