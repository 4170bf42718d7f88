// The admin cookie and trusted networks (src/http/admin-access.ts).
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { ADMIN, makeTestApp, type TestApp } from '../support/http-helpers.ts';

function adminCookieFrom(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join(', ') : (setCookie ?? '');
  const match = /docent_admin=[^;]+/.exec(header);
  if (!match) throw new Error(`No admin cookie in ${JSON.stringify(setCookie)}`);
  return match[0];
}

async function signIn(t: TestApp): Promise<{ cookie: string; setCookie: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/api/admin/session', headers: ADMIN });
  assert.equal(res.statusCode, 200, res.body);
  return { cookie: adminCookieFrom(res.headers['set-cookie']), setCookie: String(res.headers['set-cookie']) };
}

async function check(t: TestApp, headers: Record<string, string>): Promise<number> {
  return (await t.app.inject({ url: '/api/admin/check', headers })).statusCode;
}

describe('admin cookie', () => {
  test('signing in with the token sets a signed HttpOnly SameSite=Strict cookie that admits admin routes', async () => {
    const t = await makeTestApp();
    try {
      const { cookie, setCookie } = await signIn(t);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      assert.match(setCookie, /Max-Age=43200/);
      assert.match(setCookie, /Path=\//);
      assert.doesNotMatch(cookie, /test-admin-token/, 'the token itself is not in the cookie');
      assert.equal(await check(t, { cookie }), 200);
      const stream = await t.app.inject({ url: '/api/query/stream?message=hi', headers: { cookie } });
      assert.equal(stream.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('a tampered or unsigned cookie is refused', async () => {
    const t = await makeTestApp();
    try {
      const { cookie } = await signIn(t);
      const value = cookie.slice('docent_admin='.length);
      const tampered = `docent_admin=${value.replace(/\.(\d+)\./, (_m, n) => `.${Number(n) + 999999}.`)}`;
      assert.notEqual(tampered, cookie);
      assert.equal(await check(t, { cookie: tampered }), 401);
      assert.equal(await check(t, { cookie: 'docent_admin=anything' }), 401);
    } finally {
      await t.close();
    }
  });

  test('a cookie stops working after 12 hours', async () => {
    const t = await makeTestApp();
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const { cookie } = await signIn(t);
      mock.timers.tick(11 * 3600 * 1000);
      assert.equal(await check(t, { cookie }), 200);
      mock.timers.tick(2 * 3600 * 1000);
      assert.equal(await check(t, { cookie }), 401);
    } finally {
      mock.timers.reset();
      await t.close();
    }
  });

  test('a new ADMIN_TOKEN signs every browser out', async () => {
    const before = await makeTestApp();
    let cookie: string;
    try {
      ({ cookie } = await signIn(before));
    } finally {
      await before.close();
    }
    // Same cookie secret, so the signature is valid: only the token binding refuses it.
    const after = await makeTestApp({ adminToken: 'a-rotated-admin-token-9876543210' });
    try {
      assert.equal(await check(after, { cookie }), 401);
    } finally {
      await after.close();
    }
  });

  test('only the token signs in: not a cookie, not a trusted address; DELETE signs out', async () => {
    const t = await makeTestApp({ env: { ADMIN_TRUSTED_NETWORKS: '127.0.0.1/32' } });
    try {
      const { cookie } = await signIn(t);
      const withCookie = await t.app.inject({ method: 'POST', url: '/api/admin/session', headers: { cookie } });
      assert.equal(withCookie.statusCode, 401);
      // inject() comes from 127.0.0.1: trusted for admin routes, but not for minting a cookie.
      assert.equal(await check(t, {}), 200);
      const fromNetwork = await t.app.inject({ method: 'POST', url: '/api/admin/session' });
      assert.equal(fromNetwork.statusCode, 401);
      const out = await t.app.inject({ method: 'DELETE', url: '/api/admin/session', headers: { cookie } });
      assert.equal(out.statusCode, 200);
      assert.match(String(out.headers['set-cookie']), /docent_admin=;/);
    } finally {
      await t.close();
    }
  });

  test('ADMIN_TRUSTED_NETWORKS with something that is not a network is refused at start', async () => {
    await assert.rejects(
      makeTestApp({ env: { ADMIN_TRUSTED_NETWORKS: '10.0.0.0/8,not-a-network' } }),
      /ADMIN_TRUSTED_NETWORKS/,
    );
  });
});
