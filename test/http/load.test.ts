/**
 * Load on loopback with the offline engine: 64 concurrent users, 10 turns
 * each, every turn answered, no errors, no mixed sessions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOfflineStack } from '../support/http-offline.ts';
import { requestJson, SseClient } from '../support/http-sse-client.ts';

const USERS = 64;
const TURNS = 10;
const QUESTIONS = [
  'How many days of annual leave do I get?',
  'How do I connect to the VPN?',
  'What is the expense reimbursement deadline?',
  'What happens in the first week for a new hire?',
  'What discounts can sales offer?',
];

test('64 concurrent users x 10 turns on the offline engine: all answered, no errors, no mixed sessions', async () => {
  const stack = await startOfflineStack({ EMPLOYEE_CLIENT_POOL_SIZE: '8' });
  try {
    const user = async (u: number) => {
      const me = await requestJson(`${stack.base}/api/me`);
      const cookie = String(me.headers['set-cookie']).split(';')[0]!;
      const asked: string[] = [];
      let sessionId: string | undefined;
      const errors: string[] = [];
      for (let turn = 0; turn < TURNS; turn++) {
        const question = `${QUESTIONS[(u + turn) % QUESTIONS.length]} (user ${u} turn ${turn})`;
        const query = new URLSearchParams({ message: question, user_id: `load-${u}` });
        const client = await SseClient.open(`${stack.base}/api/user/query?${query}`, { cookie });
        if (client.statusCode !== 200) {
          errors.push(`HTTP ${client.statusCode}: ${client.body}`);
          await client.ended;
          continue;
        }
        await client.ended;
        const types = client.events.map((e) => e.type);
        if (types[0] !== 'session' || types.at(-1) !== 'done' || !types.includes('message')) {
          errors.push(
            `turn ${turn}: ${types.join(',')} ${JSON.stringify(client.events.find((e) => e.type === 'error'))}`,
          );
        }
        const id = client.events[0]?.session_id as string;
        sessionId ??= id;
        if (id !== sessionId) errors.push(`turn ${turn} moved to session ${id}`);
        asked.push(question);
      }
      return { u, cookie, sessionId: sessionId!, asked, errors };
    };
    const results = await Promise.all(Array.from({ length: USERS }, (_, u) => user(u)));

    assert.deepEqual(
      results.flatMap((r) => r.errors),
      [],
    );
    assert.equal(new Set(results.map((r) => r.sessionId)).size, USERS, 'one session per user');
    for (const r of results) {
      const messages = await stack.sessions.messages(r.sessionId);
      const questions = messages.filter((m) => m.role === 'user').map((m) => m.content);
      assert.deepEqual(questions, r.asked, `session of user ${r.u} holds exactly its own questions, in order`);
      const record = await stack.sessions.get(r.sessionId);
      assert.equal(record?.turns, TURNS);
    }
    const stats = stack.pools.get('employee').stats();
    assert.equal(stats.totals.turns, USERS * TURNS);
    assert.equal(stats.totals.crashes, 0);
    assert.equal(stats.totals.timeouts, 0);
  } finally {
    await stack.close();
  }
});
