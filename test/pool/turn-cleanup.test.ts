/**
 * However a turn ends early, the worker's turn generator is returned, so its
 * own cleanup (`finally`) runs even when the worker ignores the interrupt and
 * the consumer is not pulling events: a turn that timed out, one released
 * mid-turn, one revoked by a drain. The worker here yields when asked and does
 * nothing on interrupt, so only the pool's return() can end its generator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentPool, PoolDrainingError, TurnAbortedError, TurnTimeoutError } from '../../src/pool/index.ts';
import type { PoolWorker, StartOptions, WorkerFactory } from '../../src/pool/worker.ts';
import { request, TEST_OPTIONS } from './helpers.ts';

class DeafWorker implements PoolWorker<string, string> {
  readonly id: string;
  cleanedUp = 0;
  constructor(id: string) {
    this.id = id;
  }
  async *runTurn(): AsyncGenerator<string, void, undefined> {
    try {
      yield 'first';
      yield 'second';
    } finally {
      this.cleanedUp++;
    }
  }
  interrupt(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  isAlive(): boolean {
    return true;
  }
  memoryBytes(): number | undefined {
    return undefined;
  }
}

class DeafFactory implements WorkerFactory<string, string> {
  readonly workers: DeafWorker[] = [];
  async start(_options: StartOptions): Promise<DeafWorker> {
    const worker = new DeafWorker(`d${this.workers.length + 1}`);
    this.workers.push(worker);
    return worker;
  }
}

/** Runs a turn, pausing after its first event while `pause` runs; returns what the run threw. */
async function pausedTurn(
  pool: AgentPool<string, string>,
  pause: (lease: Awaited<ReturnType<AgentPool<string, string>['acquire']>>) => Promise<void>,
): Promise<unknown> {
  const lease = await pool.acquire(request('s'));
  try {
    for await (const event of lease.run('x')) {
      if (event === 'first') await pause(lease);
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("a turn ended early returns the worker's turn generator", () => {
  it('on a turn timeout', async () => {
    const factory = new DeafFactory();
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, turnTimeoutMs: 20 });
    const error = await pausedTurn(pool, async () => {
      await sleep(80);
      assert.equal(factory.workers[0].cleanedUp, 1, 'cleaned up while the consumer was away');
    });
    assert.ok(error instanceof TurnTimeoutError);
    assert.equal(factory.workers[0].cleanedUp, 1);
    await pool.destroy();
  });

  it('on release() mid-turn', async () => {
    const factory = new DeafFactory();
    const pool = new AgentPool(factory, { ...TEST_OPTIONS, abortGraceMs: 1_000 });
    const error = await pausedTurn(pool, async (lease) => {
      lease.release();
      await sleep(20);
      assert.equal(factory.workers[0].cleanedUp, 1, 'cleaned up while the consumer was away');
    });
    assert.ok(error instanceof TurnAbortedError);
    assert.equal(factory.workers[0].cleanedUp, 1);
    await pool.destroy();
  });

  it('on a drain whose grace is over', async () => {
    const factory = new DeafFactory();
    const pool = new AgentPool(factory, TEST_OPTIONS);
    const error = await pausedTurn(pool, async () => {
      await pool.drain(5);
      assert.equal(factory.workers[0].cleanedUp, 1, 'cleaned up while the consumer was away');
    });
    assert.ok(error instanceof PoolDrainingError);
    assert.equal(factory.workers[0].cleanedUp, 1);
  });
});
