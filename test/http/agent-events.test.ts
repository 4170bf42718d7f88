import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterToolInput, stripMetadataFences, toWireEvent } from '../../src/http/agent-events.ts';

test('filterToolInput() keeps the listed keys and cuts long strings at 200 characters plus "..."', () => {
  const long = 'p'.repeat(250);
  assert.deepEqual(filterToolInput({ file_path: 'a.md', pattern: long, limit: 5, secret: 'x' }), {
    file_path: 'a.md',
    pattern: `${'p'.repeat(200)}...`,
  });
});

test('filterToolInput() replaces file_text and content by their length', () => {
  assert.deepEqual(filterToolInput({ path: 'x.md', file_text: 'abc', content: 'hello' }), {
    path: 'x.md',
    file_text: '(3 chars)',
    content: '(5 chars)',
  });
});

test('filterToolInput() falls back to _raw with the first 100 characters', () => {
  const out = filterToolInput({ question: 'q'.repeat(300) });
  assert.deepEqual(Object.keys(out), ['_raw']);
  assert.equal((out._raw as string).length, 100);
  assert.ok((out._raw as string).startsWith('{"question":"qqq'));
});

test('stripMetadataFences() removes metadata fences holding a JSON object only', () => {
  const text = 'Answer.\n```metadata\n{"sources":["a.md"]}\n```\nMore.\n```json\n{"example":1}\n```';
  assert.equal(stripMetadataFences(text), 'Answer.\nMore.\n```json\n{"example":1}\n```');
  const notJson = '```metadata\nnot json\n```';
  assert.equal(stripMetadataFences(notJson), notJson);
});

test('toWireEvent() maps every AgentEvent to the EFKA event shape', () => {
  assert.deepEqual(toWireEvent({ type: 'session', sessionId: 's', isNew: false }, { stripMetadata: false }), {
    type: 'session',
    session_id: 's',
    is_new: false,
  });
  assert.deepEqual(
    toWireEvent(
      { type: 'session', sessionId: 's', isNew: true, resumed: false, reason: 'transcript lost' },
      { stripMetadata: false },
    ),
    { type: 'session', session_id: 's', is_new: true, resumed: false, reason: 'transcript lost' },
  );
  assert.deepEqual(toWireEvent({ type: 'text', text: 'hi' }, { stripMetadata: true }), {
    type: 'message',
    content: 'hi',
  });
  assert.deepEqual(toWireEvent({ type: 'done', durationMs: 12.6, turns: 2 }, { stripMetadata: false }), {
    type: 'done',
    duration_ms: 13,
  });
  assert.deepEqual(
    toWireEvent({ type: 'tool_use', id: 'i', tool: 'Grep', input: { glob: '*.md' } }, { stripMetadata: false }),
    {
      type: 'tool_use',
      id: 'i',
      tool: 'Grep',
      input: { glob: '*.md' },
    },
  );
});

test('toWireEvent() never sends an empty error message, and drops a text left empty by stripping', () => {
  assert.deepEqual(toWireEvent({ type: 'error', message: '  ' }, { stripMetadata: false }), {
    type: 'error',
    message: 'The agent failed without saying why',
  });
  assert.equal(toWireEvent({ type: 'text', text: '```metadata\n{"a":1}\n```\n' }, { stripMetadata: true }), undefined);
});
