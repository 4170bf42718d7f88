// `npm run mutate:pool`: StrykerJS mutates src/pool and runs the pool's own
// node:test files (TAP) against every mutant. Slow (tens of minutes on two
// cores), so not part of CI; scripts/mutation-summary.mjs turns the report into
// bench/results/mutation.json.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    testFiles: ['test/pool/*.test.ts'],
    nodeArgs: ['--import', 'tsx'],
    forceBail: true,
  },
  mutate: ['src/pool/**/*.ts', '!src/pool/index.ts', '!src/pool/types.ts'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['progress', 'clear-text', 'json'],
  jsonReporter: { fileName: 'bench/results/mutation-report.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  ignorePatterns: ['data', 'web', 'bench/results', 'test/e2e', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
