import { AgentPool } from '/work/main/src/pool/agent-pool.ts';
import { FakeWorkerFactory } from '/work/main/test/support/fake-workers.ts';
const pool = new AgentPool(new FakeWorkerFactory<string, any>(), {
  name: 'bench', maxWorkers: 1, minSpares: 0, acquireTimeoutMs: 10000, maxQueue: 100, maxQueuedPerUser: 100, maxTurnsPerUser: 10,
  sessionPolicy: 'enqueue', turnTimeoutMs: 10000, abortGraceMs: 50, closeTimeoutMs: 1000, idleTtlMs: 600000, maxTurnsPerWorker: 1e9,
  maxLifetimeMs: 3.6e6, maxWorkerMemoryBytes: 1e12, startTimeoutMs: 60000, startBackoffBaseMs: 100, startBackoffMaxMs: 1000,
} as any);
const request = { session: { id: 'bench', isNew: false }, userId: 'bench' };
(await pool.acquire(request)).release();
for (let r = 0; r < 5; r++) {
  const n = 300000; const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) { const l = await pool.acquire(request); l.release(); }
  console.log(Number(process.hrtime.bigint() - t) / n, 'ns');
}
await pool.destroy();
