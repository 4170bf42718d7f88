import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../src/engines/local/index.ts';
import type { AgentWorkerFactory } from '../../src/engines/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';
import { ask, citedPaths } from '../fixtures/local-answers.ts';
import { formatScore, scoreQuestions } from '../fixtures/retrieval-scoring.ts';
import { RETRIEVAL_CASES } from './retrieval-questions.ts';

/**
 * Questions the engine answered only through query repairs written for them: a lexicon word spelled with a
 * synonym of a part or with its object first (忘了打卡, 打卡忘了), the pieces of a recovered word counted
 * only through it (新|员工), characters of a bigram ICU cut apart (补|卡), words implied by another's
 * translation (park my car → 停车), a word glued to a filler character (要带). Those repairs changed no
 * held-out or paraphrase question (held-out 2 rose by one without them) and were removed in 0ad6403 (issue
 * #14), losing 10 answers; these 2 stay lost. Five came back with general mechanisms after it (a piece of a
 * longer or recovered question word met where that word is; a compound or phrase whose words a section holds
 * apart; a lexicon word no document uses in any wording weighed as a subject it lacks), three as the sample's
 * own vocabulary in its synonyms table (park my car, 忘了打卡, 打卡忘了), where a deployment keeps its phrasings.
 * They still run, as todo; the floor below is the score without them: a change may raise it, never lower it.
 */
const LOST_WITH_OWN_SET_REPAIRS = new Set(['核心工作时间是几点到几点？', '新员工第一天要带什么']);
const ANSWERED_FLOOR = 62;
const REFUSED_FLOOR = 39;

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
    const questions = new Set(RETRIEVAL_CASES.map((c) => c.question));
    for (const lost of LOST_WITH_OWN_SET_REPAIRS) assert.ok(questions.has(lost), lost);
  });

  it(`answers at least ${ANSWERED_FLOOR} and refuses at least ${REFUSED_FLOOR} of its questions`, async () => {
    const score = await scoreQuestions(factory, RETRIEVAL_CASES);
    assert.ok(score.answered >= ANSWERED_FLOOR, formatScore('own', score));
    assert.ok(score.refused >= REFUSED_FLOOR, formatScore('own', score));
  });

  for (const c of RETRIEVAL_CASES) {
    const title =
      c.source === null ? `answers "${c.question}" with no source` : `answers "${c.question}" citing ${c.source}`;
    const todo = LOST_WITH_OWN_SET_REPAIRS.has(c.question) && 'lost with the own-set-only query repairs';
    it(title, { todo }, async () => {
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
