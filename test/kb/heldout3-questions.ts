/**
 * A third held-out set, on test/fixtures/heldout3-kb (an invented private clinic group, Lakeside Health:
 * appointments and no-show fees, patient refunds, an EMR FAQ, a vaccine-fridge incident report, key
 * contacts, and Chinese rules on shifts, procurement, medical waste, training and a monthly ops meeting).
 * Documents and questions were written together on 7 December 2026, before the engine was run on them,
 * phrased as a stranger would ask; never edited afterwards.
 */
import type { HeldoutCase } from './heldout-questions.ts';

const APPOINTMENTS = 'clinical/appointments.md';
const REFUNDS = 'finance/patient-refunds.md';
const MEDLINK_FAQ = 'it/medlink-faq.md';
const FRIDGE_INCIDENT = 'ops/incident-2026-08-wuxi-vaccine-fridge.md';
const CONTACTS = 'admin/contacts.md';
const SHIFTS_ZH = 'hr/排班与加班.md';
const PROCUREMENT_ZH = 'finance/采购审批.md';
const WASTE_ZH = 'clinical/医疗废物处理规程.md';
const MINUTES_ZH = 'meetings/2026-11-运营例会纪要.md';
const TRAINING_ZH = 'hr/继续教育与培训.md';

export const HELDOUT3_CASES: readonly HeldoutCase[] = [
  { question: 'How far ahead can patients book a regular check-up?', source: APPOINTMENTS, fact: /21 days/ },
  {
    question: 'A patient called off their visit 6 hours beforehand. How much do we charge them?',
    source: APPOINTMENTS,
    fact: /¥50(?!\d)/,
  },
  { question: 'What happens to patients who keep not showing up?', source: APPOINTMENTS, fact: /90 days/ },
  { question: '病人因为暴雨红色预警没来，爽约费能不能免掉？', source: APPOINTMENTS, fact: /weather warning/ },
  { question: 'Who has to sign off a ¥3,000 refund?', source: REFUNDS, fact: /Clinic manager(?!s)/ },
  { question: 'How long until a patient gets a ¥12,000 refund back?', source: REFUNDS, fact: /7 working days/ },
  { question: 'Can I hand a patient their refund in cash?', source: REFUNDS, fact: /bank transfer/ },
  { question: '病人买的体检套餐没用完，还能退钱吗？', source: REFUNDS, fact: /180 days/ },
  { question: 'How long does it take to get set up on MedLink?', source: MEDLINK_FAQ, fact: /2 working days/ },
  {
    question: 'I got locked out of the EMR after messing up my password. How long do I have to wait?',
    source: MEDLINK_FAQ,
    fact: /20 minutes/,
  },
  {
    question: "Am I allowed to look at my mum's medical record in the system?",
    source: MEDLINK_FAQ,
    fact: /disciplinary/,
  },
  {
    question: 'The label printer in my room is broken, what should I do?',
    source: MEDLINK_FAQ,
    fact: /Clinical devices/,
  },
  {
    question: 'Why didn’t the backup power keep the Wuxi vaccine fridge going?',
    source: FRIDGE_INCIDENT,
    fact: /battery/,
  },
  { question: 'How many vaccine doses ended up being thrown away?', source: FRIDGE_INCIDENT, fact: /168/ },
  { question: 'What temperature should vaccines be kept at?', source: FRIDGE_INCIDENT, fact: /2 °C and 8 °C/ },
  { question: '无锡那次疫苗冰箱报警，短信为什么没人收到？', source: FRIDGE_INCIDENT, fact: /left in June/ },
  {
    question: 'Who is the data protection officer and how do I reach them?',
    source: CONTACTS,
    fact: /dpo@lakeside\.health/,
  },
  { question: 'What number do I ring for IT support?', source: CONTACTS, fact: /ext\. 8000/ },
  {
    question: 'The lights went out in the clinic at night — who do I phone?',
    source: CONTACTS,
    fact: /138-0000-5521/,
  },
  { question: '上一个夜班补多少钱？', source: SHIFTS_ZH, fact: /180 元/ },
  { question: '周末来加班，工资怎么算？', source: SHIFTS_ZH, fact: /2 倍/ },
  { question: '想跟同事换个班，得提前多久说？', source: SHIFTS_ZH, fact: /提前 48 小时/ },
  { question: 'How many night shifts can I do back to back?', source: SHIFTS_ZH, fact: /不得超过 3 个/ },
  { question: '买一台 8 万块的超声机要谁批？', source: PROCUREMENT_ZH, fact: /财务总监/ },
  { question: '设备坏了急着用，能先买了再补手续吗？', source: PROCUREMENT_ZH, fact: /上限 2 万元/ },
  {
    question: 'How many quotes do I need to get for a ¥30,000 purchase?',
    source: PROCUREMENT_ZH,
    fact: /至少三家报价/,
  },
  { question: '利器盒装到多满就得封上？', source: WASTE_ZH, fact: /四分之三/ },
  { question: '医疗垃圾一般哪天有人来拉走？', source: WASTE_ZH, fact: /周二和周五/ },
  { question: '被针头扎了一下咋办？', source: WASTE_ZH, fact: /碘伏/ },
  { question: '滨江那家新诊所到底啥时候开？', source: MINUTES_ZH, fact: /2027 年 3 月 1 日/ },
  { question: '员工停车能补多少钱？', source: MINUTES_ZH, fact: /300 元/ },
  { question: '当医生的一年能报多少培训费？', source: TRAINING_ZH, fact: /8,000 元/ },
  { question: '公司花钱送我去培训，之后辞职要退钱吗？', source: TRAINING_ZH, fact: /按比例退还/ },
  { question: '一年要拿够多少继续教育学分？', source: TRAINING_ZH, fact: /25 学分/ },
  { question: '护士一年有几天年假？', source: null },
  { question: '我们诊所能刷医保卡吗？', source: null },
  { question: '打车去别的分院开会，车费怎么报？', source: null },
  { question: '夜班管饭吗？', source: null },
  { question: 'What is the guest Wi-Fi password at the clinics?', source: null },
  { question: 'How many sick days can I take without a doctor’s note?', source: null },
  { question: 'Do staff get a discount on health check packages for their family?', source: null },
];
