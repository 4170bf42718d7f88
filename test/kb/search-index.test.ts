import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSynonymsTable } from '../../src/kb/deployment-synonyms.ts';
import { SearchIndex } from '../../src/kb/search-index.ts';
import { SAMPLE_SYNONYMS } from '../fixtures/kb-fixtures.ts';

const stamp = { mtimeMs: 1, size: 1 };

/** An index with the sample's synonyms table as its deployment vocabulary (the mechanisms here need one). */
function indexWithSynonyms(): SearchIndex {
  const index = new SearchIndex();
  index.setSynonyms(parseSynonymsTable(SAMPLE_SYNONYMS));
  return index;
}

describe('SearchIndex.search()', () => {
  it('ranks the section whose heading holds the words first, and reports coverage and matched terms', () => {
    const index = new SearchIndex();
    index.upsert('hr/leave.md', '# Leave\n\n## Annual leave\n\nYou get 15 days.\n\n## Sick leave\n\nTen days.', stamp);
    index.upsert('it/vpn.md', '# VPN\n\nConnect before you leave the office.', stamp);
    const [first] = index.search('annual leave');
    assert.equal(first?.path, 'hr/leave.md');
    assert.equal(first?.heading, 'Annual leave');
    assert.equal(first?.coverage, 1);
    assert.deepEqual([...(first?.matchedTerms ?? [])].sort(), ['annual', 'leave']);
    assert.deepEqual([first?.startLine, first?.endLine], [3, 5]);
  });

  it('matches prefixes, near misspellings and synonyms in the other language', () => {
    const index = new SearchIndex();
    index.upsert('a.md', '# Reimbursement\n\nSubmit the reimbursement form.', stamp);
    index.upsert('b.md', '# 住宿标准\n\n上海每晚上限 600 元。', stamp);
    assert.equal(index.search('reimburse')[0]?.path, 'a.md');
    assert.equal(index.search('reimbursment')[0]?.path, 'a.md');
    assert.equal(index.search('hotel limit shanghai')[0]?.path, 'b.md');
  });

  it('meets an English phrase translation of a Chinese word in the section holding its words (离职 → leaving the company)', () => {
    const index = indexWithSynonyms();
    index.upsert('it/devices.md', '# Devices\n\n## Leaving the Company\n\nReturn your laptop on your last day.', stamp);
    index.upsert('hr/leave.md', '# Leave\n\n## Sick leave\n\nTen days a year.', stamp);
    const [hit] = index.search('离职电脑');
    assert.equal(hit?.heading, 'Leaving the Company');
    assert.equal(hit?.coverage, 1);
  });

  it('joins a separable verb split by a measure word or particle when the documents write it whole (换个班 → 换班)', () => {
    const index = new SearchIndex();
    index.upsert('hr/shifts.md', '# 排班\n\n## 换班\n\n换班须提前 48 小时在系统中申请。', stamp);
    index.upsert('hr/leave.md', '# 请假\n\n## 事假\n\n事假须提前一天申请。', stamp);
    const [hit] = index.search('想跟同事换个班，得提前多久说？');
    assert.equal(hit?.heading, '换班');
    assert.ok(hit?.matchedTerms.includes('换班'), `matched ${hit?.matchedTerms.join(', ')}`);
  });

  it('counts a compound split in two ("payday" → pay, day) fully only where the two are written together', () => {
    const index = new SearchIndex();
    index.upsert('hr/handbook.md', '# Handbook\n\n## Pay Day\n\nSalaries are paid on the 25th.', stamp);
    index.upsert('sales/terms.md', '# Terms\n\n## Payment Terms\n\nCustomers pay within 30 days.', stamp);
    const hits = index.search('payday');
    assert.equal(hits[0]?.heading, 'Pay Day');
    assert.equal(hits[0]?.coverage, 1);
    assert.ok((hits.find((h) => h.heading === 'Payment Terms')?.coverage ?? 0) <= 0.5);
  });

  it('matches a phrase the documents name no other way ("pay day") only where they write its words together', () => {
    const index = indexWithSynonyms();
    index.upsert('hr/leave.md', '# Leave\n\n## Bereavement\n\nUp to 5 paid days off.', stamp);
    index.upsert('sales/terms.md', '# Terms\n\n## Payment Terms\n\nCustomers pay within 30 days.', stamp);
    for (const question of ['When is pay day?', 'When do we get paid?']) {
      for (const hit of index.search(question))
        assert.ok(hit.coverage < 0.6, `${question}: ${hit.heading} ${hit.coverage}`);
    }
    index.upsert(
      'hr/handbook.md',
      '# Handbook\n\n## Salaries\n\nPay day is the 25th: you get paid by transfer.',
      stamp,
    );
    for (const question of ['When is pay day?', 'When do we get paid?']) {
      const [hit] = index.search(question);
      assert.equal(hit?.heading, 'Salaries', question);
      assert.ok((hit?.coverage ?? 0) >= 0.6, `${question}: ${hit?.coverage}`);
    }
  });

  it('meets a piece of a lexicon word the segmenter cut apart where the word is met (忘记 of 忘记打卡 → 补卡)', () => {
    const index = indexWithSynonyms();
    index.upsert('hr/clock.md', '# 考勤\n\n## 打卡规定\n\n无法打卡的，3 个工作日内提交补卡申请。', stamp);
    index.upsert('it/password.md', '# 密码\n\n## 忘记密码\n\n忘记密码的，到自助门户重置。', stamp);
    const [hit] = index.search('忘记打卡怎么办');
    assert.equal(hit?.heading, '打卡规定');
    assert.ok((hit?.coverage ?? 0) >= 0.6, `coverage ${hit?.coverage}`);
  });

  it('meets a character the segmenter left alone where the known word it is part of is met (补 of 补卡)', () => {
    const index = new SearchIndex();
    index.upsert('hr/clock.md', '# 考勤\n\n## 打卡规定\n\n每月补卡次数不得超过 3 次。', stamp);
    index.upsert('it/card.md', '# 门禁\n\n## 工牌\n\n卡丢了找行政补办。', stamp);
    const [hit] = index.search('每月可以补卡几次？');
    assert.equal(hit?.heading, '打卡规定');
    const piece = hit?.questionWords?.find((w) => w.word === '补');
    assert.ok((piece?.weight ?? 0) > 0, JSON.stringify(piece));
  });

  it('indexes characters the segmenter could not cut into words as their bigrams (补|卡 → 补卡)', () => {
    const index = new SearchIndex();
    index.upsert('hr/clock.md', '# 考勤\n\n## 打卡\n\n无法打卡的，提交补卡申请。', stamp);
    index.upsert('it/sec.md', '# 安全\n\n## 外发文件\n\n禁止外发机密文件。', stamp);
    assert.equal(index.search('补卡')[0]?.heading, '打卡');
    // 外发 is indexed whole: a lone 发 (to pay, in 发工资) does not meet it.
    assert.deepEqual(
      index.search('什么时候发工资').filter((h) => h.path === 'it/sec.md' && h.coverage > 0.5),
      [],
    );
  });

  it('reads a lexicon phrase with an article inside it ("miss a clock-in" is a missed clock-in)', () => {
    const index = new SearchIndex();
    index.upsert('hr/考勤.md', '# 考勤\n\n## 打卡规定\n\n无法打卡的，应在 3 个工作日内提交补卡申请。', stamp);
    index.upsert('product/terms.md', '# Terms\n\n## Confused Terms\n\nA miss is not a fault.', stamp);
    const [hit] = index.search('What if I miss a clock-in?');
    assert.equal(hit?.heading, '打卡规定');
    assert.ok((hit?.coverage ?? 0) >= 0.6, String(hit?.coverage));
  });

  it('counts a lone Chinese character as a piece of a word (车 of 出租车), not as the word asked for', () => {
    const index = new SearchIndex();
    index.upsert('finance/差旅.md', '# 差旅\n\n## 交通\n\n出租车和网约车费用凭发票实报实销。', stamp);
    index.upsert(
      'it/laptops.md',
      '# Laptops\n\n## Company Laptops\n\nThe company lends each employee a laptop.',
      stamp,
    );
    for (const question of ['Can I get a company car?', '公司配车吗？']) {
      for (const hit of index.search(question))
        assert.ok(hit.coverage < 0.6, `${question}: ${hit.heading} ${hit.coverage}`);
    }
  });

  it('counts a word the documents never use, whose translations they hold only in part, as less than half met', () => {
    const index = indexWithSynonyms();
    index.upsert(
      'hr/考勤.md',
      '# 考勤\n\n## 加班\n\n休息日加班支付 2 倍工资。\n\n## 迟到\n\n旷工扣除当日工资。',
      stamp,
    );
    const guide = [
      '# Guide',
      '## Forms',
      'See the portal.',
      '## Rooms',
      'See the booking app.',
      '## Desks',
      'See reception.',
    ];
    index.upsert('office/guide.md', guide.join('\n\n'), stamp);
    for (const question of ['Where can I see my payslip?']) {
      for (const hit of index.search(question))
        assert.ok(hit.coverage < 0.6, `${question}: ${hit.heading} ${hit.coverage}`);
    }
    // 出租车 (taxi), which the segmenter cuts 出租|车, is the whole word where the documents say both parts.
    index.upsert('finance/差旅.md', '# 差旅\n\n## 交通\n\n出租车费用凭发票报销。', stamp);
    const [taxi] = index.search('taxi');
    assert.equal(taxi?.heading, '交通');
    assert.ok((taxi?.coverage ?? 0) >= 0.6, String(taxi?.coverage));
  });

  it('lets a Chinese word no document uses meet, weakly, a character the documents write alone (必须 → 须)', () => {
    const index = new SearchIndex();
    index.upsert('people/远程.md', '# 远程\n\n## 工作时间\n\n远程期间员工须在核心时间保持在线。', stamp);
    index.upsert('people/差旅.md', '# 差旅\n\n## 交通\n\n出差可乘坐高铁。', stamp);
    const [hit] = index.search('远程的时候必须在线吗？');
    const word = hit?.questionWords?.find((w) => w.word === '必须');
    assert.equal(hit?.heading, '工作时间');
    assert.equal(word?.matchedAs, '须');
    assert.ok(word && word.weight > 0 && word.weight < 0.45, String(word?.weight));
    // The character does not make the word one the knowledge base knows: it still counts as missing elsewhere.
    assert.equal(word?.known, false);
  });

  it('keeps a long Chinese noun none of whose pieces the documents use (健身房) as a subject they lack', () => {
    const index = new SearchIndex();
    index.upsert('finance/采购.md', '# 采购\n\n## 公司采购\n\n公司采购须经部门经理审批。', stamp);
    const [hit] = index.search('公司有健身房吗？');
    assert.ok(
      hit?.questionWords?.some((w) => w.word === '健身房' && !w.known && w.weight === 0),
      JSON.stringify(hit),
    );
    assert.ok((hit?.coverage ?? 0) < 0.6, String(hit?.coverage));
  });

  it('counts words the knowledge base never uses against coverage', () => {
    const index = new SearchIndex();
    index.upsert('a.md', '# Parking\n\nParking costs 300 a month.', stamp);
    const [hit] = index.search('parking unicorn');
    assert.ok(hit && hit.coverage > 0 && hit.coverage < 0.6);
  });

  it('re-indexes a changed file and forgets a removed one', () => {
    const index = new SearchIndex();
    index.upsert('a.md', '# A\n\nzebra', stamp);
    index.upsert('a.md', '# A\n\ngiraffe', { mtimeMs: 2, size: 2 });
    assert.deepEqual(index.search('zebra'), []);
    assert.equal(index.search('giraffe')[0]?.path, 'a.md');
    index.remove('a.md');
    assert.deepEqual(index.search('giraffe'), []);
    assert.equal(index.sectionCount, 0);
  });

  // Regression: once both words were "common", a rarer synonym found the only candidates
  // and the sections holding the words themselves were never scored.
  it('regression: common words still find their own sections when a synonym is rarer', () => {
    const index = new SearchIndex();
    for (let i = 0; i < 2500; i++)
      index.upsert(`f/${i}.md`, `# Note ${i}\n\nThe leave policy applies to team ${i}.`, stamp);
    index.upsert(
      'hr/leave_policy.md',
      '# Leave Policy\n\n## Leave policy overview\n\nThe leave policy in full.',
      stamp,
    );
    index.upsert('zh/制度.md', '# 假期制度\n\n员工假期制度。', stamp);
    const hits = index.search('leave policy', 5);
    assert.equal(hits[0]?.path, 'hr/leave_policy.md');
    assert.equal(hits[0]?.coverage, 1);
  });
});

describe('a short word ending in e', () => {
  it('meets its inflected forms as the same word ("reuse" → "cannot be reused")', () => {
    const index = new SearchIndex();
    index.upsert('it/accounts.md', '# Password Policy\n\nThe last 10 passwords cannot be reused.', stamp);
    index.upsert('it/quotes.md', '# Quotes\n\nEvery offer is quoted in euros.', stamp);
    const reuse = index.search('reuse password', 5)[0];
    assert.equal(reuse?.path, 'it/accounts.md');
    assert.equal(reuse?.questionWords?.find((w) => w.word === 'reuse')?.weight, 1);
    assert.equal(reuse?.coverage, 1);
    assert.equal(index.search('quote', 5)[0]?.questionWords?.find((w) => w.word === 'quote')?.weight, 1);
  });
});
