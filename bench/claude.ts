/**
 * `npm run bench:claude`: three ways of serving Claude agent turns, on the
 * real CLI against the local model stub (300 ms think time, then the reply
 * streamed in 20 deltas over ~2 s: BENCH_STREAM_MS), same input:
 *
 * - per_turn:    spawn a fresh CLI per turn and resume the session, at most
 *                POOL_SIZE at once (the original plan);
 * - global_lock: one shared live CLI, one turn at a time (the original
 *                system; it also mixes every user's conversation into one);
 * - docent:      Docent's pool of warm, session-bound workers.
 *
 * Workloads: warm (3 users, 5 turns each) and crowded (9 users, 3 turns each),
 * pool of 3, users wait 500 ms between turns. Latency is measured twice per
 * turn: time to first token (the first text delta) and time to the first
 * whole text block (the reply is one block: its last delta), separately for
 * first turns, warm follow-ups (same live process) and cold resumes (a new
 * process resumes the session). The wait for a worker (queueing, and any start
 * the turn waited for) is reported apart, and for Docent the time from getting
 * a worker to the `session` event (target 20 ms): a turn that must queue is
 * answered 503 if the wait runs out, so nothing can be streamed before it.
 * Prints tables, docent's ratios to each named baseline and the issue's
 * targets, and writes bench/results/claude.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { query, type SDKUserMessage, startup } from '@anthropic-ai/claude-agent-sdk';
import { agentProfile } from '../src/agents/index.ts';
import { loadConfig } from '../src/config.ts';
import {
  createClaudeEngine,
  ProcessTracker,
  queryOptions,
  residentBytes,
  TranscriptStore,
  TurnTranslator,
} from '../src/engines/claude/index.ts';
import { Channel } from '../src/engines/claude/message-channel.ts';
import type { AgentEvent, TurnInput } from '../src/engines/types.ts';
import { createLogger } from '../src/logger.ts';
import { AgentPool } from '../src/pool/index.ts';
import { createFakeKb } from '../test/engines/claude/harness.ts';
import { startModelStub } from '../test/support/model-stub.ts';

const THINK_MS = 300;
/** How long the stub takes to stream a reply after its think time. */
const STREAM_MS = process.env.BENCH_STREAM_MS ? Number(process.env.BENCH_STREAM_MS) : 2_000;
if (!(STREAM_MS >= 0 && STREAM_MS <= 60_000)) throw new Error('BENCH_STREAM_MS must be a number of ms from 0 to 60000');
const STREAM_DELTAS = 20;
/** The issue's 500 ms; BENCH_GAP_MS changes it, to see where keeping a session warm starts to pay. */
const GAP_MS = process.env.BENCH_GAP_MS ? Number(process.env.BENCH_GAP_MS) : 500;
if (!(GAP_MS >= 0 && GAP_MS <= 60_000)) throw new Error('BENCH_GAP_MS must be a number of ms from 0 to 60000');
const POOL_SIZE = 3;
const CLOCK_TICKS_PER_S = 100;
const RSS_SAMPLE_MS = 200;

interface Workload {
  readonly name: 'warm' | 'crowded';
  readonly users: number;
  readonly turns: number;
}
const ALL_WORKLOADS: readonly Workload[] = [
  { name: 'warm', users: 3, turns: 5 },
  { name: 'crowded', users: 9, turns: 3 },
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => !process.env.BENCH_WORKLOAD || w.name === process.env.BENCH_WORKLOAD);
const STRATEGIES = (['per_turn', 'global_lock', 'docent'] as const).filter(
  (s) => !process.env.BENCH_STRATEGY || s === process.env.BENCH_STRATEGY,
);

/** A follow-up ran in a live process bound to its session (warm) or in one started to resume it (cold). */
type TurnKind = 'first' | 'warm' | 'cold';
type TurnRunner = (
  sessionId: string,
  turnIndex: number,
  message: string,
  /** Told when the turn got its worker (or slot) and how a follow-up was served, before its first event. */
  served: (kind: TurnKind) => void,
) => AsyncIterable<AgentEvent>;
interface StrategyRun {
  readonly run: TurnRunner;
  readonly starts: () => number;
  readonly pids: () => number[];
  readonly close: () => Promise<void>;
  /** Docent only: how its pool placed the turns. */
  readonly placements?: () => Placements;
}
interface Placements {
  warm_hits: number;
  protected_warm_hits: number;
  evictions: number;
  /** What the pool took a cold start to cost at the end (measured once it had 3, else the engine's hint). */
  start_cost_ms: number;
}
type StrategyName = 'per_turn' | 'global_lock' | 'docent';

interface Samples {
  wait: number[];
  session: number[];
  token: number[];
  /** First token counted from the turn getting its worker. */
  tokenServed: number[];
  block: number[];
}

interface Latency {
  turns: number;
  /** Time from the request until the turn had a worker (or slot): queueing, and for Docent any start it waited for. */
  wait_p50_ms: number;
  wait_p95_ms: number;
  /** Time from the turn getting its worker to the `session` event (what a client hears first). */
  session_p50_ms: number;
  session_p95_ms: number;
  /** Time from the turn getting its worker to its first token (a cold resume's start is in it, the queue is not). */
  served_token_p50_ms: number;
  token_p50_ms: number;
  token_p95_ms: number;
  block_p50_ms: number;
  block_p95_ms: number;
}

interface Figures {
  /** Time to the first whole text block (as before streaming), first turns and follow-ups. */
  ttft_first_p50_ms: number;
  ttft_followup_p50_ms: number;
  ttft_followup_p95_ms: number;
  /** Time to first token and to the first text block, by kind of turn. */
  latency: Record<TurnKind, Latency>;
  turns_per_s: number;
  starts: number;
  cpu_s_per_turn: number;
  peak_rss_mb: number;
  errors: number;
  placements?: Placements;
}

/** The issue's bound on how long a client waits for the `session` event, on every path. */
const SESSION_EVENT_TARGET_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** CPU seconds of this process plus every child it has reaped (/proc/self/stat utime, stime, cutime, cstime). */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / CLOCK_TICKS_PER_S;
}

function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** A counting semaphore; hand-written because it is a dozen lines. */
function semaphore(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    acquire: async () => {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

async function main(): Promise<void> {
  const stub = await startModelStub({
    thinkMs: THINK_MS,
    chunks: STREAM_DELTAS,
    chunkDelayMs: STREAM_MS / (STREAM_DELTAS - 1),
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'docent-bench-claude-'));
  const kbRoot = path.join(tmp, 'kb');
  mkdirSync(kbRoot, { recursive: true });
  writeFileSync(path.join(kbRoot, 'README.md'), '# Knowledge base\n');
  const config = loadConfig({
    ANTHROPIC_API_KEY: 'bench-key',
    ANTHROPIC_BASE_URL: stub.url,
    DATA_DIR: path.join(tmp, 'data'),
    KB_ROOT_PATH: kbRoot,
    LOG_LEVEL: 'silent',
    EMPLOYEE_CLIENT_POOL_SIZE: String(POOL_SIZE),
    POOL_MIN_SPARES: '1',
  });
  const logger = createLogger('silent');
  const kb = createFakeKb(kbRoot);
  const resolveUpload = async () => undefined;
  const profile = agentProfile('employee', { kb, resolveUpload });

  /** Plain SDK processes for the two baselines, tracked like Docent's. */
  function baselineTools(name: string) {
    const dir = path.join(config.dataDir, `baseline-${name}`);
    return { tracker: new ProcessTracker(path.join(dir, 'pids'), logger), transcripts: new TranscriptStore(dir) };
  }

  const strategies: Record<StrategyName, () => Promise<StrategyRun>> = {
    per_turn: async () => {
      const { tracker, transcripts } = baselineTools(`per-turn-${randomUUID().slice(0, 8)}`);
      const slots = semaphore(POOL_SIZE);
      let n = 0;
      return {
        run: async function* (sessionId, turnIndex, message, served) {
          await slots.acquire();
          try {
            served(turnIndex > 0 ? 'cold' : 'first');
            n += 1;
            const q = query({
              prompt: message,
              options: queryOptions({
                profile,
                config,
                configDir: transcripts.workerConfigDir(`turn-${n}`),
                session: { kind: turnIndex === 0 ? 'new' : 'resume', cliSessionId: sessionId },
                spawn: (o) => tracker.spawn(o),
              }),
            });
            const translator = new TurnTranslator();
            for await (const m of q) {
              yield* translator.translate(m).events;
              if (m.type === 'result') break;
            }
            q.close();
          } finally {
            slots.release();
          }
        },
        starts: () => tracker.started,
        pids: () => tracker.pids(),
        close: async () => tracker.dispose(),
      };
    },

    global_lock: async () => {
      const { tracker, transcripts } = baselineTools(`lock-${randomUUID().slice(0, 8)}`);
      const input = new Channel<SDKUserMessage>();
      const warm = await startup({
        options: queryOptions({
          profile,
          config,
          configDir: transcripts.workerConfigDir('shared'),
          session: { kind: 'new', cliSessionId: randomUUID() },
          spawn: (o) => tracker.spawn(o),
        }),
      });
      const q = warm.query(input);
      const messages = q[Symbol.asyncIterator]();
      const lock = semaphore(1);
      return {
        run: async function* (_sessionId, turnIndex, message, served) {
          await lock.acquire();
          try {
            served(turnIndex > 0 ? 'warm' : 'first');
            input.push({
              type: 'user',
              message: { role: 'user', content: message },
              parent_tool_use_id: null,
              session_id: '',
            });
            const translator = new TurnTranslator();
            for (;;) {
              const next = await messages.next();
              if (next.done) throw new Error('the shared CLI ended');
              yield* translator.translate(next.value).events;
              if (next.value.type === 'result') break;
            }
          } finally {
            lock.release();
          }
        },
        starts: () => tracker.started,
        pids: () => tracker.pids(),
        close: async () => {
          input.end();
          q.close();
          tracker.dispose();
        },
      };
    },

    docent: async () => {
      const engine = createClaudeEngine({
        config,
        kb,
        resolveUpload,
        logger,
        dataDir: path.join(config.dataDir, `docent-${randomUUID().slice(0, 8)}`),
      });
      const pool = new AgentPool<TurnInput, AgentEvent>(engine.factory('employee'), {
        ...config.pools.employee,
        name: 'employee',
      });
      if (process.env.BENCH_VERBOSE) {
        const t0 = performance.now();
        pool.onEvent((event) =>
          console.error(
            Math.round(performance.now() - t0),
            JSON.stringify(event, (k, v) => (k === 'error' ? String(v) : v)),
          ),
        );
      }
      // Let the pool have its spare ready, as a running server would.
      await new Promise<void>((resolve) => {
        const off = pool.onEvent((event) => {
          if (event.type === 'worker_started') {
            off();
            resolve();
          }
        });
      });
      return {
        run: async function* (sessionId, turnIndex, message, served) {
          const lease = await pool.acquire({ session: { id: sessionId, isNew: turnIndex === 0 }, userId: sessionId });
          served(turnIndex === 0 ? 'first' : lease.placement === 'warm' ? 'warm' : 'cold');
          try {
            yield* lease.run({ message });
          } finally {
            lease.release();
          }
        },
        starts: () => engine.stats().processesStarted,
        pids: () => [...engine.stats().pids],
        placements: () => {
          const totals = pool.stats().totals;
          return {
            warm_hits: totals.warmHits,
            protected_warm_hits: totals.protectedWarmHits ?? 0,
            evictions: totals.evictions,
            start_cost_ms: Math.round(pool.stats().startCostMs),
          };
        },
        close: async () => {
          await pool.drain(10_000);
          await engine.close();
        },
      };
    },
  };

  async function measure(workload: Workload, name: StrategyName): Promise<Figures> {
    const strategy = await strategies[name]();
    const cpuBefore = cpuSeconds();
    const seen = new Set<number>();
    let peakRss = 0;
    const sampler = setInterval(() => {
      for (const pid of strategy.pids()) {
        seen.add(pid);
        peakRss = Math.max(peakRss, residentBytes(pid) ?? 0);
      }
    }, RSS_SAMPLE_MS);
    const firsts: number[] = [];
    const followups: number[] = [];
    const samples: Record<TurnKind, Samples> = {
      first: { wait: [], session: [], token: [], tokenServed: [], block: [] },
      warm: { wait: [], session: [], token: [], tokenServed: [], block: [] },
      cold: { wait: [], session: [], token: [], tokenServed: [], block: [] },
    };
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workload.users }, async (_, user) => {
        const sessionId = randomUUID();
        for (let turn = 0; turn < workload.turns; turn++) {
          if (turn > 0) await sleep(GAP_MS);
          const sent = performance.now();
          let kind: TurnKind = 'first';
          let session: number | undefined;
          let token: number | undefined;
          // The stub's reply is one text block: it is whole at its last delta.
          let block: number | undefined;
          let accepted: number | undefined;
          const served = (how: TurnKind) => {
            kind = how;
            accepted = performance.now();
          };
          try {
            for await (const event of strategy.run(sessionId, turn, `user ${user} turn ${turn}`, served)) {
              // The session event is due once the turn is accepted (it has a worker); waiting in the queue is apart.
              if (event.type === 'session') session ??= performance.now() - (accepted ?? sent);
              if (event.type === 'text') {
                block = performance.now() - sent;
                token ??= block;
              }
              if (event.type === 'error') errors += 1;
            }
          } catch (error) {
            errors += 1;
            console.error(`${name}/${workload.name}: turn failed: ${(error as Error).message}`);
          }
          if (token !== undefined && block !== undefined) {
            (turn === 0 ? firsts : followups).push(block);
            if (session !== undefined) samples[kind].session.push(session);
            if (accepted !== undefined) {
              samples[kind].wait.push(accepted - sent);
              samples[kind].tokenServed.push(token - (accepted - sent));
            }
            samples[kind].token.push(token);
            samples[kind].block.push(block);
          }
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const starts = strategy.starts();
    const placements = strategy.placements?.();
    for (const pid of strategy.pids()) seen.add(pid);
    clearInterval(sampler);
    await strategy.close();
    // Wait until every child is gone and reaped, so its CPU time is counted.
    for (let i = 0; i < 100 && [...seen].some((pid) => !processGone(pid)); i++) await sleep(50);
    await sleep(200);
    const turns = workload.users * workload.turns;
    const latencyOf = ({ wait, session, token, tokenServed, block }: Samples): Latency => ({
      turns: token.length,
      wait_p50_ms: Math.round(percentile(wait, 50)),
      wait_p95_ms: Math.round(percentile(wait, 95)),
      session_p50_ms: Math.round(percentile(session, 50)),
      session_p95_ms: Math.round(percentile(session, 95)),
      served_token_p50_ms: Math.round(percentile(tokenServed, 50)),
      token_p50_ms: Math.round(percentile(token, 50)),
      token_p95_ms: Math.round(percentile(token, 95)),
      block_p50_ms: Math.round(percentile(block, 50)),
      block_p95_ms: Math.round(percentile(block, 95)),
    });
    return {
      latency: { first: latencyOf(samples.first), warm: latencyOf(samples.warm), cold: latencyOf(samples.cold) },
      ttft_first_p50_ms: Math.round(percentile(firsts, 50)),
      ttft_followup_p50_ms: Math.round(percentile(followups, 50)),
      ttft_followup_p95_ms: Math.round(percentile(followups, 95)),
      turns_per_s: Number((turns / elapsedS).toFixed(3)),
      starts,
      cpu_s_per_turn: Number(((cpuSeconds() - cpuBefore) / turns).toFixed(3)),
      peak_rss_mb: Math.round(peakRss / (1024 * 1024)),
      errors,
      ...(placements ? { placements } : {}),
    };
  }

  const results: Record<string, Record<string, Figures>> = {};
  try {
    for (const workload of WORKLOADS) {
      results[workload.name] = {};
      for (const name of STRATEGIES) {
        process.stderr.write(`running ${workload.name} / ${name} ...\n`);
        results[workload.name][name] = await measure(workload, name);
      }
    }
  } finally {
    await stub.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = path.join(here, 'results', 'claude.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const report = {
    ...results,
    meta: {
      think_ms: THINK_MS,
      stream_ms: STREAM_MS,
      stream_deltas: STREAM_DELTAS,
      gap_ms: GAP_MS,
      pool_size: POOL_SIZE,
      cpus: os.cpus().length,
      note: 'global_lock shares one CLI conversation among all users (the original bug); it is a latency baseline only',
      date: new Date().toISOString(),
    },
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  const rows = Object.entries(results).flatMap(([workload, byStrategy]) =>
    Object.entries(byStrategy).map(([strategy, { placements: _, latency: __, ...f }]) => ({
      workload,
      strategy,
      ...f,
    })),
  );
  console.table(rows);
  // Time to first token next to time to first text block, by kind of turn (NaN: no such turn in that run).
  const latencyRows = Object.entries(results).flatMap(([workload, byStrategy]) =>
    Object.entries(byStrategy).flatMap(([strategy, { latency }]) =>
      (Object.entries(latency) as Array<[TurnKind, Latency]>)
        .filter(([, l]) => l.turns > 0)
        .map(([kind, l]) => ({ workload, strategy, kind, ...l })),
    ),
  );
  console.table(latencyRows);
  const ratio = (ours: number, theirs: number) =>
    Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? `x${(ours / theirs).toFixed(2)}` : 'n/a';
  for (const [workload, byStrategy] of Object.entries(results)) {
    const docent = byStrategy.docent?.latency;
    if (!docent) continue;
    for (const kind of ['first', 'warm', 'cold'] as const) {
      const ours = docent[kind];
      if (ours.turns === 0) continue;
      const against = (['per_turn', 'global_lock'] as const)
        .map((baseline) => {
          const theirs = byStrategy[baseline]?.latency[kind];
          return theirs && theirs.turns > 0
            ? `${baseline} token ${ratio(ours.token_p50_ms, theirs.token_p50_ms)}, block ${ratio(ours.block_p50_ms, theirs.block_p50_ms)}`
            : undefined;
        })
        .filter(Boolean);
      console.log(
        `${workload}/${kind}: docent wait for a worker p50 ${ours.wait_p50_ms} ms (p95 ${ours.wait_p95_ms}), then session event p50 ${ours.session_p50_ms} ms (p95 ${ours.session_p95_ms}; target <= ${SESSION_EVENT_TARGET_MS}), first token p50 ${ours.token_p50_ms} ms (p95 ${ours.token_p95_ms}), first block p50 ${ours.block_p50_ms} ms (p95 ${ours.block_p95_ms}), token/block x${(ours.token_p50_ms / ours.block_p50_ms).toFixed(2)}${against.length > 0 ? `; vs ${against.join('; ')}` : ''}`,
      );
    }
  }
  if (!results.warm || !results.crowded) return;
  const warm = results.warm.docent;
  const crowded = results.crowded;
  console.log(
    `warm: docent warm follow-up first token p50 ${warm.latency.warm.token_p50_ms} ms (target <= ${THINK_MS + 100}), starts ${warm.starts} (target <= ${POOL_SIZE} + spares)`,
  );
  const cold = crowded.docent.latency.cold;
  const coldStart = crowded.docent.placements?.start_cost_ms ?? Number.NaN;
  console.log(
    `crowded: docent cold resume first token p50 ${cold.served_token_p50_ms} ms after getting its worker (${cold.token_p50_ms} ms after the request, queue included; target <= cold start ${coldStart} + ${THINK_MS} + 150 = ${coldStart + THINK_MS + 150})`,
  );
  const sessionP95 = Math.max(
    ...Object.values(results).flatMap((byStrategy) =>
      Object.values(byStrategy.docent?.latency ?? {})
        .filter((l) => l.turns > 0)
        .map((l) => l.session_p95_ms),
    ),
  );
  console.log(
    `docent: session event p95 over every path ${sessionP95} ms after the turn got its worker (target <= ${SESSION_EVENT_TARGET_MS})`,
  );
  console.log(
    `crowded: docent ${crowded.docent.turns_per_s} turns/s vs per_turn ${crowded.per_turn.turns_per_s} (${ratio(crowded.docent.turns_per_s, crowded.per_turn.turns_per_s)}, target >= x1); CPU ${crowded.docent.cpu_s_per_turn} s/turn vs ${crowded.per_turn.cpu_s_per_turn} (${ratio(crowded.docent.cpu_s_per_turn, crowded.per_turn.cpu_s_per_turn)}, target <= x1); starts ${crowded.docent.starts} vs ${crowded.per_turn.starts}`,
  );
  const coldMs = crowded.docent.placements?.start_cost_ms;
  if (coldMs !== undefined) {
    // Why the pool kept workers warm across gaps, or did not: the shield's rule, with this run's figures.
    console.log(
      coldMs < GAP_MS
        ? `crowded: the pool estimates a cold start at ${coldMs} ms < the ${GAP_MS} ms gap: with every worker taken, holding a worker for its user costs more than restarting it, so the pool does not`
        : `crowded: the pool estimates a cold start at ${coldMs} ms >= the ${GAP_MS} ms gap: the pool holds workers for users due back`,
    );
  }
  for (const [workload, byStrategy] of Object.entries(results)) {
    const p = byStrategy.docent?.placements;
    if (p) {
      console.log(
        `${workload}: docent warm hits ${p.warm_hits} (${p.protected_warm_hits} kept by the eviction shield), evictions ${p.evictions}, cold-start cost estimate ${p.start_cost_ms} ms (the engine's hint until 3 were measured)`,
      );
    }
  }
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
