/**
 * Pool settings for the machine Docent runs on: an employee pool size the
 * operator left unset is derived from memory and CPU (pool-sizing.ts), and
 * the pools are told when the machine has no room for one more worker.
 */
import os from 'node:os';
import type { Config } from '../config.ts';
import { hasRoomForWorker, type Machine, reserveBytes, SIZING_DEFAULTS, sizeEmployeePool } from './pool-sizing.ts';

export function currentMachine(): Machine {
  return { totalBytes: os.totalmem(), freeBytes: os.freemem(), cpus: os.availableParallelism() };
}

export interface MachinePools {
  readonly pools: Config['pools'];
  /** Why the employee pool has the size it has (for the start-up log). */
  readonly reason: string;
}

export function poolsForMachine(config: Config, workerBytes: number, machine: Machine): MachinePools {
  if (config.poolSizeSet.employee) {
    return {
      pools: config.pools,
      reason: `${config.pools.employee.maxWorkers} workers, as EMPLOYEE_CLIENT_POOL_SIZE says`,
    };
  }
  const sizing = sizeEmployeePool({ machine, workerBytes, ...SIZING_DEFAULTS });
  return {
    pools: { ...config.pools, employee: { ...config.pools.employee, maxWorkers: sizing.workers } },
    reason: `${sizing.reason} (EMPLOYEE_CLIENT_POOL_SIZE sets it instead)`,
  };
}

/** The pools' roomForWorker: free memory for one more worker beside what is kept for the rest. */
export function roomForWorker(workerBytes: () => number, machine: () => Machine = currentMachine): () => boolean {
  return () => {
    const now = machine();
    return hasRoomForWorker(
      now.freeBytes,
      workerBytes(),
      reserveBytes(now, SIZING_DEFAULTS.reserveShare, SIZING_DEFAULTS.minReserveBytes),
    );
  };
}
