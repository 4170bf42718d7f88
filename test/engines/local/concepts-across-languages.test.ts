// Query concepts on documents written here (not the sample): lexicon phrases, a translation covering
// the word it translates, Chinese question words as stop words, context words, negated questions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../../src/engines/local/index.ts';
import type { AgentWorkerFactory } from '../../../src/engines/types.ts';
import { GENERAL_LEXICON, synonymsOf } from '../../../src/kb/synonyms.ts';
import { tokenize } from '../../../src/kb/text-tokens.ts';
import { type TempKb, tempKb } from '../../fixtures/kb-fixtures.ts';
import { ask, quotedSections } from '../../fixtures/local-answers.ts';

const NETWORK = `# Network Access

How Tidewater Freight staff reach internal systems from outside the depot.

## Connecting to the VPN

1. Open the GlobalGate client on your laptop.
2. Sign in with your staff number and the six-digit token code.
3. Choose the "Depot North" gateway and press Connect.

## Stolen Devices

Report a stolen phone or laptop to the service desk within 12 hours; it will be wiped remotely.
`;

const ATTENDANCE = `# 考勤管理办法

## 打卡

员工每天上班和下班各打卡一次。忘记打卡的，应在 2 个工作日内在人事系统提交补卡申请，每月不超过 4 次。

## 居家办公

经部门经理批准，员工每月可居家办公不超过 6 天。
`;

const TRAVEL = `# Travel Claims

Tidewater Freight refunds travel costs that follow this policy.

## Hotels

Hotels are refunded up to 140 dollars a night.

## Not Reimbursable

- Minibar and room service
- Fines for speeding or parking
`;

const SECURITY = `# 数据保护守则

## 机密文件

机密文件不得通过个人邮箱发送给外部人员；确需对外提供的，须经部门经理书面批准并加密。

## 事件上报

发现安全事件后，须在 **1 小时内** 通知安全团队。
`;

const FIELD_TRIPS = `# Field Trip Rules

These rules set the hotel, meal and taxi limits for field trips by depot staff.

## Meals on Field Trips

Meals on a field trip are refunded up to 45 dollars a day.

## Hotel Nights

Field-trip hotel nights are refunded up to 150 dollars, with the receipt.
`;

const ROSTER = `# 排班说明

## 调休

加班满 8 小时可申请调休 1 天。
`;

const DRIVERS = `# Driver Handbook

## Probation

New drivers serve a probation of **4 months** before their first review.

## Working Time

Depot working time is 7:00 to 15:00, with a 30-minute break.
`;

describe('lexicon phrases', () => {
  it('synonymsOf() keys a hyphenated entry as a phrase and as its joined word', () => {
    assert.ok(synonymsOf('clock in').includes('打卡'));
    assert.ok(synonymsOf('clockin').includes('打卡'));
    assert.ok(synonymsOf('打卡').includes('clock in'));
  });

  it('GENERAL_LEXICON.phrasesIn() finds the longest phrase in stemmed words, stop words kept', () => {
    const found = GENERAL_LEXICON.phrasesIn(tokenize('can I work from home on fridays', { keepStopWords: true }));
    assert.deepEqual(
      found.map((m) => m.key),
      ['work from home'],
    );
    assert.deepEqual(GENERAL_LEXICON.phrasesIn(tokenize('the home office', { keepStopWords: true })), []);
  });
});

describe('concepts across languages on unseen documents', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: {
        'it/network_access.md': NETWORK,
        'hr/考勤管理办法.md': ATTENDANCE,
        'finance/travel_claims.md': TRAVEL,
        'hr/排班说明.md': ROSTER,
        'it/数据保护守则.md': SECURITY,
        'hr/driver_handbook.md': DRIVERS,
        'finance/field_trip_rules.md': FIELD_TRIPS,
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('answers a Chinese question from English steps: the translation of 连接 covers it', async () => {
    const answer = await ask(factory, '怎么连接VPN？');
    assert.match(answer, /^## 答案/);
    assert.match(answer, /GlobalGate/, answer);
    assert.match(answer, /it\/network_access\.md:\d+-\d+/);
  });

  it('reads the phrase "clock in" as one subject and finds the Chinese rule on it', async () => {
    const answer = await ask(factory, 'What if I forgot to clock in?');
    assert.equal(quotedSections(answer)[0], '考勤管理办法 › 打卡', answer);
    assert.match(answer, /补卡/);
  });

  it('reads "work from home" as the concept and finds the Chinese section on it', async () => {
    const answer = await ask(factory, 'Can I work from home?');
    assert.equal(quotedSections(answer)[0], '考勤管理办法 › 居家办公', answer);
  });

  it('treats when it happened ("yesterday") as context, not a subject the documents must contain', async () => {
    const answer = await ask(factory, 'My phone was stolen yesterday, what should I do?');
    assert.equal(quotedSections(answer)[0], 'Network Access › Stolen Devices', answer);
    assert.match(answer, /12 hours/);
  });

  it('answers "what is not covered" from the section that says what is not refunded', async () => {
    const answer = await ask(factory, 'Which travel costs are not covered?');
    assert.equal(quotedSections(answer)[0], 'Travel Claims › Not Reimbursable', answer);
    assert.match(answer, /Minibar/);
  });

  it('reads "how soon" as asking for a time limit, and meets the Chinese words for the subject', async () => {
    const answer = await ask(factory, 'How soon must I report a security incident?');
    assert.equal(quotedSections(answer)[0], '数据保护守则 › 事件上报', answer);
    assert.match(answer, /1 小时内/);
  });

  it('answers an English question from a Chinese rule through several translated words', async () => {
    const answer = await ask(factory, 'Can I send confidential files to outside people?');
    assert.equal(quotedSections(answer)[0], '数据保护守则 › 机密文件', answer);
  });

  it('counts occurrences for "how many times" (次 in a Chinese rule), not the word "time"', async () => {
    const answer = await ask(factory, 'How many times a month can I make up a missed punch?');
    assert.equal(quotedSections(answer)[0], '考勤管理办法 › 打卡', answer);
  });

  it('drops Chinese question particles (有多长, 多久) so the subject alone must match', async () => {
    const answer = await ask(factory, '调休有多长？');
    assert.equal(quotedSections(answer)[0], '排班说明 › 调休', answer);
  });

  it('reads 多长时间 as "how long", not as a subject 时间 the answer must mention', async () => {
    const answer = await ask(factory, '试用期多长时间？');
    assert.equal(quotedSections(answer)[0], 'Driver Handbook › Probation', answer);
    assert.match(answer, /4 months/);
  });

  it('prefers the section that answers over the opening summary that only names the subject', async () => {
    const answer = await ask(factory, 'What is the hotel limit on field trips?');
    assert.equal(quotedSections(answer)[0], 'Field Trip Rules › Hotel Nights', answer);
    assert.match(answer, /150 dollars/);
  });

  it('still refuses a Chinese question no document covers', async () => {
    const answer = await ask(factory, '公司有没有提供班车？');
    assert.doesNotMatch(answer, /\*\*Reference Source\*\*/);
    assert.match(answer, /没有找到/);
  });
});

describe('a translation that is a phrase of one content word', () => {
  it('meets "carried over" for 结转 ("carry over": its particle is no word the index keeps)', async () => {
    const t = await tempKb({
      files: {
        'hr/holiday_rules.md':
          '# Holiday Rules\n\n## Annual leave\n\nStaff get 20 days of annual leave a year. Up to 4 unused days may be carried over to the next year.\n\n## Public holidays\n\nThe office closes on public holidays.\n',
      },
    });
    try {
      const factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
      const answer = await ask(factory, '年假可以结转吗？');
      assert.match(answer, /^## 答案/);
      assert.match(answer, /carried over/, answer);
      assert.match(answer, /hr\/holiday_rules\.md:\d+-\d+/);
    } finally {
      await t.cleanup();
    }
  });
});
