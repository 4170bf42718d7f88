/**
 * Held-out questions on test/fixtures/heldout-kb (an invented freight company), phrased as a stranger
 * would ask them: paraphrases, synonyms, acronyms, figures inside ranges. Written before any retrieval
 * change and not tuned against: see retrieval-heldout.test.ts for how it is scored.
 */
export interface HeldoutCase {
  readonly question: string;
  /** The document the answer must cite first; null: the knowledge base has no answer, it must refuse. */
  readonly source: string | null;
  /** A fact the answer must quote. */
  readonly fact?: RegExp;
}

const TIME_OFF = 'hr/time-off-policy.md';
const LEAVE_ZH = 'hr/请假制度.md';
const EXPENSES = 'finance/expense-policy.md';
const APPROVAL_ZH = 'finance/费用审批权限.md';
const IT_FAQ = 'it/it-faq.md';
const DEVICES_ZH = 'it/账号与设备.md';
const OUTAGE = 'ops/incident-2026-03-scanner-outage.md';
const FORKLIFT_ZH = 'ops/叉车碰撞事故报告.md';
const MINUTES = 'meetings/2026-05-ops-review-minutes.md';
const SAFETY_ZH = 'safety/仓库安全作业规定.md';
const REMOTE = 'hr/remote-working.md';

export const HELDOUT_CASES: readonly HeldoutCase[] = [
  { question: 'How much vacation do I get per year?', source: TIME_OFF, fact: /22 working days/ },
  { question: 'Can I roll over unused holiday to next year?', source: TIME_OFF, fact: /5 unused days/ },
  { question: 'How many days off do I get if my grandmother dies?', source: TIME_OFF, fact: /4 days/ },
  { question: 'Do I need a doctor’s note if I am off ill for 3 days?', source: TIME_OFF, fact: /medical certificate/ },
  { question: 'How early do I have to ask for time off?', source: TIME_OFF, fact: /10 working days/ },
  { question: 'Will the company pay for my speeding ticket?', source: EXPENSES, fact: /speeding tickets/ },
  { question: "What's the hotel budget per night in London?", source: EXPENSES, fact: /£180/ },
  { question: 'What do I get per mile for driving my own car?', source: EXPENSES, fact: /45p per mile/ },
  { question: 'Who has to sign off a £12,000 order?', source: EXPENSES, fact: /Department director/ },
  { question: 'Which purchases does the CFO approve?', source: EXPENSES, fact: /£25,001 – £100,000/ },
  { question: 'Is there a daily food allowance on business trips?', source: EXPENSES, fact: /£40 per day/ },
  { question: 'How long do I have to file an expense report?', source: EXPENSES, fact: /30 days/ },
  { question: 'Can I reuse an old password?', source: IT_FAQ, fact: /previous 8 passwords/ },
  {
    question: 'My account got locked after typing the wrong password, how long until I can log in?',
    source: IT_FAQ,
    fact: /30 minutes/,
  },
  { question: 'I left my laptop on the train, what now?', source: IT_FAQ, fact: /within 4 hours/ },
  { question: 'What is the wifi password for visitors?', source: IT_FAQ, fact: /HL-Guest/ },
  { question: 'How do I set up 2FA on a new phone?', source: IT_FAQ, fact: /re-register/ },
  { question: 'Why did the scanners stop working in March?', source: OUTAGE, fact: /TLS certificate/ },
  { question: 'How long was loading delayed by the scanner outage?', source: OUTAGE, fact: /3 hours 40 minutes/ },
  { question: 'What was decided about the night shift?', source: MINUTES, fact: /four-night pattern/ },
  { question: 'When is the next ops review meeting?', source: MINUTES, fact: /17 June 2026/ },
  { question: 'How many days a week can I work from home?', source: REMOTE, fact: /2 days a week/ },
  { question: 'Is there money for a desk at home?', source: REMOTE, fact: /£250/ },
  { question: '出差住酒店一晚最多能报多少钱？', source: APPROVAL_ZH, fact: /650元/ },
  { question: '请客户吃饭最多能报多少钱？', source: APPROVAL_ZH, fact: /300元/ },
  { question: '8万的采购需要谁审批？', source: APPROVAL_ZH, fact: /财务总监/ },
  { question: '公司车的油钱怎么报销？', source: APPROVAL_ZH, fact: /加油卡/ },
  { question: '门禁卡弄丢了怎么办？', source: DEVICES_ZH, fact: /挂失/ },
  { question: '电脑坏了找谁修？', source: DEVICES_ZH, fact: /4400/ },
  { question: '结婚可以休几天假？', source: LEAVE_ZH, fact: /10天/ },
  { question: '生孩子能休多久？', source: LEAVE_ZH, fact: /158天/ },
  { question: '仓库里必须穿劳保鞋吗？', source: SAFETY_ZH, fact: /安全鞋/ },
  { question: '叉车在仓库里能开多快？', source: SAFETY_ZH, fact: /5公里/ },
  { question: '叉车撞货架那次事故的根本原因是什么？', source: FORKLIFT_ZH, fact: /点检流于形式/ },
  { question: 'How much paternity leave do fathers get?', source: LEAVE_ZH, fact: /15天/ },
  // Not in the knowledge base: must be refused.
  { question: 'Does the company offer share options?', source: null },
  { question: 'What is the dress code on Fridays?', source: null },
  { question: 'Can I bring my dog to the office?', source: null },
  { question: 'How do I book a meeting room?', source: null },
  { question: '公司有班车吗？', source: null },
  { question: '年终奖什么时候发？', source: null },
];
