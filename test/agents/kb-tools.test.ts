// The knowledge-base tools the Claude agent gets: what they answer, called as the MCP server calls them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kbTools } from '../../src/agents/kb-tools.ts';
import type { BadCase, KnowledgeBase } from '../../src/kb/types.ts';

function toolNamed(name: string, kb: Partial<KnowledgeBase>) {
  const found = kbTools('admin', { kb: kb as KnowledgeBase, resolveUpload: async () => undefined }).find(
    (t) => t.name === name,
  );
  assert.ok(found, `no tool ${name}`);
  return found;
}

describe('list_bad_cases', () => {
  it('answers the newest hundred, newest first, with the total', async () => {
    const cases: BadCase[] = Array.from({ length: 150 }, (_, i) => ({
      date: '2026-12-01 10:00 UTC',
      question: `question ${i}`,
      answer: '-',
      feedback: '-',
      source: '-',
    }));
    const tool = toolNamed('list_bad_cases', { badCases: async () => cases });
    // One tool of a list whose handlers each take their own arguments: called with none, as this one takes.
    const handler = tool.handler as (args: object, extra: unknown) => Promise<{ content: { text?: string }[] }>;
    const result = await handler({}, {});
    const body = JSON.parse(result.content[0]?.text ?? '') as {
      total: number;
      newest_first: BadCase[];
    };
    assert.equal(body.total, 150);
    assert.equal(body.newest_first.length, 100);
    assert.equal(body.newest_first[0]?.question, 'question 149');
    assert.equal(body.newest_first.at(-1)?.question, 'question 50');
  });
});
