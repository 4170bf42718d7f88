import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { type ClaudeEngine, createClaudeEngine } from '../../../src/engines/claude/index.ts';
import type { AgentEvent } from '../../../src/engines/types.ts';
import { openKnowledgeBase } from '../../../src/kb/index.ts';
import type { KnowledgeBase } from '../../../src/kb/types.ts';
import { createLogger } from '../../../src/logger.ts';
import { type ModelStub, startModelStub } from '../../support/model-stub.ts';
import { type AgentWorker, runTurn, startWorker } from './harness.ts';

/** The text of the last tool_result the model was sent in request `index`. */
function lastToolResult(stub: ModelStub, index: number): string {
  const messages = stub.requests[index]?.body.messages ?? [];
  const results = messages
    .flatMap((m) => (typeof m.content === 'string' ? [] : m.content))
    .filter((b) => b.type === 'tool_result');
  return JSON.stringify(results.at(-1) ?? null);
}

describe('Claude agents on the real knowledge base (sample)', { timeout: 180_000 }, () => {
  let stub: ModelStub;
  let kb: KnowledgeBase;
  let engine: ClaudeEngine;
  let tmp: string;
  const workers: AgentWorker[] = [];

  before(async () => {
    stub = await startModelStub();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'docent-claude-kb-'));
    const config = loadConfig({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: stub.url,
      DATA_DIR: path.join(tmp, 'data'),
      KB_ROOT_PATH: path.join(tmp, 'kb'),
      LOG_LEVEL: 'silent',
    });
    kb = await openKnowledgeBase({
      root: config.kbRoot,
      smallFileThresholdKb: config.smallFileThresholdKb,
      faqMaxEntries: config.faqMaxEntries,
      seedFrom: path.resolve('samples/knowledge_base'),
      watch: false,
    });
    engine = createClaudeEngine({ config, kb, resolveUpload: async () => undefined, logger: createLogger('silent') });
  });
  after(async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
    await engine?.close();
    await kb?.close();
    await stub.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('employee: mcp__kb__search and mcp__kb__read_file answer from the knowledge base', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = await startWorker(engine, 'employee', session);
    workers.push(worker);
    stub.enqueue({ text: '', toolUse: { name: 'mcp__kb__search', input: { query: 'annual leave days' } } });
    let from = stub.requests.length;
    const events = await runTurn(worker, session, 'How many days of annual leave do I get?');
    assert.ok(events.some((e) => e.type === 'tool_use' && e.tool === 'mcp__kb__search'));
    assert.match(lastToolResult(stub, from + 1), /leave_policy\.md/);

    stub.enqueue({
      text: '',
      toolUse: { name: 'mcp__kb__read_file', input: { path: 'hr/leave_policy.md', startLine: 1, endLine: 5 } },
    });
    from = stub.requests.length;
    await runTurn(worker, { id: session.id, isNew: false }, 'show me the policy');
    assert.match(lastToolResult(stub, from + 1), /"startLine\\*":\s*1/);

    stub.enqueue({ text: '', toolUse: { name: 'mcp__kb__read_file', input: { path: '../../etc/passwd' } } });
    from = stub.requests.length;
    await runTurn(worker, { id: session.id, isNew: false }, 'read outside');
    const refused = lastToolResult(stub, from + 1);
    assert.match(refused, /"is_error":true/);
    assert.doesNotMatch(refused, /root:x:0:0/);
  });

  it('employee: the admin tools are not offered; admin: delete is a two-step plan', async () => {
    const employeeTools = stub.requests.at(-1)?.body.tools as Array<{ name: string }> | undefined;
    const names = (employeeTools ?? []).map((t) => t.name);
    assert.ok(names.includes('mcp__kb__search'));
    assert.ok(!names.includes('mcp__kb__confirm_delete'));
    assert.ok(!names.includes('Bash') && !names.includes('Write') && !names.includes('Edit'));

    const session = { id: randomUUID(), isNew: true };
    const admin = await startWorker(engine, 'admin', session);
    workers.push(admin);
    stub.enqueue({ text: '', toolUse: { name: 'mcp__kb__plan_delete', input: { path: 'hr/leave_policy.md' } } });
    const from = stub.requests.length;
    const events: AgentEvent[] = await runTurn(admin, session, 'delete the leave policy');
    assert.equal(events.at(-1)?.type, 'done');
    const plan = lastToolResult(stub, from + 1);
    assert.match(plan, /token/);
    assert.match(plan, /hr\/leave_policy\.md/);
    const adminTools = ((stub.requests[from]?.body.tools as Array<{ name: string }>) ?? []).map((t) => t.name);
    assert.ok(adminTools.includes('mcp__kb__confirm_delete'));
    // Nothing is deleted before confirm_delete.
    const slice = await kb.read('hr/leave_policy.md', { startLine: 1, endLine: 1 });
    assert.equal(slice.path, 'hr/leave_policy.md');
  });

  it('admin: mcp__kb__add_synonyms writes a row the next search meets; employees are not offered it', async () => {
    const employeeTools = ((stub.requests[0]?.body.tools as Array<{ name: string }>) ?? []).map((t) => t.name);
    assert.ok(!employeeTools.includes('mcp__kb__add_synonyms'));
    const session = { id: randomUUID(), isNew: true };
    const admin = await startWorker(engine, 'admin', session);
    workers.push(admin);
    stub.enqueue({
      text: '',
      toolUse: { name: 'mcp__kb__add_synonyms', input: { term: 'gatekeeper', same_as: ['sick leave'] } },
    });
    const from = stub.requests.length;
    const events = await runTurn(admin, session, 'employees say gatekeeper for sick leave, teach it');
    assert.equal(events.at(-1)?.type, 'done');
    assert.match(lastToolResult(stub, from + 1), /added[^\]]*sick leave/);
    const text = readFileSync(path.join(kb.root, '.docent/synonyms.md'), 'utf8');
    assert.match(text, /^\| gatekeeper \| sick leave \|$/m);
    const hits = await kb.search('how many gatekeeper days do I get');
    assert.equal(hits[0]?.path, 'hr/leave_policy.md');
  });
});
