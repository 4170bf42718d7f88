#!/usr/bin/env node
// `npm run mutate:pool [-- --mutate src/pool/a.ts,src/pool/b.ts]`: StrykerJS
// on src/pool (stryker.config.mjs), then a summary in bench/results/mutation.json:
// the score, per file, and every mutant that survived, to be explained in
// src/pool/README.md. A run on some files replaces those files' results and
// keeps the others', so the folder can be covered in batches. Slow (a few
// seconds per mutant on two cores): not in CI.
// `--summarise-only report.json...` merges saved Stryker JSON reports instead of running; a
// file in several of them is taken from the last one named.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench/results/mutation.json');
const args = process.argv.slice(2);
let reportPaths = [path.join(root, 'bench/results/mutation-report.json')];
if (args[0] === '--summarise-only') {
  reportPaths = args.slice(1).map((p) => path.resolve(p));
} else {
  const run = spawnSync('npx', ['stryker', 'run', ...args], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { files: {}, survivors: [] };
const files = { ...previous.files };
const fresh = new Set();
// Per file, the survivors of the last report that has it (a later batch of a file replaces an earlier one).
const newSurvivors = new Map();
for (const reportPath of reportPaths) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const mine = mutants.filter((m) => COUNTED.has(m.status));
    const found = mine.filter((m) => DETECTED.has(m.status)).length;
    fresh.add(file);
    files[file] = {
      mutants: mine.length,
      detected: found,
      score_pct: mine.length ? round((found / mine.length) * 100) : null,
    };
    newSurvivors.set(
      file,
      mine
        .filter((x) => !DETECTED.has(x.status))
        .map((m) => ({
          at: `${file}:${m.location.start.line}:${m.location.start.column}`,
          status: m.status,
          mutator: m.mutatorName,
          replacement: m.replacement,
        })),
    );
  }
}
const survivors = [
  ...previous.survivors.filter((s) => !fresh.has(s.at.slice(0, s.at.indexOf(':')))),
  ...[...newSurvivors.values()].flat(),
].sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }));
const sortedFiles = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
let detected = 0;
let counted = 0;
for (const f of Object.values(sortedFiles)) {
  detected += f.detected;
  counted += f.mutants;
}
function round(x) {
  return Math.round(x * 10) / 10;
}
const summary = {
  score_pct: counted ? round((detected / counted) * 100) : null,
  target_pct: 90,
  mutants: counted,
  detected,
  files: sortedFiles,
  survivors,
  date: new Date().toISOString(),
};
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `mutation score ${summary.score_pct}% (${detected}/${counted} detected; target >= 90%), ${survivors.length} survivors`,
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
