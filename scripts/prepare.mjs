#!/usr/bin/env node
// Brings the checkout up to date before `npm start` / `npm test`, doing each
// step only when its inputs changed since it last ran:
//   install  `npm install` when package.json or package-lock.json changed
//   web      the browser UI build (web/dist) when web/ sources changed
// Plain Node with no dependencies: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMPS = path.join(root, 'node_modules', '.docent-stamps');

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function filesUnder(dir, skip) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (skip.has(entry)) continue;
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, skip));
    else out.push(full);
  }
  return out;
}

function stampFile(step) {
  return path.join(STAMPS, `${step}.sha256`);
}

function upToDate(step, digest) {
  const file = stampFile(step);
  return existsSync(file) && readFileSync(file, 'utf8') === digest;
}

function remember(step, digest) {
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(stampFile(step), digest);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = process.argv.slice(2);

for (const step of steps.length > 0 ? steps : ['install', 'web']) {
  if (step === 'install') {
    const digest = hashFiles([path.join(root, 'package.json'), path.join(root, 'package-lock.json')]);
    if (existsSync(path.join(root, 'node_modules')) && upToDate('install', digest)) continue;
    run(npm, ['install', '--no-audit', '--no-fund']);
    remember('install', digest);
  } else if (step === 'web') {
    const web = path.join(root, 'web');
    const digest = hashFiles(filesUnder(web, new Set(['dist', 'node_modules'])));
    if (existsSync(path.join(web, 'dist', 'index.html')) && upToDate('web', digest)) continue;
    run(npm, ['run', 'build:web']);
    remember('web', digest);
  } else {
    console.error(`Unknown step ${step}: use install and/or web`);
    process.exit(2);
  }
}
