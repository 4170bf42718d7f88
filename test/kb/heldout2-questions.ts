/**
 * A second held-out set, on test/fixtures/heldout2-kb (an invented software company: deployment, code
 * review, on-call, a postmortem, meeting notes, an IT FAQ, Chinese HR and travel rules). Documents and
 * questions were written together on 7 December 2026, before the engine was run on them, phrased as a
 * stranger would ask; never edited afterwards (retrieval-heldout2.test.ts checks the file's hash).
 */
import type { HeldoutCase } from './heldout-questions.ts';

const DEPLOY = 'eng/deploy-guide.md';
const REVIEW = 'eng/code-review.md';
const ONCALL = 'ops/oncall.md';
const POSTMORTEM = 'ops/postmortem-2026-09-login-outage.md';
const REMOTE_ZH = 'people/远程办公政策.md';
const TRAVEL_ZH = 'people/差旅与报销.md';
const IT_FAQ = 'it/accounts-faq.md';
const ALLHANDS = 'meetings/2026-10-eng-allhands.md';

export const HELDOUT2_CASES: readonly HeldoutCase[] = [
  {
    question: 'When is the deadline to get my change into this week’s release?',
    source: DEPLOY,
    fact: /Tuesday 12:00 UTC/,
  },
  { question: 'How do I tag a release?', source: DEPLOY, fact: /git tag -a/ },
  { question: 'How much traffic does the canary get?', source: DEPLOY, fact: /5% of traffic/ },
  { question: 'How do I undo a bad deploy?', source: DEPLOY, fact: /deploy rollback/ },
  { question: 'Who is allowed to deploy to production?', source: DEPLOY, fact: /release managers/ },
  { question: 'Can I ship a hotfix on a Thursday?', source: DEPLOY, fact: /Hotfixes can go out any day/ },
  { question: 'How many approvals does a change to the auth code need?', source: REVIEW, fact: /two approvals/ },
  { question: 'What is the maximum size of a pull request?', source: REVIEW, fact: /400 changed lines/ },
  { question: 'Nobody has reviewed my PR for days, what should I do?', source: REVIEW, fact: /#code-review/ },
  { question: 'What do reviewers look for?', source: REVIEW, fact: /no secrets or credentials/ },
  { question: 'How long is an on-call shift?', source: ONCALL, fact: /one week/ },
  { question: 'How quickly must I acknowledge a SEV1 page?', source: ONCALL, fact: /5 minutes/ },
  { question: 'Do I get paid extra for being on call?', source: ONCALL, fact: /€250 per week/ },
  { question: 'I got paged at 3am, do I get time off for it?', source: ONCALL, fact: /half a day/ },
  { question: 'Can I swap my on-call week with a colleague?', source: ONCALL, fact: /Swaps are allowed/ },
  { question: 'Who do I call if I cannot fix a SEV1?', source: ONCALL, fact: /secondary on-call/ },
  { question: 'Why did login break in September?', source: POSTMORTEM, fact: /certificate/ },
  { question: 'How long were users unable to log in?', source: POSTMORTEM, fact: /47 minutes/ },
  { question: 'What are we doing so the certificate does not expire again?', source: POSTMORTEM, fact: /cert-manager/ },
  { question: '实习生可以远程办公吗？', source: REMOTE_ZH, fact: /实习生和试用期员工不适用/ },
  { question: '在家办公的网费能报销多少？', source: REMOTE_ZH, fact: /200 元/ },
  { question: '远程办公买显示器有补贴吗？', source: REMOTE_ZH, fact: /1500 元/ },
  { question: '远程的时候几点到几点必须在线？', source: REMOTE_ZH, fact: /10:00–16:00/ },
  { question: '去上海出差酒店一晚最多报多少？', source: TRAVEL_ZH, fact: /600 元/ },
  { question: '出差坐飞机有什么要求？', source: TRAVEL_ZH, fact: /超过 6 小时/ },
  { question: '出差吃饭每天补多少钱？', source: TRAVEL_ZH, fact: /100 元/ },
  { question: '出差回来多久之内要交报销？', source: TRAVEL_ZH, fact: /15 个自然日/ },
  { question: 'How do I get a GitHub account?', source: IT_FAQ, fact: /github-engineering/ },
  { question: 'Someone stole my laptop, who do I tell?', source: IT_FAQ, fact: /security@lumen\.cloud/ },
  { question: 'How often do I have to change my password?', source: IT_FAQ, fact: /180 days/ },
  { question: 'When do we stop supporting Node 18?', source: ALLHANDS, fact: /1 December 2026/ },
  { question: 'How big is the referral bonus?', source: ALLHANDS, fact: /€2,000/ },
  { question: 'What was decided about the billing module?', source: ALLHANDS, fact: /own service/ },
  { question: 'Is there a gym at the office?', source: null },
  { question: 'How many days of parental leave do fathers get?', source: null },
  { question: 'What is the company’s stock option vesting schedule?', source: null },
  { question: '公司年会在哪里举办？', source: null },
  { question: '试用期工资打几折？', source: null },
  { question: 'Which Kubernetes version do we run in production?', source: null },
];
