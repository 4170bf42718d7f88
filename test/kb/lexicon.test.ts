import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { acronymGroups } from '../../src/kb/acronyms.ts';
import { parseSynonymsTable, SYNONYMS_FILE } from '../../src/kb/deployment-synonyms.ts';
import { openKnowledgeBase } from '../../src/kb/index.ts';
import { holdsAny, quantitiesOf, rangesOf } from '../../src/kb/quantities.ts';
import { SearchIndex } from '../../src/kb/search-index.ts';
import { GENERAL_GROUPS, synonymsOf } from '../../src/kb/synonyms.ts';
import { isEnglishStopWord, stem } from '../../src/kb/text-tokens.ts';
import { SAMPLE_SYNONYMS, tempKb } from '../fixtures/kb-fixtures.ts';

const STAMP = { mtimeMs: 1, size: 1 };

describe('the deployment synonyms table', () => {
  it('reads one group per row, a wording of several words as a phrase, and skips the header', () => {
    const groups = parseSynonymsTable(
      '# Synonyms\n\n| term | same as |\n| --- | --- |\n| Fleet Manager | FM, 车队管理、dispatcher |\n| lonely | |\n',
    );
    assert.deepEqual(groups, ['Fleet-Manager FM 车队管理 dispatcher']);
  });

  it('widens queries of the index it is set on, and stops when removed', () => {
    const index = new SearchIndex();
    index.upsert('ops.md', '# Dispatch\n\nThe yard marshal assigns every trailer a bay.', STAMP);
    const meetsMarshal = () => index.search('who is the bay boss').some((h) => h.matchedTerms.includes('marshal'));
    assert.equal(meetsMarshal(), false);
    index.setSynonyms(['bay-boss marshal']);
    assert.equal(meetsMarshal(), true);
    index.setSynonyms([]);
    assert.equal(meetsMarshal(), false);
  });

  it('is loaded from .docent/synonyms.md when the knowledge base opens and again when it changes', async () => {
    const t = await tempKb({ files: { 'ops.md': '# Dispatch\n\nThe yard marshal assigns every trailer a bay.' } });
    try {
      const before = await t.kb.search('bay boss');
      assert.ok(!before.some((h) => h.matchedTerms?.includes('marshal')));
      await mkdir(path.join(t.root, '.docent'), { recursive: true });
      await writeFile(path.join(t.root, SYNONYMS_FILE), '| term | same as |\n| --- | --- |\n| bay boss | marshal |\n');
      const after = await t.kb.search('bay boss');
      assert.ok(after[0]?.matchedTerms?.includes('marshal'));
      assert.ok(!(await t.kb.tree()).children?.some((c) => c.name === '.docent'));
    } finally {
      await t.cleanup();
    }
  });

  it('is ignored once it grows past 1 MiB (its rows stop applying; the knowledge base keeps answering)', async () => {
    const t = await tempKb({ files: { 'ops.md': '# Dispatch\n\nThe yard marshal assigns every trailer a bay.' } });
    try {
      await mkdir(path.join(t.root, '.docent'), { recursive: true });
      const table = '| term | same as |\n| --- | --- |\n| bay boss | marshal |\n';
      await writeFile(path.join(t.root, SYNONYMS_FILE), table);
      assert.ok((await t.kb.search('bay boss'))[0]?.matchedTerms?.includes('marshal'));
      await writeFile(path.join(t.root, SYNONYMS_FILE), `${table}${'| filler | row |\n'.repeat(70_000)}`);
      const after = await t.kb.search('bay boss');
      assert.ok(!after.some((h) => h.matchedTerms?.includes('marshal')));
      assert.ok((await t.kb.search('yard marshal'))[0]?.path === 'ops.md');
    } finally {
      await t.cleanup();
    }
  });

  it('is where the sample company keeps its wordings: src knows only a few dozen general groups', () => {
    assert.ok(GENERAL_GROUPS.length <= 40, `${GENERAL_GROUPS.length} general groups`);
    assert.ok(!GENERAL_GROUPS.some((g) => /forklift|robot|payload|shanghai|叉车|机器人/i.test(g)));
    // Salary ↔ 工资 is the sample's row, not Docent's.
    assert.deepEqual(synonymsOf(stem('salary')), []);
    const index = new SearchIndex();
    index.setSynonyms(parseSynonymsTable(SAMPLE_SYNONYMS));
    assert.ok(index.lexicon.synonymsOf(stem('salary')).includes('工资'));
  });

  it("lets the experts table meet a question through the knowledge base's table", async () => {
    const experts = 'domain,name,contact,keywords\nPeople,Ana,ana@example.com,工资\nGeneral,Bo,bo@example.com,\n';
    const t = await tempKb({ files: { 'domain_experts.csv': experts } });
    try {
      assert.equal((await t.kb.findExpert('when is the salary paid'))?.name, 'Bo');
      await mkdir(path.join(t.root, '.docent'), { recursive: true });
      await writeFile(path.join(t.root, SYNONYMS_FILE), '| term | same as |\n| --- | --- |\n| salary | 工资 |\n');
      assert.equal((await t.kb.findExpert('when is the salary paid'))?.name, 'Ana');
    } finally {
      await t.cleanup();
    }
  });
});

describe('acronyms defined in documents', () => {
  it('pairs an acronym with the words whose initials spell it, in English and Chinese', () => {
    assert.deepEqual(acronymGroups('Orders above £25,000 go to the Chief Financial Officer (CFO).'), [
      'cfo chief-financial-officer',
    ]);
    assert.deepEqual(acronymGroups('All staff use multi-factor authentication (MFA).'), [
      'mfa multi-factor-authentication',
    ]);
    assert.deepEqual(acronymGroups('20万元以上由首席财务官（CFO）审批'), ['cfo 首席财务官']);
    assert.deepEqual(acronymGroups('We shipped it (FYI) last week.'), []);
  });

  it('lets a question naming the long form meet a section that uses only the acronym', () => {
    const index = new SearchIndex();
    index.upsert('roles.md', '# Roles\n\nThe Chief Financial Officer (CFO) owns the budget.', STAMP);
    index.upsert('limits.md', '# Limits\n\nThe CFO signs every order above £25,000.', STAMP);
    const hits = index.search('chief financial officer signs orders');
    assert.equal(hits[0]?.path, 'limits.md');
  });
});

describe('figures as values', () => {
  it('normalises units and reads ranges and bounds', () => {
    assert.deepEqual(quantitiesOf('8万的采购'), [{ value: 80000, unit: 'none' }]);
    assert.deepEqual(quantitiesOf('a £12,000 order, 3 weeks'), [
      { value: 12000, unit: 'money' },
      { value: 21, unit: 'day' },
    ]);
    assert.deepEqual(rangesOf('| 5万至20万元 | 财务总监 |'), [{ min: 50000, max: 200000, unit: 'money' }]);
    assert.ok(holdsAny('| 5万至20万元 | 财务总监 |', quantitiesOf('8万')));
    assert.ok(!holdsAny('| 1万至5万元 | 部门总监 |', quantitiesOf('8万')));
    assert.ok(holdsAny('不超过10万', quantitiesOf('80000元')));
    assert.ok(holdsAny('Orders > $1,000 need a VP', quantitiesOf('$3,000')));
    assert.ok(holdsAny('up to 5 days', quantitiesOf('3 days')));
    assert.ok(!holdsAny('up to 5 days', quantitiesOf('$3')));
    assert.ok(!holdsAny('error E204 between 100 and 300', quantitiesOf('E204')));
  });

  it('reads figures written in Chinese numerals as people say them', () => {
    const value = (text: string) => quantitiesOf(text).map((q) => q.value);
    assert.deepEqual(value('报销一万二要谁签字'), [12000]);
    assert.deepEqual(value('三千五的设备'), [3500]);
    assert.deepEqual(value('两万五'), [25000]);
    assert.deepEqual(value('十五万'), [150000]);
    assert.deepEqual(value('五千零五十元'), [5050]);
    assert.deepEqual(value('二十四小时'), [24]);
    // Words, not figures: 万一 (in case), 千万 (by all means), 十分 (very), a lone 一.
    assert.deepEqual(value('万一丢了，千万别慌，十分抱歉，一下就好'), []);
    assert.ok(holdsAny('| 5千至2万元 | 部门负责人、财务经理 |', quantitiesOf('一万二')));
  });

  it('meets the table row whose range holds a figure the question writes in Chinese numerals', () => {
    const index = new SearchIndex();
    index.upsert(
      'expenses.md',
      '# 报销\n\n## 审批\n\n| 金额 | 审批人 |\n| --- | --- |\n| 5千元以下 | 部门负责人 |\n| 5千至2万元 | 部门负责人、财务经理 |\n\n## 发票\n\n一万元以上的发票须为专票。\n',
      STAMP,
    );
    const [hit] = index.search('报销一万二要哪些人签字');
    assert.equal(hit?.heading, '审批');
    // The figure is a number of the question, not the words 一万 and 二 the documents lack.
    assert.ok(hit?.questionWords?.some((w) => w.word === '12000'));
  });

  it('ranks the table row whose range holds the question figure', () => {
    const index = new SearchIndex();
    index.upsert(
      'approval.md',
      '# 审批权限\n\n## 小额\n\n| 金额 | 审批人 |\n| --- | --- |\n| 1万至5万元 | 部门总监 |\n\n## 大额\n\n| 金额 | 审批人 |\n| --- | --- |\n| 5万至20万元 | 财务总监 |\n',
      STAMP,
    );
    assert.equal(index.search('8万的采购谁审批')[0]?.heading, '大额');
  });
});

describe('English words from packaged data', () => {
  it("stems an irregular form to its base by WordNet's exception lists", () => {
    for (const [form, base] of [
      ['chose', 'choose'],
      ['ran', 'run'],
      ['children', 'child'],
      ['mice', 'mouse'],
    ]) {
      assert.equal(stem(form!), stem(base!), form);
    }
    assert.equal(stem('constructor'), 'constructor');
  });

  it('reduces a word to one form whichever inflection it comes in (the lemma, to a fixed point)', () => {
    for (const forms of [
      ['meeting', 'meetings', 'meet', 'met'],
      ['setting', 'settings', 'set'],
      ['leave', 'leaves', 'left'],
      ['booking', 'booked', 'book', 'books'],
      ['webhook', 'webhooks'],
    ]) {
      assert.deepEqual(new Set(forms.map((f) => stem(f))).size, 1, forms.join(' '));
    }
    assert.notEqual(stem('hospitality'), stem('hospital'));
    // An irregular verb form that is mostly a noun stays the noun ("a wound" is not "to wind").
    assert.notEqual(stem('wound'), stem('wind'));
    assert.equal(stem('lost'), stem('lose'));
  });

  it('drops the Snowball stop words, contractions cut as the tokeniser cuts them', () => {
    for (const word of ['ourselves', 'against', 'shouldn', 'the']) assert.ok(isEnglishStopWord(word), word);
    assert.ok(!isEnglishStopWord('leave'));
  });
});

describe("the sample's synonyms table on an upgrade", () => {
  const sample = path.resolve('samples/knowledge_base');
  const open = (root: string) =>
    openKnowledgeBase({ root, smallFileThresholdKb: 30, faqMaxEntries: 50, seedFrom: sample, watch: false });

  it('is added to a knowledge base seeded from the sample before the table existed, never over its own', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'docent-upgrade-'));
    try {
      await (await open(root)).close();
      const table = path.join(root, SYNONYMS_FILE);
      const shipped = await readFile(table, 'utf8');
      await rm(table);
      await (await open(root)).close();
      assert.equal(await readFile(table, 'utf8'), shipped);
      await writeFile(table, '| term | same as |\n| --- | --- |\n| ours | mine |\n');
      await (await open(root)).close();
      assert.match(await readFile(table, 'utf8'), /\| ours \| mine \|/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('is not added to a knowledge base of other documents', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'docent-upgrade-'));
    try {
      await writeFile(path.join(root, 'notes.md'), '# Notes\n\nOur own documents.\n');
      await (await open(root)).close();
      await assert.rejects(readFile(path.join(root, SYNONYMS_FILE), 'utf8'), { code: 'ENOENT' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
