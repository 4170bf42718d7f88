import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { createPathGuard, isInside } from '../../../src/agents/index.ts';
import { isResumeConfigDir, sweepResumeDirs } from '../../../src/engines/claude/resume-dirs.ts';
import { TranscriptStore } from '../../../src/engines/claude/transcripts.ts';
import { TurnTranslator } from '../../../src/engines/claude/turn-translator.ts';

const msg = (value: Record<string, unknown>) => value as unknown as SDKMessage;
const result = (extra: Record<string, unknown>) =>
  msg({
    type: 'result',
    subtype: 'success',
    duration_ms: 12,
    num_turns: 1,
    total_cost_usd: 0.5,
    is_error: false,
    result: 'ok',
    ...extra,
  });
const streamText = (text: string, parent: string | null = null) =>
  msg({
    type: 'stream_event',
    parent_tool_use_id: parent,
    event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
  });
const streamStart = (id: string) =>
  msg({ type: 'stream_event', parent_tool_use_id: null, event: { type: 'message_start', message: { id } } });

describe('TurnTranslator', () => {
  it("translate: a message that was not streamed gives its text blocks whole; the result becomes done with this turn's cost", () => {
    const t = new TurnTranslator(0.2);
    const assistant = msg({
      type: 'assistant',
      parent_tool_use_id: null,
      message: { id: 'm1', content: [{ type: 'text', text: 'Hello' }] },
    });
    assert.deepEqual(t.translate(assistant).events, [{ type: 'text', text: 'Hello' }]);
    const { events, outcome } = t.translate(result({}));
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'done');
    assert.ok(
      events[0].type === 'done' && Math.abs((events[0].costUsd ?? 0) - 0.3) < 1e-9 && events[0].durationMs === 12,
    );
    assert.deepEqual(outcome, { ok: true, totalCostUsd: 0.5 });
  });

  it('translate: text deltas become text events; the whole message after them repeats no text but gives its tool_use', () => {
    const t = new TurnTranslator();
    assert.deepEqual(t.translate(streamStart('m1')).events, []);
    assert.equal(t.streamed, false);
    assert.deepEqual(t.translate(streamText('Hel')).events, [{ type: 'text', text: 'Hel' }]);
    assert.equal(t.streamed, true);
    assert.deepEqual(t.translate(streamText('lo')).events, [{ type: 'text', text: 'lo' }]);
    assert.deepEqual(t.translate(streamText('sub', 'tu0')).events, [], 'subagent deltas are left out');
    const whole = msg({
      type: 'assistant',
      parent_tool_use_id: null,
      message: {
        id: 'm1',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'tool_use', id: 'tu1', name: 'mcp__kb__search', input: { query: 'x' } },
        ],
      },
    });
    assert.deepEqual(t.translate(whole).events, [
      { type: 'tool_use', id: 'tu1', tool: 'mcp__kb__search', input: { query: 'x' } },
    ]);
    const later = msg({
      type: 'assistant',
      parent_tool_use_id: null,
      message: { id: 'm2', content: [{ type: 'text', text: 'Not streamed' }] },
    });
    assert.deepEqual(t.translate(later).events, [{ type: 'text', text: 'Not streamed' }]);
  });

  it('translate: tool_use blocks become tool_use events; subagent messages are left out', () => {
    const t = new TurnTranslator();
    const toolUse = msg({
      type: 'assistant',
      parent_tool_use_id: null,
      message: { id: 'm2', content: [{ type: 'tool_use', id: 'tu1', name: 'mcp__kb__search', input: { query: 'x' } }] },
    });
    assert.deepEqual(t.translate(toolUse).events, [
      { type: 'tool_use', id: 'tu1', tool: 'mcp__kb__search', input: { query: 'x' } },
    ]);
    const sub = msg({
      type: 'assistant',
      parent_tool_use_id: 'tu1',
      message: { id: 's', content: [{ type: 'text', text: 'sub' }] },
    });
    assert.deepEqual(t.translate(sub).events, []);
  });

  it('translate: an error result carries the API message; "Please run /login" is an auth error; never empty', () => {
    const api = new TurnTranslator();
    api.translate(
      msg({
        type: 'assistant',
        parent_tool_use_id: null,
        error: 'overloaded',
        message: { id: 'e', content: [{ type: 'text', text: 'API Error: 529 Overloaded' }] },
      }),
    );
    const overloaded = api.translate(result({ is_error: true, result: '' })).events[0];
    assert.deepEqual(overloaded, { type: 'error', code: 'model_error', message: 'API Error: 529 Overloaded' });

    const login = new TurnTranslator().translate(
      result({ is_error: false, result: 'Not logged in · Please run /login' }),
    ).events[0];
    assert.equal(login.type, 'error');
    assert.ok(login.type === 'error' && login.code === 'model_auth_failed');

    const bare = new TurnTranslator().translate(
      result({ subtype: 'error_during_execution', errors: [], is_error: true }),
    ).events[0];
    assert.ok(bare.type === 'error' && bare.message.length > 0);
  });

  it('translate: after an interrupt the error result says so', () => {
    const t = new TurnTranslator();
    t.markInterrupted();
    const event = t.translate(result({ subtype: 'error_during_execution', errors: [], is_error: true })).events[0];
    assert.deepEqual(event, { type: 'error', code: 'interrupted', message: 'The turn was interrupted.' });
  });

  it('translate: an API retry after text reached the caller asks to stop, and nothing after it reaches the caller', () => {
    const t = new TurnTranslator();
    const retry = msg({ type: 'system', subtype: 'api_retry', error: 'unknown', error_status: null });
    const block = (text: string) =>
      msg({ type: 'assistant', parent_tool_use_id: null, message: { id: text, content: [{ type: 'text', text }] } });
    assert.equal(t.translate(retry).stop, undefined, 'a retry before anything was shown is left to the CLI');
    t.translate(block('half'));
    const stopped = t.translate(retry);
    assert.equal(stopped.stop, true);
    assert.equal(stopped.events[0]?.type, 'error');
    assert.deepEqual(t.translate(block('second answer')).events, []);
    assert.deepEqual(t.translate(result({})).events, []);
  });
});

describe('path guard', () => {
  const root = '/srv/kb';
  const guard = createPathGuard({ root, builtInTools: ['Read', 'Glob', 'Grep'], mcpPrefix: 'mcp__kb__' });
  const signal = new AbortController().signal;
  const ask = async (tool: string, input: Record<string, unknown>) =>
    (await guard(tool, input, { signal, toolUseID: 't' } as never)) as { behavior: string };

  it('isInside: accepts the root and paths below it, refuses escapes and siblings', () => {
    assert.equal(isInside(root, 'hr/leave.md'), true);
    assert.equal(isInside(root, '/srv/kb'), true);
    assert.equal(isInside(root, '/srv/kb/a/../b.md'), true);
    assert.equal(isInside(root, '../etc/passwd'), false);
    assert.equal(isInside(root, '/srv/kb-other/x'), false);
    assert.equal(isInside(root, '/etc/passwd'), false);
  });

  it("canUseTool: allows the role's tools inside the root and refuses everything else", async () => {
    assert.equal((await ask('Read', { file_path: '/srv/kb/hr/a.md' })).behavior, 'allow');
    assert.equal((await ask('mcp__kb__search', { query: 'x' })).behavior, 'allow');
    assert.equal((await ask('Read', { file_path: '/etc/shadow' })).behavior, 'deny');
    assert.equal((await ask('Grep', { pattern: 'x', path: '/' })).behavior, 'deny');
    assert.equal((await ask('Glob', { pattern: '/etc/*' })).behavior, 'deny');
    assert.equal((await ask('Bash', { command: 'ls' })).behavior, 'deny');
    assert.equal((await ask('Write', { file_path: '/srv/kb/x.md', content: '' })).behavior, 'deny');
    assert.equal((await ask('Read', { file_path: 42 })).behavior, 'deny');
  });
});

describe('TranscriptStore', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docent-transcripts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bind/cliIdFor: a Docent session maps to the CLI session holding it; binding to itself clears the alias', () => {
    const store = new TranscriptStore(dir);
    const docent = 'not-a-uuid-session';
    assert.equal(store.cliIdFor(docent), docent);
    store.bind(docent, '0b0e0f0a-0000-4000-8000-000000000001');
    assert.equal(new TranscriptStore(dir).cliIdFor(docent), '0b0e0f0a-0000-4000-8000-000000000001', 'persisted');
    store.bind(docent, docent);
    assert.equal(store.resolve(docent), undefined);
  });

  it('newCliIdFor: reuses a UUID session id when free, else draws a new one', () => {
    const store = new TranscriptStore(dir);
    const id = '0b0e0f0a-0000-4000-8000-000000000002';
    assert.equal(store.newCliIdFor(id), id);
    assert.notEqual(store.newCliIdFor('bogus'), 'bogus');
  });

  it('readable: a transcript whose first line is a JSON object; missing, empty or garbled ones are not', () => {
    const store = new TranscriptStore(dir);
    const project = path.join(dir, 'projects', 'p');
    mkdirSync(project, { recursive: true });
    const write = (n: number, text: string) => {
      const id = `0b0e0f0a-0000-4000-8000-00000000010${n}`;
      writeFileSync(path.join(project, `${id}.jsonl`), text);
      return id;
    };
    assert.equal(store.readable('0b0e0f0a-0000-4000-8000-000000000199'), false, 'missing');
    assert.equal(store.readable('not-a-uuid'), false);
    assert.equal(store.readable(write(1, '')), false, 'empty');
    assert.equal(store.readable(write(2, 'not a transcript\n')), false, 'garbled');
    assert.equal(store.readable(write(3, '[1,2]\n')), false, 'not an object');
    assert.equal(store.readable(write(4, '{"type":"user","sessionId":"x"}\n{"type":"assistant"}\n')), true);
    assert.equal(
      store.readable(write(5, `{"big":"${'x'.repeat(70 * 1024)}"}\n`)),
      true,
      'a long first line is left to the CLI',
    );
  });

  it('resumePoint: a failed turn’s prompt is cut off at its parent entry; a kept turn, a missing or torn prompt is not', () => {
    const store = new TranscriptStore(dir);
    const docent = 'docent-session-with-open-turns';
    const cli = '0b0e0f0a-0000-4000-8000-000000000301';
    const project = path.join(dir, 'projects', 'p');
    mkdirSync(project, { recursive: true });
    const ids = ['0b0e0f0a-0000-4000-8000-0000000003a1', '0b0e0f0a-0000-4000-8000-0000000003a2'];
    const prompt = '0b0e0f0a-0000-4000-8000-0000000003a3';
    const lines = [
      { type: 'user', uuid: ids[0], parentUuid: null },
      { type: 'assistant', uuid: ids[1], parentUuid: ids[0] },
      { type: 'user', uuid: prompt, parentUuid: ids[1] },
    ];
    writeFileSync(path.join(project, `${cli}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    store.bind(docent, cli);
    assert.deepEqual(store.resumePoint(docent), { cli });

    store.openTurn(docent, prompt);
    assert.deepEqual(store.resumePoint(docent), { cli, at: ids[1] }, 'the failed turn is left out');
    assert.deepEqual(new TranscriptStore(dir).resumePoint(docent), { cli, at: ids[1] }, 'kept across restarts');
    store.keepTurn(docent);
    assert.deepEqual(store.resumePoint(docent), { cli }, 'a kept turn stays');

    store.openTurn(docent, ids[0]);
    assert.deepEqual(store.resumePoint(docent), { cli, at: null }, 'the first turn failed: nothing is kept');
    store.openTurn(docent, '0b0e0f0a-0000-4000-8000-0000000003ff');
    assert.deepEqual(store.resumePoint(docent), { cli }, 'a prompt that never reached the transcript');
    writeFileSync(path.join(project, `${cli}.jsonl`), `{"type":"user","uuid":"${prompt}","parentU`);
    store.openTurn(docent, prompt);
    assert.deepEqual(store.resumePoint(docent), { cli }, 'a torn line is not an entry');
    assert.equal(store.cliIdFor(docent), cli);
  });
});

describe('sweepResumeDirs', () => {
  it("removes the user's claude-resume-* folders no running process uses, and keeps one in use", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'docent-resume-dirs-'));
    try {
      for (const name of ['claude-resume-old', 'claude-resume-live', 'unrelated']) mkdirSync(path.join(tmp, name));
      writeFileSync(path.join(tmp, 'claude-resume-old', '.credentials.json'), '{}');
      const live = path.join(tmp, 'claude-resume-live');
      const user = spawn('sleep', ['30'], { env: { ...process.env, CLAUDE_CONFIG_DIR: live }, stdio: 'ignore' });
      await once(user, 'spawn');
      try {
        assert.equal(sweepResumeDirs(tmp), 1);
        assert.deepEqual(readdirSync(tmp).sort(), ['claude-resume-live', 'unrelated']);
      } finally {
        user.kill('SIGKILL');
        await once(user, 'exit');
      }
      assert.equal(sweepResumeDirs(tmp), 1);
      assert.deepEqual(readdirSync(tmp), ['unrelated']);
      assert.equal(isResumeConfigDir(live, tmp), true);
      assert.equal(isResumeConfigDir(path.join(tmp, 'unrelated'), tmp), false);
      assert.equal(isResumeConfigDir(path.join(tmp, 'x', 'claude-resume-y'), tmp), false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
