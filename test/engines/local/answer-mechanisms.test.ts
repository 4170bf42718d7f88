// Each answering mechanism on documents written here (not the sample): heading match, procedures,
// cross-language lexicon, the bar for one-word questions, negation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { countedWords, statesCount } from '../../../src/engines/local/count-question.ts';
import { createLocalWorkerFactory } from '../../../src/engines/local/index.ts';
import type { AgentWorkerFactory } from '../../../src/engines/types.ts';
import { type TempKb, tempKb } from '../../fixtures/kb-fixtures.ts';
import { ask, citedPaths, closestPassage, quotedSections, relatedPaths } from '../../fixtures/local-answers.ts';

/** A knowledge base of the test's own, for a mechanism that needs word frequencies the shared one lacks. */
async function withOwnKb(
  options: Parameters<typeof tempKb>[0],
  use: (factory: AgentWorkerFactory, kb: TempKb['kb']) => Promise<void>,
): Promise<void> {
  const own = await tempKb(options);
  try {
    await use(createLocalWorkerFactory({ kb: own.kb, role: 'employee', resolveUpload: async () => undefined }), own.kb);
  } finally {
    await own.cleanup();
  }
}

const TIME_OFF = `# Time Off

Staff members of Northwind Labs take time off through the people portal.

## Annual Leave

Staff members get 22 days of annual leave each year.

## Sick Days

Staff members get 8 sick days each year; a note from a doctor is needed after 2 days.

## Training Days

Each staff member has 3 training days per year for courses and conferences.
`;

const WIFI = `# Office Wi-Fi

Guests and staff use separate wireless networks in every Northwind office.

## Wi-Fi Rules

- Do not share the staff network password with visitors.
- Streaming video on the staff network is discouraged.
- The wireless network is monitored for security.

## Setting Up Wi-Fi on a Laptop

1. Open the network settings and choose "Corp-Staff".
2. Select WPA2-Enterprise and enter your directory username.
3. Accept the certificate issued by Northwind Root CA.

## Troubleshooting

- If the laptop keeps dropping the Wi-Fi connection, forget the network and join it again.
- If the certificate is rejected, correct the laptop's clock and date.
`;

const CLAIMS = `# Travel Claims

## Required Documents

Attach the original invoice and the payment receipt to every travel claim.

## Payment

Approved travel claims are paid within 10 working days.
`;

const PURCHASING = `# Purchasing

## Approval Thresholds

| Amount | Approver |
| --- | --- |
| Up to $5,000 | Team lead |
| $5,000 to $50,000 | Department head |
| Above $50,000 | CTO |

## Suppliers

New suppliers must pass a security review before the first order.

## Contracts

A contract with a new supplier needs two signatures, one of them from legal.
`;

const FINANCE_TEAM = `# Finance Team

## Contracts

The CFO, Li Wei, signs every contract above one million dollars. The CFO also chairs the budget committee each quarter.
`;

const REMOTE = `# Remote Work

## Eligibility

Team leads may work from home three days a week.
Interns are not allowed to work from home.
Staff members who finished their first three months may work from home two days a week.
`;

const HANDBOOK = `# Staff Handbook

## Pay Day

Salaries are paid on the 25th of each month, or on the Friday before when the 25th is a weekend.

## Overtime

Overtime is paid at 1.5 times the hourly rate on weekdays and 2 times on weekends.

## Who to Contact

Payroll questions go to Priya Nair in People Operations.
Questions about employment contracts go to Tom Becker, HR Business Partner.
`;

const WAREHOUSE = `# Warehouse Rules

## Speed Limits

Vehicles inside the warehouse must not go faster than 10 km/h.

## Fire Drills

A fire drill takes place in the warehouse on the first Monday of every month; vehicles stay parked.
`;

const ROOMS = `# 会议室使用规定

## 使用时长

单次预订不超过 3 小时，超过 3 小时需行政部审批。

## 预订方式

通过 OA 系统预订，最多提前 7 天。
`;

const LAPTOPS = `# Laptops

## Company Laptops

- Every staff member gets a laptop on the first day.
- Laptops are replaced every 4 years.
- A lost laptop must be reported to the service desk within 12 hours.
- Only approved software may be installed.
`;

const ONBOARDING = `# New Hire Guide

## First Week

1. Collect your badge at reception.
2. Finish the security training within 5 days.
3. Meet your mentor.
`;

const PARKING_EN = `# Parking

## Parking Permits

Staff apply for a parking permit at reception; a permit costs 20 dollars a month.
`;

const PARKING_ZH = `# 停车规定

## 停车证

员工在前台申请停车证，每月费用 150 元。
`;

const GADGETS = `# Home Office Budget

## Home Office Equipment

Staff who work from home two days a week can claim a chair and a desk once every 3 years. Laptops come from IT and are never bought by staff.
`;

const TRAVEL_TXT = `Travel Rules

Economy class is required for flights under 6 hours. Business class may be booked for flights of 6 hours or longer with director approval.

Per diem for meals is 45 EUR per day in Europe and 60 EUR per day elsewhere.
`;

const SUPPORT_FAQ = `# Support FAQ

**How do I return a product?**
Customers can return any product within 30 days of delivery. Print the prepaid label from the order page.

**Do you ship abroad?**
We ship to the EU and the UK only.
`;

const SCANNER = `# Handheld Scanner Manual

## Charging the Scanner

1. Place the scanner in its cradle with the screen facing up.
2. Wait for the green light; a full charge takes 3 hours.

## Troubleshooting

### Scanner Will Not Charge

1. Clean the cradle contacts with a dry cloth.
2. Try another cradle before sending the scanner for repair.
`;

const BACKUPS = `# Database Backups

## Restoring a Backup

Restore the nightly snapshot with the ops tool:

\`\`\`sh
opsctl restore --snapshot nightly. --target staging
opsctl verify --target staging
\`\`\`

Restores to production need a ticket.
`;

const STUDIO = `# Recording Studio

## Booking the Studio

Only producers and team leads can book the recording studio, through the room calendar.

## Equipment

Microphones and headphones stay in the studio cabinet.
`;

const RELEASES = `# Releases

## Shipping to Production

Only the release captain of the week ships builds to production, after the smoke tests pass.

## Hotfixes

A hotfix ships to production on any day of the week.

## Rollbacks

A build that breaks production is rolled back before anything else ships.

## Staging

Every engineer ships to staging freely.
`;

const TRAINS = `# 交通标准

## 火车

员工乘坐高铁可选二等座，总监可选一等座。
`;

const HELPDESK = `# Help Desk

## Contact

The IT help desk answers on extension 4400 from 8:00 to 18:00.
`;

const OUTAGE = `# Incident: Label Printer Outage in April

On 9 April the label printers at the Leeds hub stopped printing for two hours.

## Summary

Label printers at the Leeds hub stopped printing on 9 April; parcels waited two hours.

## Root Cause

A driver update pushed overnight changed the default paper size of every label printer.

## Follow-up

The print team will test driver updates on one printer first.
`;

const PRICING = `# Sales Review

## Pricing

Mira Chen proposed tiered pricing for the new service:

- up to 10 seats at 20 EUR per seat;
- 11 to 50 seats at 16 EUR per seat;
- more than 50 seats by quote.

The review adopted the proposal.
`;

const LEAVE_REQUESTS = `# Leave Requests

Request leave in the people portal at least 10 working days in advance.
`;

describe('composeAnswer() mechanisms on unseen documents', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      sampleSynonyms: true,
      files: {
        'people/time_off.md': TIME_OFF,
        'it/wifi.md': WIFI,
        'money/claims.md': CLAIMS,
        'money/purchasing.md': PURCHASING,
        'money/finance_team.md': FINANCE_TEAM,
        'people/remote_work.md': REMOTE,
        'people/handbook.md': HANDBOOK,
        'site/warehouse.md': WAREHOUSE,
        '行政/会议室.md': ROOMS,
        'it/laptops.md': LAPTOPS,
        'people/onboarding.md': ONBOARDING,
        'site/parking.md': PARKING_EN,
        'site/停车.md': PARKING_ZH,
        'money/home_office.md': GADGETS,
        'travel/rules.txt': TRAVEL_TXT,
        'support/faq.md': SUPPORT_FAQ,
        'devices/scanner.md': SCANNER,
        'travel/交通.md': TRAINS,
        'it/helpdesk.md': HELPDESK,
        'ops/printer-outage.md': OUTAGE,
        'sales/review.md': PRICING,
        'ops/backups.md': BACKUPS,
        'site/studio.md': STUDIO,
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('answers a synonym of a heading ("vacation") from the section it names, first', async () => {
    const answer = await ask(factory, 'How many vacation days do staff members get?');
    assert.equal(quotedSections(answer)[0], 'Time Off › Annual Leave', answer);
    assert.match(answer, /22 days/);
  });

  it('answers from the section whose own heading matches over one that only shares generic words', async () => {
    const answer = await ask(factory, 'How many training days does a staff member have per year?');
    assert.equal(quotedSections(answer)[0], 'Time Off › Training Days', answer);
    assert.match(answer, /3 training days/);
  });

  it('answers "how do I" with the numbered set-up steps, not the rules or the troubleshooting list', async () => {
    const answer = await ask(factory, 'How do I connect my laptop to the Wi-Fi?');
    assert.equal(quotedSections(answer)[0], 'Office Wi-Fi › Setting Up Wi-Fi on a Laptop', answer);
    assert.match(answer, /1\. Open the network settings[\s\S]*3\. Accept the certificate/);
  });

  it('answers a reported problem from the troubleshooting list, not with the set-up steps', async () => {
    const answer = await ask(factory, 'My laptop keeps dropping the Wi-Fi connection, what should I do?');
    assert.equal(quotedSections(answer)[0], 'Office Wi-Fi › Troubleshooting', answer);
    assert.match(answer, /forget the network/);
  });

  it('answers a Chinese question from an English document through the bilingual lexicon', async () => {
    const answer = await ask(factory, '报销需要哪些材料？');
    assert.equal(citedPaths(answer)[0], 'money/claims.md', answer);
    assert.match(answer, /invoice and the payment receipt/);
  });

  it('does not answer a one-word question from a single passing mention in a table', async () => {
    const answer = await ask(factory, 'Who is the CTO?');
    assert.deepEqual(citedPaths(answer), [], answer);
    assert.match(answer, /could not find/);
  });

  it('answers a one-word question from a document that speaks about the subject', async () => {
    const answer = await ask(factory, 'Who is the CFO?');
    assert.equal(citedPaths(answer)[0], 'money/finance_team.md', answer);
    assert.match(answer, /Li Wei/);
  });

  it('quotes the sentence that says "not" for a negated question', async () => {
    const answer = await ask(factory, 'Who is not allowed to work from home?');
    assert.equal(citedPaths(answer)[0], 'people/remote_work.md', answer);
    assert.match(answer, /Interns are not allowed/);
  });

  it('splits an unknown compound into words the documents use ("payday" → Pay Day)', async () => {
    const answer = await ask(factory, 'When is payday?');
    assert.equal(quotedSections(answer)[0], 'Staff Handbook › Pay Day', answer);
    assert.match(answer, /25th of each month/);
  });

  it('answers "which day" only from a section that names a day', async () => {
    const payday = await ask(factory, 'Which day are salaries paid?');
    assert.equal(quotedSections(payday)[0], 'Staff Handbook › Pay Day', payday);
    assert.match(payday, /25th of each month/);
    const overtime = await ask(factory, 'What date is overtime paid?');
    assert.deepEqual(citedPaths(overtime), [], overtime);
  });

  it('meets everyday words through the lexicon (Sunday → weekends, ask → contact)', async () => {
    const sunday = await ask(factory, 'How much is overtime paid on Sunday?');
    assert.match(sunday, /2 times on weekends/, sunday);
    const contact = await ask(factory, 'Who should I ask about payroll?');
    assert.equal(quotedSections(contact)[0], 'Staff Handbook › Who to Contact', contact);
    assert.match(contact, /Priya Nair/);
  });

  it('answers a procedure with its steps alone, without the rules around them', async () => {
    const answer = await ask(factory, 'How do I set up Wi-Fi on my laptop?');
    assert.deepEqual(quotedSections(answer), ['Office Wi-Fi › Setting Up Wi-Fi on a Laptop'], answer);
  });

  it('finds a lexicon word the segmenter cut into characters (限速 → speed limit)', async () => {
    const answer = await ask(factory, '仓库的限速是多少？');
    assert.equal(quotedSections(answer)[0], 'Warehouse Rules › Speed Limits', answer);
    assert.match(answer, /10 km\/h/);
  });

  it('meets a Chinese word the documents segment apart, and a figure in the question is not a missing subject', async () => {
    const answer = await ask(factory, 'Can I book a meeting room for 6 hours?');
    assert.equal(quotedSections(answer)[0], '会议室使用规定 › 使用时长', answer);
    assert.match(answer, /不超过 3 小时/);
  });

  it('reads "who handles X" as a question about X and answers with the person', async () => {
    const answer = await ask(factory, 'Who handles contract questions?');
    assert.equal(quotedSections(answer)[0], 'Staff Handbook › Who to Contact', answer);
    assert.match(answer, /Tom Becker/);
  });

  it('treats "what do I do if…" as a procedure and answers with the steps', async () => {
    const answer = await ask(factory, 'What do I do if I want to set up the Wi-Fi on a laptop?');
    assert.match(answer, /1\. Open the network settings[\s\S]*3\. Accept the certificate/, answer);
  });

  it('does not answer "how many X" from sections that mention X without counting it', async () => {
    const answer = await ask(factory, 'How many staff members does Northwind Labs have?');
    assert.deepEqual(citedPaths(answer), [], answer);
    assert.match(answer, /could not find/);
  });

  it('shows the closest passage with its lines when it refuses, outside the sources', async () => {
    const answer = await ask(factory, 'How many staff members does Northwind Labs have?');
    assert.deepEqual(citedPaths(answer), [], answer);
    assert.deepEqual(
      closestPassage(answer),
      { path: 'people/time_off.md', text: 'Staff members of Northwind Labs take time off through the people portal.' },
      answer,
    );
    assert.match(answer, /\(people\/time_off\.md:3-3\):/);
  });

  it('quotes no closest passage that shares only one word with the question', async () => {
    await withOwnKb({ files: { 'people/time_off.md': TIME_OFF } }, async (own) => {
      const answer = await ask(own, 'Is the portal open on weekends?');
      assert.deepEqual(relatedPaths(answer), ['people/time_off.md'], answer);
      assert.equal(closestPassage(answer), undefined, answer);
    });
  });

  it('reads the unit of 几/多少 as the kind of figure asked, not a subject (几月份 is not met by 8月份)', async () => {
    const incident =
      '# 事件报告：冷藏车温度超标\n\n## 原因分析\n\n1. 车载温度记录仪的报警上限被误设为12℃。8月份更换记录仪时由供应商现场设置，车队未核对。\n';
    const pay =
      '# 加班与工资\n\n## 加班工资\n\n- 工作日加班按基本工资的 1.5 倍支付。\n- 周末加班按 2 倍支付，或安排补休。\n';
    await withOwnKb({ files: { 'quality/事件报告.md': incident, 'hr/加班与工资.md': pay } }, async (own) => {
      const bonus = await ask(own, '年终奖一般几月份发？');
      assert.match(bonus, /没有找到/);
      assert.deepEqual(relatedPaths(bonus), [], bonus);
      const overtime = await ask(own, '周末加班工资按几倍算？');
      assert.equal(citedPaths(overtime)[0], 'hr/加班与工资.md', overtime);
      assert.match(overtime, /周末加班按 2 倍/);
    });
  });

  it('shows no closest passage when no document is related', async () => {
    const answer = await ask(factory, 'Is there a rooftop swimming pool?');
    assert.match(answer, /could not find/);
    assert.equal(closestPassage(answer), undefined, answer);
  });

  it('answers "how many X" with the figure that counts X', async () => {
    const answer = await ask(factory, 'How many sick days do staff members get?');
    assert.equal(quotedSections(answer)[0], 'Time Off › Sick Days', answer);
    assert.match(answer, /8 sick days/);
  });

  it('answers "how many X" with a count written in words', async () => {
    const answer = await ask(factory, 'How many signatures does a supplier contract need?');
    assert.equal(quotedSections(answer)[0], 'Purchasing › Contracts', answer);
    assert.match(answer, /two signatures/);
  });

  it('answers "what if I lose X" from the one bullet about it, not the whole bullet list', async () => {
    const answer = await ask(factory, '笔记本电脑丢了怎么办？');
    assert.equal(citedPaths(answer)[0], 'it/laptops.md', answer);
    assert.match(answer, /lost laptop must be reported/);
    assert.doesNotMatch(answer, /replaced every 4 years/);
  });

  it('carries a Chinese word the segmenter cut apart (新员工) to its translation', async () => {
    const answer = await ask(factory, '新员工第一周要做什么？');
    assert.equal(citedPaths(answer)[0], 'people/onboarding.md', answer);
    assert.match(answer, /Collect your badge/);
  });

  it('does not answer when only one rare word of a two-subject question matches', async () => {
    const answer = await ask(factory, 'What is the interns pension plan?');
    assert.deepEqual(citedPaths(answer), [], answer);
  });

  it("prefers the document in the question's language between two that say the same", async () => {
    const english = await ask(factory, 'How do I apply for a parking permit?');
    assert.equal(citedPaths(english)[0], 'site/parking.md', english);
    const chinese = await ask(factory, '怎么申请停车证？');
    assert.equal(citedPaths(chinese)[0], 'site/停车.md', chinese);
  });

  it('does not answer a negated question from a section that never says no about its subject', async () => {
    const answer = await ask(factory, 'Who is not allowed to claim a desk?');
    assert.deepEqual(citedPaths(answer), [], answer);
  });

  it('answers "why" from the section that names the cause, not the report\'s summary', async () => {
    const answer = await ask(factory, 'Why did the label printers stop printing in April?');
    assert.equal(quotedSections(answer)[0], 'Incident: Label Printer Outage in April › Root Cause', answer);
    assert.match(answer, /driver update/);
  });

  it('answers from a lead-in line ("…proposed tiered pricing:") with the list it leads into', async () => {
    const answer = await ask(factory, 'What tiered pricing did Mira propose?');
    assert.equal(citedPaths(answer)[0], 'sales/review.md', answer);
    assert.match(answer, /up to 10 seats[\s\S]*more than 50 seats by quote/, answer);
  });

  it('titles a plain-text document by its short first line', async () => {
    const answer = await ask(factory, 'Can staff fly business class?');
    assert.equal(quotedSections(answer)[0], 'Travel Rules', answer);
  });

  it('quotes sentences of one line in reading order', async () => {
    const answer = await ask(factory, 'Can staff fly business class?');
    assert.match(answer, /Economy class is required[^\n]*Business class may be booked/, answer);
  });

  it('answers a one-word question from a sentence that opens with the word', async () => {
    const answer = await ask(factory, 'What is the per diem?');
    assert.equal(citedPaths(answer)[0], 'travel/rules.txt', answer);
    assert.match(answer, /45 EUR per day/);
  });

  it('quotes a fenced command block whole, as code, with its lead-in line', async () => {
    const answer = await ask(factory, 'How do I restore the nightly snapshot?');
    assert.equal(citedPaths(answer)[0], 'ops/backups.md', answer);
    assert.match(
      answer,
      /```sh\nopsctl restore --snapshot nightly\. --target staging\nopsctl verify --target staging\n```/,
    );
    assert.match(answer, /ops\/backups\.md:5-10/);
  });

  it('weighs a common verb that only frames the question ("allowed") below its subject', async () => {
    const answer = await ask(factory, 'Who is allowed to book the recording studio?');
    assert.equal(quotedSections(answer)[0], 'Recording Studio › Booking the Studio', answer);
    assert.match(answer, /producers and team leads/);
  });

  it('does not take a framing word rarer than the subject ("allowed") for a subject the section must meet', async () => {
    // A knowledge base of its own: here "allowed" is rarer than "ship" and "production".
    await withOwnKb({ files: { 'eng/releases.md': RELEASES, 'people/remote_work.md': REMOTE } }, async (releases) => {
      const answer = await ask(releases, 'Who is allowed to ship to production?');
      assert.equal(quotedSections(answer)[0], 'Releases › Shipping to Production', answer);
      assert.match(answer, /release captain/);
    });
  });

  it('answers with every case of a rule a lead-in line introduces, not only the item that shares the words', async () => {
    const OVERTIME = `# Pay

## Overtime

Overtime needs a manager's approval in advance. Overtime is paid as follows:

- weekday overtime: 1.5 times the hourly wage;
- rest-day overtime: 2 times, or time off in lieu within a month;
- public-holiday overtime: 3 times.

## Night Allowance

Each night shift earns an allowance of 30 EUR, paid with the month's wage.
`;
    await withOwnKb({ files: { 'people/pay.md': OVERTIME } }, async (pay) => {
      const answer = await ask(pay, 'How is weekend overtime paid against the hourly wage?');
      assert.equal(quotedSections(answer)[0], 'Pay › Overtime', answer);
      assert.match(
        answer,
        /paid as follows:[\s\S]*1\.5 times the hourly wage[\s\S]*rest-day overtime: 2 times/,
        answer,
      );
    });
  });

  it('answers from a short section of prose whole (the decision after the discussion)', async () => {
    const MINUTES = `# Office Committee, 3 March

## 1. Visitor parking

Sam Ortiz suggested reserving two parking bays for visitors. Everyone liked the idea of visitor bays.

Decision: postponed until the lease is renewed in June.

## 2. Kitchen

The new coffee machine arrives next week.
`;
    await withOwnKb({ files: { 'meetings/committee.md': MINUTES } }, async (minutes) => {
      const answer = await ask(minutes, 'Did we agree to reserve parking bays for visitors?');
      assert.equal(quotedSections(answer)[0], 'Office Committee, 3 March › 1. Visitor parking', answer);
      assert.match(answer, /postponed until the lease is renewed/, answer);
    });
  });

  it('takes a dictionary word the documents lack for no misspelling of another ("file" is not "fine")', async () => {
    const EXPENSES = `# Expenses

## Not Reimbursed

Traffic fines and parking fines are never paid back, nor are fines for late library books.

## Submitting Expenses

Submit your expense report within 30 days of the cost, with the receipts.
`;
    const others = {
      'it/documents.md':
        '# Documents\n\n## Shared Drive\n\nEvery team document lives on the shared drive.\n\n## Printing\n\nPrint a document on any floor.\n\n## Archive\n\nA signed document is archived for ten years.\n',
      'hr/leave.md':
        '# Leave\n\n## Annual Leave\n\nStaff get 25 days of annual leave a year; the document is on the intranet.\n\n## Sick Leave\n\nTell your manager before 10:00 on the first day.\n',
    };
    await withOwnKb({ files: { 'finance/expenses.md': EXPENSES, ...others } }, async (expenses) => {
      const answer = await ask(expenses, 'How long do I have to file an expense report?');
      assert.equal(quotedSections(answer)[0], 'Expenses › Submitting Expenses', answer);
      assert.match(answer, /within 30 days/, answer);
    });
  });

  it('reads a common Chinese word (要求, "requirements") as framing, not as a subject the section must meet', async () => {
    await withOwnKb(
      {
        files: {
          'people/差旅.md':
            '# 差旅\n\n## 交通\n\n出差单程超过 6 小时可乘坐飞机经济舱。\n\n## 餐饮\n\n出差期间每天补助 100 元。',
          'people/远程.md': '# 远程办公\n\n## 工作时间要求\n\n远程期间须在 10:00–16:00 保持在线。',
        },
      },
      async (travel) => {
        const answer = await ask(travel, '出差坐飞机有什么要求？');
        assert.equal(quotedSections(answer)[0], '差旅 › 交通', answer);
        assert.match(answer, /超过 6 小时/);
      },
    );
  });

  it('counts the kind of answer asked for ("how often": a frequency) toward what a section covers', async () => {
    await withOwnKb(
      {
        files: {
          'it/accounts.md':
            '# Accounts\n\n## Password Rules\n\nPasswords are at least 14 characters long and expire every 90 days.\n\n' +
            '## Desk Phones\n\nThe service desk can change the extension of your desk phone.',
          'it/printers.md': '# Printers\n\n## Toner\n\nChange the toner when the printer asks for it.',
        },
      },
      async (it) => {
        const answer = await ask(it, 'How often do I have to change my password?');
        assert.equal(quotedSections(answer)[0], 'Accounts › Password Rules', answer);
        assert.match(answer, /every 90 days/);
      },
    );
  });

  it('ranks across languages through a bilingual dictionary for words no lexicon lists (冰箱 → refrigerator, quotes → 报价)', async () => {
    await withOwnKb(
      {
        files: {
          'clinic/vaccines.md':
            '# Vaccines\n\n## Storage\n\nVaccines are stored in a refrigerator between 2 and 8 °C.\n\n## Delivery\n\nDeliveries arrive on Tuesdays.',
          'finance/采购.md':
            '# 采购\n\n## 比价\n\n单笔采购超过 5000 元的，须取得至少三家报价。\n\n## 付款\n\n发票到后 30 天内付款。',
        },
      },
      async (_factory, kb) => {
        // Met only through the dictionary, the section ranks first (it covers half the question: no answer alone).
        const [fridge] = await kb.search('疫苗存放在冰箱里吗？');
        assert.equal(fridge?.heading, 'Storage');
        const [quotes] = await kb.search('How many quotes does a purchase need?');
        assert.equal(quotes?.heading, '比价');
        // "How many quotes" is counted by a Chinese figure with its measure word (三家报价).
        assert.ok(statesCount('须取得至少三家报价。', countedWords('How many quotes does a purchase need?')!));
        assert.ok(!statesCount('须取得报价。', countedWords('How many quotes does a purchase need?')!));
      },
    );
  });

  it('counts characters the segmenter could not cut into words (刷|医|保|卡) against coverage, as a subject the documents lack', async () => {
    await withOwnKb(
      {
        files: {
          'ops/诊所.md':
            '# 诊所\n\n## 新诊所\n\n滨江新诊所 12 月开业，周一至周六接诊。\n\n## 停车\n\n诊所地下车库免费停车 2 小时。',
        },
      },
      async (clinic) => {
        assert.match(await ask(clinic, '我们诊所能刷医保卡吗？'), /没有找到/);
      },
    );
  });

  it('answers from a bold-question FAQ document without repeating the question line', async () => {
    const answer = await ask(factory, 'How can a customer return a product?');
    assert.equal(quotedSections(answer)[0], 'Support FAQ › How do I return a product?', answer);
    assert.match(answer, /within 30 days of delivery/);
    assert.doesNotMatch(answer, /\*\*How do I return a product\?\*\*/);
  });

  it('answers a set-up question with the set-up steps, not a fix filed under a troubleshooting chapter', async () => {
    const answer = await ask(factory, 'How do I charge the handheld scanner?');
    assert.equal(quotedSections(answer)[0], 'Handheld Scanner Manual › Charging the Scanner', answer);
  });

  it('reads a hyphenated word the lexicon knows ("high-speed") as one subject, not its parts', async () => {
    const answer = await ask(factory, 'Which seat can I book on a high-speed train?');
    assert.equal(citedPaths(answer)[0], 'travel/交通.md', answer);
    assert.match(answer, /二等座/);
  });

  it('reads "IT" in capitals as the department and drops the pieces of contractions', async () => {
    const answer = await ask(factory, "I don't know who to call for IT help.");
    assert.equal(citedPaths(answer)[0], 'it/helpdesk.md', answer);
    assert.match(answer, /extension 4400/);
  });

  it('answers a long, chatty question whose context no document repeats', async () => {
    const answer = await ask(
      factory,
      'Hi! I am new here and my manager asked me to sort out my time off for the summer. How many vacation days do staff members get each year?',
    );
    assert.equal(quotedSections(answer)[0], 'Time Off › Annual Leave', answer);
  });

  it('still refuses a long question about something no document covers', async () => {
    const answer = await ask(
      factory,
      'What is the policy on bringing pets, animals and service dogs into the building?',
    );
    assert.deepEqual(citedPaths(answer), [], answer);
  });
});

const PAYROLL_CLAIMS = `# Expense Claims

## Submitting a Claim

Submit each claim within 30 days. Approved claims are paid with the next monthly payroll. Claims approved by the 20th of the month are paid that month.

## Overtime

Overtime is paid at 2 times the salary rate on weekends.
`;

describe('composeAnswer() on a knowledge base that never gives a payday', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({ files: { 'money/claims.md': PAYROLL_CLAIMS } });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('answers "which day" only from a sentence that names a day of what is asked, not of something else', async () => {
    const salary = await ask(factory, 'What day of the month is salary paid?');
    assert.deepEqual(citedPaths(salary), [], salary);
  });
});

const EXPENSES = `# Expenses

## Mobile Phone

Employees whose role requires a mobile phone have their phone bill reimbursed up to $50 a month.

## Meals

Meals with customers are reimbursed up to $80 per person.

## Hotels

Hotel bills are settled by the travel agency.

## Training

Courses are booked through the learning portal.

## Equipment

Desks and chairs for the home office are provided by facilities.
`;

const VPN = `# VPN

## Troubleshooting

If the VPN does not connect, check your internet connection and restart the client.
`;

const HOME_OFFICE = `# Home Office

## Equipment Claims

Employees who work from home can claim up to $400 for a desk, a chair or a monitor.
`;

const NIGHT_RIDES = `# Night Rides

## Taxis

A taxi after 22:00 is paid by the company when a manager approves the overtime.

## Late Arrival

Arriving late three times in a month is reported to the manager.
`;

describe('composeAnswer() when a section leaves out what is asked', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: {
        'money/expenses.md': EXPENSES,
        'it/vpn.md': VPN,
        'people/home_office.md': HOME_OFFICE,
        'people/night_rides.md': NIGHT_RIDES,
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('does not answer from a section that misses the most specific word and meets none as specific', async () => {
    const internet = await ask(factory, 'Can I get reimbursed for my internet bill?');
    assert.deepEqual(citedPaths(internet), [], internet);
    const phone = await ask(factory, 'Can I get reimbursed for my phone bill?');
    assert.equal(citedPaths(phone)[0], 'money/expenses.md', phone);
  });

  it("does not answer from a section that meets only one of the question's most specific words", async () => {
    const answer = await ask(factory, 'Can I claim a taxi home after working late?');
    assert.deepEqual(citedPaths(answer), [], answer);
  });
});

describe('composeAnswer() with a question word no document uses', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: { 'people/time_off.md': TIME_OFF, 'people/leave-requests.md': LEAVE_REQUESTS, 'ops/outage.md': OUTAGE },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('does not let a modifier ("how early") count as a missing subject', async () => {
    const answer = await ask(factory, 'How early do I request leave?');
    assert.equal(citedPaths(answer)[0], 'people/leave-requests.md', answer);
    assert.match(answer, /10 working days in advance/);
  });

  it('still refuses when the word no document uses names a thing ("shuttle")', async () => {
    const answer = await ask(factory, 'Do I request the shuttle?');
    assert.deepEqual(citedPaths(answer), [], answer);
  });
});

describe('composeAnswer() when a section meets one of two specific words', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: {
        'people/probation.md': '# Joining\n\n## Probation\n\nThe probation period lasts six months.\n',
        'people/interns.md': '# Interns\n\n## Mentors\n\nEvery intern gets a mentor for the summer period.\n',
        'people/partners.md':
          '# Health Cover\n\n## Partners\n\nA partner of an employee is covered by the health plan for the whole period.\n',
        'people/sales.md':
          '# Sales\n\n## Business Travel\n\nBusiness travel in a busy period is booked by the sales office.\n',
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('answers when the section is headed by the word it meets ("Probation" for probation of interns)', async () => {
    const answer = await ask(factory, 'How long is the probation period for an intern?');
    assert.equal(citedPaths(answer)[0], 'people/probation.md', answer);
    assert.match(answer, /six months/);
  });
});

describe('composeAnswer() on "how do I" questions', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: {
        'meetings/review.md':
          '# Operations Review\n\n## Decisions\n\nThe depot moves to a four-night pattern.\n\n## Next Meeting\n\nThe next review meeting is on 17 June at 10:00 in the Harbour Room.\n',
        'travel/flights.md':
          '# Flights\n\n## Booking\n\nBook flights through the travel desk at least 14 days ahead.\n',
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it('does not answer "how do I book X" from a section about X that never says how to book it', async () => {
    const answer = await ask(factory, 'How do I book a meeting room?');
    assert.deepEqual(citedPaths(answer), [], answer);
  });

  it('answers "how do I book X" from the section that says how', async () => {
    const answer = await ask(factory, 'How do I book a flight?');
    assert.equal(citedPaths(answer)[0], 'travel/flights.md', answer);
  });
});

describe('composeAnswer() between two languages', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({
      files: {
        'finance/审批权限.md':
          '# 审批权限\n\n## 采购审批\n\n采购金额5万元以上由CFO审批，CFO每周审批一次采购申请，采购合同须附报价。\n',
        'finance/limits.md':
          '# Spending Limits\n\n## Approval Limits\n\nPurchases over 50,000 EUR need approval from the CFO, who reviews purchase requests every week together with the finance team and the budget owner.\n',
      },
    });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  it("answers from the section in the question's language when another covers it no better", async () => {
    const answer = await ask(factory, 'Which purchases does the CFO approve?');
    assert.equal(citedPaths(answer)[0], 'finance/limits.md', answer);
  });
});
