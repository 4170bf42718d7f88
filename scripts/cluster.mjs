#!/usr/bin/env node
/**
 * `npm run cluster`: three Docent nodes on one Redis behind HAProxy, on this
 * machine, for trying the multi-node mode (README, "Several nodes").
 *
 *   redis-server  127.0.0.1:6399   AOF in data/cluster/redis
 *   nodes n1..n3  127.0.0.1:8101-8103, DATA_DIR data/cluster/nN, one KB_ROOT_PATH
 *   HAProxy       127.0.0.1:8100   deploy/haproxy.cfg as shipped
 *
 * Needs `redis-server` and `haproxy` (Debian: apt-get install redis-server
 * haproxy). The rest of the environment (DOCENT_ENGINE, ANTHROPIC_*, ...) is
 * passed to every node. Ctrl-C stops everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = path.resolve(root, process.env.CLUSTER_DIR ?? 'data/cluster');
const REDIS_PORT = 6399;

for (const tool of ['redis-server', 'haproxy']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
    console.error(`${tool} is not installed (Debian: apt-get install redis-server haproxy)`);
    process.exit(1);
  }
}

const children = [];
let stopping = false;
function run(name, command, args, options = {}) {
  // Own process groups: Ctrl-C reaches this script only, which stops the nodes before Redis.
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the cluster`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Nodes first (they release their leases in Redis), Redis last.
  for (const child of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function waitFor(url, what) {
  for (let i = 0; i < 600; i++) {
    try {
      const reply = await fetch(url);
      if (reply.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.error(`${what} did not become ready`);
  await stop(1);
}

const redisDir = path.join(base, 'redis');
mkdirSync(redisDir, { recursive: true });
run('redis', 'redis-server', [
  '--port',
  String(REDIS_PORT),
  '--bind',
  '127.0.0.1',
  '--dir',
  redisDir,
  '--appendonly',
  'yes',
  '--appendfsync',
  'everysec',
  '--maxmemory-policy',
  'noeviction',
]);
for (let i = 0; i < 100; i++) {
  if (spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

// One at a time: the first seeds the knowledge base and makes the shared secrets.
for (const n of [1, 2, 3]) {
  run(`n${n}`, process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
      NODE_ID: `n${n}`,
      HOST: '127.0.0.1',
      PORT: String(8100 + n),
      DATA_DIR: path.join(base, `n${n}`),
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'json',
    },
  });
  await waitFor(`http://127.0.0.1:${8100 + n}/health/ready`, `node n${n}`);
}
run('haproxy', 'haproxy', ['-db', '-f', 'deploy/haproxy.cfg']);
await waitFor('http://127.0.0.1:8100/health/ready', 'HAProxy');
console.log('\nDocent cluster ready: http://127.0.0.1:8100 (nodes on 8101-8103, Redis on 6399). Ctrl-C stops it.\n');
