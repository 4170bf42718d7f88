/**
 * A fixed-bucket histogram of milliseconds, cheap to observe (no allocation)
 * and exportable as is to Prometheus. Quantiles are estimated from the buckets
 * by linear interpolation inside the bucket that holds them.
 */
import type { HistogramSnapshot } from './types.ts';

/** Upper bounds in ms; a last, open bucket (+Inf) catches the rest. */
export const MS_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000,
]);

export class MsHistogram {
  readonly #bounds: readonly number[];
  /** Per-bucket (not cumulative) counts; the extra last slot is +Inf. */
  readonly #counts: number[];
  #count = 0;
  #sum = 0;
  #max = 0;

  constructor(bounds: readonly number[] = MS_BUCKETS) {
    this.#bounds = bounds;
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(ms: number): void {
    const value = Math.max(ms, 0);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  snapshot(): HistogramSnapshot {
    const buckets: { le: number; count: number }[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      cumulative += this.#counts[i];
      buckets.push({ le: this.#bounds[i], count: cumulative });
    }
    buckets.push({ le: Number.POSITIVE_INFINITY, count: this.#count });
    return {
      count: this.#count,
      sum: this.#sum,
      buckets,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }

  /** The estimated q-quantile (0 < q <= 1) of what was observed; 0 before any observation. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = q * this.#count;
    let below = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const inBucket = this.#counts[i];
      if (inBucket > 0 && below + inBucket >= rank) {
        const lower = i === 0 ? 0 : this.#bounds[i - 1];
        const upper = i < this.#bounds.length ? Math.min(this.#bounds[i], this.#max) : this.#max;
        return lower + ((upper - lower) * (rank - below)) / inBucket;
      }
      below += inBucket;
    }
    return this.#max;
  }
}
