// Every row of the "Which conversation" table in src/http/README.md
// (src/http/conversation.ts), in both auth modes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, cookieFrom, makeTestApp, parseSse, type TestApp } from '../support/http-helpers.ts';

async function turn(t: TestApp, query: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    url: `/api/user/query?${new URLSearchParams({ message: 'q', ...query })}`,
    headers,
  });
  return { res, event: res.statusCode === 200 ? parseSse(res.body).events[0] : undefined };
}

async function created(t: TestApp, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'POST', url: '/api/session/create', headers });
  return res.json().session_id as string;
}

describe('which conversation: AUTH_MODE=open', () => {
  test('user_id with any session_id → the user’s running conversation', async () => {
    const t = await makeTestApp({ env: { AUTH_MODE: 'open' } });
    try {
      const a = await turn(t, { user_id: 'ann', session_id: await created(t) });
      assert.equal(a.event?.is_new, true);
      const running = (await t.sessions.current('ann', 'employee'))?.id;
      assert.equal(a.event?.session_id, running);
      // Another page load's session_id, or none at all: the same conversation.
      const b = await turn(t, { user_id: 'ann', session_id: await created(t) });
      const c = await turn(t, { user_id: 'ann' });
      assert.equal(b.event?.session_id, running);
      assert.equal(c.event?.session_id, running);
      assert.equal(c.event?.is_new, false);
      // Someone else's session id does not lead into theirs.
      const bob = await turn(t, { user_id: 'bob', session_id: running as string });
      assert.notEqual(bob.event?.session_id, running);
    } finally {
      await t.close();
    }
  });

  test('session_id alone → that session if the caller owns it, else 404', async () => {
    const t = await makeTestApp({ env: { AUTH_MODE: 'open' } });
    try {
      const first = await turn(t, {});
      const cookie = cookieFrom(first.res.headers['set-cookie']);
      const id = first.event?.session_id as string;
      const again = await turn(t, { session_id: id }, { cookie });
      assert.equal(again.event?.session_id, id);
      assert.equal(again.event?.is_new, false);
      const stranger = await turn(t, { session_id: id });
      assert.equal(stranger.res.statusCode, 404);
      assert.equal(stranger.res.json().error.code, 'SESSION_NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});

describe('which conversation: cookie mode', () => {
  test('user_id → the cookie’s running conversation, whatever user_id says', async () => {
    const t = await makeTestApp();
    try {
      const first = await turn(t, { user_id: 'claimed-name' });
      const cookie = cookieFrom(first.res.headers['set-cookie']);
      const second = await turn(t, { user_id: 'another-name', session_id: await created(t, { cookie }) }, { cookie });
      assert.equal(second.event?.session_id, first.event?.session_id);
      assert.equal(second.event?.is_new, false);
      assert.equal(await t.sessions.current('claimed-name', 'employee'), undefined);
    } finally {
      await t.close();
    }
  });

  test('session_id alone → the owner’s session; without the cookie a 404 that says how to go on', async () => {
    const t = await makeTestApp();
    try {
      const first = await turn(t, {});
      const cookie = cookieFrom(first.res.headers['set-cookie']);
      const id = first.event?.session_id as string;
      assert.equal((await turn(t, { session_id: id }, { cookie })).event?.session_id, id);
      const bare = await turn(t, { session_id: id });
      assert.equal(bare.res.statusCode, 404);
      assert.match(bare.res.json().detail, /^Session not found: this request carries no identity/);
      assert.match(bare.res.json().detail, /AUTH_MODE=open/);
    } finally {
      await t.close();
    }
  });

  test('neither → a new short-lived conversation every time', async () => {
    const t = await makeTestApp();
    try {
      const first = await turn(t, {});
      const cookie = cookieFrom(first.res.headers['set-cookie']);
      const second = await turn(t, {}, { cookie });
      assert.equal(second.event?.is_new, true);
      assert.notEqual(second.event?.session_id, first.event?.session_id);
      const owner = (await t.app.inject({ url: '/api/me', headers: { cookie } })).json().user_id;
      assert.equal(await t.sessions.current(owner, 'employee'), undefined, 'no running conversation was made');
    } finally {
      await t.close();
    }
  });
});

describe('which conversation: admin', () => {
  test('one running admin conversation per user_id, and one without', async () => {
    const t = await makeTestApp();
    try {
      const ask = async (payload: Record<string, string>) =>
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/query',
            headers: ADMIN,
            payload: { message: 'q', ...payload },
          })
        ).json().session_id as string;
      const ann1 = await ask({ user_id: 'ann' });
      const ann2 = await ask({ user_id: 'ann' });
      const bob = await ask({ user_id: 'bob' });
      assert.equal(ann1, ann2);
      assert.notEqual(ann1, bob);
      assert.equal((await t.sessions.current('admin:ann', 'admin'))?.id, ann1);
      const named = await ask({ session_id: bob });
      assert.equal(named, bob);
    } finally {
      await t.close();
    }
  });
});
