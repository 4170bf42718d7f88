import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AgentEvent } from '../../../src/engines/types.ts';
import {
  type AgentWorker,
  childrenOf,
  commandLine,
  createHarness,
  type Harness,
  processExists,
  runTurn,
  startWorker,
  textOf,
} from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The tool_result blocks the model was sent in a request. */
function toolResults(h: Harness, index: number): Array<{ content: unknown; is_error?: boolean }> {
  const messages = h.stub.requests[index]?.body.messages ?? [];
  return messages.flatMap((m) =>
    typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'tool_result'),
  ) as unknown as Array<{ content: unknown; is_error?: boolean }>;
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && processExists(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !processExists(pid);
}

describe('Claude engine (real CLI against the model stub)', { timeout: 180_000 }, () => {
  let h: Harness;
  let worker: AgentWorker;
  const session = { id: randomUUID(), isNew: true };

  before(async () => {
    h = await createHarness();
    worker = await startWorker(h.engine, 'employee', session);
  });
  after(async () => {
    await worker?.close();
    await h.cleanup();
  });

  it('runTurn: the agent calls the knowledge-base MCP tools and the turn reports the tool use', async () => {
    h.stub.enqueue({ text: '', toolUse: { name: 'mcp__kb__search', input: { query: 'annual leave' } } });
    const from = h.stub.requests.length;
    const events = await runTurn(worker, session, 'how much leave?');
    const toolUse = events.find((e): e is Extract<AgentEvent, { type: 'tool_use' }> => e.type === 'tool_use');
    assert.equal(toolUse?.tool, 'mcp__kb__search');
    assert.deepEqual(toolUse?.input, { query: 'annual leave' });
    assert.deepEqual(
      h.kb.calls.filter((c) => c.method === 'search').map((c) => c.args[0]),
      ['annual leave'],
    );
    const results = toolResults(h, from + 1);
    assert.match(JSON.stringify(results.at(-1)), /guide\.md/);
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('canUseTool guard: reading inside the knowledge base works, outside it is refused', async () => {
    const inside = path.join(h.config.kbRoot, 'guide.md');
    h.stub.enqueue({ text: '', toolUse: { name: 'Read', input: { file_path: inside } } });
    let from = h.stub.requests.length;
    await runTurn(worker, { id: session.id, isNew: false }, 'read the guide');
    assert.match(JSON.stringify(toolResults(h, from + 1).at(-1)), /Twenty days a year/);

    h.stub.enqueue({ text: '', toolUse: { name: 'Read', input: { file_path: '/etc/passwd' } } });
    from = h.stub.requests.length;
    await runTurn(worker, { id: session.id, isNew: false }, 'read passwd');
    const refused = JSON.stringify(toolResults(h, from + 1).at(-1));
    assert.doesNotMatch(refused, /root:x:0:0/);
    assert.match(refused, /outside the knowledge base/);
    assert.equal(h.engine.stats().toolDenials, 1);
  });

  it('canUseTool guard: the employee has no Bash and no Write', async () => {
    for (const [name, input] of [
      ['Bash', { command: 'touch /tmp/docent-should-not-exist' }],
      ['Write', { file_path: path.join(h.config.kbRoot, 'new.md'), content: 'x' }],
    ] as const) {
      h.stub.enqueue({ text: '', toolUse: { name, input } });
      const from = h.stub.requests.length;
      await runTurn(worker, { id: session.id, isNew: false }, `use ${name}`);
      const result = toolResults(h, from + 1).at(-1);
      assert.equal(result?.is_error, true, `${name} must fail: ${JSON.stringify(result)}`);
    }
  });

  it('runTurn: without credentials the CLI\'s "Please run /login" becomes an error event', async () => {
    const noKey = h.newEngine({ ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: h.stub.url });
    const lone = { id: randomUUID(), isNew: true };
    const w = await startWorker(noKey, 'employee', lone);
    try {
      const events = await runTurn(w, lone, 'hello?');
      const last = events.at(-1);
      assert.ok(last?.type === 'error', JSON.stringify(events));
      assert.ok(last.message.length > 0);
      assert.equal(last.code, 'model_auth_failed');
      assert.match(last.message, /Please run \/login/);
      assert.equal(textOf(events), '', 'the login prompt is not shown as an answer');
    } finally {
      await w.close();
    }
  });

  it('factory: credentials come from ANTHROPIC_AUTH_TOKEN or the CLAUDE_API_KEY alias', async () => {
    for (const [env, header, value] of [
      [{ ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: 'token-123' }, 'authorization', 'Bearer token-123'],
      [{ ANTHROPIC_API_KEY: '', CLAUDE_API_KEY: 'alias-key-456' }, 'x-api-key', 'alias-key-456'],
    ] as const) {
      const engine = h.newEngine({ ...env, ANTHROPIC_BASE_URL: h.stub.url });
      const lone = { id: randomUUID(), isNew: true };
      const w = await startWorker(engine, 'employee', lone);
      try {
        const events = await runTurn(w, lone, 'credentials?');
        assert.equal(events.at(-1)?.type, 'done', JSON.stringify(events));
        assert.equal(h.stub.requests.at(-1)?.headers[header], value);
      } finally {
        await w.close();
      }
    }
  });

  it('reapOrphans: a start after a crashed run kills the CLI processes that run left behind', async (t) => {
    h.stub.enqueue({ text: 'still thinking', hang: true }); // the crashed run's CLI stays busy with it
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'crashing-run.ts')], {
      env: {
        ...process.env,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: h.stub.url,
        DATA_DIR: h.dataDir,
        KB_ROOT_PATH: h.config.kbRoot,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Whatever the assertions do, the simulated run must not outlive the test.
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => output.includes('\n') && resolve());
      child.once('exit', () => reject(new Error(`crashing run exited early: ${output}`)));
    });
    const orphan = Number(output.trim().split(',')[0]);
    assert.ok(orphan > 0);
    const workerDirs = () => readdirSync(path.join(h.dataDir, 'claude', 'workers'));
    const dirsWhileAlive = workerDirs();
    const crashedRunDirs = dirsWhileAlive.filter((dir) => {
      const owner = JSON.parse(readFileSync(path.join(h.dataDir, 'claude', 'workers', dir, 'owner.json'), 'utf8'));
      return owner.pid !== process.pid;
    });
    assert.equal(crashedRunDirs.length, 1);

    // While that run is alive, another run on the same data dir leaves its processes and dirs alone.
    assert.equal(await h.newEngine().reapOrphans(), 0);
    assert.equal(processExists(orphan), true);
    for (const dir of dirsWhileAlive) assert.ok(workerDirs().includes(dir), `worker dir ${dir} kept`);

    // A CLI dies with its parent through its supervising pipe (process-tracker.ts). Reaping is the
    // backstop for a CLI whose watcher is gone too: kill the watcher first, so this one outlives its parent.
    const watchers = childrenOf(orphan).filter((pid) => commandLine(pid).includes('while read'));
    assert.equal(watchers.length, 1, 'the CLI has one watcher');
    process.kill(watchers[0]!, 'SIGKILL');
    child.kill('SIGKILL');
    await once(child, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 300)); // an idle CLI would have exited by now
    assert.equal(processExists(orphan), true, 'the busy CLI without its watcher outlived its crashed parent');

    const restarted = h.newEngine();
    assert.equal(await restarted.reapOrphans(), 1);
    assert.equal(await waitGone(orphan), true, 'the orphan was killed');
    assert.equal(await restarted.reapOrphans(), 0, 'records are forgotten once reaped');
    assert.ok(!workerDirs().includes(crashedRunDirs[0]), "the crashed run's worker dirs were removed");
  });
});
