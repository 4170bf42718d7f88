import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, cookieFrom, makeTestApp, parseSse, type TestApp } from '../support/http-helpers.ts';

const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ['POST', '/api/query', { message: 'hi' }],
  ['GET', '/api/query/stream?message=hi'],
  ['POST', '/api/upload'],
  ['GET', '/api/admin/check'],
  ['GET', '/api/kb/tree'],
  ['GET', '/api/kb/stats'],
  ['GET', '/api/kb/search?q=leave'],
  ['GET', '/api/kb/faq'],
  ['GET', '/api/kb/badcases'],
  ['POST', '/api/kb/delete', { path: 'policies/leave.md' }],
  ['POST', '/api/kb/delete/confirm', { token: 'x' }],
  ['POST', '/api/kb/move', { path: 'policies/leave.md', folder: 'archive' }],
  ['POST', '/api/kb/ingest', { files: ['upl_00000000000000000000000000000000'] }],
  ['GET', '/api/pool/stats'],
  ['GET', '/api/channels'],
  ['POST', '/api/admin/session'],
];

describe('admin token', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  test('regression: an admin route checks the token before it reads or validates the body', async () => {
    const garbage = await t.app.inject({
      method: 'POST',
      url: '/api/query',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(garbage.statusCode, 401);
    const invalid = await t.app.inject({ method: 'POST', url: '/api/kb/ingest', payload: { files: 'nope' } });
    assert.equal(invalid.statusCode, 401);
  });

  test('every route documented as admin-only refuses a request without the token', async () => {
    const spec = (await t.app.inject('/docs/json')).json() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const documented = Object.entries(spec.paths).flatMap(([route, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.security?.length)
        .map(([method]) => `${method.toUpperCase()} ${route}`),
    );
    const listed = ADMIN_ROUTES.map(([method, url]) => `${method} ${url.split('?')[0]}`);
    assert.deepEqual([...documented].sort(), [...listed].sort());
  });

  for (const [method, url, payload] of ADMIN_ROUTES) {
    test(`${method} ${url.split('?')[0]} without a token answers 401`, async () => {
      const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'UNAUTHORIZED');
      assert.match(res.json().detail, /admin token/);
    });

    test(`${method} ${url.split('?')[0]} with a wrong token answers 403`, async () => {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        payload: payload as object,
        headers: { authorization: 'Bearer wrong-token' },
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'FORBIDDEN');
    });
  }

  test('GET /api/admin/check with the token answers {ok: true}', async () => {
    const res = await t.app.inject({ url: '/api/admin/check', headers: ADMIN });
    assert.deepEqual(res.json(), { ok: true });
  });

  test('no admin route ran anything for a refused call', () => {
    assert.equal(t.fakePools!.admin.turns.length, 0);
  });
});

describe('employee identity and ownership', () => {
  let t: TestApp;
  before(async () => {
    t = await makeTestApp();
  });
  after(() => t.close());

  async function sessionOfNewUser(): Promise<{ cookie: string; id: string }> {
    const res = await t.app.inject('/api/user/query?message=mine');
    return { cookie: cookieFrom(res.headers['set-cookie']), id: parseSse(res.body).events[0]!.session_id as string };
  }

  test('GET /api/me issues a signed HttpOnly identity cookie and keeps it on the next call', async () => {
    const first = await t.app.inject('/api/me');
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.doesNotMatch(setCookie, /Secure/i, 'plain HTTP on loopback by default');
    const me = first.json();
    assert.match(me.user_id, /^u_/);
    assert.equal(me.auth_mode, 'cookie');
    const again = await t.app.inject({ url: '/api/me', headers: { cookie: cookieFrom(first.headers['set-cookie']) } });
    assert.equal(again.json().user_id, me.user_id);
    assert.equal(again.headers['set-cookie'], undefined);
  });

  test('COOKIE_SECURE=true marks the identity cookie Secure', async () => {
    const secure = await makeTestApp({ env: { COOKIE_SECURE: 'true' } });
    try {
      const res = await secure.app.inject('/api/me');
      assert.match(String(res.headers['set-cookie']), /;\s*Secure/i);
    } finally {
      await secure.close();
    }
  });

  test('a forged identity cookie is ignored: a new identity is issued', async () => {
    const { id } = await sessionOfNewUser();
    const forged = await t.app.inject({ url: '/api/me', headers: { cookie: 'docent_uid=u_victim.forgedsignature' } });
    assert.notEqual(forged.json().user_id, 'u_victim');
    assert.ok(forged.headers['set-cookie']);
    const res = await t.app.inject({
      url: `/api/sessions/${id}/messages`,
      headers: { cookie: 'docent_uid=u_victim.forgedsignature' },
    });
    assert.equal(res.statusCode, 404);
  });

  test('another user’s session id answers 404 on every session route, like an unknown one', async () => {
    const owner = await sessionOfNewUser();
    const intruder = await sessionOfNewUser();
    const headers = { cookie: intruder.cookie };
    const attempts = [
      t.app.inject({ url: `/api/user/query?message=x&session_id=${owner.id}`, headers }),
      t.app.inject({ url: `/api/sessions/${owner.id}/messages`, headers }),
      t.app.inject({ method: 'DELETE', url: `/api/session/${owner.id}`, headers }),
      t.app.inject({ method: 'POST', url: '/api/clear_context', headers, payload: { session_id: owner.id } }),
      t.app.inject({
        method: 'POST',
        url: '/api/feedback',
        headers,
        payload: { satisfied: true, session_id: owner.id },
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().detail, 'Session not found');
    }
    const mine = await t.app.inject({ url: `/api/sessions/${owner.id}/messages`, headers: { cookie: owner.cookie } });
    assert.equal(mine.statusCode, 200);
  });

  test('GET /api/sessions lists only the caller’s sessions', async () => {
    const a = await sessionOfNewUser();
    await sessionOfNewUser();
    const res = await t.app.inject({ url: '/api/sessions', headers: { cookie: a.cookie } });
    const sessions = res.json().sessions;
    assert.equal(sessions.length, 1);
    assert.deepEqual(Object.keys(sessions[0]), ['session_id', 'title', 'created_at', 'last_active', 'turns']);
    assert.equal(sessions[0].session_id, a.id);
    assert.equal(sessions[0].title, 'mine');
    assert.equal(sessions[0].turns, 1);
  });

  test('GET /api/sessions/:id/messages returns the question and the answer of each turn', async () => {
    const a = await sessionOfNewUser();
    const res = await t.app.inject({ url: `/api/sessions/${a.id}/messages`, headers: { cookie: a.cookie } });
    const body = res.json();
    assert.equal(body.session_id, a.id);
    assert.deepEqual(
      body.messages.map((m: { role: string; content: string }) => [m.role, m.content]),
      [
        ['user', 'mine'],
        ['assistant', 'Answer to: mine'],
      ],
    );
    assert.equal(typeof body.messages[0].at, 'number');
  });

  test('in cookie mode a client-supplied user_id does not name the owner', async () => {
    const a = await sessionOfNewUser();
    // A stranger names a's session and some user_id: the user_id asks for the
    // caller's own running conversation, which is a new one, never a's.
    const res = await t.app.inject({
      url: `/api/user/query?message=x&user_id=someone&session_id=${a.id}`,
    });
    assert.equal(res.statusCode, 200);
    const theirs = parseSse(res.body).events[0]!;
    assert.notEqual(theirs.session_id, a.id);
    assert.equal(theirs.is_new, true);
    const history = await t.app.inject({ url: `/api/sessions/${a.id}/messages`, headers: { cookie: a.cookie } });
    assert.deepEqual(
      history.json().messages.map((m: { content: string }) => m.content),
      ['mine', 'Answer to: mine'],
      "a's conversation did not get the stranger's turn",
    );
    assert.equal((await t.sessions.current('someone', 'employee'))?.id, undefined, 'nobody called someone was made');
  });

  test('an admin session is not reachable with an employee identity', async () => {
    const admin = await t.app.inject({ method: 'POST', url: '/api/query', headers: ADMIN, payload: { message: 'hi' } });
    const id = admin.json().session_id;
    const res = await t.app.inject(`/api/sessions/${id}/messages`);
    assert.equal(res.statusCode, 404);
    const asAdmin = await t.app.inject({ url: `/api/sessions/${id}/messages`, headers: ADMIN });
    assert.equal(asAdmin.statusCode, 200);
  });
});

describe('AUTH_MODE=open and TRUSTED_USER_HEADER', () => {
  test('in open mode the client’s user_id names the owner', async () => {
    const t = await makeTestApp({ env: { AUTH_MODE: 'open' } });
    try {
      const first = await t.app.inject('/api/user/query?message=a&user_id=dave');
      const id = parseSse(first.body).events[0]!.session_id;
      // No cookie sent back: the user_id alone reaches the conversation.
      const second = await t.app.inject('/api/user/query?message=b&user_id=dave');
      assert.equal(parseSse(second.body).events[0]!.session_id, id);
      assert.equal((await t.sessions.current('dave', 'employee'))?.id, id);
    } finally {
      await t.close();
    }
  });

  test('a trusted gateway header names the user, without a cookie', async () => {
    const t = await makeTestApp({ env: { TRUSTED_USER_HEADER: 'X-Forwarded-User' } });
    try {
      const me = await t.app.inject({ url: '/api/me', headers: { 'x-forwarded-user': 'erin@example.com' } });
      assert.equal(me.json().user_id, 'erin@example.com');
      assert.equal(me.headers['set-cookie'], undefined);
    } finally {
      await t.close();
    }
  });
});

describe('CORS', () => {
  test('allows only the origins of ALLOWED_ORIGINS', async () => {
    const t = await makeTestApp({ env: { ALLOWED_ORIGINS: 'https://intranet.example.com' } });
    try {
      const ok = await t.app.inject({ url: '/health', headers: { origin: 'https://intranet.example.com' } });
      assert.equal(ok.headers['access-control-allow-origin'], 'https://intranet.example.com');
      const other = await t.app.inject({ url: '/health', headers: { origin: 'https://evil.example.com' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await t.close();
    }
  });
});

describe('rate limit', () => {
  test('a user past RATE_LIMIT_PER_MINUTE gets 429 in the error shape; others are not affected', async () => {
    const t = await makeTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const first = await t.app.inject('/api/me');
      const cookie = cookieFrom(first.headers['set-cookie']);
      for (let i = 0; i < 3; i++) {
        assert.equal((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode, 200);
      }
      const limited = await t.app.inject({ url: '/api/me', headers: { cookie } });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.ok(limited.headers['retry-after']);
      const probe = await t.app.inject('/health/live');
      assert.equal(probe.statusCode, 200);
      const otherUser = await t.app.inject({ url: '/api/me', remoteAddress: '10.0.0.2' });
      assert.equal(otherUser.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('one address cannot mint identity cookies past NEW_IDENTITIES_PER_ADDRESS a minute', async () => {
    const t = await makeTestApp({ env: { NEW_IDENTITIES_PER_ADDRESS: '5' } });
    try {
      const from = { remoteAddress: '192.0.2.10' };
      const cookies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({ url: '/api/me', ...from });
        assert.equal(res.statusCode, 200);
        cookies.push(cookieFrom(res.headers['set-cookie']));
      }
      const sixth = await t.app.inject({ url: '/api/me', ...from });
      assert.equal(sixth.statusCode, 429);
      assert.match(sixth.json().detail, /new identities from this address/);
      assert.ok(sixth.headers['retry-after']);
      // Those who have their cookie go on; another address is not affected.
      assert.equal((await t.app.inject({ url: '/api/me', headers: { cookie: cookies[0]! }, ...from })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/api/me', remoteAddress: '192.0.2.11' })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('one address is limited to RATE_LIMIT_PER_ADDRESS a minute, however many cookies it presents', async () => {
    const t = await makeTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_PER_ADDRESS: '12' } });
    try {
      const from = { remoteAddress: '192.0.2.20' };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const minted = await t.app.inject({ url: '/api/me', ...from });
        statuses.push(minted.statusCode);
        if (minted.statusCode !== 200) continue;
        const cookie = cookieFrom(minted.headers['set-cookie']);
        for (let j = 0; j < 3; j++) {
          statuses.push((await t.app.inject({ url: '/api/me', headers: { cookie }, ...from })).statusCode);
        }
      }
      assert.equal(statuses.filter((s) => s === 200).length, 12, statuses.join(','));
      assert.ok(
        statuses.slice(12).every((s) => s === 429),
        statuses.join(','),
      );
      // Health probes and the administrator are not counted.
      assert.equal((await t.app.inject({ url: '/health/live', ...from })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/api/admin/check', headers: ADMIN, ...from })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/api/me', remoteAddress: '192.0.2.21' })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  test('in AUTH_MODE=open the per-user limit is per user_id, not per address', async () => {
    const t = await makeTestApp({ env: { AUTH_MODE: 'open', RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      for (let user = 0; user < 5; user++) {
        for (let i = 0; i < 3; i++) {
          const res = await t.app.inject(`/api/user/query?message=hi&user_id=user${user}`);
          assert.equal(res.statusCode, 200, `user${user} request ${i}`);
        }
      }
      const fourth = await t.app.inject('/api/user/query?message=hi&user_id=user0');
      assert.equal(fourth.statusCode, 429);
    } finally {
      await t.close();
    }
  });

  test('users named by a gateway header all share its address, so they are limited per user, not per address', async () => {
    const t = await makeTestApp({
      env: { TRUSTED_USER_HEADER: 'X-Forwarded-User', RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_PER_ADDRESS: '5' },
    });
    try {
      for (let user = 0; user < 4; user++) {
        for (let i = 0; i < 5; i++) {
          const res = await t.app.inject({
            url: '/api/me',
            headers: { 'x-forwarded-user': `user${user}@example.com` },
          });
          assert.equal(res.statusCode, 200);
        }
      }
    } finally {
      await t.close();
    }
  });
});
