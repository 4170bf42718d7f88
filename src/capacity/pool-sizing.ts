/**
 * How many employee workers a machine can hold, when the operator has not
 * said: the original plan's fixed three made a dozen users wait seconds for a
 * worker on a machine with room for many more. A warm worker costs memory but
 * almost no CPU while it waits for the next question, so memory bounds the
 * count and CPU only caps it (more live workers than a few per core would
 * mostly add cold-start contention when many start at once).
 */

export interface Machine {
  readonly totalBytes: number;
  readonly freeBytes: number;
  readonly cpus: number;
}

export interface SizingInput {
  readonly machine: Machine;
  /** What one worker takes (resident set), measured or the engine's estimate. */
  readonly workerBytes: number;
  /** Memory left to everything else on the machine: a share of the total, at least `minReserveBytes`. */
  readonly reserveShare: number;
  readonly minReserveBytes: number;
  /** Never fewer than the original plan's three. */
  readonly floor: number;
  readonly perCpu: number;
  readonly ceiling: number;
}

export interface Sizing {
  readonly workers: number;
  /** The figures behind the choice, for the start-up log. */
  readonly reason: string;
}

export const SIZING_DEFAULTS = {
  reserveShare: 0.25,
  minReserveBytes: 1024 ** 3,
  floor: 3,
  perCpu: 8,
  ceiling: 64,
} as const;

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));

/** Memory kept for everything but the workers. */
export function reserveBytes(machine: Machine, share: number, minBytes: number): number {
  return Math.max(minBytes, machine.totalBytes * share);
}

export function sizeEmployeePool(input: SizingInput): Sizing {
  const { machine, workerBytes } = input;
  const reserve = reserveBytes(machine, input.reserveShare, input.minReserveBytes);
  const budget = Math.max(0, Math.min(machine.freeBytes, machine.totalBytes - reserve));
  const byMemory = Math.floor(budget / Math.max(1, workerBytes));
  const byCpu = Math.max(1, machine.cpus) * input.perCpu;
  const workers = Math.max(input.floor, Math.min(byMemory, byCpu, input.ceiling));
  const limit =
    workers === input.floor && byMemory < input.floor
      ? 'the floor'
      : byMemory <= Math.min(byCpu, input.ceiling)
        ? 'memory'
        : byCpu <= input.ceiling
          ? 'CPU'
          : 'the ceiling';
  const reason =
    `${workers} workers (bound: ${limit}): ${mb(budget)} MB usable ` +
    `(${mb(machine.freeBytes)} MB free of ${mb(machine.totalBytes)} MB, ${mb(reserve)} MB kept for the rest) / ` +
    `${mb(workerBytes)} MB a worker = ${byMemory}; ${machine.cpus} CPUs x ${input.perCpu} = ${byCpu}; ` +
    `floor ${input.floor}, ceiling ${input.ceiling}`;
  return { workers, reason };
}

/**
 * Whether the machine has room for one more worker now: the pool asks before
 * it starts one, and evicts or queues instead when there is none.
 */
export function hasRoomForWorker(freeBytes: number, workerBytes: number, reserveBytes: number): boolean {
  return freeBytes - workerBytes >= reserveBytes;
}
