/**
 * Paraphrase questions written as a stranger would ask them, before any retrieval tuning on them: on the
 * sample knowledge base (wordings its documents do not use) and on test/fixtures/paraphrase-kb (an
 * invented research lab, English and Chinese, with a table of approval thresholds). Never edit a question
 * to make it pass; scored by retrieval-paraphrase.test.ts and bench/retrieval-score.ts.
 */
import type { ScoredQuestion } from '../fixtures/retrieval-scoring.ts';

const LEAVE = 'hr/leave_policy.md';
const EXPENSES = 'finance/expense_reimbursement.md';
const ACCOUNTS = 'it/laptop_and_accounts.md';
const BENEFITS = 'hr/benefits_and_insurance.md';
const FIRST_WEEK = 'onboarding/new_hire_first_week.md';
const PRICING = 'sales/pricing_and_discounts.md';
const VPN = 'it/vpn_and_remote_access.md';
const TRAVEL_ZH = 'finance/差旅标准.md';
const OFFICE_ZH = 'facilities/办公室指南.md';
const ATTENDANCE_ZH = 'hr/考勤与加班制度.md';
const SECURITY_ZH = 'it/信息安全规范.md';

export const SAMPLE_PARAPHRASES: readonly ScoredQuestion[] = [
  { question: 'How much vacation do I get?', source: LEAVE, fact: /15 days/ },
  { question: 'Are parking tickets reimbursed?', source: EXPENSES, fact: /parking fines/ },
  { question: 'Can I use one of my old passwords again?', source: ACCOUNTS, fact: /last 10 passwords/ },
  { question: '请客户吃饭最多能报多少钱？', source: EXPENSES, fact: /\$80/ },
  { question: 'My computer got stolen, who do I tell?', source: ACCOUNTS, fact: /24 hours/ },
  { question: 'How often do I get a new laptop?', source: ACCOUNTS, fact: /3 years/ },
  { question: 'How many wrong password tries before I am locked out?', source: ACCOUNTS, fact: /5 failed/ },
  { question: 'Does the company match my pension contributions?', source: BENEFITS, fact: /6%/ },
  { question: 'Is there money for the gym?', source: BENEFITS, fact: /\$600/ },
  { question: 'Can I get therapy through work?', source: BENEFITS, fact: /8 sessions/ },
  { question: 'How much of my family’s medical cover does the company pay?', source: BENEFITS, fact: /70%/ },
  { question: 'How long is the trial period for new staff?', source: FIRST_WEEK, fact: /3 months/ },
  { question: 'What time should I show up on my first day?', source: FIRST_WEEK, fact: /9:30/ },
  { question: 'How long is a price quote good for?', source: PRICING, fact: /60 days/ },
  { question: 'Who can approve a 25% discount?', source: PRICING, fact: /VP of Sales/ },
  { question: 'How many days off do I get if my mother passes away?', source: LEAVE, fact: /5 paid days/ },
  { question: 'The VPN keeps dropping, what can I do?', source: VPN, fact: /power saving/ },
  { question: 'When do I get my expenses paid back?', source: EXPENSES, fact: /next monthly payroll/ },
  { question: '出差住酒店一晚能报多少？', source: TRAVEL_ZH, fact: /600 元/ },
  { question: '打车一天最多报多少？', source: TRAVEL_ZH, fact: /150 元/ },
  { question: '门禁卡弄丢了怎么办？', source: OFFICE_ZH, fact: /50 元/ },
  { question: '周末加班工资怎么算？', source: ATTENDANCE_ZH, fact: /2 倍/ },
  { question: '收到诈骗邮件应该怎么处理？', source: SECURITY_ZH, fact: /1 小时内/ },
  { question: '公司车位一个月多少钱？', source: OFFICE_ZH, fact: /300 元/ },
  // Not in the sample knowledge base: must be refused.
  { question: 'Can I get a company car?', source: null },
  { question: 'Is there a policy on visible tattoos?', source: null },
  { question: '公司有食堂吗？', source: null },
  { question: '年会在哪里举办？', source: null },
];

const PURCHASING = 'finance/purchasing-approvals.md';
const PURCHASING_ZH = 'finance/采购审批.md';
const ABSENCE = 'hr/holidays-and-absence.md';
const LAB_ZH = 'lab/实验室安全守则.md';
const HELPDESK = 'it/helpdesk.md';
const COUNCIL = 'meetings/2026-04-lab-council.md';

export const LAB_PARAPHRASES: readonly ScoredQuestion[] = [
  { question: 'Who signs off on a $3,000 purchase?', source: PURCHASING, fact: /Department head/ },
  { question: 'What can the CFO approve?', source: PURCHASING, fact: /\$10,001 – \$50,000/ },
  {
    question: 'Do I need several quotes to buy a $7,500 microscope?',
    source: PURCHASING,
    fact: /three competing quotes/,
  },
  { question: 'Who has to approve a $120,000 contract?', source: PURCHASING, fact: /CEO/ },
  { question: 'How much can I spend on the company credit card?', source: PURCHASING, fact: /\$500/ },
  { question: 'How many vacation days do I get?', source: ABSENCE, fact: /25 days/ },
  { question: 'Can I take leftover holiday into next year?', source: ABSENCE, fact: /3 days/ },
  { question: 'Do I need a doctor’s note if I am ill for a week?', source: ABSENCE, fact: /fit note/ },
  { question: 'How much time off do I get when a family member dies?', source: ABSENCE, fact: /3 days/ },
  { question: 'I got a new phone, how do I move my authenticator?', source: HELPDESK, fact: /re-enrol/ },
  { question: 'What is the wifi for visitors called?', source: HELPDESK, fact: /Larkspur-Visitor/ },
  { question: 'How much storage does my team get on the shared drive?', source: HELPDESK, fact: /50 GB/ },
  { question: 'What was decided about the freezers?', source: COUNCIL, fact: /older than five years/ },
  { question: 'When does the lab council meet next?', source: COUNCIL, fact: /9 June 2026/ },
  { question: 'What are the new rules for booking the mass spectrometer?', source: COUNCIL, fact: /at most 8 hours/ },
  { question: '5万的采购谁来批？', source: PURCHASING_ZH, fact: /财务总监/ },
  { question: '买一个8千块的设备要谁签字？', source: PURCHASING_ZH, fact: /部门经理/ },
  { question: '急着买试剂来不及审批怎么办？', source: PURCHASING_ZH, fact: /3 个工作日内/ },
  { question: '能在实验室里吃零食吗？', source: LAB_ZH, fact: /进食/ },
  { question: '化学品洒了怎么处理？', source: LAB_ZH, fact: /吸附棉/ },
  { question: '做实验要戴什么？', source: LAB_ZH, fact: /护目镜/ },
  { question: '试剂溅到眼睛里怎么办？', source: LAB_ZH, fact: /15 分钟/ },
  { question: '用过的废液倒在哪里？', source: LAB_ZH, fact: /废液桶/ },
  // Not in the lab's knowledge base: must be refused.
  { question: 'Is there free parking at the lab?', source: null },
  { question: 'How do I order business cards?', source: null },
  { question: 'What is the dress code for client visits?', source: null },
  { question: '公司有健身房吗？', source: null },
  { question: '实验室晚上几点关门？', source: null },
];
