// Retrieval on documents written apart from the sample (plain clause-per-line Chinese rules, an
// English runbook with numbered steps): the engine must not depend on the sample's layout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../src/engines/local/index.ts';
import type { AgentWorkerFactory } from '../../src/engines/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const RULES = `# 差旅管理办法

第一条 为规范公司员工出差管理，合理控制差旅费用，特制定本办法。
第二条 本办法适用于公司全体正式员工及试用期员工。
第三条 员工出差须提前三个工作日通过 OA 提交出差申请，经部门负责人审批后方可出行。
第四条 员工乘坐飞机须选择经济舱，总监及以上人员可乘坐公务舱。
第五条 住宿费用标准：一线城市每人每晚不超过 500 元，其他城市每人每晚不超过 350 元。
第六条 出差补助按每天 80 元标准发放，包含伙食及市内交通。
第七条 出差结束后 10 个工作日内完成报销，逾期不予报销。
`;

const RUNBOOK = `# Deployment Runbook

This runbook explains how to deploy the billing service to production.

## Prerequisites

You need access to the prod Kubernetes cluster and membership of the billing-deployers group.

## Steps

1. Merge your change into main; CI builds the image and tags it with the commit SHA.
2. Open the release dashboard and click "Promote to staging".
3. Run the smoke tests. They take about 6 minutes.
4. If the smoke tests pass, click "Promote to production". Deployments are only allowed Monday to Thursday, 09:00-16:00 UTC.

## Rollback

To roll back, run the rollout undo command for the billing deployment. A rollback takes about 2 minutes. Always post in the incidents channel when you roll back.
`;

const CASES: readonly { question: string; source: string; fact: RegExp }[] = [
  { question: '一线城市住宿标准是多少', source: 'rules/差旅管理办法.md', fact: /500 元/ },
  { question: '出差补助每天多少钱', source: 'rules/差旅管理办法.md', fact: /80 元/ },
  { question: '出差要提前几天申请', source: 'rules/差旅管理办法.md', fact: /提前三个工作日/ },
  { question: '报销期限是多久', source: 'rules/差旅管理办法.md', fact: /10 个工作日内/ },
  { question: 'How do I roll back the billing service?', source: 'ops/deploy.md', fact: /rollout undo/ },
  { question: 'When are production deployments allowed?', source: 'ops/deploy.md', fact: /Monday to Thursday/ },
  { question: 'How long do the smoke tests take?', source: 'ops/deploy.md', fact: /6 minutes/ },
  {
    question: 'How do I deploy the billing service?',
    source: 'ops/deploy.md',
    fact: /1\. Merge[\s\S]*4\. If the smoke/,
  },
];

describe('retrieval on documents unlike the sample', () => {
  let t: TempKb;
  let factory: AgentWorkerFactory;
  before(async () => {
    t = await tempKb({ files: { 'rules/差旅管理办法.md': RULES, 'ops/deploy.md': RUNBOOK } });
    factory = createLocalWorkerFactory({ kb: t.kb, role: 'employee', resolveUpload: async () => undefined });
  });
  after(() => t.cleanup());

  for (const c of CASES) {
    it(`answers "${c.question}" citing ${c.source}`, async () => {
      const worker = await factory.start({ signal: new AbortController().signal });
      let text = '';
      for await (const event of worker.runTurn({
        session: { id: `s-${Math.random()}`, isNew: true },
        userId: 'u',
        input: { message: c.question },
        signal: new AbortController().signal,
      })) {
        if (event.type === 'text') text += event.text;
      }
      await worker.close();
      const refs = text.split(/\*\*Reference Source\*\*|## 参考来源/)[1] ?? '';
      assert.match(refs, new RegExp(`^- ${c.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+-\\d+$`, 'm'), text);
      assert.match(text, c.fact, text);
    });
  }
});
