#!/usr/bin/env node
// Runs the test suite with Node's own runner and tsx. Node 20's runner does not
// expand globs, so the test files are collected here: every *.test.ts below the
// folders or files given as arguments (default: test/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function collect(target, out) {
  const stat = statSync(target);
  if (stat.isFile()) {
    out.push(target);
    return;
  }
  for (const entry of readdirSync(target).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(target, entry);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (entry.endsWith('.test.ts')) out.push(full);
  }
}

const targets = process.argv.slice(2);
const files = [];
for (const target of targets.length > 0 ? targets : ['test']) collect(target, files);
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
