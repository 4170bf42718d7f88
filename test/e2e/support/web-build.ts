// Builds the web UI before the browser tests when web/dist is missing or
// older than its sources. Test files may run in parallel processes, so the
// build runs under a lock on the web folder.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { REPO_ROOT } from './docent-server.ts';

const WEB_DIR = path.join(REPO_ROOT, 'web');
const BUILT_MARKER = path.join(WEB_DIR, 'dist', 'admin.html');

function newestMtime(target: string): number {
  const info = statSync(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(BUILT_MARKER).mtimeMs;
  } catch {
    return true;
  }
  const sources = [
    path.join(WEB_DIR, 'src'),
    path.join(WEB_DIR, 'index.html'),
    path.join(WEB_DIR, 'admin.html'),
    path.join(WEB_DIR, 'vite.config.ts'),
  ];
  return sources.some((source) => newestMtime(source) > built);
}

export async function ensureWebBuilt(): Promise<void> {
  if (!isStale()) return;
  const release = await lockfile.lock(WEB_DIR, {
    realpath: false,
    lockfilePath: path.join(os.tmpdir(), 'docent-web-build.lock'),
    retries: { retries: 120, minTimeout: 500, maxTimeout: 2000 },
  });
  try {
    if (!isStale()) return;
    const result = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    await release();
  }
}
