/**
 * Retrieval scores of the offline engine on its question sets: the project's own (sample knowledge
 * base), the five held-out knowledge bases and the paraphrase sets (sample and invented lab knowledge base),
 * printed and written to bench/results/answers.json. The unseen-layout documents are scored by
 * retrieval-unseen.test.ts. `npm run eval:answers [own|heldout|paraphrase]`
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLocalWorkerFactory } from '../src/engines/local/index.ts';
import { tempKb } from '../test/fixtures/kb-fixtures.ts';
import {
  filesUnder,
  formatScore,
  type ScoredQuestion,
  type SetScore,
  scoreQuestions,
} from '../test/fixtures/retrieval-scoring.ts';
import { HELDOUT_CASES } from '../test/kb/heldout-questions.ts';
import { HELDOUT2_CASES } from '../test/kb/heldout2-questions.ts';
import { HELDOUT3_CASES } from '../test/kb/heldout3-questions.ts';
import { HELDOUT4_CASES } from '../test/kb/heldout4-questions.ts';
import { HELDOUT5_CASES } from '../test/kb/heldout5-questions.ts';
import { LAB_PARAPHRASES, SAMPLE_PARAPHRASES } from '../test/kb/paraphrase-questions.ts';
import { RETRIEVAL_CASES } from '../test/kb/retrieval-questions.ts';

const RESULTS = path.resolve(import.meta.dirname, 'results/answers.json');
const sets: Record<string, Omit<SetScore, 'results'> & { misses: { question: string; miss: string }[] }> = {};

async function run(name: string, cases: readonly ScoredQuestion[], kbOptions: Parameters<typeof tempKb>[0]) {
  const t = await tempKb(kbOptions);
  try {
    const factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
    const score = await scoreQuestions(factory, cases);
    console.log(formatScore(name, score));
    const { results, ...counts } = score;
    sets[name] = {
      ...counts,
      misses: results.flatMap((r) => (r.ok ? [] : [{ question: r.question, miss: r.miss ?? '?' }])),
    };
  } finally {
    await t.cleanup();
  }
}

const only = process.argv[2];
if (!only || only === 'own')
  await run(
    'own (sample kb)',
    RETRIEVAL_CASES.map((c) => ({ ...c })),
    { seed: true },
  );
if (!only || only === 'heldout') {
  await run('held-out', HELDOUT_CASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/heldout-kb')),
  });
  await run('held-out 2', HELDOUT2_CASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/heldout2-kb')),
  });
  await run('held-out 3', HELDOUT3_CASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/heldout3-kb')),
  });
  await run('held-out 4', HELDOUT4_CASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/heldout4-kb')),
  });
  await run('held-out 5', HELDOUT5_CASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/heldout5-kb')),
  });
}
if (!only || only === 'paraphrase') {
  await run('paraphrase (sample kb)', SAMPLE_PARAPHRASES, { seed: true });
  await run('paraphrase (lab kb)', LAB_PARAPHRASES, {
    files: await filesUnder(path.resolve(import.meta.dirname, '../test/fixtures/paraphrase-kb')),
  });
}

await mkdir(path.dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify({ measured_at: new Date().toISOString(), sets }, null, 2)}\n`);
console.log(`written: ${path.relative(process.cwd(), RESULTS)}`);
