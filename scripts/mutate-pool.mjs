#!/usr/bin/env node
// `npm run mutate:pool [-- --mutate src/pool/file.ts]`: StrykerJS on src/pool
// (stryker.config.mjs), then a summary in bench/results/mutation.json: the
// score, per file, and every mutant that survived, to be explained in
// src/pool/README.md. Slow (about 10 s per mutant on two cores): not in CI.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportPath = path.join(root, 'bench/results/mutation-report.json');
const run = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const files = {};
const survivors = [];
let detected = 0;
let counted = 0;
for (const [file, { mutants }] of Object.entries(report.files)) {
  const mine = mutants.filter((m) => COUNTED.has(m.status));
  const found = mine.filter((m) => DETECTED.has(m.status)).length;
  files[file] = {
    mutants: mine.length,
    detected: found,
    score_pct: mine.length ? round((found / mine.length) * 100) : null,
  };
  detected += found;
  counted += mine.length;
  for (const m of mine.filter((x) => !DETECTED.has(x.status))) {
    survivors.push({
      at: `${file}:${m.location.start.line}:${m.location.start.column}`,
      status: m.status,
      mutator: m.mutatorName,
      replacement: m.replacement,
    });
  }
}
function round(x) {
  return Math.round(x * 10) / 10;
}
const summary = {
  score_pct: counted ? round((detected / counted) * 100) : null,
  target_pct: 90,
  mutants: counted,
  detected,
  files,
  survivors,
  date: new Date().toISOString(),
};
const out = path.join(root, 'bench/results/mutation.json');
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `mutation score ${summary.score_pct}% (${detected}/${counted} detected; target >= 90%), ${survivors.length} survivors`,
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
