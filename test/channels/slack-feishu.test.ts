import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type OfflineStack, startOfflineStack } from '../support/http-offline.ts';
import {
  FEISHU,
  feishuEnv,
  feishuEvent,
  feishuText,
  type MessengerFake,
  type SignedCallback,
  slackDm,
  slackEnv,
  slackEvent,
  startMessengerFake,
} from '../support/messenger-fakes.ts';

async function deliver(stack: OfflineStack, callback: SignedCallback): Promise<Response> {
  return fetch(`${stack.base}${callback.path}`, {
    method: callback.method,
    headers: callback.headers,
    ...(callback.body !== undefined ? { body: callback.body } : {}),
  });
}

describe('Slack and Feishu channels', () => {
  let fake: MessengerFake;
  let stack: OfflineStack;
  let seq = 0;
  const eventId = () => `Ev${Date.now()}${++seq}`;

  before(async () => {
    fake = await startMessengerFake();
    stack = await startOfflineStack({ ...slackEnv(fake.base), ...feishuEnv(fake.base) });
  });
  after(async () => {
    await stack.close();
    await fake.close();
  });

  it('Slack: answers the url_verification challenge', async () => {
    const response = await deliver(stack, slackEvent({ type: 'url_verification', challenge: 'chal-42' }));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'chal-42');
  });

  it('Slack: refuses a wrong signature (401) and runs nothing', async () => {
    const start = fake.sent.length;
    const response = await deliver(
      stack,
      slackEvent(slackDm('U1', 'How do I reset my password?', eventId()), 'wrong-secret'),
    );
    assert.equal(response.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.sent.length, start);
  });

  it('Slack: refuses a correctly signed request replayed after five minutes (401), and runs nothing', async () => {
    const start = fake.sent.length;
    const stale = slackEvent(
      slackDm('U1', 'How do I reset my password?', eventId()),
      undefined,
      Date.now() - 6 * 60_000,
    );
    assert.equal((await deliver(stack, stale)).status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.sent.length, start);
  });

  it('Slack: answers a direct message in thread, in mrkdwn, with its citation; a retry runs no second turn', async () => {
    const start = fake.sent.length;
    const payload = slackDm('U2', 'How many days of annual leave do I get?', eventId());
    const first = await deliver(stack, slackEvent(payload));
    assert.equal(first.status, 200);
    await deliver(stack, slackEvent(payload));
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(answer?.platform, 'slack');
    assert.equal(answer?.to, 'DU2');
    assert.equal(answer?.thread, payload.event.ts);
    assert.match(answer!.text, /^\*Answer\*/m, 'headings become bold lines');
    assert.doesNotMatch(answer!.text, /\*\*/, 'no Markdown double stars');
    assert.match(answer!.text, /hr\/[\w-]+\.md:\d+-\d+/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(fake.sent.filter((m) => m.to === 'DU2').length, 1);
  });

  it('Feishu: answers the url_verification challenge of an encrypted subscription', async () => {
    const response = await deliver(
      stack,
      feishuEvent({ type: 'url_verification', challenge: 'fs-chal', token: FEISHU.verificationToken }),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { challenge: 'fs-chal' });
  });

  it('Feishu: refuses a wrong signature or a wrong verification token (401), and runs nothing', async () => {
    const start = fake.sent.length;
    const question = 'How do I reset my password?';
    const badSignature = await deliver(
      stack,
      feishuEvent(feishuText('ou_x', question, eventId()), { signWith: 'another-key' }),
    );
    assert.equal(badSignature.status, 401);
    const payload = feishuText('ou_x', question, eventId());
    const badToken = await deliver(stack, feishuEvent({ ...payload, header: { ...payload.header, token: 'nope' } }));
    assert.equal(badToken.status, 401);
    const unencrypted = feishuEvent(payload, { plain: true });
    assert.equal((await deliver(stack, unencrypted)).status, 401, 'an app with an Encrypt Key takes no plain events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fake.sent.length, start);
  });

  it('Feishu: runs one turn for a redelivered event (same event_id)', async () => {
    const start = fake.sent.length;
    const payload = feishuText('ou_dup', 'How do I reset my password?', eventId());
    await Promise.all([deliver(stack, feishuEvent(payload)), deliver(stack, feishuEvent(payload))]);
    await deliver(stack, feishuEvent(payload));
    await fake.waitForSent(start + 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(fake.sent.slice(start).filter((m) => m.to === 'oc_ou_dup').length, 1);
  });

  it('Feishu: answers a text message as a Markdown card with its citation', async () => {
    const start = fake.sent.length;
    const response = await deliver(stack, feishuEvent(feishuText('ou_amy', '年假有多少天？', eventId())));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { code: 0 });
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(answer?.platform, 'feishu');
    assert.equal(answer?.to, 'oc_ou_amy');
    assert.doesNotMatch(answer!.text, /^#/m, 'no Markdown headings in a card');
    assert.match(answer!.text, /hr\/[\w-]+\.md:\d+-\d+/);
  });

  it('Feishu: forwards an unanswered question to the expert and relays the reply', async () => {
    fake.users.set('wang.fang@brightwater.example', 'ou_wangfang');
    let start = fake.sent.length;
    await deliver(stack, feishuEvent(feishuText('ou_ben', 'Can I bring my dog to the office?', eventId())));
    const offer = (await fake.waitForSent(start + 2)).slice(start)[1];
    assert.match(offer?.text ?? '', /Wang Fang/);
    start = fake.sent.length;
    await deliver(stack, feishuEvent(feishuText('ou_ben', 'yes', eventId())));
    const forwarded = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(forwarded.some((m) => m.to === 'ou_wangfang' && /dog/.test(m.text)));
    start = fake.sent.length;
    await deliver(
      stack,
      feishuEvent(feishuText('ou_wangfang', 'Dogs are not allowed, except assistance dogs.', eventId())),
    );
    const relayed = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(relayed.some((m) => m.to === 'oc_ou_ben' && /assistance dogs/.test(m.text)));
  });

  it('Slack: "helpful" after an answer adds it to the FAQ; an unanswered question reaches the expert', async () => {
    const question = 'Is there a company discount on gym membership for employees?';
    let start = fake.sent.length;
    await deliver(stack, slackEvent(slackDm('U3', question, eventId())));
    await fake.waitForSent(start + 1);
    start = fake.sent.length;
    await deliver(stack, slackEvent(slackDm('U3', 'helpful', eventId())));
    await fake.waitForSent(start + 1);
    assert.ok((await stack.kb.faq()).some((row) => row.question === question));

    fake.users.set('wang.fang@brightwater.example', 'UWANG');
    start = fake.sent.length;
    await deliver(stack, slackEvent(slackDm('U3', 'Can I bring my dog to the office?', eventId())));
    await fake.waitForSent(start + 2);
    start = fake.sent.length;
    await deliver(stack, slackEvent(slackDm('U3', 'yes', eventId())));
    const forwarded = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(forwarded.some((m) => m.to === 'UWANG' && /dog/.test(m.text)));
    start = fake.sent.length;
    await deliver(stack, slackEvent(slackDm('UWANG', 'Only assistance dogs.', eventId())));
    const relayed = (await fake.waitForSent(start + 2)).slice(start);
    assert.ok(relayed.some((m) => m.to === 'DU3' && /assistance dogs/.test(m.text)));
  });

  it('Feishu: "不满意 + reason" after an answer is recorded as a bad case', async () => {
    let start = fake.sent.length;
    await deliver(stack, feishuEvent(feishuText('ou_cat', '年假有多少天？', eventId())));
    await fake.waitForSent(start + 1);
    start = fake.sent.length;
    await deliver(stack, feishuEvent(feishuText('ou_cat', '不满意 没有说明试用期员工的年假', eventId())));
    await fake.waitForSent(start + 1);
    const cases = await stack.kb.badCases();
    assert.ok(
      cases.some((c) => /试用期/.test(c.feedback)),
      JSON.stringify(cases.map((c) => c.feedback)),
    );
  });
});
