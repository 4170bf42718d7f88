#!/usr/bin/env node
// `node scripts/mutation-baseline.mjs out.json report.json...`: one baseline for
// `stryker run --incremental --incrementalFile out.json`, made from saved Stryker
// JSON reports (a source file in several is taken from the last one named).
//
// Stryker reuses a result only where the mutant's code is unchanged and, for a
// killed mutant, its killing test is unchanged (for any other, no covering test
// was added). The tap runner's tests are whole files, so a test is "unchanged"
// when its file is byte for byte the one on disk now. Reports taken at different
// times saw different versions of a test file, and a baseline holds one: each
// test file is given its current text, and a report's link to a test file is
// kept only if that report ran the same text. A killed mutant whose killer
// changed thus has no killer left and is run again; a survivor covered by a
// changed test file has that coverage dropped, so the file counts as added
// and it is run again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [out, ...reports] = process.argv.slice(2);
if (!out || reports.length === 0) {
  console.error('usage: mutation-baseline.mjs out.json report.json...');
  process.exit(2);
}

const files = {};
const fromReport = {};
const loaded = reports.map((p) => JSON.parse(readFileSync(p, 'utf8')));
loaded.forEach((report, i) => {
  for (const file of Object.keys(report.files)) fromReport[file] = i;
});

const testIds = new Map(); // test file -> canonical id
const testFiles = {};
function canonicalId(testFile) {
  if (!testIds.has(testFile)) {
    const id = String(testIds.size);
    testIds.set(testFile, id);
    testFiles[testFile] = { source: readFileSync(testFile, 'utf8'), tests: [{ id, name: testFile }] };
  }
  return testIds.get(testFile);
}

let links = 0;
let dropped = 0;
for (const [file, i] of Object.entries(fromReport)) {
  const report = loaded[i];
  // Which of this report's test ids are still the same file text today.
  const same = new Map();
  for (const [testFile, { source, tests }] of Object.entries(report.testFiles ?? {})) {
    const unchanged = existsSync(testFile) && readFileSync(testFile, 'utf8') === source;
    for (const t of tests) same.set(t.id, unchanged ? canonicalId(testFile) : undefined);
  }
  const remap = (ids) =>
    (ids ?? []).flatMap((id) => {
      links++;
      const now = same.get(id);
      if (now === undefined) dropped++;
      return now === undefined ? [] : [now];
    });
  files[file] = {
    ...report.files[file],
    mutants: report.files[file].mutants.map((m) => ({
      ...m,
      killedBy: remap(m.killedBy),
      coveredBy: remap(m.coveredBy),
    })),
  };
}

const base = loaded.at(-1);
writeFileSync(out, JSON.stringify({ ...base, files, testFiles }));
console.log(
  `${Object.keys(files).length} source files, ${testIds.size} unchanged test files, ${dropped} of ${links} test links dropped (changed test files)`,
);
