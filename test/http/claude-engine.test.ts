/**
 * The HTTP service on the Claude engine (real CLI against the local model
 * stub): a new session, a warm follow-up, and a cold resume after eviction,
 * each with the right session event and the history kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claudeStack } from '../support/http-claude.ts';
import { cookieFrom, listenLoopback, parseSse } from '../support/http-helpers.ts';
import { SseClient } from '../support/http-sse-client.ts';

test('GET /api/user/query on the Claude engine: new session, warm follow-up, cold resume after eviction', async () => {
  const { stub, app, close } = await claudeStack();
  try {
    stub.enqueue({ text: '', toolUse: { name: 'mcp__kb__search', input: { query: 'annual leave', limit: 5 } } });
    const first = await app.app.inject('/api/user/query?message=How%20much%20leave%3F');
    const cookie = cookieFrom(first.headers['set-cookie']);
    const a = parseSse(first.body).events;
    assert.equal(a[0]!.type, 'session');
    assert.equal(a[0]!.is_new, true);
    const tool = a.find((e) => e.type === 'tool_use');
    assert.equal(tool?.tool, 'mcp__kb__search');
    assert.deepEqual(tool?.input, { _raw: '{"query":"annual leave","limit":5}' });
    assert.equal(a.at(-1)!.type, 'done');
    const id = a[0]!.session_id as string;

    const second = await app.app.inject({
      url: `/api/user/query?message=And%20sick%20days%3F&session_id=${id}`,
      headers: { cookie },
    });
    const b = parseSse(second.body).events;
    assert.deepEqual(b[0], { type: 'session', session_id: id, is_new: false });
    assert.match(String(b.find((e) => e.type === 'message')?.content), /user turn 2/);

    // Another user's turn takes the only worker, so the next turn of the first session resumes cold.
    const other = await app.app.inject('/api/user/query?message=Hello');
    assert.equal(parseSse(other.body).events.at(-1)!.type, 'done');
    const third = await app.app.inject({ url: `/api/user/query?message=Thanks&session_id=${id}`, headers: { cookie } });
    const c = parseSse(third.body).events;
    assert.equal(c[0]!.session_id, id);
    assert.equal(c[0]!.is_new, false);
    assert.match(String(c.find((e) => e.type === 'message')?.content), /user turn 3/);
    assert.equal((await app.sessions.get(id))?.turns, 3);
  } finally {
    await close();
  }
});

test('GET /api/user/query on the Claude engine: text streams as deltas; one client disconnect counts one abort', async () => {
  const { stub, app, pools, close } = await claudeStack({ AUTH_MODE: 'open' });
  const pool = pools.get('employee');
  const settled = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        const { workers } = pool.stats();
        if (workers.busy === 0 && workers.closing === 0 && workers.starting === 0) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  try {
    const base = await listenLoopback(app.app);
    // A metadata fence split over deltas is still stripped; the answer is the deltas joined.
    stub.enqueue({ text: 'Twenty days.\n```metadata\n{"sources":["leave.md"]}\n```\nAsk HR.', chunks: 9 });
    const streamed = await SseClient.open(`${base}/api/user/query?message=leave&user_id=alice`);
    await streamed.ended;
    const messages = streamed.events.filter((e) => e.type === 'message').map((e) => String(e.content));
    assert.ok(messages.length > 1, JSON.stringify(streamed.events));
    assert.equal(messages.join(''), 'Twenty days.\nAsk HR.');
    assert.equal(streamed.events.at(-1)?.type, 'done');

    stub.enqueue({ text: 'a long answer', hang: true });
    const client = await SseClient.open(`${base}/api/user/query?message=slow&user_id=alice`);
    await client.waitFor((c) => c.events.some((e) => e.type === 'message'));
    client.destroy();
    await settled();
    const { totals } = pool.stats();
    assert.equal(totals.turns, 2);
    assert.equal(totals.aborts, 1, JSON.stringify(totals));
    assert.equal(totals.crashes, 0);
    assert.equal(totals.turnTimeouts, 0);
    assert.equal(totals.replacements, 0);
    assert.deepEqual(totals.rejections, { saturated: 0, sessionBusy: 0, draining: 0 });
  } finally {
    await close();
  }
});
