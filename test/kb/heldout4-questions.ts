/**
 * A fourth held-out set, on test/fixtures/heldout4-kb (Stonebridge Construction Group / 石桥建设集团, an invented building contractor: purchase approvals, a tower-crane incident report, site network and VPN, a site office FAQ, safety committee minutes, key contacts, and in Chinese attendance and leave, travel expenses, site safety rules, pool cars and instrument loans).
 * Documents and questions were written together on 7 December 2026, before the engine was run on them,
 * phrased as a stranger would ask; never edited afterwards.
 */
import type { HeldoutCase } from './heldout-questions.ts';

const PURCHASE = 'finance/purchase-approval.md';
const CRANE_INCIDENT = 'ops/incident-2026-10-tower-crane-tc2.md';
const NETWORK = 'it/site-office-network.md';
const SITE_FAQ = 'facilities/site-office-faq.md';
const SAFETY_MINUTES = 'meetings/2026-11-18-safety-committee.md';
const CONTACTS = 'hr/contacts-and-roles.md';
const LEAVE = 'hr/考勤与休假.md';
const TRAVEL = 'finance/差旅报销.md';
const SAFETY_RULES = 'ops/安全施工规范.md';
const VEHICLES = 'facilities/公务车辆与设备借用.md';

export const HELDOUT4_CASES: readonly HeldoutCase[] = [
  // English, English documents
  {
    question: 'I need about ¥8,000 of formwork plywood, who has to sign that off?',
    source: PURCHASE,
    fact: /Project Manager/,
  },
  {
    question:
      'Our concrete pump just died and the pour will stop, can I buy a replacement without waiting for approval?',
    source: PURCHASE,
    fact: /48 hours|¥20,000 without prior approval/,
  },
  {
    question: 'Do we have to get rebar from particular suppliers or can I shop around?',
    source: PURCHASE,
    fact: /preferred supplier list/,
  },
  {
    question: 'Why did the crane at Harbour View keep working in that storm?',
    source: CRANE_INCIDENT,
    fact: /frozen at a reading of 9 m\/s|chafed through/,
  },
  { question: 'How long were lifts stopped after the TC-2 crane incident?', source: CRANE_INCIDENT, fact: /two days/ },
  { question: 'What port does the VPN connect on?', source: NETWORK, fact: /51820/ },
  { question: "What's the guest wifi password on site?", source: NETWORK, fact: /notice board/ },
  { question: "It's Sunday and my laptop won't connect, how do I reach IT?", source: NETWORK, fact: /option 9/ },
  { question: 'How often can I get new work boots?', source: SITE_FAQ, fact: /every 12 months/ },
  { question: 'Does the company cover parking near the site?', source: SITE_FAQ, fact: /¥300 per month/ },
  {
    question: 'Can I bring my 12 year old to look round the site on the open day?',
    source: SITE_FAQ,
    fact: /under 16/,
  },
  { question: 'What was decided about near miss reports?', source: SAFETY_MINUTES, fact: /anonymously/ },
  { question: "When's the next safety committee?", source: SAFETY_MINUTES, fact: /20 January 2027/ },
  {
    question: 'Did we agree to make the induction video for subcontractors?',
    source: SAFETY_MINUTES,
    fact: /deferred/,
  },
  { question: 'My payslip looks wrong, who should I talk to?', source: CONTACTS, fact: /Grace Ho/ },
  { question: 'Someone is badly hurt on site, who do I ring?', source: CONTACTS, fact: /120 first|138 0000 4400/ },
  // English, Chinese documents
  { question: 'Do I need receipts for the daily meal allowance when travelling?', source: TRAVEL, fact: /无需发票/ },
  {
    question: "What's the fine for not clipping on a harness when working at height?",
    source: SAFETY_RULES,
    fact: /罚款 500 元/,
  },
  // Chinese, English documents
  { question: '买一台15万的设备要谁审批？', source: PURCHASE, fact: /Chief Financial Officer/ },
  { question: '公司笔记本丢了要多久之内报告？', source: NETWORK, fact: /within 24 hours/ },
  // Chinese, Chinese documents
  { question: '我工作12年了，一年有几天年假？', source: LEAVE, fact: /10 天/ },
  { question: '去年没休完的年假今年还能休吗？', source: LEAVE, fact: /3 月 31 日/ },
  { question: '结婚可以请几天假？', source: LEAVE, fact: /婚假：15 天/ },
  { question: '周末赶工加班换的调休要在多久内用掉？', source: LEAVE, fact: /60 天内/ },
  { question: '去上海出差，普通员工酒店一晚能报多少？', source: TRAVEL, fact: /500 元/ },
  { question: '报销一万二要哪些人签字？', source: TRAVEL, fact: /5千至2万元/ },
  { question: '出差回来多久之内得交报销单？', source: TRAVEL, fact: /15 个自然日/ },
  { question: '电焊之前需要办什么手续？', source: SAFETY_RULES, fact: /动火作业许可证/ },
  { question: '焊完之后看火的人要守多长时间？', source: SAFETY_RULES, fact: /30 分钟/ },
  { question: '楼层边上的护栏至少要多高？', source: SAFETY_RULES, fact: /1\.2 米/ },
  { question: '公车要提前多久预约？', source: VEHICLES, fact: /1 个工作日/ },
  { question: '开公车被拍了违章，罚款谁来交？', source: VEHICLES, fact: /由当时的驾驶人承担/ },
  // Not answered by the documents
  { question: 'Will the company pay for prescription safety glasses?', source: null },
  { question: "What's the daily allowance when I'm sent to a project abroad?", source: null },
  { question: 'How much did the crane damage at Harbour View cost us?', source: null },
  { question: 'Can I take a pool car home overnight?', source: null },
  { question: '公司有探亲假吗？', source: null },
  { question: '工地晚上施工有没有噪音时间限制？', source: null },
  { question: '休息日加班工资按几倍算？', source: null },
];
