import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAnswer } from '../../src/kb/feedback.ts';
import { ADMIN_TOKEN } from '../support/http-helpers.ts';
import { type OfflineStack, startOfflineStack } from '../support/http-offline.ts';
import {
  type MessengerFake,
  type SignedCallback,
  startMessengerFake,
  wecomEnv,
  wecomText,
  wecomUrlCheck,
} from '../support/messenger-fakes.ts';

async function deliver(stack: OfflineStack, callback: SignedCallback): Promise<Response> {
  return fetch(`${stack.base}${callback.path}`, {
    method: callback.method,
    headers: callback.headers,
    ...(callback.body !== undefined ? { body: callback.body } : {}),
  });
}

describe('WeCom channel', () => {
  let fake: MessengerFake;
  let stack: OfflineStack;
  let seq = 0;
  const msgId = () => `${Date.now()}${++seq}`;

  before(async () => {
    fake = await startMessengerFake();
    stack = await startOfflineStack({ ...wecomEnv(fake.base), EMPLOYEE_CLIENT_POOL_SIZE: '4' });
  });
  after(async () => {
    await stack.close();
    await fake.close();
  });

  it('answers the URL verification handshake with the decrypted echo', async () => {
    const response = await deliver(stack, wecomUrlCheck('echo-1234'));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'echo-1234');
  });

  it('refuses a callback signed with the wrong token (401) and runs nothing', async () => {
    const before = fake.sent.length;
    const check = await deliver(stack, wecomUrlCheck('x', 'not-the-token'));
    assert.equal(check.status, 401);
    const message = await deliver(
      stack,
      wecomText('mallory', 'How many days of annual leave do I get?', msgId(), 'bad'),
    );
    assert.equal(message.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.sent.length, before);
  });

  it('refuses a message that is correctly signed but encrypted for another corp (401), and runs nothing', async () => {
    const before = fake.sent.length;
    const forged = wecomText('mallory', 'How do I reset my password?', msgId(), undefined, 'ww-other-corp');
    assert.equal((await deliver(stack, forged)).status, 401);
    const garbled = wecomText('mallory', 'How do I reset my password?', msgId());
    const tampered = { ...garbled, body: garbled.body!.replace(/<Encrypt><!\[CDATA\[./, '<Encrypt><![CDATA[Z') };
    assert.equal((await deliver(stack, tampered)).status, 401, 'the signature covers the ciphertext');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.sent.length, before);
  });

  it('answers a question with a cited answer in WeCom markdown, sent through the API', async () => {
    const start = fake.sent.length;
    const response = await deliver(stack, wecomText('alice', 'How many days of annual leave do I get?', msgId()));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '', 'the callback is acknowledged empty, at once');
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(answer?.to, 'alice');
    assert.match(answer!.text, /## Answer/);
    assert.match(answer!.text, /\*\*Reference Source\*\*/);
    assert.match(answer!.text, /hr\/[\w-]+\.md:\d+-\d+/);
  });

  it('runs one turn for a retried message (same MsgId)', async () => {
    const start = fake.sent.length;
    const id = msgId();
    const callback = wecomText('bob', 'How do I reset my password?', id);
    await Promise.all([deliver(stack, callback), deliver(stack, callback), deliver(stack, callback)]);
    await fake.waitForSent(start + 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(fake.sent.slice(start).filter((m) => m.to === 'bob').length, 1);
  });

  it('refreshes an expired access token in the middle of a conversation, once for many senders', async () => {
    let start = fake.sent.length;
    await deliver(stack, wecomText('carol', 'How many days of annual leave do I get?', msgId()));
    await fake.waitForSent(start + 1);
    const tokens = fake.tokensIssued();
    fake.expireTokens();
    start = fake.sent.length;
    const users = Array.from({ length: 10 }, (_, i) => `carol-${i}`);
    await Promise.all(users.map((u) => deliver(stack, wecomText(u, 'How do I reset my password?', msgId()))));
    await deliver(stack, wecomText('carol', 'How do I reset my password?', msgId()));
    const sent = (await fake.waitForSent(start + users.length + 1)).slice(start);
    for (const user of [...users, 'carol']) assert.equal(sent.filter((m) => m.to === user).length, 1, user);
    assert.equal(fake.tokensIssued(), tokens + 1, 'one refresh, shared by every send that met the expired token');
  });

  it('retries a failed send with back-off, and reports one that keeps failing', async () => {
    fake.failNextSends(2);
    const start = fake.sent.length;
    await deliver(stack, wecomText('dave', 'How do I reset my password?', msgId()));
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(answer?.to, 'dave');

    fake.failNextSends(100);
    await deliver(stack, wecomText('erin', 'How do I reset my password?', msgId()));
    const deadline = Date.now() + 15_000;
    let health: { channel: string; sendFailures: number; lastSendError?: { message: string } } | undefined;
    while (Date.now() < deadline) {
      const response = await fetch(`${stack.base}/api/channels`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const body = (await response.json()) as { channels: (typeof health)[] };
      health = body.channels.find((c) => c?.channel === 'wecom');
      if (health && health.sendFailures > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    fake.failNextSends(0);
    assert.ok(health && health.sendFailures >= 1, 'the failure is counted');
    assert.match(health.lastSendError?.message ?? '', /-1/);
  });

  it('turns "满意" after an answer into feedback on the answer Docent gave (added to the FAQ), once', async () => {
    const question = 'Is there a company discount on gym membership for employees?';
    let start = fake.sent.length;
    await deliver(stack, wecomText('frank', question, msgId()));
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    start = fake.sent.length;
    await deliver(stack, wecomText('frank', '满意', msgId()));
    const [thanks] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(thanks?.to, 'frank');
    assert.match(thanks!.text, /已加入常见问题/);
    const row = (await stack.kb.faq()).find((r) => r.question === question);
    assert.ok(row, 'the question joined the FAQ');
    const firstLine = parseAnswer(answer!.text)
      .body.split('\n')
      .find((line) => line.trim().length > 20)!;
    assert.ok(row.answer.includes(firstLine.trim()), `the FAQ holds the answer sent: ${row.answer}`);

    start = fake.sent.length;
    await deliver(stack, wecomText('frank', '有用', msgId()));
    const [again] = (await fake.waitForSent(start + 1)).slice(start);
    assert.match(again!.text, /已经收到过你的反馈/, 'one answer counts once');
    assert.equal((await stack.kb.faq()).find((r) => r.question === question)?.usage, row.usage);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(fake.sent.length, start + 1, 'feedback is not offered to an expert');
  });

  it('forwards an unanswered question to the domain expert and relays the reply', async () => {
    fake.users.set('wang.fang@brightwater.example', 'wangfang');
    const question = 'Can I bring my dog to the office?';
    let start = fake.sent.length;
    await deliver(stack, wecomText('grace', question, msgId()));
    const [notFound, offer] = (await fake.waitForSent(start + 2)).slice(start);
    assert.equal(notFound?.to, 'grace');
    assert.doesNotMatch(notFound!.text, /Reference Source/);
    assert.equal(offer?.to, 'grace');
    assert.match(offer!.text, /Wang Fang/);
    assert.match(offer!.text, /yes/);

    start = fake.sent.length;
    await deliver(stack, wecomText('grace', 'yes', msgId()));
    const forwarded = (await fake.waitForSent(start + 2)).slice(start);
    const toExpert = forwarded.find((m) => m.to === 'wangfang');
    assert.ok(toExpert, 'the expert gets the question');
    assert.match(toExpert.text, /dog/);
    assert.match(toExpert.text, /grace/);
    assert.ok(forwarded.some((m) => m.to === 'grace' && /Forwarded/.test(m.text)));

    const pending = (await (
      await fetch(`${stack.base}/api/channels`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { pending_handoffs: Array<{ question: string }> };
    assert.ok(
      pending.pending_handoffs.some((h) => h.question === question),
      'the admin sees it pending',
    );

    start = fake.sent.length;
    await deliver(stack, wecomText('wangfang', 'Only registered assistance dogs may come to the office.', msgId()));
    const relayed = (await fake.waitForSent(start + 2)).slice(start);
    const toAsker = relayed.find((m) => m.to === 'grace');
    assert.ok(toAsker, 'the asker gets the expert reply');
    assert.match(toAsker.text, /assistance dogs/);
    assert.match(toAsker.text, /Wang Fang/);
    assert.ok(
      relayed.some((m) => m.to === 'wangfang' && /FAQ/.test(m.text)),
      'the expert is asked about the FAQ',
    );

    start = fake.sent.length;
    await deliver(stack, wecomText('wangfang', 'FAQ', msgId()));
    await fake.waitForSent(start + 1);
    const faq = await stack.kb.faq();
    const row = faq.find((r) => r.question === question);
    assert.ok(row, "the Q&A joined the FAQ with the expert's permission");
    assert.match(row.answer, /assistance dogs/);
  });

  it('serves 50 users at once through one channel: every answer to its own asker, pool limits held', async () => {
    const questions = [
      { text: 'How many days of annual leave do I get?', source: /hr\/leave_policy\.md/ },
      { text: 'How do I reset my password?', source: /it\/laptop_and_accounts\.md/ },
      { text: 'How do I submit an expense reimbursement?', source: /finance\/expense_reimbursement\.md/ },
      { text: 'How do I connect to the VPN from home?', source: /it\/vpn_and_remote_access\.md/ },
    ];
    const start = fake.sent.length;
    let mostWorkers = 0;
    const sampler = setInterval(() => {
      mostWorkers = Math.max(mostWorkers, stack.pools.get('employee').stats().workers.total);
    }, 5);
    const asks = Array.from({ length: 50 }, (_, i) => ({ user: `load-${i}`, ...questions[i % questions.length]! }));
    const responses = await Promise.all(asks.map((a) => deliver(stack, wecomText(a.user, a.text, msgId()))));
    assert.ok(responses.every((r) => r.status === 200));
    const sent = (await fake.waitForSent(start + 50, 60_000)).slice(start);
    clearInterval(sampler);
    for (const ask of asks) {
      const mine = sent.filter((m) => m.to === ask.user);
      assert.equal(mine.length, 1, `${ask.user} got exactly one answer`);
      assert.match(mine[0]!.text, ask.source, `${ask.user} got the answer to their own question`);
      // The turn ran in this user's own conversation, and what they got is what it answered.
      const session = await stack.sessions.current(`wecom:${ask.user}:${ask.user}`, 'employee');
      const history = session ? await stack.sessions.messages(session.id) : [];
      assert.deepEqual(
        history.map((m) => m.role),
        ['user', 'assistant'],
        `${ask.user} has one turn in their conversation`,
      );
      assert.equal(history[0]!.content, ask.text);
      assert.match(history[1]!.content, ask.source);
    }
    assert.ok(mostWorkers > 0 && mostWorkers <= 4, `at most 4 workers at once, saw ${mostWorkers}`);
  });
});
