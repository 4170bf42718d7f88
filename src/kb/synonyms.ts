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
  'expense reimbursement claim refund 报销 费用',
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
  'office 办公室 办公',
  'address location 地址 位置',
  'meeting conference 会议',
  'room 会议室 房间',
  'parking car-park 停车 车位',
  'badge access-card 门禁 工牌 门禁卡',
  'visitor guest 访客 来访',
  'attendance clock-in check-in 考勤 打卡',
  'late tardy 迟到',
  'remote home wfh 远程办公 居家办公',
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
  'approval approve 审批 批准',
  'deadline due overdue within 截止 期限 逾期 以内',
  'employee staff worker 员工 职工',
  'manager supervisor 主管 经理',
  'holiday public-holiday 节假日 法定节假日',
  'working-hours work-hours 工作时间',
  'day days 天 日',
  'weekend saturday sunday 周末 周六 周日 星期六 星期日',
  'weekday monday tuesday wednesday thursday friday 工作日 周一 周二 周三 周四 周五',
  'ask contact reach call 联系 咨询',
  'dress clothing clothes wear attire outfit jeans 着装 服装 穿着',
  'payday 发薪日',
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
  'return 退货 退还',
  'warehouse storage 仓库 库房',
  'vehicle 车辆',
  'projector 投影仪 投影',
  'printer print 打印机 打印',
  'resign resignation quit 离职 辞职',
  'notice 通知 提前通知',
  'promotion promote 晋升 升职',
  'performance review appraisal 绩效 考核',
  'bonus 奖金',
  'cancel cancellation 取消',
  'book booking reserve reservation 预订 预定 预约',
  'lock locked unlock 锁定 解锁',
  'injury accident incident 受伤 事故 意外',
  'safety safe 安全',
  'phone mobile 手机 电话',
  'sign signature 签字 签名',
  'month monthly 月 每月',
  'year yearly 年 每年',
  'week weekly 周 每周 一周 星期',
  'shanghai 上海',
  'shenzhen 深圳',
  'beijing 北京',
];

const table = new Map<string, Set<string>>();

function normalise(word: string): string[] {
  if (/[\u4e00-\u9fff]/.test(word)) return [word];
  // Hyphenated entries are phrases: each part is a separate term in the index.
  return word
    .toLowerCase()
    .split('-')
    .map((w) => stem(w));
}

for (const group of GROUPS) {
  const words = group.split(/\s+/).filter(Boolean);
  const terms = words.filter((w) => !w.includes('-')).flatMap(normalise);
  for (const term of terms) {
    const set = table.get(term) ?? new Set<string>();
    for (const other of terms) if (other !== term) set.add(other);
    table.set(term, set);
  }
}

/** Other index terms that mean the same as `term` (already stemmed/segmented). */
export function synonymsOf(term: string): readonly string[] {
  const set = table.get(term);
  return set ? [...set] : [];
}
