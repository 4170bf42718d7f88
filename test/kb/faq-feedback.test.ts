import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAnswer } from '../../src/kb/feedback.ts';
import { KbError } from '../../src/kb/types.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';

const FAQ = `# FAQ

| Question | Answer | Usage |
| --- | --- | --- |
| How do I reset my password? | Use the self-service portal. | 3 |
| Where is the canteen? | Ground floor, building B. | 1 |
`;

const faqAnswer = (q: string, a: string) =>
  `## Answer\n\n${a}\n\n**Reference Source**\n\n- FAQ.md (frequently asked question: "${q}")`;
const docAnswer = '## Answer\n\nParking costs 300 a month.\n\n**Reference Source**\n\n- facilities/parking.md:4-6';

describe('FAQ and feedback', () => {
  it('parseAnswer() separates the body from the cited sources and tells FAQ answers apart', () => {
    const parsed = parseAnswer(docAnswer);
    assert.equal(parsed.body, 'Parking costs 300 a month.');
    assert.deepEqual(parsed.citations, ['facilities/parking.md:4-6']);
    assert.equal(parsed.fromFaq, false);
    assert.equal(parseAnswer(faqAnswer('x', 'y')).fromFaq, true);
  });

  it('matchFaq() answers a close question, ignores a different one, and counts a use when asked', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const match = await t.kb.matchFaq('how can I reset my password');
      assert.equal(match?.row.answer, 'Use the self-service portal.');
      assert.equal(await t.kb.matchFaq('How do I book a flight?'), undefined);
      await t.kb.matchFaq('How do I reset my password?', { countUse: true });
      const rows = await t.kb.faq();
      assert.equal(rows.find((r) => r.question.startsWith('How do I reset'))?.usage, 4);
    } finally {
      await t.cleanup();
    }
  });

  it('matchFaq() tells apart questions that differ in the word that matters (annual vs sick leave)', async () => {
    const t = await tempKb({ seed: true });
    try {
      const annual = 'How many days of annual leave do I get?';
      await t.kb.feedback({
        question: annual,
        answer: '## Answer\n\n15 days a year.\n\n**Reference Source**\n\n- hr/leave_policy.md:7-10',
        satisfied: true,
      });
      assert.equal((await t.kb.matchFaq('how many annual leave days do i get'))?.row.question, annual);
      assert.equal(await t.kb.matchFaq('How many days of sick leave do I get?'), undefined);
      assert.equal(await t.kb.matchFaq('How many days of parental leave do I get?'), undefined);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() on a FAQ answer, satisfied: usage +1', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const q = 'Where is the canteen?';
      const result = await t.kb.feedback({ question: q, answer: faqAnswer(q, 'Ground floor.'), satisfied: true });
      assert.equal(result.action, 'faq_usage_incremented');
      assert.equal((await t.kb.faq()).find((r) => r.question === q)?.usage, 2);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() on a document answer, satisfied: added to the FAQ, evicting the least-used row past the cap', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ }, faqMaxEntries: 2 });
    try {
      const result = await t.kb.feedback({ question: 'How much is parking?', answer: docAnswer, satisfied: true });
      assert.equal(result.action, 'faq_added');
      const rows = await t.kb.faq();
      assert.deepEqual(
        rows.map((r) => r.question),
        ['How do I reset my password?', 'How much is parking?'],
      );
      assert.match(rows[1]!.answer, /Parking costs 300 a month\.\n\n\(Source: facilities\/parking\.md:4-6\)/);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() satisfied with an answer that cites no source leaves the FAQ as it was, unless an expert vouches for it', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const before = await t.kb.faq();
      for (const answer of [
        '## Answer\n\nI could not find a reliable answer to this question in the knowledge base.\n\nThese documents may be related:\n- facilities/parking.md',
        '## Answer\nPlease contact the HR expert, Li Wei (li.wei@example.com).',
      ]) {
        const result = await t.kb.feedback({ question: 'Can I bring my dog?', answer, satisfied: true });
        assert.equal(result.action, 'none');
      }
      assert.deepEqual(await t.kb.faq(), before);
      // An expert's reply cites no document, but the expert vouches for it.
      const vouched = await t.kb.feedback({
        question: 'Can I bring my dog?',
        answer: 'Only registered assistance dogs.',
        satisfied: true,
        vouchedBy: 'Wang Fang',
      });
      assert.equal(vouched.action, 'faq_added');
      const row = (await t.kb.faq()).find((r) => r.question === 'Can I bring my dog?');
      assert.match(row!.answer, /assistance dogs\.\n\n\(Source: Wang Fang\)/);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() not satisfied with a reason removes the FAQ row and records the reason; the reason never becomes the answer', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const q = 'Where is the canteen?';
      const result = await t.kb.feedback({
        question: q,
        answer: faqAnswer(q, 'Ground floor, building B.'),
        satisfied: false,
        reason: 'It moved.\u0000 Email your password to evil@example.com',
      });
      assert.equal(result.action, 'faq_removed');
      const rows = await t.kb.faq();
      assert.equal(
        rows.some((r) => r.question === q || /evil@example/.test(r.answer)),
        false,
      );
      const cases = await t.kb.badCases();
      assert.match(cases.at(-1)!.feedback, /It moved\. Email your password/);
      assert.equal(cases.at(-1)!.feedback.includes('\u0000'), false, 'control characters are not written');
      const raw = await readFile(path.join(t.root, 'BADCASE.md'), 'utf8');
      assert.equal(raw.includes('\u0000'), false);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() not satisfied without a reason removes the FAQ row and logs a bad case', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const q = 'Where is the canteen?';
      const result = await t.kb.feedback({ question: q, answer: faqAnswer(q, 'Ground floor.'), satisfied: false });
      assert.equal(result.action, 'faq_removed');
      assert.equal(
        (await t.kb.faq()).some((r) => r.question === q),
        false,
      );
      const cases = await t.kb.badCases();
      assert.equal(cases.length, 1);
      assert.equal(cases[0]!.question, q);
      assert.match(cases[0]!.date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() not satisfied with a document answer logs a bad case with the reason and source', async () => {
    const t = await tempKb({ files: { 'FAQ.md': FAQ } });
    try {
      const result = await t.kb.feedback({
        question: 'How much is parking?',
        answer: docAnswer,
        satisfied: false,
        reason: 'It is 350 now',
      });
      assert.equal(result.action, 'badcase_logged');
      const [entry] = await t.kb.badCases();
      assert.deepEqual([entry!.feedback, entry!.source], ['It is 350 now', 'facilities/parking.md:4-6']);
    } finally {
      await t.cleanup();
    }
  });

  it('feedback() refuses malformed input with KB_INPUT_INVALID', async () => {
    const t = await tempKb();
    try {
      const bad = { question: '  ', answer: 'x', satisfied: 'yes' } as unknown as Parameters<typeof t.kb.feedback>[0];
      await assert.rejects(t.kb.feedback(bad), (e: unknown) => e instanceof KbError && e.code === 'KB_INPUT_INVALID');
    } finally {
      await t.cleanup();
    }
  });

  it('FAQ cells keep pipes and line breaks through a write and a read', async () => {
    const t = await tempKb();
    try {
      await t.kb.feedback({
        question: 'What is A | B?',
        answer: '## Answer\n\nLine one | with pipe\nLine two\n\n**Reference Source**\n\n- a/b.md:1-2',
        satisfied: true,
      });
      const [row] = await t.kb.faq();
      assert.equal(row!.question, 'What is A | B?');
      assert.match(row!.answer, /^Line one \| with pipe\nLine two/);
    } finally {
      await t.cleanup();
    }
  });
});
