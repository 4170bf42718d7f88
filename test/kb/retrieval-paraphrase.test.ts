// Paraphrase questions (paraphrase-questions.ts) on the sample knowledge base and on an invented lab's
// (test/fixtures/paraphrase-kb). The floors are the scores when the questions were written, before any
// tuning: a change may raise them, never lower them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../src/engines/local/index.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';
import { filesUnder, formatScore, type ScoredQuestion, scoreQuestions } from '../fixtures/retrieval-scoring.ts';
import { LAB_PARAPHRASES, SAMPLE_PARAPHRASES } from './paraphrase-questions.ts';

const LAB_KB = path.resolve(import.meta.dirname, '../fixtures/paraphrase-kb');

const SETS: readonly {
  name: string;
  cases: readonly ScoredQuestion[];
  kb: () => Promise<Parameters<typeof tempKb>[0]>;
  answered: number;
  refused: number;
}[] = [
  { name: 'sample', cases: SAMPLE_PARAPHRASES, kb: async () => ({ seed: true }), answered: 14, refused: 4 },
  {
    name: 'lab',
    cases: LAB_PARAPHRASES,
    kb: async () => ({ files: await filesUnder(LAB_KB) }),
    answered: 15,
    refused: 5,
  },
];

describe('retrieval on paraphrased questions', () => {
  for (const set of SETS) {
    it(`answers at least ${set.answered} and refuses at least ${set.refused} on the ${set.name} knowledge base`, async () => {
      const t = await tempKb(await set.kb());
      try {
        const factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
        const score = await scoreQuestions(factory, set.cases);
        console.log(formatScore(`paraphrase (${set.name})`, score));
        assert.ok(score.answered >= set.answered, formatScore(set.name, score));
        assert.ok(score.refused >= set.refused, formatScore(set.name, score));
      } finally {
        await t.cleanup();
      }
    });
  }
});
