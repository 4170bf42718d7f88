/**
 * The last few values of a measurement and their median: a cost estimate that
 * follows the machine's load (a histogram since start would not) and that one
 * outlier cannot move far. Hand-written: a ring buffer of a dozen numbers.
 */
export class RecentSamples {
  readonly #values: number[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#values.length;
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.#values.length < this.#capacity) this.#values.push(value);
    else this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The median of the values kept; 0 before any. */
  median(): number {
    const n = this.#values.length;
    if (n === 0) return 0;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
