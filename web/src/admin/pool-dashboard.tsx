// Pool dashboard: polls GET /api/pool/stats every 2 s while shown; per pool
// the workers by state, waiting turns, warm-hit rate and the live chart; then
// what the kept conversations take on disk and the last retention sweep.
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../shared/api.ts';
import { errorMessage, formatBytes } from '../shared/format.ts';
import { useI18n } from '../shared/i18n.ts';
import { ChannelsCard } from './channels-card.tsx';
import { PoolChart } from './pool-chart.tsx';
import { type PoolStatsView, poolHistory } from './pool-history.ts';

const POLL_MS = 2000;

/** The part of src/sessions/retention.ts RetentionSnapshot shown here. */
interface RetentionView {
  retentionMs: number;
  disk: { files: number; bytes: number };
  lastSweep: {
    at: number;
    durationMs: number;
    conversationsDeleted: number;
    orphans: { files: number };
    error?: string;
  } | null;
}

const DAY_MS = 24 * 3_600_000;

function Stat({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: string | number;
  tone?: string;
  testId?: string;
}) {
  return (
    <div class={`stat ${tone ?? ''}`} data-testid={testId}>
      <span class="stat-value">{value}</span>
      <span class="stat-label">{label}</span>
    </div>
  );
}

function PoolCard({ stats, now }: { stats: PoolStatsView; now: number }) {
  const { t } = useI18n();
  const turns = stats.totals.turns;
  const warmRate = turns > 0 ? `${Math.round((stats.totals.warmHits / turns) * 100)}%` : '–';
  const w = stats.workers;
  return (
    <section class="card pool-card" data-testid={`pool-${stats.name}`}>
      <header class="pool-header">
        <h2>
          {stats.name}
          {stats.draining && <span class="badge badge-failed">{t('pool.draining')}</span>}
        </h2>
        <span class="muted small">
          {t('pool.workers')}: {w.total} / {stats.maxWorkers}
        </span>
      </header>
      <div class="worker-bar" aria-hidden="true">
        {(['busy', 'idle', 'spare', 'starting'] as const).map((state) =>
          w[state] > 0 ? <span key={state} class={`seg seg-${state}`} style={{ flexGrow: w[state] }} /> : null,
        )}
        {stats.maxWorkers - w.total > 0 && (
          <span class="seg seg-free" style={{ flexGrow: stats.maxWorkers - w.total }} />
        )}
      </div>
      <div class="stats-grid">
        <Stat label={t('pool.busy')} value={w.busy} tone="tone-busy" testId="stat-busy" />
        <Stat label={t('pool.idle')} value={w.idle} tone="tone-idle" />
        <Stat label={t('pool.spare')} value={w.spare} tone="tone-spare" />
        <Stat label={t('pool.starting')} value={w.starting} tone="tone-starting" />
        <Stat label={t('pool.waiting')} value={stats.waiting} testId="stat-waiting" />
        <Stat label={t('pool.warmHit')} value={warmRate} />
        <Stat label={t('pool.turns')} value={turns} testId="stat-turns" />
        <Stat label={t('pool.waitP95')} value={`${Math.round(stats.acquireWaitMs?.p95 ?? 0)} ms`} />
      </div>
      {stats.sizing?.undersized && (
        <p class="notice notice-info" role="status" data-testid="pool-undersized">
          {t('pool.undersized', {
            rate: `${Math.round(stats.sizing.evictionRate * 100)}%`,
            sessions: stats.sizing.competingSessions,
            workers: stats.maxWorkers,
          })}
        </p>
      )}
      <PoolChart samples={poolHistory.samples(stats.name)} maxWorkers={stats.maxWorkers} now={now} />
    </section>
  );
}

function RetentionCard({ retention }: { retention: RetentionView }) {
  const { t } = useI18n();
  const last = retention.lastSweep;
  const days = Math.round((retention.retentionMs / DAY_MS) * 10) / 10;
  return (
    <section class="card pool-card retention-card" data-testid="retention-card">
      <header class="pool-header">
        <h2>{t('retention.title')}</h2>
        <span class="muted small">{t('retention.keptFor', { n: days })}</span>
      </header>
      <div class="stats-grid">
        <Stat label={t('retention.diskBytes')} value={formatBytes(retention.disk.bytes)} testId="stat-disk-bytes" />
        <Stat label={t('retention.diskFiles')} value={retention.disk.files} />
        <Stat label={t('retention.deleted')} value={last ? last.conversationsDeleted : '–'} />
        <Stat label={t('retention.orphans')} value={last ? last.orphans.files : '–'} />
      </div>
      <p class="muted small" data-testid="retention-last-sweep">
        {last
          ? t('retention.lastSweep', { at: new Date(last.at).toLocaleString(), ms: last.durationMs })
          : t('retention.noSweep')}
        {last?.error && <span class="badge badge-failed">{last.error}</span>}
      </p>
    </section>
  );
}

export function PoolDashboard({ api }: { api: ApiClient }) {
  const { t } = useI18n();
  const [pools, setPools] = useState<PoolStatsView[] | null>(null);
  const [retention, setRetention] = useState<RetentionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    // Each poll is scheduled after the previous one answers, so a slow server
    // never has several polls in flight.
    const poll = async () => {
      // A hidden tab skips its polls (the chart shows a gap) and resumes when shown.
      if (document.hidden) {
        if (!stopped) timer = setTimeout(poll, POLL_MS);
        return;
      }
      try {
        const body = await api.get<{ pools: Record<string, PoolStatsView>; retention?: RetentionView | null }>(
          '/api/pool/stats',
          controller.signal,
        );
        const at = Date.now();
        poolHistory.add(at, body.pools);
        setPools(Object.values(body.pools));
        setRetention(body.retention ?? null);
        setNow(at);
        setError(null);
      } catch (failure) {
        if (!stopped) setError(errorMessage(failure));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [api]);

  return (
    <div class="page pool-page" data-testid="pool-dashboard">
      {error && (
        <div class="notice notice-error" role="alert">
          {t('pool.error', { message: error })}
        </div>
      )}
      {!pools && !error && <p class="muted pad">{t('common.loading')}</p>}
      <div class="pool-grid">
        {pools?.map((stats) => (
          <PoolCard key={stats.name} stats={stats} now={now} />
        ))}
      </div>
      {retention && <RetentionCard retention={retention} />}
      <ChannelsCard api={api} />
    </div>
  );
}
