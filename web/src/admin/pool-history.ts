// Samples of /api/pool/stats kept for the dashboard's chart: busy workers and
// the mean wait of the turns admitted between two samples.

/** The part of src/pool/types.ts PoolStats the dashboard reads. */
export interface PoolStatsView {
  name: string;
  maxWorkers: number;
  workers: { starting: number; spare: number; idle: number; busy: number; closing: number; total: number };
  waiting: number;
  draining: boolean;
  totals: { turns: number; warmHits: number; spareHits: number; coldStarts: number; timeouts: number };
  acquireWaitMs: { count: number; sum: number; p50: number; p95: number; p99: number };
  sizing?: { undersized: boolean; evictionRate: number; competingSessions: number };
}

export interface PoolSample {
  at: number;
  busy: number;
  waiting: number;
  /** Mean wait in ms of turns admitted since the previous sample; null if none were. */
  meanWaitMs: number | null;
}

export const HISTORY_WINDOW_MS = 5 * 60 * 1000;

export class PoolHistory {
  readonly #samples = new Map<string, PoolSample[]>();
  readonly #last = new Map<string, { count: number; sum: number }>();

  add(at: number, pools: Record<string, PoolStatsView>): void {
    for (const [name, stats] of Object.entries(pools)) {
      const previous = this.#last.get(name);
      const count = stats.acquireWaitMs?.count ?? 0;
      const sum = stats.acquireWaitMs?.sum ?? 0;
      const admitted = previous ? count - previous.count : 0;
      const meanWaitMs = previous && admitted > 0 ? Math.max(0, (sum - previous.sum) / admitted) : null;
      this.#last.set(name, { count, sum });
      const list = this.#samples.get(name) ?? [];
      list.push({ at, busy: stats.workers.busy, waiting: stats.waiting, meanWaitMs });
      while (list.length > 0 && list[0].at < at - HISTORY_WINDOW_MS) list.shift();
      this.#samples.set(name, list);
    }
  }

  samples(name: string): PoolSample[] {
    return this.#samples.get(name) ?? [];
  }
}

/** Kept for the page's lifetime, so switching tabs does not lose the chart. */
export const poolHistory = new PoolHistory();
