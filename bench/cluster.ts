/**
 * `npm run bench:cluster`: several Docent nodes on one Redis (issue #16), on
 * this machine, with the real CLI against the local model stub (300 ms think
 * time on every model request), a fixed pool of BENCH_POOL (2) workers per
 * node. Not in CI. Four figures, each against a baseline measured in the same
 * run:
 *
 * - Cross-node resume: a conversation's turn 1 on n1, turn 2 on n2 (a cold
 *   resume from the transcript in Redis); time to first text p50/p95, against
 *   a single-node cold resume (one node without REDIS_URL; its pool evicts the
 *   conversation's worker between turns 1 and 2). Target: <= baseline + 150 ms.
 * - Redis cost per warm turn: the Redis calls a warm turn makes (acquire the
 *   conversation's lease, one renewal, the commit: the fenced transcript
 *   appends, opening and closing the turn, the session record, then release),
 *   timed in this process against the same Redis. Target: p50 < 5 ms.
 * - Turns/s on warm sessions with 1 and 3 nodes: BENCH_POOL conversations per
 *   node, sent straight to their node (not through HAProxy, so that placement
 *   is the same every run), each turn right after the last. Target: 3 nodes >=
 *   2.5x 1 node. On one host the nodes share its cores: this measures what a
 *   node adds per node (its overhead), not hardware scaling.
 * - CPU per turn: user + system CPU of the nodes, their agent processes and
 *   redis-server over the measured window, divided by its turns.
 *
 * Writes bench/results/cluster.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversationLeases } from '../src/cluster/conversation-lease.ts';
import { openRedis } from '../src/cluster/redis.ts';
import { SharedConversations } from '../src/cluster/shared-conversations.ts';
import { createLogger } from '../src/logger.ts';
import { RedisSessionStore } from '../src/sessions/redis-store.ts';
import { descendants, type Server, startServer } from '../test/support/docent-process.ts';
import { claudeEnv } from '../test/support/http-claude.ts';
import { SseClient } from '../test/support/http-sse-client.ts';
import { startModelStub } from '../test/support/model-stub.ts';
import { redisServerAvailable, startTestRedis } from '../test/support/redis-server.ts';

const THINK_MS = 300;
const POOL = Number(process.env.BENCH_POOL ?? 2);
if (!(Number.isInteger(POOL) && POOL >= 1 && POOL <= 8))
  throw new Error('BENCH_POOL must be a whole number from 1 to 8');
/** Resumes measured per kind, after WARMUP unmeasured ones. */
const RESUMES = 10;
const WARMUP = 2;
/** Measured turns per conversation in the throughput runs (after one unmeasured warm-up turn). */
const TURNS = 15;
const REDIS_ROUNDS = 300;
const RESUME_TARGET_MS = 150;
const REDIS_TARGET_MS = 5;
const SCALE_TARGET = 2.5;
const CLOCK_TICKS_PER_S = 100;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

/** One turn of `user`'s running conversation on `node`: ms to the first text, and whether it ended done. */
async function turn(node: Server, user: string, message: string): Promise<{ firstTextMs: number; ok: boolean }> {
  const started = performance.now();
  const query = new URLSearchParams({ message, user_id: user });
  const client = await SseClient.open(`${node.base}/api/user/query?${query}`);
  await client.waitFor((c) => c.events.some((e) => e.type === 'message' || e.type === 'error'));
  const firstTextMs = performance.now() - started;
  await client.ended;
  return { firstTextMs, ok: client.statusCode === 200 && client.events.at(-1)?.type === 'done' };
}

/** CPU seconds (user + system) of these processes so far. */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS_PER_S;
}

function redisPid(port: number): number {
  const info = spawnSync('redis-cli', ['-p', String(port), 'info', 'server'], { encoding: 'utf8' }).stdout;
  return Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
}

async function stop(node: Server): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill('SIGTERM');
  await node.exited;
}

async function main(): Promise<void> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const stub = await startModelStub();
  stub.setDefault({ thinkMs: THINK_MS });
  const redis = await startTestRedis();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docent-bench-cluster-'));
  const nodes: Server[] = [];
  const base = {
    ...claudeEnv(stub.url),
    EMPLOYEE_CLIENT_POOL_SIZE: String(POOL),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    AUTH_MODE: 'open',
    LOG_LEVEL: 'info',
  };
  const start = async (name: string, env: Record<string, string>) => {
    const tmp = path.join(dir, name, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const node = await startServer({ ...base, NODE_ID: name, DATA_DIR: path.join(dir, name), TMPDIR: tmp, ...env });
    nodes.push(node);
    return node;
  };
  const errors = { turns: 0 };
  const must = async (promise: Promise<{ firstTextMs: number; ok: boolean }>) => {
    const result = await promise;
    if (!result.ok) errors.turns += 1;
    return result;
  };
  try {
    // 1. Baseline: a cold resume on one node without Redis (its pool evicts the conversation's worker).
    process.stderr.write('single node, cold resumes ...\n');
    const single = await start('single', {});
    const singleResume: number[] = [];
    for (let i = 0; i < WARMUP + RESUMES; i++) {
      const users = Array.from({ length: POOL + 1 }, (_, k) => `single-${i}-${k}`);
      for (const user of users) await must(turn(single, user, `${user} turn 1`));
      // users[0]'s worker was the least recently used: evicted by the last first turn.
      const resumed = await must(turn(single, users[0]!, `${users[0]} turn 2`));
      if (i >= WARMUP) singleResume.push(resumed.firstTextMs);
    }
    await stop(single);

    // 2. Three nodes on Redis.
    const cluster = { REDIS_URL: redis.url };
    const n1 = await start('n1', cluster);
    const n2 = await start('n2', cluster);
    const n3 = await start('n3', cluster);
    process.stderr.write('cross-node resumes ...\n');
    const crossResume: number[] = [];
    for (let i = 0; i < WARMUP + RESUMES; i++) {
      const user = `cross-${i}`;
      await must(turn(n1, user, `${user} turn 1`));
      const resumed = await must(turn(n2, user, `${user} turn 2`));
      if (i >= WARMUP) crossResume.push(resumed.firstTextMs);
    }

    // 3. Redis cost of a warm turn, the same calls in this process.
    process.stderr.write('Redis cost per warm turn ...\n');
    const logger = createLogger('silent');
    const connections = await openRedis(redis.url, { logger, node: 'bench' });
    const leases = new ConversationLeases(connections.command, { node: 'bench', ttlMs: 15_000 });
    const shared = new SharedConversations({ redis: connections.command, retentionMs: 3_600_000, logger });
    const records = new RedisSessionStore({ redis: connections.command, timeoutMs: 3_600_000 });
    const steps = { acquire: [] as number[], renew: [] as number[], commit: [] as number[], release: [] as number[] };
    const totals: number[] = [];
    const entry = (kind: string, i: number) => ({
      type: kind,
      uuid: crypto.randomUUID(),
      parentUuid: null,
      message: { role: kind, content: `${kind} ${i} `.repeat(60) },
    });
    for (let i = 0; i < REDIS_ROUNDS; i++) {
      const sid = crypto.randomUUID();
      await records.create({ id: sid, role: 'employee', ownerId: `bench-${i}`, kind: 'persistent' });
      const mirror = shared.mirror('bench');
      mirror.bindSession(sid);
      const t0 = performance.now();
      const lease = await leases.tryAcquire(sid, 'w');
      const t1 = performance.now();
      if (!lease.ok) throw new Error('lease busy');
      await leases.renew(sid, 'w', lease.token);
      const t2 = performance.now();
      mirror.setFence(lease.token);
      const prompt = entry('user', i);
      await shared.openTurn(sid, prompt.uuid, lease.token);
      await mirror.append({ projectKey: 'p', sessionId: sid }, [prompt, entry('assistant', i), entry('system', i)]);
      await shared.keepTurn(sid, lease.token);
      await records.recordTurn(sid, { question: `question ${i}`, answer: `answer ${i}`, at: Date.now() });
      const t3 = performance.now();
      await leases.release(sid, 'w', lease.token);
      const t4 = performance.now();
      steps.acquire.push(t1 - t0);
      steps.renew.push(t2 - t1);
      steps.commit.push(t3 - t2);
      steps.release.push(t4 - t3);
      totals.push(t4 - t0);
    }
    await connections.close();

    // 4. Warm turns/s with one node, then with three.
    const redisProcess = redisPid(redis.port);
    const throughput = async (on: readonly Server[], label: string) => {
      process.stderr.write(`throughput, ${label} ...\n`);
      const conversations = on.flatMap((node, n) =>
        Array.from({ length: POOL }, (_, k) => ({ node, user: `${label}-${n}-${k}` })),
      );
      // One unmeasured turn each: the conversations' workers start and stay bound (warm).
      await Promise.all(conversations.map((c) => must(turn(c.node, c.user, `${c.user} warm-up`))));
      const pids = () => [redisProcess, ...on.flatMap((node) => [node.child.pid!, ...descendants(node.child.pid!)])];
      const cpuBefore = cpuSeconds(pids());
      const startedAt = performance.now();
      const firstText: number[] = [];
      await Promise.all(
        conversations.map(async (c) => {
          for (let t = 1; t <= TURNS; t++)
            firstText.push((await must(turn(c.node, c.user, `${c.user} turn ${t}`))).firstTextMs);
        }),
      );
      const seconds = (performance.now() - startedAt) / 1000;
      const turns = conversations.length * TURNS;
      return {
        nodes: on.length,
        conversations: conversations.length,
        turns,
        turns_per_s: round(turns / seconds, 2),
        first_text_p50_ms: round(percentile(firstText, 50)),
        cpu_ms_per_turn: round(((cpuSeconds(pids()) - cpuBefore) / turns) * 1000),
      };
    };
    const one = await throughput([n1], 'one');
    const three = await throughput([n1, n2, n3], 'three');

    const single50 = percentile(singleResume, 50);
    const single95 = percentile(singleResume, 95);
    const cross50 = percentile(crossResume, 50);
    const cross95 = percentile(crossResume, 95);
    const report = {
      cross_node_resume: {
        first_text_p50_ms: round(cross50),
        first_text_p95_ms: round(cross95),
        single_node_cold_resume_p50_ms: round(single50),
        single_node_cold_resume_p95_ms: round(single95),
        target_p50_ms: round(single50 + RESUME_TARGET_MS),
        met: cross50 <= single50 + RESUME_TARGET_MS,
      },
      redis_per_warm_turn: {
        total_p50_ms: round(percentile(totals, 50), 2),
        total_p95_ms: round(percentile(totals, 95), 2),
        acquire_p50_ms: round(percentile(steps.acquire, 50), 2),
        renew_p50_ms: round(percentile(steps.renew, 50), 2),
        commit_p50_ms: round(percentile(steps.commit, 50), 2),
        release_p50_ms: round(percentile(steps.release, 50), 2),
        target_p50_ms: REDIS_TARGET_MS,
        met: percentile(totals, 50) < REDIS_TARGET_MS,
      },
      warm_throughput: {
        one_node: one,
        three_nodes: three,
        ratio: round(three.turns_per_s / one.turns_per_s, 2),
        target_ratio: SCALE_TARGET,
        met: three.turns_per_s / one.turns_per_s >= SCALE_TARGET,
        note: 'one host: the three nodes share its cores, so this measures per-node overhead, not hardware scaling',
      },
      errors: errors.turns,
      meta: {
        think_ms: THINK_MS,
        pool_per_node: POOL,
        resumes_measured: RESUMES,
        turns_per_conversation: TURNS,
        redis_rounds: REDIS_ROUNDS,
        cpus: os.cpus().length,
        load_average_1m: round(os.loadavg()[0]!, 2),
        redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim(),
        date: new Date().toISOString(),
      },
    };
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'cluster.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

    const r = report;
    console.log(
      `cross-node resume, time to first text: p50 ${r.cross_node_resume.first_text_p50_ms} ms, p95 ${r.cross_node_resume.first_text_p95_ms} ms; single-node cold resume p50 ${r.cross_node_resume.single_node_cold_resume_p50_ms} ms, p95 ${r.cross_node_resume.single_node_cold_resume_p95_ms} ms (x${(cross50 / single50).toFixed(2)}; target p50 <= ${r.cross_node_resume.target_p50_ms}: ${r.cross_node_resume.met ? 'met' : 'NOT met'})`,
    );
    console.log(
      `Redis per warm turn: p50 ${r.redis_per_warm_turn.total_p50_ms} ms, p95 ${r.redis_per_warm_turn.total_p95_ms} ms (acquire ${r.redis_per_warm_turn.acquire_p50_ms}, renew ${r.redis_per_warm_turn.renew_p50_ms}, commit ${r.redis_per_warm_turn.commit_p50_ms}, release ${r.redis_per_warm_turn.release_p50_ms}; target p50 < ${REDIS_TARGET_MS}: ${r.redis_per_warm_turn.met ? 'met' : 'NOT met'})`,
    );
    console.table([one, three]);
    console.log(
      `warm turns/s: 3 nodes ${three.turns_per_s} vs 1 node ${one.turns_per_s} (x${r.warm_throughput.ratio}; target >= x${SCALE_TARGET}: ${r.warm_throughput.met ? 'met' : 'NOT met'}); CPU per turn ${three.cpu_ms_per_turn} ms vs ${one.cpu_ms_per_turn} ms (nodes, agents and Redis). ${r.warm_throughput.note}`,
    );
    console.log(`failed turns: ${errors.turns}; load average ${r.meta.load_average_1m} on ${r.meta.cpus} CPUs`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    for (const node of nodes) await stop(node);
    await stub.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
