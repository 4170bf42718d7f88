import genericPool from 'generic-pool';
import { AgentPool } from '../src/pool/index.ts';
import { FakeWorkerFactory } from '../test/support/fake-workers.ts';
const OPTS = { name: 'bench', maxWorkers: 1, minSpares: 0, acquireTimeoutMs: 10000, maxQueue: 100, maxQueuedPerUser: 100, maxTurnsPerUser: 10,
  sessionPolicy: 'enqueue', turnTimeoutMs: 10000, abortGraceMs: 50, closeTimeoutMs: 1000, idleTtlMs: 600000, maxTurnsPerWorker: 1e9,
  maxLifetimeMs: 3.6e6, maxWorkerMemoryBytes: 1e12, startTimeoutMs: 60000, startBackoffBaseMs: 100, startBackoffMaxMs: 1000 } as const;
async function measure(cycle: () => Promise<void>, n: number) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) await cycle(); return Number(process.hrtime.bigint() - t) / n; }
async function docent() {
  const pool = new AgentPool(new FakeWorkerFactory<string, any>(), OPTS as any);
  const request = { session: { id: 'bench', isNew: false }, userId: 'bench' };
  (await pool.acquire(request)).release();
  return { cycle: async () => { const l = await pool.acquire(request); l.release(); }, close: () => pool.destroy() };
}
async function gp() {
  const pool = genericPool.createPool({ create: async () => ({}), destroy: async () => {} }, { max: 1, min: 1 });
  await pool.release(await pool.acquire());
  return { cycle: async () => { const r = await pool.acquire(); await pool.release(r); }, close: async () => { await pool.drain(); await pool.clear(); } };
}
const best: Record<string, number> = {};
for (let r = 0; r < 7; r++) for (const [name, make] of Object.entries({ docent, gp })) {
  const { cycle, close } = await make(); await measure(cycle, 10000); const ns = await measure(cycle, 100000); await close();
  best[name] = Math.min(best[name] ?? Infinity, ns);
}
console.log(best, 'ratio', (best.docent / best.gp).toFixed(3));
