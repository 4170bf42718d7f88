/**
 * Prometheus metrics (prom-client) on a registry of this app's own (several
 * apps in one test process never collide): pool gauges and counters read from
 * the pools' stats at scrape time, histograms fed by pool events, HTTP
 * latency per route, and the conversations' disk use and retention sweeps.
 */
import type { ServerResponse } from 'node:http';
import client from 'prom-client';
import type { Role } from '../engines/types.ts';
import type { PoolStats } from '../pool/types.ts';
import type { RetentionReport } from '../sessions/retention.ts';
import type { PoolRegistryLike } from './deps.ts';

const ROLES: readonly Role[] = ['employee', 'admin'];
const MS_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Stages of a turn often take well under a millisecond. */
const STAGE_BUCKETS_S = [0.0005, 0.001, 0.0025, ...MS_BUCKETS_S];

/**
 * Where a turn's wall-clock time goes on the server, in order
 * (`docent_turn_stage_seconds`): `http` from Fastify taking the request to
 * the streaming route's handler (hooks, rate limit, identity, query
 * validation); `session` finding or creating the session record; `pool_wait`
 * getting a worker (and, with several nodes, the conversation's lease first);
 * `engine` the worker's turn from `run()` to its last event, each event sent
 * as it comes; `store` saving the turn to the session store. `http` is
 * measured on the SSE routes only. What the stages cost: five observations
 * (about 0.3 µs each with prom-client 15) and as many clock readings a turn.
 */
export const TURN_STAGES = ['http', 'session', 'pool_wait', 'engine', 'store'] as const;
export type TurnStage = (typeof TURN_STAGES)[number];

export interface HttpMetrics {
  readonly registry: client.Registry;
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void;
  observeTurn(role: Role, outcome: string, seconds: number): void;
  /** One stage of a turn (TURN_STAGES), in ms. */
  observeStage(role: Role, stage: TurnStage, ms: number): void;
  /** Counts an open server-sent-event stream until its response closes. */
  trackStream(route: string, response: ServerResponse): void;
  /** Unsubscribes from the pools. */
  close(): void;
}

type TotalsKey = Exclude<keyof PoolStats['totals'], 'rejections' | 'recycles'>;
const TOTALS: ReadonlyArray<[TotalsKey, string]> = [
  ['turns', 'turns run'],
  ['warmHits', 'turns placed on the worker already bound to their session'],
  ['protectedWarmHits', 'warm hits on a worker kept from eviction because its session was expected back'],
  ['spareHits', 'turns placed on a spare worker'],
  ['coldStarts', 'turns that needed a worker started for them'],
  ['starts', 'workers started'],
  ['startFailures', 'worker starts that failed'],
  ['replacements', 'broken workers replaced'],
  ['timeouts', 'turns that waited too long for a worker'],
  ['aborts', 'turns abandoned by their caller'],
  ['evictions', 'idle bound workers closed to make room'],
  ['crashes', 'workers that died during a turn'],
  ['turnTimeouts', 'turns interrupted for running too long'],
];

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Counters an engine keeps of its own (resume fallbacks, processes started, ...), read at scrape time. */
export type EngineCounters = () => Readonly<Record<string, number>>;
/** Several nodes: counters by area (`turn_lease`, `transcript`, `kb`) and event (`lease_waits`, `fence_refusals`, ...). */
export type ClusterCounters = () => Readonly<Record<string, Readonly<Record<string, number>>>>;

export function createHttpMetrics(
  pools: PoolRegistryLike,
  engineCounters?: EngineCounters,
  retention?: RetentionReport,
  clusterCounters?: ClusterCounters,
): HttpMetrics {
  const registry = new client.Registry();
  // The process's own figures (resident memory, heap, open file descriptors, event-loop lag): what a long run is watched by.
  client.collectDefaultMetrics({ register: registry });
  if (retention) retentionMetrics(registry, retention);
  if (clusterCounters) {
    new client.Counter({
      name: 'docent_cluster_events_total',
      help: 'Several nodes: lease waits, refusals, fence refusals, lost leases, Redis errors, KB change notices, by area',
      labelNames: ['area', 'event'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [area, counts] of Object.entries(clusterCounters())) {
          for (const [event, value] of Object.entries(counts)) this.inc({ area, event: snakeCase(event) }, value);
        }
      },
    });
  }
  if (engineCounters) {
    new client.Gauge({
      name: 'docent_engine_stat',
      help: 'Engine counters and gauges (resume fallbacks, tool denials, processes started, live workers)',
      labelNames: ['stat'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [stat, value] of Object.entries(engineCounters())) this.set({ stat: snakeCase(stat) }, value);
      },
    });
  }
  const statsOf = (): Array<[Role, PoolStats]> => ROLES.map((role) => [role, pools.get(role).stats()]);

  new client.Gauge({
    name: 'docent_pool_workers',
    help: 'Workers by state',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [role, stats] of statsOf()) {
        for (const [state, count] of Object.entries(stats.workers)) this.set({ pool: role, state }, count);
      }
    },
  });
  const gauge = (name: string, help: string, read: (s: PoolStats) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        for (const [role, stats] of statsOf()) this.set({ pool: role }, read(stats));
      },
    });
  gauge('docent_pool_max_workers', 'Most workers the pool may hold', (s) => s.maxWorkers);
  gauge('docent_pool_waiting_turns', 'Turns waiting for a worker', (s) => s.waiting);
  gauge('docent_pool_active_sessions', 'Sessions with a turn in flight or queued', (s) => s.sessionQueues.sessions);
  gauge(
    'docent_pool_queued_session_turns',
    'Turns queued behind their own session',
    (s) => s.sessionQueues.queuedTurns,
  );
  gauge('docent_pool_draining', '1 while the pool drains', (s) => (s.draining ? 1 : 0));
  gauge(
    'docent_pool_undersized',
    '1 while the pool looks too small: most turns evicted a warm worker and waited as long as a start',
    (s) => (s.sizing?.undersized ? 1 : 0),
  );
  gauge(
    'docent_pool_start_cost_seconds',
    'What the pool takes a cold start to cost now (measured, or the engine hint before any)',
    (s) => s.startCostMs / 1000,
  );

  for (const [key, help] of TOTALS) {
    new client.Counter({
      name: `docent_pool_${snakeCase(key)}_total`,
      help: `Pool: ${help}`,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [role, stats] of statsOf()) this.inc({ pool: role }, stats.totals[key] ?? 0);
      },
    });
  }
  const byReason = (name: string, help: string, read: (s: PoolStats) => Readonly<Record<string, number>>) =>
    new client.Counter({
      name,
      help,
      labelNames: ['pool', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [role, stats] of statsOf()) {
          for (const [reason, count] of Object.entries(read(stats))) this.inc({ pool: role, reason }, count);
        }
      },
    });
  const histogram = (name: string, help: string, labelNames: string[]) =>
    new client.Histogram({ name, help, labelNames, buckets: MS_BUCKETS_S, registers: [registry] });

  byReason('docent_pool_rejections_total', 'Pool: turns refused at once, by reason', (s) => s.totals.rejections);
  byReason('docent_pool_recycles_total', 'Pool: workers retired, by reason', (s) => s.totals.recycles);

  const acquireWait = histogram('docent_pool_acquire_wait_seconds', 'Time a turn waited for a worker', [
    'pool',
    'placement',
  ]);
  const startTime = histogram('docent_pool_worker_start_seconds', 'Time to start a worker', ['pool']);
  const poolTurn = histogram('docent_pool_turn_seconds', 'Time a worker spent on a turn, by outcome', [
    'pool',
    'outcome',
  ]);
  const unsubscribers = ROLES.map((role) =>
    pools.get(role).onEvent((event) => {
      if (event.type === 'turn_acquired') {
        acquireWait.observe({ pool: role, placement: event.placement }, event.waitedMs / 1000);
      } else if (event.type === 'worker_started') {
        startTime.observe({ pool: role }, event.durationMs / 1000);
      } else if (event.type === 'turn_finished') {
        poolTurn.observe({ pool: role, outcome: event.outcome }, event.durationMs / 1000);
      }
    }),
  );

  const httpDuration = histogram(
    'docent_http_request_duration_seconds',
    'HTTP request latency (streams: until the response ends)',
    ['method', 'route', 'status_code'],
  );
  const turnDuration = histogram('docent_turn_seconds', 'Whole turn as the client saw it, by role and outcome', [
    'role',
    'outcome',
  ]);

  const turnStage = new client.Histogram({
    name: 'docent_turn_stage_seconds',
    help: 'Where a turn spends its time on the server, by role and stage (http, session, pool_wait, engine, store)',
    labelNames: ['role', 'stage'],
    buckets: STAGE_BUCKETS_S,
    registers: [registry],
  });
  // Made up front, so every stage is in the output (at 0) before the first turn.
  const stageOf = new Map(
    ROLES.map((role) => [role, new Map(TURN_STAGES.map((stage) => [stage, turnStage.labels({ role, stage })]))]),
  );

  const openStreams = new client.Gauge({
    name: 'docent_sse_streams_open',
    help: 'Server-sent-event streams open now, by route',
    labelNames: ['route'],
    registers: [registry],
  });

  return {
    registry,
    observeHttp(method, route, statusCode, seconds) {
      httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    observeTurn(role, outcome, seconds) {
      turnDuration.observe({ role, outcome }, seconds);
    },
    observeStage(role, stage, ms) {
      stageOf
        .get(role)
        ?.get(stage)
        ?.observe(ms / 1000);
    },
    trackStream(route, response) {
      openStreams.inc({ route });
      response.once('close', () => openStreams.dec({ route }));
    },
    close() {
      for (const off of unsubscribers) off();
    },
  };
}

/** Disk use and the last sweep, read at scrape time (the snapshot re-measures disk use at most every 30 s). */
function retentionMetrics(registry: client.Registry, retention: RetentionReport): void {
  const fromSnapshot = (
    name: string,
    help: string,
    read: (s: Awaited<ReturnType<RetentionReport['snapshot']>>) => number,
  ) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(read(await retention.snapshot()));
      },
    });
  fromSnapshot(
    'docent_conversation_disk_bytes',
    'Bytes the kept conversations take on disk (transcripts, state files)',
    (s) => s.disk.bytes,
  );
  fromSnapshot('docent_conversation_disk_files', 'Files the kept conversations take on disk', (s) => s.disk.files);
  fromSnapshot(
    'docent_retention_seconds',
    'How long after its last activity a conversation is deleted (SESSION_RETENTION)',
    (s) => s.retentionMs / 1000,
  );
  fromSnapshot(
    'docent_retention_last_sweep_timestamp_seconds',
    'When the last retention sweep started (0: none yet)',
    (s) => (s.lastSweep?.at ?? 0) / 1000,
  );
  fromSnapshot(
    'docent_retention_last_sweep_duration_seconds',
    'How long the last retention sweep took',
    (s) => (s.lastSweep?.durationMs ?? 0) / 1000,
  );
  new client.Gauge({
    name: 'docent_retention_last_sweep_deleted',
    help: 'What the last retention sweep deleted: conversations past retention, their files, orphan files',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const last = (await retention.snapshot()).lastSweep;
      this.set({ kind: 'conversations' }, last?.conversationsDeleted ?? 0);
      this.set({ kind: 'files' }, last?.files.files ?? 0);
      this.set({ kind: 'orphan_files' }, last?.orphans.files ?? 0);
    },
  });
  new client.Counter({
    name: 'docent_retention_deleted_total',
    help: 'What retention sweeps deleted since start: conversations, their files, orphan files',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const { totals } = await retention.snapshot();
      this.reset();
      this.inc({ kind: 'conversations' }, totals.conversationsDeleted);
      this.inc({ kind: 'files' }, totals.filesDeleted);
      this.inc({ kind: 'orphan_files' }, totals.orphanFilesDeleted);
    },
  });
  new client.Counter({
    name: 'docent_retention_sweeps_total',
    help: 'Retention sweeps run since start',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await retention.snapshot()).totals.sweeps);
    },
  });
}
