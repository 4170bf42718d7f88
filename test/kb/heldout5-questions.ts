/**
 * A fifth held-out set, on test/fixtures/heldout5-kb (FreshRoute Foods / 鲜运食品, an invented food processor with a plant in Jiaxing and chilled and frozen distribution centres in Shanghai Minhang and Suzhou: in English an IT helpdesk FAQ, annual leave and absence, inbound receiving of chilled and frozen goods, personal hygiene rules; in Chinese shift, overtime and cold-work allowances, purchase and expense approval limits, domestic travel allowances, a refrigerated-truck temperature incident report, cold-store safety rules, and food safety committee minutes).
 * Documents and questions were written together on 7 December 2026, before the engine was run on them,
 * phrased as a stranger would ask; never edited afterwards.
 */
import type { HeldoutCase } from './heldout-questions.ts';

const IT_FAQ = 'it/it-helpdesk-faq.md';
const LEAVE = 'hr/annual-leave-and-absence.md';
const RECEIVING = 'ops/inbound-receiving-procedure.md';
const HYGIENE = 'quality/personal-hygiene-rules.md';
const SHIFTS = 'hr/倒班与加班津贴办法.md';
const APPROVAL = 'finance/采购与费用审批权限.md';
const TRAVEL = 'finance/差旅费用标准.md';
const TRUCK_INCIDENT = 'quality/质量事件报告-QI-2026-017-冷藏车温度超标.md';
const COLD_STORE = 'ops/冷库作业安全规程.md';
const MINUTES = 'meetings/2026-11-20-食品安全委员会会议纪要.md';

export const HELDOUT5_CASES: readonly HeldoutCase[] = [
  // English, English documents
  { question: "what's the server address for the VPN", source: IT_FAQ, fact: /vpn\.freshroute\.cn/ },
  {
    question: 'the label printer at the dock keeps spitting out blank labels, how do I fix it?',
    source: IT_FAQ,
    fact: /hold the FEED button|calibrate/,
  },
  { question: 'Is there wifi for guests visiting the plant?', source: IT_FAQ, fact: /FR-Visitor/ },
  {
    question: 'The temperature monitoring system went down at 2am, who should I ring?',
    source: IT_FAQ,
    fact: /139 5731 0088/,
  },
  {
    question: "I've been working 12 years in total (3 of them here), how many days of annual leave do I get?",
    source: LEAVE,
    fact: /12 days/,
  },
  { question: 'I work in the warehouse, can I take a week off in early January?', source: LEAVE, fact: /15 December/ },
  {
    question: "Do I need a doctor's note if I'm off sick for just one day?",
    source: LEAVE,
    fact: /more than one day|hospital certificate/,
  },
  {
    question: 'My grandmother passed away, how much time off can I take?',
    source: LEAVE,
    fact: /grandparent, sibling, parent-in-law/,
  },
  {
    question: 'a chicken delivery came in at 6 degrees, are we allowed to take it?',
    source: RECEIVING,
    fact: /QA supervisor sign-off|above 4 °C up to 7 °C/,
  },
  {
    question: "Supplier's lorry turned up 45 min late for its dock slot, what happens now?",
    source: RECEIVING,
    fact: /rebooked/,
  },
  {
    question: 'how often are the probe thermometers checked',
    source: RECEIVING,
    fact: /iced water|start of each week/,
  },
  { question: 'Can I keep my wedding ring on in the packing hall?', source: HYGIENE, fact: /plain wedding band/ },
  {
    question: 'I had a stomach bug with vomiting over the weekend, when can I go back on the line?',
    source: HYGIENE,
    fact: /48 hours/,
  },
  { question: "where's the smoking area", source: HYGIENE, fact: /Gate 3/ },

  // Chinese, Chinese documents
  { question: '周末来加班的话工资按几倍算？', source: SHIFTS, fact: /200%/ },
  { question: '在零下十八度的冷库上班，每个月有额外补贴吗', source: SHIFTS, fact: /460元/ },
  { question: '买台一万二的真空封口机，最后谁签字？', source: APPROVAL, fact: /部门经理/ },
  { question: '请客户吃饭人均最多能报多少', source: APPROVAL, fact: /200元/ },
  { question: '我是主管，下周去上海出差，酒店一晚能报多少钱？', source: TRAVEL, fact: /480元/ },
  { question: '出差当天就回来的话，餐补怎么算', source: TRAVEL, fact: /半天/ },
  { question: '九月份那车冷鲜肉为什么路上温度升高了？', source: TRUCK_INCIDENT, fact: /皮带|12℃/ },
  { question: '冷藏车温度超标那次公司亏了多少钱', source: TRUCK_INCIDENT, fact: /7\.4万元/ },
  { question: '冷冻库里面一次最多能连续干多长时间？', source: COLD_STORE, fact: /45分钟/ },
  { question: '急冻间能不能一个人进去拿货', source: COLD_STORE, fact: /两人同行/ },
  { question: '库房里闻到氨味要往哪里跑', source: COLD_STORE, fact: /上风向/ },
  { question: '第二台X光机谁负责，什么时候能用上？', source: MINUTES, fact: /何建/ },
  { question: '春节前要招多少临时工', source: MINUTES, fact: /60名/ },

  // Chinese questions, English documents
  { question: '密码连续输错几次会被锁住？', source: IT_FAQ, fact: /5 failed attempts/ },
  { question: '手划破了上产线要贴什么创可贴', source: HYGIENE, fact: /blue metal-detectable plaster/ },
  { question: '冻品到货温度高于多少度必须拒收', source: RECEIVING, fact: /warmer than -15 °C/ },

  // Not in the knowledge base
  { question: '夜班下班有没有班车送回家？', source: null },
  { question: '员工宿舍怎么申请，一个月房租多少？', source: null },
  { question: '冷藏车加油卡找谁办理？', source: null },
  { question: '年终奖一般几月份发？', source: null },
  { question: 'How much adoption leave do I get?', source: null },
  { question: 'Do employees get a discount on FreshRoute products?', source: null },
  { question: 'How do I book a meeting room at the Minhang DC?', source: null },
];
