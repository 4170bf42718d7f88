import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessTokenCache } from '../../src/channels/access-token.ts';

/** A token endpoint that issues t1, t2, … and resolves each request when told to. */
function tokenEndpoint() {
  let issued = 0;
  const waiting: Array<() => void> = [];
  return {
    get issued() {
      return issued;
    },
    fetch: () =>
      new Promise<{ token: string; expiresInS: number }>((resolve) => {
        waiting.push(() => {
          issued += 1;
          resolve({ token: `t${issued}`, expiresInS: 7200 });
        });
      }),
    answer() {
      for (const wake of waiting.splice(0)) wake();
    },
  };
}

describe('access token cache', () => {
  it('fetches once for many callers arriving together', async () => {
    const endpoint = tokenEndpoint();
    const cache = new AccessTokenCache({ fetch: endpoint.fetch });
    const calls = Array.from({ length: 20 }, () => cache.get());
    endpoint.answer();
    assert.deepEqual(new Set(await Promise.all(calls)), new Set(['t1']));
    assert.equal(endpoint.issued, 1);
  });

  it('refreshes shortly before the platform expiry, not after', async () => {
    let clock = 0;
    const endpoint = tokenEndpoint();
    const cache = new AccessTokenCache({ fetch: endpoint.fetch, marginMs: 300_000, now: () => clock });
    const first = cache.get();
    endpoint.answer();
    assert.equal(await first, 't1');
    clock = 7200_000 - 300_001;
    assert.equal(await cache.get(), 't1', 'still well within its lifetime');
    clock = 7200_000 - 299_999;
    const second = cache.get();
    endpoint.answer();
    assert.equal(await second, 't2', 'refreshed inside the margin, before WeCom would refuse it');
  });

  it('refreshes once when many sends fail with the same expired token, however late their failures arrive', async () => {
    const endpoint = tokenEndpoint();
    const cache = new AccessTokenCache({ fetch: endpoint.fetch });
    const initial = cache.get();
    endpoint.answer();
    const stale = await initial;

    // The first failure refreshes; a second one arrives while that refresh runs.
    cache.invalidate(stale);
    const early = cache.get();
    cache.invalidate(stale);
    const during = cache.get();
    endpoint.answer();
    assert.equal(await early, 't2');
    assert.equal(await during, 't2');

    // A third send that had used the stale token fails only now: it must not drop t2.
    cache.invalidate(stale);
    assert.equal(await cache.get(), 't2');
    assert.equal(endpoint.issued, 2, 'one refresh after the expiry');

    cache.invalidate('t2');
    const next = cache.get();
    endpoint.answer();
    assert.equal(await next, 't3', 'the current token, once refused, is refreshed');
  });
});
