/**
 * Callbacks as a hostile stranger sends them, straight to the adapters and
 * the router: every one is refused (ChannelAuthError, so 401) or ignored,
 * quickly and without a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeishuAdapter } from '../../src/channels/adapters/feishu.ts';
import { ChannelAuthError, type ChannelRequest } from '../../src/channels/types.ts';

const post = (body: unknown): ChannelRequest => ({
  method: 'POST',
  query: {},
  headers: { 'content-type': 'application/json' },
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('Feishu without an Encrypt Key: the verification token is all that guards the callback', () => {
  const feishu = new FeishuAdapter({
    appId: 'cli_test',
    appSecret: 'secret',
    verificationToken: 'feishu-verify',
    apiBase: 'http://127.0.0.1:9',
  });

  for (const [what, token] of [
    ['a number', 123],
    ['an array', ['feishu-verify']],
    ['an object with a huge length', { length: 300_000_000 }],
    ['null', null],
  ] as const) {
    it(`a token that is ${what} is refused at once (401), in the header or the body`, async () => {
      for (const body of [
        { type: 'url_verification', challenge: 'c', token },
        { schema: '2.0', header: { event_type: 'im.message.receive_v1', token } },
      ]) {
        const started = performance.now();
        await assert.rejects(feishu.parse(post(body)), ChannelAuthError);
        assert.ok(performance.now() - started < 500, `refused in ${performance.now() - started} ms`);
      }
    });
  }
});
