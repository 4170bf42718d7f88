/**
 * A captured WeCom callback replayed after a restart of the real server
 * (`src/main.ts`, same data directory), within the hour its signed timestamp
 * is good for: the first server answered it, the second acknowledges it and
 * runs no turn.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Server, startServer } from '../support/docent-process.ts';
import { type SignedCallback, startMessengerFake, wecomEnv, wecomText } from '../support/messenger-fakes.ts';

const deliver = (server: Server, callback: SignedCallback) =>
  fetch(`${server.base}${callback.path}`, {
    method: callback.method,
    headers: callback.headers,
    ...(callback.body !== undefined ? { body: callback.body } : {}),
  });

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}

test('a callback replayed after a restart runs no second turn', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-replay-'));
  const fake = await startMessengerFake();
  const env = {
    ...wecomEnv(fake.base),
    DATA_DIR: path.join(dir, 'data'),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'local',
  };
  const servers: Server[] = [];
  try {
    const captured = wecomText('alice', 'How many days of annual leave do I get?', `replay-${Date.now()}`);
    const first = await startServer(env);
    servers.push(first);
    assert.equal((await deliver(first, captured)).status, 200);
    await fake.waitForSent(1);
    const answered = fake.sent.length;
    await stop(first);

    const second = await startServer(env);
    servers.push(second);
    assert.equal((await deliver(second, captured)).status, 200, 'the replay is acknowledged, as a retry is');
    // Another user's question after it: once that is answered, a second turn for the replay would have been too.
    assert.equal(
      (await deliver(second, wecomText('bob', 'How do I reset my password?', `new-${Date.now()}`))).status,
      200,
    );
    await fake.waitForSent(answered + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterRestart = fake.sent.slice(answered);
    assert.deepEqual(
      afterRestart.filter((s) => s.to === 'alice'),
      [],
      'the replayed message was not answered again',
    );
    assert.ok(
      afterRestart.some((s) => s.to === 'bob'),
      'the new message was answered',
    );
  } finally {
    for (const server of servers) await stop(server);
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
});
