import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolsForMachine, roomForWorker } from '../../src/capacity/machine-pools.ts';
import { hasRoomForWorker, SIZING_DEFAULTS, sizeEmployeePool } from '../../src/capacity/pool-sizing.ts';
import { loadConfig } from '../../src/config.ts';

const MB = 1024 * 1024;
const GB = 1024 * MB;
const size = (totalBytes: number, freeBytes: number, cpus: number, workerBytes = 256 * MB) =>
  sizeEmployeePool({ machine: { totalBytes, freeBytes, cpus }, workerBytes, ...SIZING_DEFAULTS });

describe('employee pool sized for the machine', () => {
  it('is bound by CPU on a large machine with two cores, and says so with its figures', () => {
    const sizing = size(24 * GB, 20 * GB, 2);
    assert.equal(sizing.workers, 16);
    assert.match(sizing.reason, /bound: CPU/);
    assert.match(sizing.reason, /256 MB a worker = 72/);
  });

  it('is bound by free memory on a small machine, and never below three', () => {
    assert.equal(size(4 * GB, 1.5 * GB, 8).workers, 6);
    const tiny = size(2 * GB, 0.5 * GB, 8);
    assert.equal(tiny.workers, 3);
    assert.match(tiny.reason, /bound: the floor/);
  });

  it('keeps a quarter of the memory (at least 1 GiB) for everything else', () => {
    // 16 GiB free of 16 GiB: only 12 GiB may go to workers of 1 GiB.
    assert.equal(size(16 * GB, 16 * GB, 64, 1 * GB).workers, 12);
  });

  it('leaves a size the operator set as it is', () => {
    const set = loadConfig({ EMPLOYEE_CLIENT_POOL_SIZE: '5' }, '/tmp');
    const kept = poolsForMachine(set, 256 * MB, { totalBytes: 24 * GB, freeBytes: 20 * GB, cpus: 2 });
    assert.equal(kept.pools.employee.maxWorkers, 5);
    assert.match(kept.reason, /as EMPLOYEE_CLIENT_POOL_SIZE says/);
    const unset = loadConfig({}, '/tmp');
    const sized = poolsForMachine(unset, 256 * MB, { totalBytes: 24 * GB, freeBytes: 20 * GB, cpus: 2 });
    assert.equal(sized.pools.employee.maxWorkers, 16);
    assert.equal(sized.pools.admin.maxWorkers, unset.pools.admin.maxWorkers);
    assert.equal(loadConfig({ USER_CLIENT_POOL_SIZE: '4' }, '/tmp').poolSizeSet.employee, true);
  });

  it('has room for a worker only while free memory stays above the reserve after it', () => {
    assert.equal(hasRoomForWorker(2 * GB, 256 * MB, 1 * GB), true);
    assert.equal(hasRoomForWorker(1.2 * GB, 256 * MB, 1 * GB), false);
    let free = 10 * GB;
    const room = roomForWorker(
      () => 256 * MB,
      () => ({ totalBytes: 16 * GB, freeBytes: free, cpus: 2 }),
    );
    assert.equal(room(), true);
    free = 4 * GB; // below the 4 GiB kept plus one worker
    assert.equal(room(), false);
  });
});
