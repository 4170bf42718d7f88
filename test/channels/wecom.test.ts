import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

  it('refreshes an expired access token in the middle of a conversation', async () => {
    const tokens = fake.tokensIssued();
    fake.expireTokens();
    const start = fake.sent.length;
    await deliver(stack, wecomText('carol', 'How many days of annual leave do I get?', msgId()));
    const [answer] = (await fake.waitForSent(start + 1)).slice(start);
    assert.equal(answer?.to, 'carol');
    assert.equal(fake.tokensIssued(), tokens + 1);
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
});
