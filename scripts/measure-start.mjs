#!/usr/bin/env node
// How long a newcomer waits: clones this repository into a temp folder, runs
// `npm start` there with an empty npm cache until GET /health answers, stops
// it, then starts it a second time. Prints both figures in seconds.
//   node scripts/measure-start.mjs            (uses the committed HEAD)
// Needs the npm registry; traffic otherwise stays on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'docent-first-start-'));
const clone = path.join(work, 'docent');
const port = 18_000 + Math.floor(Math.random() * 1000);
const LIMIT_S = 1200;

spawnSync('git', ['clone', '--quiet', repo, clone], { stdio: 'inherit' });

async function startOnce(label) {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(work, 'data'),
      KB_ROOT_PATH: path.join(work, 'kb'),
      npm_config_cache: path.join(work, 'npm-cache'),
      DOCENT_ENGINE: 'local',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    for (;;) {
      const seconds = (performance.now() - started) / 1000;
      if (seconds > LIMIT_S) throw new Error(`${label}: not listening after ${LIMIT_S} s`);
      if (child.exitCode !== null) throw new Error(`${label}: npm start exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((res) => res.ok)
        .catch(() => false);
      if (ok) return seconds;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

try {
  const first = await startOnce('first start');
  const second = await startOnce('second start');
  console.log(`fresh clone to listening (empty npm cache): ${first.toFixed(1)} s (target <= 180 s)`);
  console.log(`second start to listening:                  ${second.toFixed(1)} s (target <= 10 s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
