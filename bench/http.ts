/**
 * bench:http — the real server (`src/main.ts`, offline engine, sample
 * knowledge base) in a child process on 127.0.0.1, driven by 64 concurrent
 * users, each with its own session, asking turn after turn for 20 s.
 *
 * Reports turns/s, p50/p99 time to first event and to `done`, errors, and
 * the server's peak RSS (VmHWM), and writes bench/results/http.json.
 *
 * It also prints where a turn's time went: the server's per-stage histograms
 * (`docent_turn_stage_seconds` from /metrics, read when measuring starts and
 * ends) give each stage's mean over the measured turns (HTTP hooks and
 * routing, session lookup, pool wait, engine answer with its events sent,
 * session store), beside the mean `done` time the client
 * measured; the rest is outside those stages (the client, loopback, Node's
 * HTTP parser, the event loop's queue before the route runs).
 *
 * Settings: BENCH_USERS (64), BENCH_DURATION_S (20), BENCH_WARMUP_S (2);
 * any EMPLOYEE_CLIENT_POOL_SIZE / POOL_* variable set is passed to the server;
 * BENCH_NODE_ARGS adds flags to the server's node.
 *
 * BENCH_PROFILE=1 runs the server under `--cpu-prof` and prints where its CPU
 * time went, by area (HTTP and SSE, pool, engine, retrieval, session store,
 * logging, Node's own HTTP and streams, GC), per turn and as a share; the
 * profile itself is kept in bench/results/http.cpuprofile for a flame graph
 * (open it in Chrome DevTools or speedscope).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USERS = Number(process.env.BENCH_USERS ?? 64);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const PROFILE = process.env.BENCH_PROFILE === '1';
const QUESTIONS = [
  'How many days of annual leave do I get?',
  'How do I connect to the VPN from home?',
  'What is the deadline for expense reimbursement?',
  'What should a new hire do in the first week?',
  'What discounts can sales offer without approval?',
  'How do I get a replacement laptop?',
  'What does the health insurance cover?',
  '年假有多少天？',
];

interface TurnSample {
  readonly ttfeMs: number;
  readonly doneMs: number;
}

/** CPU time (user + system) the process has used, in ms, from /proc (Linux; 0 elsewhere). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

type StageTotals = Map<string, { sum: number; count: number; buckets: Map<number, number> }>;
interface MetricsReading {
  readonly stages: StageTotals;
  /** The employee pool's counters (turns, warm_hits, spare_hits, cold_starts, evictions). */
  readonly pool: Map<string, number>;
}

/** The employee turns' stage histograms' sums (s) and counts, and the employee pool's placement counters, from /metrics. */
async function readMetrics(agent: http.Agent, base: string): Promise<MetricsReading> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get(`${base}/metrics`, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
  const totals: StageTotals = new Map();
  const line = /^docent_turn_stage_seconds_(sum|count)\{role="employee",stage="([a-z_]+)"\} (\S+)$/gm;
  for (const [, kind, stage, value] of text.matchAll(line)) {
    const entry = totals.get(stage!) ?? { sum: 0, count: 0, buckets: new Map() };
    entry[kind as 'sum' | 'count'] = Number(value);
    totals.set(stage!, entry);
  }
  const bucket = /^docent_turn_stage_seconds_bucket\{le="([^"]+)",role="employee",stage="([a-z_]+)"\} (\S+)$/gm;
  for (const [, le, stage, value] of text.matchAll(bucket)) {
    totals.get(stage!)?.buckets.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le) * 1000, Number(value));
  }
  const pool = new Map<string, number>();
  for (const [, name, value] of text.matchAll(/^docent_pool_([a-z_]+)_total\{pool="employee"\} (\S+)$/gm)) {
    pool.set(name!, Number(value));
  }
  return { stages: totals, pool };
}

/** How the pool placed the measured turns (and what it evicted), from two readings of its counters. */
function placements(from: MetricsReading, to: MetricsReading): Record<string, number> {
  const delta = (name: string) => (to.pool.get(name) ?? 0) - (from.pool.get(name) ?? 0);
  return Object.fromEntries(
    ['turns', 'warm_hits', 'spare_hits', 'cold_starts', 'evictions', 'starts'].map((name) => [name, delta(name)]),
  );
}

interface StageFigures {
  readonly stage: string;
  readonly mean_ms: number;
  /** The histogram bucket bound (ms) at or below which 99% of the stage's observations fell. */
  readonly p99_at_most_ms: number;
}

/** Each stage's mean (ms) and p99 bucket over the turns observed between two readings. */
function stageFigures(from: StageTotals, to: StageTotals): StageFigures[] {
  return [...to].map(([stage, end]) => {
    const start = from.get(stage) ?? { sum: 0, count: 0, buckets: new Map<number, number>() };
    const count = end.count - start.count;
    let p99 = 0;
    for (const [le, cumulative] of [...end.buckets].sort((a, b) => a[0] - b[0])) {
      p99 = le;
      if (cumulative - (start.buckets.get(le) ?? 0) >= 0.99 * count) break;
    }
    return { stage, mean_ms: count > 0 ? ((end.sum - start.sum) * 1000) / count : 0, p99_at_most_ms: p99 };
  });
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the serving path a profiled function belongs to. */
function areaOf(functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle';
    return 'native (V8, syscalls)';
  }
  const rules: Array<[RegExp, string]> = [
    [/\/src\/http\//, 'Docent HTTP routes and SSE'],
    [/\/src\/pool\//, 'Docent pool'],
    [/\/src\/engines\//, 'Docent engine (answer composition)'],
    [/\/src\/kb\//, 'Docent retrieval (kb)'],
    [/\/src\/sessions\//, 'Docent session store'],
    [/\/src\//, 'Docent other'],
    [
      /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse)/,
      'Fastify',
    ],
    [/node_modules\/(pino|sonic-boom|thread-stream)/, 'logging (pino)'],
    [/node_modules\/(libsql|@libsql)/, 'SQLite (libsql)'],
    [/node_modules\/zod/, 'validation (zod)'],
    [/node_modules\/tsx/, 'tsx loader'],
    [/node_modules\//, 'other libraries'],
    [/^node:(_http|http|internal\/http|internal\/(http|net)|net)/, 'Node HTTP and sockets'],
    [/^node:internal\/streams|^node:stream/, 'Node streams'],
  ];
  for (const [pattern, area] of rules) if (pattern.test(url)) return area;
  return 'Node core (other)';
}

/** CPU ms per area over the samples taken between `fromUs` and `toUs` (monotonic clock, as the profile's). */
function timeByArea(profile: CpuProfile, fromUs: number, toUs: number): Map<string, number> {
  const areas = new Map(profile.nodes.map((n) => [n.id, areaOf(n.callFrame.functionName, n.callFrame.url)]));
  const byArea = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs || at > toUs) continue;
    const area = areas.get(profile.samples[i]!) ?? 'Node core (other)';
    byArea.set(area, (byArea.get(area) ?? 0) + delta / 1000);
  }
  return byArea;
}

/** The main thread's profile: of the files --cpu-prof wrote (one per thread), the one that ran src/main.ts. */
async function mainThreadProfile(dir: string): Promise<{ file: string; profile: CpuProfile } | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  for (const name of files) {
    const file = path.join(dir, name);
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    if (profile.nodes.some((n) => n.callFrame.url.endsWith('/src/main.ts'))) return { file, profile };
  }
  return undefined;
}

/** The stages' means beside the client's mean time to `done`, and what no stage accounts for. */
function whereTurnGoes(
  stages: readonly StageFigures[],
  samples: readonly TurnSample[],
): Array<{ stage: string; mean_ms: number; share_pct: number; p99_at_most_ms?: number }> {
  const doneMean = samples.reduce((sum, s) => sum + s.doneMs, 0) / Math.max(1, samples.length);
  const inStages = stages.reduce((sum, s) => sum + s.mean_ms, 0);
  const share = (ms: number) => (doneMean > 0 ? round((ms / doneMean) * 100) : 0);
  const ms = (n: number) => Math.round(n * 1000) / 1000;
  return [
    ...stages.map((s) => ({
      stage: s.stage,
      mean_ms: ms(s.mean_ms),
      share_pct: share(s.mean_ms),
      p99_at_most_ms: s.p99_at_most_ms,
    })),
    { stage: 'outside the stages', mean_ms: ms(doneMean - inStages), share_pct: share(doneMean - inStages) },
    { stage: 'done (client)', mean_ms: ms(doneMean), share_pct: 100 },
  ];
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function startServer(dir: string): Promise<{ base: string; pid: number; stop: () => Promise<number | null> }> {
  const passThrough = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(ANTHROPIC_|CLAUDE_|DOCENT_|ADMIN_TOKEN|AUTH_MODE)/.test(k)),
  );
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (PROFILE) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'profile')}`);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...passThrough,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DOCENT_ENGINE: 'local',
      DATA_DIR: path.join(dir, 'data'),
      KB_ROOT_PATH: path.join(dir, 'kb'),
      ADMIN_TOKEN: 'bench-admin-token-0123456789',
      RATE_LIMIT_PER_MINUTE: '1000000',
      NEW_IDENTITIES_PER_ADDRESS: '1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Never leave the server behind, whatever happens to this process.
  process.on('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const base = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Docent listening on (http:\/\/[\d.]+:\d+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return {
    base,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One turn: resolves with its timings, or rejects with what went wrong. */
function runTurn(agent: http.Agent, url: string, cookie: string): Promise<TurnSample & { sessionId: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttfeMs: number | undefined;
    let body = '';
    const request = http.get(url, { agent, headers: { cookie, accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`HTTP ${response.statusCode}`));
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (ttfeMs === undefined && chunk.includes('data: ')) ttfeMs = performance.now() - started;
        body += chunk;
      });
      response.on('end', () => {
        const doneMs = performance.now() - started;
        if (!body.includes('"type":"done"')) {
          const error = /"type":"error","message":"([^"]*)"/.exec(body)?.[1];
          reject(new Error(error ? `error event: ${error}` : 'stream ended without done'));
          return;
        }
        const sessionId = /"session_id":"([^"]+)"/.exec(body)?.[1] ?? '';
        resolve({ ttfeMs: ttfeMs ?? doneMs, doneMs, sessionId });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function getCookie(agent: http.Agent, base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/api/me`, { agent }, (response) => {
        response.resume();
        const setCookie = response.headers['set-cookie']?.[0];
        if (!setCookie) reject(new Error('no identity cookie'));
        else resolve(setCookie.split(';')[0]!);
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-bench-http-'));
  const server = await startServer(dir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: USERS * 2 });
  const samples: TurnSample[] = [];
  const errors = new Map<string, number>();
  let mixed = 0;
  try {
    const cookies = await Promise.all(Array.from({ length: USERS }, () => getCookie(agent, server.base)));
    const warmupEnd = performance.now() + WARMUP_S * 1000;
    const end = warmupEnd + DURATION_S * 1000;
    let measuredFrom = 0;
    const user = async (u: number) => {
      let sessionId: string | undefined;
      for (let turn = 0; performance.now() < end; turn++) {
        const message = QUESTIONS[(u + turn) % QUESTIONS.length]!;
        const params = new URLSearchParams({ message });
        if (sessionId) params.set('session_id', sessionId);
        const measuring = performance.now() >= warmupEnd;
        try {
          const sample = await runTurn(agent, `${server.base}/api/user/query?${params}`, cookies[u]!);
          if (sessionId && sample.sessionId !== sessionId) mixed++;
          sessionId ??= sample.sessionId;
          if (measuring && performance.now() <= end) samples.push(sample);
        } catch (error) {
          if (measuring) {
            const key = (error as Error).message;
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      }
    };
    let cpuFrom = 0;
    let profileFromUs = 0;
    let metricsFrom: Promise<MetricsReading> = Promise.resolve({ stages: new Map(), pool: new Map() });
    setTimeout(() => {
      measuredFrom = performance.now();
      profileFromUs = monotonicUs();
      void cpuMsOf(server.pid).then((ms) => {
        cpuFrom = ms;
      });
      metricsFrom = readMetrics(agent, server.base);
    }, WARMUP_S * 1000).unref();
    await Promise.all(Array.from({ length: USERS }, (_, u) => user(u)));
    const profileToUs = monotonicUs();
    const [metricsAtStart, metricsAtEnd] = [await metricsFrom, await readMetrics(agent, server.base)];
    const stages = stageFigures(metricsAtStart.stages, metricsAtEnd.stages);
    const measuredS = (performance.now() - (measuredFrom || warmupEnd)) / 1000;
    const serverCpuMs = (await cpuMsOf(server.pid)) - cpuFrom;
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8').catch(() => '');
    const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);

    const ttfe = samples.map((s) => s.ttfeMs).sort((a, b) => a - b);
    const done = samples.map((s) => s.doneMs).sort((a, b) => a - b);
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0) + mixed;
    const result = {
      turns_per_s: round(samples.length / Math.min(measuredS, DURATION_S)),
      ttfe_p50_ms: round(percentile(ttfe, 50)),
      ttfe_p99_ms: round(percentile(ttfe, 99)),
      done_p50_ms: round(percentile(done, 50)),
      done_p99_ms: round(percentile(done, 99)),
      errors: errorCount,
      rss_mb: round(peakKb / 1024),
      turns: samples.length,
      server_cpu_ms_per_turn: samples.length > 0 ? Math.round((serverCpuMs / samples.length) * 100) / 100 : 0,
      load_average_1m: round(os.loadavg()[0]!),
      users: USERS,
      duration_s: DURATION_S,
      engine: 'local',
      employee_pool_size: Number(process.env.EMPLOYEE_CLIENT_POOL_SIZE ?? 3),
      error_kinds: Object.fromEntries(errors),
      mixed_sessions: mixed,
      cpus: os.cpus().length,
      node: process.version,
      where_a_turn_goes_ms: whereTurnGoes(stages, samples),
      employee_pool_placements: placements(metricsAtStart, metricsAtEnd),
    };
    await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'http.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    const pass = result.turns_per_s >= 300 && result.done_p99_ms <= 250 && result.errors === 0;
    console.log(`target (>= 300 turns/s, p99 done <= 250 ms, no errors): ${pass ? 'met' : 'NOT met'}`);
    console.log(
      "where a turn's time went (means over the measured turns, and the histogram bucket holding each stage's p99; the server's stages, then the rest):",
    );
    console.table(result.where_a_turn_goes_ms);
    console.log('how the employee pool placed them (counts while measuring):', result.employee_pool_placements);
    if (PROFILE) {
      await server.stop();
      const found = await mainThreadProfile(path.join(dir, 'profile'));
      if (!found) {
        console.log('no CPU profile was written');
      } else {
        const byArea = timeByArea(found.profile, profileFromUs, profileToUs);
        const busy = [...byArea].filter(([area]) => area !== 'idle').reduce((sum, [, ms]) => sum + ms, 0);
        const rows = [...byArea]
          .filter(([area]) => area !== 'idle')
          .sort((a, b) => b[1] - a[1])
          .map(([area, ms]) => ({
            area,
            ms_per_turn: Math.round((ms / Math.max(1, samples.length)) * 1000) / 1000,
            share_pct: Math.round((ms / busy) * 1000) / 10,
          }));
        console.log(`where the server's main thread spent its CPU time while measuring (${Math.round(busy)} ms busy):`);
        console.table(rows);
        const kept = path.join(REPO_ROOT, 'bench', 'results', 'http.cpuprofile');
        await copyFile(found.file, kept);
        await writeFile(
          path.join(REPO_ROOT, 'bench', 'results', 'http.json'),
          `${JSON.stringify({ ...result, where_time_goes: rows }, null, 2)}\n`,
        );
        console.log(`profile: ${path.relative(process.cwd(), kept)}`);
      }
    }
  } finally {
    agent.destroy();
    const code = await server.stop(); // a second stop (after profiling) only returns the exit code
    if (code !== 0) console.error(`server exited with ${code}`);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
