/**
 * A small hand-written table of workplace synonyms and English↔Chinese
 * equivalents, used to widen queries (never the index): "hotel" also looks
 * for "accommodation" and 住宿, 年假 also for "annual leave". Each group
 * lists words that mean the same for retrieval; words are stemmed on load.
 */
import { stem } from './text-tokens.ts';

const GROUPS: readonly string[] = [
  'leave pto holiday time-off 假期 休假 请假',
  'annual vacation 年度 年假',
  'sick illness 病假 生病',
  'parental maternity paternity 产假 陪产假 育儿假',
  'salary pay wage payroll compensation 工资 薪酬 薪资',
  'overtime 加班',
  'expense reimbursement claim refund cost spending 报销 费用 开销',
  'receipt invoice 发票 收据 票据 单据 凭证',
  'material paperwork documentation receipt invoice 材料 资料 证明 凭证 单据 发票',
  'travel trip business-trip 出差 差旅',
  'hotel accommodation lodging 住宿 酒店',
  'flight fly airfare plane 飞机 机票 航班',
  'train railway highspeed 火车 高铁',
  'taxi cab 出租车 打车',
  'meal food dinner lunch breakfast 餐费 伙食 用餐 餐补 晚餐 午餐 早餐',
  'allowance subsidy stipend diem money 补贴 津贴 补助 餐补',
  'allow allowed permit permitted eligible 允许 准许',
  'limit cap ceiling 上限 标准 限速',
  'maximum max 最大 最高 上限',
  'minimum min 最小 最低 下限',
  'policy regulation rule 制度 规定 政策 规范',
  'apply application request 申请',
  'submit 提交',
  'process procedure workflow 流程',
  'weight 重量',
  'temperature 温度',
  'time hour 时间',
  'hour 小时 时间',
  'change modify update 更改 修改 变更',
  'open opening 开放 营业',
  'work job 工作',
  'company 公司',
  'price cost fee 价格 费用 成本',
  'discount 折扣',
  'quote quotation 报价',
  'password passcode 密码 口令',
  'account login 账号 账户 登录',
  'laptop computer notebook 电脑 笔记本',
  'vpn remote-access 远程',
  'security 安全',
  'phishing 钓鱼',
  'email mail e-mail 邮件 邮箱',
  'report 报告 上报',
  'lost lose missing 丢失 遗失 丢',
  'stolen steal theft stole 被盗 被偷 失窃 盗窃',
  'office 办公室 办公',
  'address location 地址 位置',
  'meeting conference 会议',
  'room 会议室 房间',
  // Driving to work raises one question at the office: where to park.
  'parking car-park parking-spot parking-space parking-lot garage drive-to-work 停车 车位 停车位 停车场 车库 开车上班 驾车上班 自驾上班',
  'badge access-card 门禁 工牌 门禁卡',
  'visitor guest 访客 来访',
  'attendance clock-in check-in clock-out punch 考勤 打卡 签到',
  'missed-punch missed-clock-in forgot-to-clock-in clock-in-correction 补卡 补打卡 漏打卡 忘记打卡 忘打卡',
  'late tardy 迟到',
  'commute 上班 下班 上下班',
  'remote home wfh work-from-home work-remotely telework 远程办公 居家办公 在家办公',
  'probation trial-period 试用期',
  'onboarding new-hire hire newcomer 入职 新员工 新人',
  'insurance 保险',
  'health medical 医疗 健康',
  'training course 培训 课程',
  'speed fast velocity quick 速度 限速',
  'payload load capacity 载重 负载',
  'battery 电池',
  'charging charge charger 充电',
  'error fault 错误 故障',
  'warranty guarantee 保修 质保',
  'support helpdesk service-desk 支持 技术支持',
  'robot 机器人',
  'customer client 客户',
  'contract agreement 合同',
  'approval approve consent 审批 批准 同意',
  'deadline due overdue within 截止 期限 逾期 以内',
  'employee staff worker 员工 职工',
  'manager supervisor 主管 经理',
  'holiday public-holiday 节假日 法定节假日',
  'working-hours work-hours 工作时间',
  'day days 天 日',
  'weekend saturday sunday 周末 周六 周日 星期六 星期日',
  'weekday monday tuesday wednesday thursday friday 工作日 周一 周二 周三 周四 周五',
  'ask contact reach call 联系 咨询',
  'dress wear attire outfit jeans 着装 服装 穿着',
  'payday pay-day get-paid 发薪日',
  'payslip pay-slip salary-slip paystub 工资条 工资单 薪资单',
  // Not with payday: the translation's piece 工资 (salary) would pass for it.
  '发薪 发薪日 发工资',
  'handle responsible 负责 处理',
  'wrong incorrect fail 错误 失败',
  'attempt try 尝试',
  'expire expiry expiration 过期 到期 失效',
  'forget forgot forgotten 忘记 忘了',
  'forklift 叉车',
  'fulltime 全职',
  'intern internship 实习生 实习',
  'install installation 安装',
  'setup configure configuration 设置 配置',
  'equipment device 设备 器材',
  'stick drive 优盘',
  'infotech 信息技术',
  'seat 座位 座',
  'return give-back hand-back 退货 退还 归还 交还',
  'warehouse storage 仓库 库房',
  'vehicle car 车辆 汽车 车',
  'projector 投影仪 投影',
  'printer print 打印机 打印',
  'resign resignation quit offboarding departure leave-the-company leaving-the-company 离职 辞职',
  'notice 通知 提前通知',
  'promotion promote 晋升 升职',
  'performance review appraisal 绩效 考核',
  'bonus 奖金',
  'cancel cancellation 取消',
  'book booking reserve reservation 预订 预定 预约',
  'lock locked unlock 锁定 解锁',
  'injury accident 受伤 事故 意外',
  'incident event breach 事件 事故',
  'safety safe 安全',
  'phone mobile 手机 电话',
  'sign signature 签字 签名',
  'month monthly 月 每月',
  'year yearly 年 每年',
  'week weekly 周 每周 一周 星期',
  'connect connection 连接 连上 接入',
  'disconnect dropped 断开 掉线 断线',
  'network internet wifi wi-fi wireless 网络 无线 上网',
  'fix repair solve resolve troubleshoot 修复 解决 修理 维修 排查',
  'broken damaged faulty 损坏 坏了 故障',
  'replace replacement 更换 替换 换新',
  'cover covered reimbursable claimable 报销范围 覆盖 涵盖',
  'exclude excluded exclusion 不包括 除外 不含',
  'software app program 软件 应用 程序',
  'download 下载',
  'upgrade 升级',
  'backup 备份',
  'virus malware 病毒 恶意软件',
  'permission access 权限 访问',
  'colleague coworker teammate 同事',
  'department team 部门 团队',
  'interview 面试',
  'recruit recruitment hiring 招聘',
  'referral refer 推荐 内推',
  'pension retirement 养老金 退休',
  'housing-fund 公积金',
  'social-insurance 社保 社会保险',
  'tax 税 个税 税务',
  'budget 预算',
  'purchase procurement buy 采购 购买',
  'supplier vendor 供应商',
  'payment pay 付款 支付',
  'bank 银行',
  'advance prepayment 预支 借款 备用金',
  'loan borrow 借用 借',
  'kitchen pantry 茶水间 厨房',
  'canteen cafeteria 食堂 餐厅',
  'gym fitness 健身房 健身',
  'elevator lift 电梯',
  'fire 火灾 消防',
  'emergency 紧急 应急',
  'evacuation evacuate 疏散 撤离',
  'cleaning clean 保洁 清洁',
  'repair-request maintenance 报修 维修',
  'air-conditioning aircon 空调',
  'key 钥匙',
  'locker 储物柜 柜子',
  'mail parcel package delivery 快递 包裹',
  'airport 机场',
  'station 车站',
  'abroad overseas international 海外 国外 国际',
  'visa 签证',
  'passport 护照',
  'shift 班次 轮班',
  'absence absent 缺勤 旷工',
  'early-leave leave-early 早退',
  'marriage wedding 婚假 结婚',
  'bereavement funeral 丧假',
  'doctor hospital 医院 医生 看病',
  'certificate certification 证书 证明',
  'transfer 调岗 转岗 调动',
  'raise increase 涨薪 加薪 调薪',
  'holiday-pay 节假日工资',
  'checklist 清单',
  'form template 表格 表单 模板',
  'system platform 系统 平台',
  'printer-paper paper 纸',
  'screen monitor display 显示器 屏幕',
  'keyboard 键盘',
  'mouse 鼠标',
  'headset headphone 耳机',
  'camera 摄像头 相机',
  'plan program scheme 计划 方案',
  'learning study 学习 进修',
  'confidential secret sensitive classified 机密 保密 敏感 涉密',
  'file document 文件 文档',
  'send share 发送 外发 发给 分享',
  'external outside third-party 外部 对外 第三方',
  'partner 合作伙伴 合作方',
  'reset 重置 重设',
  'counselling counseling counsel therapy mental psychological 心理咨询 心理 辅导',
  'service 服务',
  'character char 字符 位数 位',
  'first-day day-one 第一天 首日 入职当天',
  'bring carry 携带 带上 带',
  'shanghai 上海',
  'shenzhen 深圳',
  'beijing 北京',
];

const ARTICLES = new Set(['a', 'an', 'the']);
const table = new Map<string, Set<string>>();
/** Lexicon phrases as their stemmed words ("clock in" → [clock, in]), longest first. */
const phrases: string[][] = [];

/** A lexicon entry's keys: a Chinese word as is, a word stemmed, a phrase ("clock-in") as "clock in" and, for two short parts, the joined word the tokeniser also yields ("clockin"). */
function keysOf(word: string): string[] {
  if (/[\u4e00-\u9fff]/.test(word)) return [word];
  const parts = word.toLowerCase().split('-').filter(Boolean);
  if (parts.length === 1) return [stem(parts[0]!)];
  const stemmed = parts.map((w) => stem(w));
  if (!phrases.some((p) => p.join(' ') === stemmed.join(' '))) phrases.push(stemmed);
  const keys = [stemmed.join(' ')];
  if (parts.length === 2 && parts.every((p) => p.length <= 5)) keys.push(stem(parts.join('')));
  return keys;
}

for (const group of GROUPS) {
  const terms = [...new Set(group.split(/\s+/).filter(Boolean).flatMap(keysOf))];
  for (const term of terms) {
    const set = table.get(term) ?? new Set<string>();
    for (const other of terms) if (other !== term) set.add(other);
    table.set(term, set);
  }
}
phrases.sort((a, b) => b.length - a.length);

/** Other index terms that mean the same as `term` (already stemmed/segmented); a phrase synonym is its words joined by a space. */
export function synonymsOf(term: string): readonly string[] {
  const set = table.get(term);
  return set ? [...set] : [];
}

export interface PhraseMatch {
  /** The phrase as the lexicon keys it ("clock in"). */
  readonly key: string;
  readonly parts: readonly string[];
}

/** Lexicon phrases found in a run of stemmed words (stop words kept), longest first, not overlapping. */
export function lexiconPhrasesIn(question: readonly string[]): PhraseMatch[] {
  const out: PhraseMatch[] = [];
  // "miss a clock-in" says "missed clock-in": an article inside a phrase changes nothing.
  const words = question.filter((w) => !ARTICLES.has(w));
  const used = new Uint8Array(words.length);
  for (const phrase of phrases) {
    const core = phrase.filter((w) => !ARTICLES.has(w));
    for (let i = 0; i + core.length <= words.length; i++) {
      if (core.some((w, k) => words[i + k] !== w || used[i + k])) continue;
      used.fill(1, i, i + core.length);
      if (!out.some((m) => m.key === phrase.join(' '))) out.push({ key: phrase.join(' '), parts: phrase });
    }
  }
  return out;
}
