/**
 * kill -9 of Docent in the middle of a Claude turn (the real server as a
 * child process, the real CLI, the model stub): the CLI that was calling the
 * model dies with it, and after a restart on the same data directory the
 * user's history and the model's view of the conversation agree: the killed
 * turn is in neither.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { descendants, isAlive, type Server, startServer } from '../support/docent-process.ts';
import { requestJson, SseClient } from '../support/http-sse-client.ts';
import { startModelStub } from '../support/model-stub.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForTranscriptText(projectsDir: string, text: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    for (const project of await readdir(projectsDir).catch(() => [])) {
      for (const file of (await readdir(path.join(projectsDir, project))).filter((f) => f.endsWith('.jsonl'))) {
        if ((await readFile(path.join(projectsDir, project, file), 'utf8')).includes(text)) return;
      }
    }
    await sleep(10);
  }
  throw new Error(`no transcript holds ${text}`);
}

test('kill -9 mid-turn: the CLI dies within a second, and after a restart the killed turn is in neither the history nor the next model request', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-crash-'));
  const stub = await startModelStub();
  // The killed turn's model call never ends by itself: only its CLI's death stops it.
  stub.setScript((request) =>
    request.lastUserText.includes('KILLED-TURN') ? { text: 'Half an answer', hang: true } : undefined,
  );
  const env = {
    DATA_DIR: path.join(dir, 'data'),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'claude',
    ANTHROPIC_API_KEY: 'sk-test-stub',
    ANTHROPIC_BASE_URL: stub.url,
    AUTH_MODE: 'open',
    EMPLOYEE_CLIENT_POOL_SIZE: '1',
    ADMIN_CLIENT_POOL_SIZE: '1',
    POOL_MIN_SPARES: '0',
  };
  const servers: Server[] = [];
  const ask = async (server: Server, message: string, sessionId?: string) => {
    const query = new URLSearchParams({ message, user_id: 'alice', ...(sessionId ? { session_id: sessionId } : {}) });
    return SseClient.open(`${server.base}/api/user/query?${query}`);
  };
  try {
    const first = await startServer(env);
    servers.push(first);
    const answered = await ask(first, 'How many leave days?');
    await answered.ended;
    assert.equal(answered.events.at(-1)?.type, 'done', JSON.stringify(answered.events));
    const sessionId = String(answered.events[0]?.session_id);

    const killed = await ask(first, 'KILLED-TURN tell me everything', sessionId);
    await killed.waitFor((c) => c.events.some((e) => e.type === 'message'));
    // Killed once its prompt is in the CLI's transcript: the restart has to leave it out, not just not find it.
    await waitForTranscriptText(path.join(env.DATA_DIR, 'claude', 'projects'), 'KILLED-TURN');
    const agents = descendants(first.child.pid!);
    assert.ok(agents.length > 0, 'the turn runs in an agent process');
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = performance.now();
    let alive = agents.filter(isAlive);
    while (alive.length > 0 && performance.now() - killedAt < 5_000) {
      await sleep(5);
      alive = alive.filter(isAlive);
    }
    const ms = Math.round(performance.now() - killedAt);
    assert.deepEqual(alive, [], 'no agent process outlives a killed Docent');
    console.log(`# agent processes gone ${ms} ms after Docent was killed`);

    const second = await startServer(env);
    servers.push(second);
    const history = await requestJson(`${second.base}/api/sessions/${sessionId}/messages?user_id=alice`);
    assert.equal(history.statusCode, 200);
    const messages = (history.json as { messages: Array<{ role: string; content: string }> }).messages;
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user', 'assistant'],
      'the user sees the answered turn and not the killed one',
    );
    assert.equal(messages[0]?.content, 'How many leave days?');

    const from = stub.requests.length;
    const next = await ask(second, 'And sick days?', sessionId);
    await next.ended;
    assert.equal(next.events.at(-1)?.type, 'done', JSON.stringify(next.events));
    const request = stub.requests.slice(from).find((r) => r.lastUserText.includes('sick days'));
    assert.ok(request, 'the follow-up reached the model');
    assert.deepEqual(request.userTexts, ['How many leave days?', 'And sick days?']);
  } finally {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  }
});
