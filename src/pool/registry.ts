/** The named pools (`employee`, `admin`), built from settings, handled together. */
import type { Config } from '../config.ts';
import { AgentPool, type PoolDeps } from './agent-pool.ts';
import type { PoolEvent, PoolStats } from './types.ts';
import type { WorkerFactory } from './worker.ts';

export type PoolName = 'employee' | 'admin';
export const POOL_NAMES: readonly PoolName[] = Object.freeze(['employee', 'admin'] as const);

export interface PoolRegistry<TInput, TEvent> {
  get(name: PoolName): AgentPool<TInput, TEvent>;
  stats(): Record<string, PoolStats>;
  /** Subscribes to every pool's events; returns the unsubscribe function. */
  onEvent(listener: (pool: PoolName, event: PoolEvent) => void): () => void;
  /** Drains every pool at once with the same grace. */
  drain(graceMs: number): Promise<void>;
  destroy(): Promise<void>;
}

export function createPoolRegistry<TInput, TEvent>(
  factories: Readonly<Record<PoolName, WorkerFactory<TInput, TEvent>>>,
  settings: Config['pools'],
  deps: PoolDeps = {},
): PoolRegistry<TInput, TEvent> {
  const pools = new Map<PoolName, AgentPool<TInput, TEvent>>();
  for (const name of POOL_NAMES) {
    pools.set(name, new AgentPool(factories[name], { ...settings[name], name }, deps));
  }
  const all = [...pools.values()];
  return {
    get(name) {
      const pool = pools.get(name);
      if (pool === undefined) throw new RangeError(`Unknown pool \`${String(name)}\``);
      return pool;
    },
    stats() {
      return Object.fromEntries(all.map((pool) => [pool.name, pool.stats()]));
    },
    onEvent(listener) {
      const unsubscribes = [...pools].map(([name, pool]) => pool.onEvent((event) => listener(name, event)));
      return () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
      };
    },
    async drain(graceMs) {
      await Promise.all(all.map((pool) => pool.drain(graceMs)));
    },
    async destroy() {
      await Promise.all(all.map((pool) => pool.destroy()));
    },
  };
}
