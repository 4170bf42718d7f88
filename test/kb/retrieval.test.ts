import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../src/engines/local/index.ts';
import type { AgentWorkerFactory } from '../../src/engines/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';
import { ask, citedPaths } from '../fixtures/local-answers.ts';
import { RETRIEVAL_CASES } from './retrieval-questions.ts';

describe('retrieval quality on the sample knowledge base', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({ seed: true });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it(`has at least 30 questions in English and Chinese, some without an answer`, () => {
    assert.ok(RETRIEVAL_CASES.length >= 30);
    assert.ok(RETRIEVAL_CASES.some((c) => /[\u4e00-\u9fff]/.test(c.question)));
    assert.ok(RETRIEVAL_CASES.filter((c) => c.source === null).length >= 3);
  });

  for (const c of RETRIEVAL_CASES) {
    const title =
      c.source === null ? `answers "${c.question}" with no source` : `answers "${c.question}" citing ${c.source}`;
    it(title, async () => {
      const answer = await ask(factory, c.question);
      const cited = citedPaths(answer);
      if (c.source === null) {
        assert.deepEqual(cited, [], answer);
        assert.match(answer, /could not find|没有找到/);
        return;
      }
      assert.equal(cited[0], c.source, answer);
      if (c.source !== 'FAQ.md') assert.match(answer, /\.md:\d+-\d+$/m);
      if (c.fact) assert.match(answer, c.fact, answer);
      const chinese = /[\u4e00-\u9fff]/.test(c.question);
      assert.match(answer, chinese ? /^## 答案/ : /^## Answer/);
    });
  }
});
