/**
 * Graceful shutdown of the real server (`src/main.ts` as a child process):
 * SIGTERM with a turn in flight → not ready, new turns 503, the turn
 * finishes, every agent process is gone, exit 0. The Claude engine runs
 * against the local model stub so a turn can be held open.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { descendants, isAlive, type Server, startServer } from '../support/docent-process.ts';
import { ADMIN_TOKEN } from '../support/http-helpers.ts';
import { requestJson, SseClient } from '../support/http-sse-client.ts';
import { startModelStub } from '../support/model-stub.ts';

/** The Claude engine against the model stub, one worker a pool and no spares, with this shutdown grace (seconds). */
function claudeOnStub(dir: string, stubUrl: string, grace: string): Record<string, string> {
  return {
    DATA_DIR: path.join(dir, 'data'),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'claude',
    ANTHROPIC_API_KEY: 'sk-test-stub',
    ANTHROPIC_BASE_URL: stubUrl,
    EMPLOYEE_CLIENT_POOL_SIZE: '1',
    ADMIN_CLIENT_POOL_SIZE: '1',
    POOL_MIN_SPARES: '0',
    SHUTDOWN_GRACE: grace,
  };
}

test('SIGTERM with a turn in flight: readiness false, new turns 503, the turn finishes, no process left, exit 0', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-shutdown-'));
  const stub = await startModelStub();
  let releaseTurn!: () => void;
  const gate = new Promise<void>((resolve) => {
    releaseTurn = resolve;
  });
  let markArrived!: () => void;
  const arrived = new Promise<void>((resolve) => {
    markArrived = resolve;
  });
  stub.setScript((request) => {
    if (!request.lastUserText.includes('SLOW-TURN')) return undefined;
    markArrived();
    return { gate, text: 'The slow answer.' };
  });
  let server: Server | undefined;
  try {
    server = await startServer(claudeOnStub(dir, stub.url, '120'));
    const { base, child } = server;
    const turn = await SseClient.open(`${base}/api/user/query?message=${encodeURIComponent('SLOW-TURN please')}`);
    assert.equal(turn.statusCode, 200);
    await arrived;
    const agentProcesses = descendants(child.pid!);
    assert.ok(agentProcesses.length > 0, 'the turn runs in an agent process');

    child.kill('SIGTERM');
    let ready = await requestJson(`${base}/health/ready`);
    for (let i = 0; i < 1000 && ready.statusCode === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ready = await requestJson(`${base}/health/ready`);
    }
    assert.equal(ready.statusCode, 503);
    assert.equal((ready.json as { status: string }).status, 'draining');
    const refused = await requestJson(`${base}/api/user/query?message=another`);
    assert.equal(refused.statusCode, 503);
    assert.ok(refused.headers['retry-after']);

    releaseTurn();
    await turn.ended;
    const types = turn.events.map((e) => e.type);
    assert.equal(types[0], 'session');
    assert.equal(types.at(-1), 'done', JSON.stringify(turn.events));
    assert.ok(turn.events.some((e) => e.type === 'message' && String(e.content).includes('slow answer')));

    assert.equal(await server.exited, 0, server.output.join('\n'));
    // Killed processes may take a moment to be reaped once their parent is gone.
    let alive = agentProcesses.filter(isAlive);
    for (let i = 0; i < 500 && alive.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      alive = alive.filter(isAlive);
    }
    assert.deepEqual(alive, [], 'no agent process outlives the server');
  } finally {
    releaseTurn();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('SIGTERM with a turn that outlasts SHUTDOWN_GRACE: the stream ends with an error that says the server is restarting, an admin request gets 503, exit within the bound, no process left', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-shutdown-'));
  const stub = await startModelStub();
  // The model never finishes this answer: only the end of the grace stops the turn.
  stub.setScript((request) =>
    request.lastUserText.includes('ENDLESS') ? { text: 'Half an answer', hang: true } : undefined,
  );
  let server: Server | undefined;
  try {
    server = await startServer(claudeOnStub(dir, stub.url, '1'));
    const { base, child } = server;
    const turn = await SseClient.open(`${base}/api/user/query?message=${encodeURIComponent('ENDLESS please')}`);
    await turn.waitFor((c) => c.events.some((e) => e.type === 'message'));
    // An admin's whole-answer request, in flight too.
    const adminTurn = requestJson(`${base}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { message: 'ENDLESS admin question' },
    });
    while (!stub.requests.some((r) => r.lastUserText.includes('ENDLESS admin'))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const agentProcesses = descendants(child.pid!);
    assert.ok(agentProcesses.length > 0, 'the turn runs in an agent process');

    const signalledAt = performance.now();
    child.kill('SIGTERM');
    await turn.ended;
    const last = turn.events.at(-1);
    assert.equal(last?.type, 'error', JSON.stringify(turn.events));
    // Not the message of a failure to report: the user is told why, and that asking again will work.
    assert.match(String(last?.message), /restarting/i, String(last?.message));
    assert.doesNotMatch(String(last?.message), /something went wrong/i);
    // The admin's request is refused as a shutdown (503 with Retry-After, as new turns are), not as a failed turn.
    const admin = await adminTurn;
    assert.equal(admin.statusCode, 503, admin.text);
    assert.equal((admin.json as { error: { code: string } }).error.code, 'SERVICE_DRAINING');
    assert.ok(admin.headers['retry-after']);

    assert.equal(await server.exited, 0, server.output.join('\n'));
    // The grace (1 s), then closing the workers: well inside the hard-exit margin.
    assert.ok(
      performance.now() - signalledAt < 10_000,
      `exited ${Math.round(performance.now() - signalledAt)} ms after SIGTERM`,
    );
    let alive = agentProcesses.filter(isAlive);
    for (let i = 0; i < 500 && alive.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      alive = alive.filter(isAlive);
    }
    assert.deepEqual(alive, [], 'no agent process outlives the server');
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('SIGINT on an idle offline server exits 0 and logs the stop', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-shutdown-'));
  let server: Server | undefined;
  try {
    server = await startServer({
      DATA_DIR: path.join(dir, 'data'),
      KB_ROOT_PATH: path.join(dir, 'kb'),
      DOCENT_ENGINE: 'local',
    });
    const health = await requestJson(`${server.base}/health/ready`);
    assert.equal(health.statusCode, 200);
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0);
    assert.ok(server.output.some((line) => line.includes('"msg":"stopped"')));
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
});

test('without ADMIN_TOKEN the first start generates one, prints it once and keeps it for the next start', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docent-token-'));
  const env = {
    DATA_DIR: path.join(dir, 'data'),
    KB_ROOT_PATH: path.join(dir, 'kb'),
    DOCENT_ENGINE: 'local',
    ADMIN_TOKEN: '',
  };
  const servers: Server[] = [];
  try {
    const first = await startServer(env);
    servers.push(first);
    const printed = first.output.join('\n');
    const token = /generated an admin token[^\n]*\n\s*\n\s*(\S+)/.exec(printed)?.[1];
    assert.ok(token, printed);
    const check = await requestJson(`${first.base}/api/admin/check`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(check.json, { ok: true });
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = await startServer(env);
    servers.push(second);
    assert.ok(!second.output.join('\n').includes(token), 'printed only once');
    const again = await requestJson(`${second.base}/api/admin/check`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(again.statusCode, 200);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    for (const server of servers) {
      if (server.child.exitCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
});
