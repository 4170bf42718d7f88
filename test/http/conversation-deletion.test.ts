/**
 * Deleting conversations on the Claude engine (the real CLI against the
 * model stub): their transcripts and state files are gone after
 * DELETE /api/session/:id, after the retention sweep, and as orphans; a
 * conversation deleted while its turn runs is gone for its user at once,
 * the turn ends normally, and the files go when it does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { claudeStack } from '../support/http-claude.ts';
import { ADMIN, listenLoopback, parseSse } from '../support/http-helpers.ts';
import { SseClient } from '../support/http-sse-client.ts';

type Stack = Awaited<ReturnType<typeof claudeStack>>;

/** Every transcript (`<cli id>.jsonl`) under the engine's projects folder. */
function transcripts(stack: Stack): string[] {
  const projects = path.join(stack.dataDir, 'claude', 'projects');
  return readdirSync(projects).flatMap((project) =>
    readdirSync(path.join(projects, project)).filter((name) => name.endsWith('.jsonl')),
  );
}

function stateFiles(stack: Stack): string[] {
  return readdirSync(path.join(stack.dataDir, 'claude', 'session-aliases'));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Spares are ready: the first turn of each pool is bound to a spare, so its conversation has a state file. */
async function sparesReady(stack: Stack): Promise<void> {
  await waitFor('the spares', () =>
    (['employee', 'admin'] as const).every((role) => stack.pools.get(role).stats().workers.spare === 1),
  );
}

async function ask(stack: Stack, url: string): Promise<string> {
  const events = parseSse((await stack.app.app.inject(url)).body).events;
  assert.equal(events.at(-1)?.type, 'done', JSON.stringify(events));
  return String(events[0]?.session_id);
}

test('DELETE /api/session/:id on the Claude engine deletes the transcripts and state files of an employee and an admin conversation', async () => {
  const stack = await claudeStack({ AUTH_MODE: 'open', POOL_MIN_SPARES: '1' });
  try {
    await sparesReady(stack);
    const employee = await ask(stack, '/api/user/query?message=first&user_id=alice');
    assert.equal(await ask(stack, '/api/user/query?message=second&user_id=alice'), employee);
    const admin = await stack.app.app.inject({
      method: 'POST',
      url: '/api/query',
      headers: ADMIN,
      payload: { message: 'list the documents' },
    });
    assert.equal(admin.statusCode, 200, admin.body);
    const adminSession = admin.json().session_id as string;
    assert.equal(transcripts(stack).length, 2, 'one transcript per conversation');
    assert.equal(stateFiles(stack).length, 2, 'each conversation began on a spare: its state names the CLI id');

    const deleted = await stack.app.app.inject({ method: 'DELETE', url: `/api/session/${employee}?user_id=alice` });
    assert.deepEqual(deleted.json(), { status: 'deleted', session_id: employee });
    assert.equal(transcripts(stack).length, 1, "the employee's transcript is gone");
    assert.equal(stateFiles(stack).length, 1);
    const adminDeleted = await stack.app.app.inject({
      method: 'DELETE',
      url: `/api/session/${adminSession}`,
      headers: ADMIN,
    });
    assert.equal(adminDeleted.statusCode, 200, adminDeleted.body);
    assert.deepEqual(transcripts(stack), [], "the admin's transcript is gone");
    assert.deepEqual(stateFiles(stack), []);

    // The next turn begins a new conversation, on a worker that still works.
    const next = parseSse((await stack.app.app.inject('/api/user/query?message=again&user_id=alice')).body).events;
    assert.equal(next[0]?.is_new, true);
    assert.notEqual(next[0]?.session_id, employee);
    assert.match(String(next.find((e) => e.type === 'message')?.content), /user turn 1: again/);
  } finally {
    await stack.close();
  }
});

// A deletion that waited for the turn would wait forever here (the test lets the turn go on only after it): the timeout says so.
test('DELETE /api/session/:id during its turn: gone for the user at once, the turn ends normally, the files go after it', {
  timeout: 60_000,
}, async () => {
  const stack = await claudeStack({ AUTH_MODE: 'open' });
  try {
    const base = await listenLoopback(stack.app.app);
    const session = await ask(stack, '/api/user/query?message=hello&user_id=bob');
    let release!: () => void;
    stack.stub.enqueue({ text: 'the slow answer', gate: new Promise<void>((resolve) => (release = resolve)) });
    const requestsBefore = stack.stub.requests.length;
    const turn = await SseClient.open(`${base}/api/user/query?message=slow&user_id=bob`);
    await waitFor('the turn to reach the model', () => stack.stub.requests.length > requestsBefore);

    const deleted = await stack.app.app.inject({ method: 'DELETE', url: `/api/session/${session}?user_id=bob` });
    assert.deepEqual(deleted.json(), { status: 'deleted', session_id: session });
    const listed = await stack.app.app.inject('/api/sessions?user_id=bob');
    assert.deepEqual(listed.json().sessions, [], 'no longer listed');
    assert.equal(transcripts(stack).length, 1, 'the running turn keeps its transcript');

    release();
    await turn.ended;
    assert.equal(turn.events.at(-1)?.type, 'done', JSON.stringify(turn.events));
    assert.match(turn.events.map((e) => String(e.content ?? '')).join(''), /the slow answer/);
    await waitFor('the transcript to be deleted after the turn', () => transcripts(stack).length === 0);
    assert.equal(stack.pools.get('employee').stats().totals.crashes, 0);

    const after = await ask(stack, '/api/user/query?message=next&user_id=bob');
    assert.notEqual(after, session, 'the next turn is a new conversation');
  } finally {
    await stack.close();
  }
});

test('the retention sweep deletes conversations past SESSION_RETENTION with their transcripts, and orphan transcripts', async () => {
  const stack = await claudeStack({ AUTH_MODE: 'open', SESSION_TIMEOUT: '60', SESSION_RETENTION: '60' });
  try {
    const kept = await ask(stack, '/api/user/query?message=old%20question&user_id=carol');
    assert.equal(transcripts(stack).length, 1);
    // What a deletion before this release left behind: a transcript no record names, hours old; and a fresh one.
    const elsewhere = path.join(stack.dataDir, 'claude', 'projects', 'another-project');
    mkdirSync(elsewhere, { recursive: true });
    const orphan = '0b0e0f0a-0000-4000-8000-00000000aaaa';
    const fresh = '0b0e0f0a-0000-4000-8000-00000000bbbb';
    for (const id of [orphan, fresh]) writeFileSync(path.join(elsewhere, `${id}.jsonl`), '{"type":"user"}\n');
    const hoursAgo = (Date.now() - 3 * 3_600_000) / 1000;
    utimesSync(path.join(elsewhere, `${orphan}.jsonl`), hoursAgo, hoursAgo);

    const early = await stack.app.retention.sweep();
    assert.equal(early.conversationsDeleted, 0, 'within retention: kept');
    assert.equal(early.orphans.files, 1);
    assert.deepEqual(transcripts(stack).sort(), [`${fresh}.jsonl`, `${kept}.jsonl`].sort());

    const report = await stack.app.retention.sweep(Date.now() + 61_000);
    assert.equal(report.conversationsDeleted, 1);
    assert.ok(report.files.files >= 1 && report.files.bytes > 0, JSON.stringify(report));
    assert.deepEqual(transcripts(stack), [`${fresh}.jsonl`], 'only the recent unnamed file is left');
    assert.deepEqual(await stack.app.sessions.existing([kept]), new Set(), 'the record is gone too');

    const stats = await stack.app.app.inject({ url: '/api/pool/stats', headers: ADMIN });
    const retention = stats.json().retention;
    assert.equal(retention.retentionMs, 60_000);
    assert.equal(retention.lastSweep.conversationsDeleted, 1);
    assert.equal(retention.totals.orphanFilesDeleted, 1);
    assert.equal(retention.disk.files, 1, 'the fresh file');
    assert.ok(stats.json().pools.employee, 'the pools are still reported');
    const metrics = (await stack.app.app.inject('/metrics')).body;
    assert.match(metrics, /^docent_conversation_disk_files 1$/m);
    assert.match(metrics, /^docent_retention_last_sweep_deleted\{kind="conversations"\} 1$/m);
    assert.match(metrics, /^docent_retention_deleted_total\{kind="orphan_files"\} 1$/m);
    assert.match(metrics, /^docent_retention_sweeps_total 2$/m);
  } finally {
    await stack.close();
  }
});
