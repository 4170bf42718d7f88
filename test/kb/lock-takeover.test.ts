// A process killed while it held a knowledge-base lock leaves the lock behind, kept fresh-looking by its
// last update: the next holder takes it over at once when the owner named beside it is gone.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WriteLocks } from '../../src/kb/locks.ts';
import { withTempDir } from '../support/temp-dir.ts';

/** A PID that ran and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const withRoot = (fn: (root: string) => Promise<void>) => withTempDir('docent-locks-', fn);

describe('knowledge-base locks left by a killed process', () => {
  it('are taken over before they turn stale, when their owner no longer runs', () =>
    withRoot(async (root) => {
      const lock = path.join(root, '.INGEST.lock');
      await mkdir(lock);
      await writeFile(`${lock}.owner`, JSON.stringify({ pid: deadPid(), token: 'killed' }));
      let lockAgeMs = Number.POSITIVE_INFINITY;
      await new WriteLocks(root).with('INGEST', async () => {
        lockAgeMs = Date.now() - (await stat(lock)).mtimeMs;
        assert.equal(JSON.parse(await readFile(`${lock}.owner`, 'utf8')).pid, process.pid);
      });
      // proper-lockfile alone takes a lock over only once it is 10 s old.
      assert.ok(lockAgeMs < 10_000, `ran ${lockAgeMs} ms after the lock was taken`);
      await assert.rejects(stat(`${lock}.owner`), { code: 'ENOENT' });
    }));

  it('are taken over from an earlier process with this PID (a container restarted)', () =>
    withRoot(async (root) => {
      const lock = path.join(root, '.FAQ.md.lock');
      await mkdir(lock);
      await writeFile(`${lock}.owner`, JSON.stringify({ pid: process.pid, token: 'before the restart' }));
      let ran = false;
      await new WriteLocks(root).with('FAQ.md', async () => {
        ran = true;
      });
      assert.ok(ran);
    }));

  it('are taken over as soon as their owner dies while the next holder waits', () =>
    withRoot(async (root) => {
      const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      try {
        const lock = path.join(root, '.INGEST.lock');
        await mkdir(lock);
        await writeFile(`${lock}.owner`, JSON.stringify({ pid: owner.pid, token: 'alive, then killed' }));
        let ranAt = 0;
        const waiting = new WriteLocks(root).with('INGEST', async () => {
          ranAt = Date.now();
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(ranAt, 0, 'waits while the owner runs');
        owner.kill('SIGKILL');
        await once(owner, 'exit');
        const killedAt = Date.now();
        await waiting;
        // Not when the lock turns stale (10 s after its last update), nor at the end of the retries.
        assert.ok(ranAt - killedAt < 2000, `ran ${ranAt - killedAt} ms after the owner died`);
      } finally {
        owner.kill('SIGKILL');
      }
    }));

  it('are waited for while their owner runs', () =>
    withRoot(async (root) => {
      const lock = path.join(root, '.README.md.lock');
      await mkdir(lock);
      // The parent of this test process is alive for as long as the test runs.
      await writeFile(`${lock}.owner`, JSON.stringify({ pid: process.ppid, token: 'alive' }));
      const order: string[] = [];
      const waiting = new WriteLocks(root).with('README.md', async () => {
        order.push('second holder');
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('owner releases');
      await rm(`${lock}.owner`);
      await rm(lock, { recursive: true });
      await waiting;
      assert.deepEqual(order, ['owner releases', 'second holder']);
    }));
});
