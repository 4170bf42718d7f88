/**
 * `npm run soak`: Docent running for a while as a company would run it, the
 * real CLI against the local model stub. SOAK_USERS employees (default 12)
 * think 1-4 s between questions; some start new conversations, some close the
 * page mid-answer, some answers are slow. Every SOAK_SAMPLE_S seconds (30) it
 * samples Docent's resident memory and heap, open file descriptors, child
 * processes, orphaned CLI processes, the data folder's size on disk, turns,
 * errors, and the wait for the first event and for the end of each turn.
 * Runs SOAK_MINUTES (default 10), then stops Docent with SIGTERM and checks
 * that nothing is left. Writes bench/results/soak.json with the RSS and disk
 * slopes after SOAK_WARMUP_MINUTES (default: a third of the run) and the
 * latency per minute, and prints them against the targets.
 *
 * Retention is short here (60 s, swept every 10 s) so the disk use shows the
 * sweep at work; the pool is sized by the machine unless SOAK_POOL_SIZE is set.
 *
 * Before the soak, a baseline of SOAK_BASELINE_MINUTES (default 3; 0 skips it)
 * runs the same users on SOAK_BASELINE_POOL_SIZE employee workers (default 3,
 * the original plan's size), so CPU per turn and first-event p95 of the sized
 * pool are printed against that baseline measured in the same run. CPU counts
 * Docent and every CLI it started (reaped or alive), after the first minute.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive, startServer } from '../test/support/docent-process.ts';
import { SseClient } from '../test/support/http-sse-client.ts';
import { startModelStub } from '../test/support/model-stub.ts';
import { seededRandom } from '../test/support/seeded-random.ts';

function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value >= min && value <= max)) throw new Error(`${name} must be a number from ${min} to ${max}`);
  return value;
}

const MINUTES = numberFromEnv('SOAK_MINUTES', 10, 0.5, 24 * 60);
const USERS = numberFromEnv('SOAK_USERS', 12, 1, 500);
const SAMPLE_S = numberFromEnv('SOAK_SAMPLE_S', 30, 1, 3600);
const WARMUP_MINUTES = numberFromEnv('SOAK_WARMUP_MINUTES', MINUTES / 3, 0, MINUTES);
const POOL_SIZE = process.env.SOAK_POOL_SIZE;
const BASELINE_MINUTES = numberFromEnv('SOAK_BASELINE_MINUTES', 3, 0, 24 * 60);
const BASELINE_POOL_SIZE = String(numberFromEnv('SOAK_BASELINE_POOL_SIZE', 3, 1, 512));
/** CPU per turn is counted from this point of each run, past the first cold starts. */
const CPU_FROM_S = 60;
const THINK_MS = 300;
/** Targets from the issue: RSS slope after warm-up, first-event p95. */
const RSS_SLOPE_TARGET_MB_H = 20;
const FIRST_EVENT_P95_TARGET_MS = 3_000;

interface Sample {
  at_s: number;
  rss_mb: number;
  heap_mb: number | null;
  fds: number;
  children: number;
  orphans: number;
  disk_mb: number;
  turns: number;
  errors: number;
  cpu_s: number;
}

interface TurnRecord {
  at_s: number;
  first_event_ms: number | null;
  done_ms: number | null;
  outcome: 'done' | 'error' | 'disconnected' | 'refused';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  return points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const TICKS_PER_S = 100; // USER_HZ on Linux

/**
 * CPU seconds of a process and everything below it: its own time, the time of
 * children it has reaped (cutime/cstime), and the trees of children still alive.
 */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17
    ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  } catch {
    return 0;
  }
  const children: number[] = [];
  try {
    // a child belongs to the thread that spawned it: read every thread's list
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed) children.push(...listed.split(/\s+/).map(Number));
    }
  } catch {
    // the process ended while reading: its parent's reaped figures count it
  }
  return ticks / TICKS_PER_S + children.reduce((sum, child) => sum + treeCpuSeconds(child), 0);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function diskMb(dir: string): number {
  let bytes = 0;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) bytes += statSync(full).size;
    }
  };
  try {
    walk(dir);
  } catch {
    // a file deleted while walking: counted next time
  }
  return bytes / (1024 * 1024);
}

/**
 * CLI processes of this data folder whose parent is gone (re-parented to init
 * or a subreaper). The server's family is read again after the scan, so a CLI
 * started while scanning is not taken for an orphan.
 */
function orphansOf(dataDir: string, serverPid: number): number {
  const before = new Set(descendants(serverPid));
  const outside: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === serverPid || before.has(pid)) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (environ.includes(`CLAUDE_CONFIG_DIR=${dataDir}`)) outside.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  if (outside.length === 0) return 0;
  const after = new Set(descendants(serverPid));
  return outside.filter((pid) => !after.has(pid) && isAlive(pid)).length;
}

async function heapMb(base: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const match = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text);
    return match ? Number(match[1]) / (1024 * 1024) : null;
  } catch {
    return null;
  }
}

interface PhaseResult {
  samples: Sample[];
  turns: TurnRecord[];
  stop: { exit_code: number | null; ms: number; processes_left: number };
}

/** One Docent, USERS employees for `minutes`, sampled every SAMPLE_S; then SIGTERM. */
async function runPhase(label: string, minutes: number, poolSize: string | undefined): Promise<PhaseResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docent-soak-'));
  const dataDir = path.join(dir, 'data');
  const stub = await startModelStub({ thinkMs: THINK_MS, chunks: 10, chunkDelayMs: 40 });
  // One answer in ten is slow (a long agentic turn); the rest stream in ~0.7 s.
  stub.setScript((request) =>
    request.lastUserText.includes('SLOW') ? { thinkMs: 3_000, chunks: 20, chunkDelayMs: 150 } : undefined,
  );
  const server = await startServer({
    DATA_DIR: dataDir,
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'claude',
    ANTHROPIC_API_KEY: 'sk-test-stub',
    ANTHROPIC_BASE_URL: stub.url,
    AUTH_MODE: 'open',
    SESSION_TIMEOUT: '60',
    SESSION_RETENTION: '60',
    RETENTION_SWEEP_INTERVAL_MS: '10000',
    ...(poolSize ? { EMPLOYEE_CLIENT_POOL_SIZE: poolSize } : {}),
  });
  const pid = server.child.pid!;
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  const endAt = started + minutes * 60_000;
  const turns: TurnRecord[] = [];
  const samples: Sample[] = [];
  let errors = 0;
  const takeSample = async () => {
    samples.push({
      at_s: Math.round(elapsedS()),
      rss_mb: Math.round(residentMb(pid)),
      heap_mb: await heapMb(server.base).then((v) => (v === null ? null : Math.round(v))),
      fds: openFds(pid),
      children: descendants(pid).length,
      orphans: orphansOf(dataDir, pid),
      disk_mb: Math.round(diskMb(dataDir) * 10) / 10,
      turns: turns.length,
      errors,
      cpu_s: Math.round(treeCpuSeconds(pid) * 10) / 10,
    });
    const last = samples.at(-1)!;
    process.stderr.write(
      `${label} ${last.at_s}s cpu ${last.cpu_s} s rss ${last.rss_mb} MB heap ${last.heap_mb} MB fds ${last.fds} children ${last.children} orphans ${last.orphans} disk ${last.disk_mb} MB turns ${last.turns} errors ${last.errors}\n`,
    );
  };

  const user = async (index: number) => {
    const random = seededRandom(1000 + index);
    let userId = `soak-${index}`;
    let sessionId: string | undefined;
    let n = 0;
    while (performance.now() < endAt) {
      await sleep(1_000 + random() * 3_000);
      if (performance.now() >= endAt) break;
      n += 1;
      // One conversation in eight is new (a new day, another topic).
      if (random() < 0.125) {
        userId = `soak-${index}-${n}`;
        sessionId = undefined;
      }
      const slow = random() < 0.1;
      const leaves = random() < 0.05;
      const query = new URLSearchParams({
        message: `${slow ? 'SLOW ' : ''}question ${n} from user ${index}`,
        user_id: userId,
        ...(sessionId ? { session_id: sessionId } : {}),
      });
      const sent = performance.now();
      const record: TurnRecord = {
        at_s: Math.round(elapsedS()),
        first_event_ms: null,
        done_ms: null,
        outcome: 'error',
      };
      try {
        const client = await SseClient.open(`${server.base}/api/user/query?${query}`);
        if (client.statusCode !== 200) {
          record.outcome = 'refused';
          errors += 1;
          client.destroy();
        } else {
          await client.waitFor((c) => c.events.length > 0);
          record.first_event_ms = Math.round(performance.now() - sent);
          const first = client.events[0];
          if (first?.type === 'session') sessionId = String(first.session_id);
          if (leaves) {
            await client.waitFor((c) => c.events.some((e) => e.type === 'message'));
            client.destroy();
            record.outcome = 'disconnected';
          } else {
            await client.ended;
            const last = client.events.at(-1);
            record.done_ms = Math.round(performance.now() - sent);
            record.outcome = last?.type === 'done' ? 'done' : 'error';
            if (record.outcome === 'error') errors += 1;
          }
        }
      } catch {
        errors += 1;
      }
      turns.push(record);
    }
  };

  await takeSample();
  const sampler = setInterval(() => void takeSample(), SAMPLE_S * 1000);
  await Promise.all(Array.from({ length: USERS }, (_, i) => user(i)));
  clearInterval(sampler);
  await takeSample();

  // SIGTERM: every CLI gone, nothing orphaned.
  const family = descendants(pid);
  const stopAt = performance.now();
  server.child.kill('SIGTERM');
  const exitCode = await server.exited;
  const stopMs = Math.round(performance.now() - stopAt);
  await sleep(500);
  const leftAfterStop = family.filter(isAlive).length;
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
  return { samples, turns, stop: { exit_code: exitCode, ms: stopMs, processes_left: leftAfterStop } };
}

/** CPU seconds per finished turn from CPU_FROM_S to the last sample, and the first-event p95. */
function efficiency({ samples, turns }: PhaseResult) {
  const from = samples.find((s) => s.at_s >= CPU_FROM_S) ?? samples[0]!;
  const last = samples.at(-1)!;
  const counted = turns.filter((t) => t.at_s >= from.at_s).length;
  const firsts = turns.flatMap((t) => (t.first_event_ms === null ? [] : [t.first_event_ms]));
  return {
    turns: turns.length,
    cpu_ms_per_turn: counted > 0 ? Math.round(((last.cpu_s - from.cpu_s) * 1000) / counted) : null,
    first_event_p50_ms: percentile(firsts, 50),
    first_event_p95_ms: percentile(firsts, 95),
  };
}

async function main(): Promise<void> {
  let baseline: ReturnType<typeof efficiency> | null = null;
  if (BASELINE_MINUTES > 0) {
    process.stderr.write(`baseline: ${BASELINE_POOL_SIZE} employee workers for ${BASELINE_MINUTES} min\n`);
    baseline = efficiency(await runPhase('baseline', BASELINE_MINUTES, BASELINE_POOL_SIZE));
  }
  process.stderr.write(`soak: pool ${POOL_SIZE ?? 'sized by the machine'} for ${MINUTES} min\n`);
  const phase = await runPhase('soak', MINUTES, POOL_SIZE);
  const { samples, turns } = phase;
  const { exit_code: exitCode, ms: stopMs, processes_left: leftAfterStop } = phase.stop;
  const sized = efficiency(phase);

  const warmupS = WARMUP_MINUTES * 60;
  const after = samples.filter((s) => s.at_s >= warmupS);
  const perHour = (values: Array<[number, number]>) => {
    const s = slope(values);
    return s === null ? null : Math.round(s * 3600 * 10) / 10;
  };
  const rssSlope = perHour(after.map((s) => [s.at_s, s.rss_mb]));
  const diskSlope = perHour(after.map((s) => [s.at_s, s.disk_mb]));
  const minutes = Math.ceil(MINUTES);
  const byMinute = Array.from({ length: minutes }, (_, m) => {
    const inMinute = turns.filter((t) => t.at_s >= m * 60 && t.at_s < (m + 1) * 60);
    const firsts = inMinute.flatMap((t) => (t.first_event_ms === null ? [] : [t.first_event_ms]));
    const dones = inMinute.flatMap((t) => (t.done_ms === null ? [] : [t.done_ms]));
    return {
      minute: m + 1,
      turns: inMinute.length,
      first_event_p50_ms: percentile(firsts, 50),
      first_event_p95_ms: percentile(firsts, 95),
      done_p50_ms: percentile(dones, 50),
      errors: inMinute.filter((t) => t.outcome === 'error' || t.outcome === 'refused').length,
    };
  });
  const allFirsts = turns.flatMap((t) => (t.first_event_ms === null ? [] : [t.first_event_ms]));
  const report = {
    settings: {
      minutes: MINUTES,
      users: USERS,
      sample_s: SAMPLE_S,
      warmup_minutes: WARMUP_MINUTES,
      pool_size: POOL_SIZE ?? 'machine',
      think_ms: THINK_MS,
      cpus: os.cpus().length,
    },
    rss_slope_mb_per_h: rssSlope,
    disk_slope_mb_per_h: diskSlope,
    first_event_p95_ms: percentile(allFirsts, 95),
    turns: turns.length,
    outcomes: Object.fromEntries(
      ['done', 'error', 'disconnected', 'refused'].map((o) => [o, turns.filter((t) => t.outcome === o).length]),
    ),
    fds: { min: Math.min(...samples.map((s) => s.fds)), max: Math.max(...samples.map((s) => s.fds)) },
    children: { min: Math.min(...samples.map((s) => s.children)), max: Math.max(...samples.map((s) => s.children)) },
    orphans_max: Math.max(...samples.map((s) => s.orphans)),
    stop: { exit_code: exitCode, ms: stopMs, processes_left: leftAfterStop },
    samples,
    by_minute: byMinute,
    cpu_per_turn: {
      soak: sized,
      baseline: baseline ? { pool_size: Number(BASELINE_POOL_SIZE), minutes: BASELINE_MINUTES, ...baseline } : null,
      ratio:
        baseline?.cpu_ms_per_turn && sized.cpu_ms_per_turn
          ? Math.round((sized.cpu_ms_per_turn / baseline.cpu_ms_per_turn) * 100) / 100
          : null,
    },
    date: new Date().toISOString(),
  };
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'soak.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  console.table(samples);
  console.table(byMinute);
  console.log(`${turns.length} turns by ${USERS} users in ${MINUTES} min: ${JSON.stringify(report.outcomes)}`);
  console.log(`RSS slope after ${WARMUP_MINUTES.toFixed(1)} min: ${rssSlope} MB/h (target < ${RSS_SLOPE_TARGET_MB_H})`);
  console.log(`disk slope after warm-up: ${diskSlope} MB/h (retention 60 s: flat once swept)`);
  console.log(`first event p95: ${report.first_event_p95_ms} ms (target <= ${FIRST_EVENT_P95_TARGET_MS})`);
  if (baseline) {
    console.log(
      `CPU per turn: ${sized.cpu_ms_per_turn} ms, baseline of ${BASELINE_POOL_SIZE} workers ${baseline.cpu_ms_per_turn} ms (x${report.cpu_per_turn.ratio}, target < 1); baseline first event p95 ${baseline.first_event_p95_ms} ms`,
    );
  } else {
    console.log(`CPU per turn: ${sized.cpu_ms_per_turn} ms (no baseline run)`);
  }
  console.log(
    `FDs ${report.fds.min}-${report.fds.max}, child processes ${report.children.min}-${report.children.max}, orphans at most ${report.orphans_max}`,
  );
  console.log(`SIGTERM: exit ${exitCode} after ${stopMs} ms, ${leftAfterStop} processes left (target 0)`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await main();
