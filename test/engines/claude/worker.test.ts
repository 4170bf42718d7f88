import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent } from '../../../src/engines/types.ts';
import { BackgroundStartError } from '../../../src/pool/index.ts';
import { type AgentWorker, createHarness, type Harness, pidOf, runTurn, startWorker, textOf } from './harness.ts';

describe('ClaudeWorker (real CLI against the model stub)', { timeout: 180_000 }, () => {
  let h: Harness;
  const workers: AgentWorker[] = [];
  const track = (w: AgentWorker) => {
    workers.push(w);
    return w;
  };

  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
    await h.cleanup();
  });

  it('runTurn: a spare takes a new session and answers a follow-up turn in the same process', async () => {
    const worker = track(await startWorker(h.engine, 'employee'));
    const pid = pidOf(worker);
    const session = { id: randomUUID(), isNew: true };
    const first = await runTurn(worker, session, 'hello');
    assert.deepEqual(first[0], { type: 'session', sessionId: session.id, isNew: true });
    assert.match(textOf(first), /user turn 1: hello/);
    const done = first.at(-1);
    assert.equal(done?.type, 'done');
    assert.ok(done?.type === 'done' && done.durationMs >= 0 && done.turns === 1);

    const second = await runTurn(worker, { id: session.id, isNew: false }, 'again');
    assert.deepEqual(second[0], { type: 'session', sessionId: session.id, isNew: false });
    assert.match(textOf(second), /user turn 2: again/);
    assert.equal(pidOf(worker), pid, 'the follow-up ran in the same CLI process');
    assert.ok(worker.isAlive());
    assert.ok((worker.memoryBytes() ?? 0) > 10 * 1024 * 1024, 'RSS is read from /proc');
    assert.equal(worker.readyAfterMs?.(), 0, 'a spare was ready when its start resolved');

    // The same session continues on another worker, started to resume it, with its history.
    await worker.close();
    assert.equal(worker.isAlive(), false);
    const other = track(await startWorker(h.engine, 'employee', { id: session.id, isNew: false }));
    assert.notEqual(pidOf(other), pid);
    const third = await runTurn(other, { id: session.id, isNew: false }, 'still there?');
    assert.deepEqual(third[0], { type: 'session', sessionId: session.id, isNew: false });
    assert.match(textOf(third), /user turn 3: still there\?/);
    // Its start resolved before the CLI was up; it says when the CLI was ready, for the pool's cost estimate.
    const readyAfter = other.readyAfterMs?.();
    assert.ok(readyAfter !== undefined && readyAfter > 0, `ready after ${readyAfter} ms`);
    await other.close();
  });

  /**
   * One turn whose reply the stub holds: closed until the session event was
   * seen, then paused after two of its five deltas until the first text event
   * was seen. Ordering, not timing: a session event that waited for the model,
   * or text that waited for the whole block, would only come once the
   * fail-safe opened the stub, and the flags would say so.
   */
  async function heldTurn(worker: AgentWorker, session: { id: string; isNew: boolean }, message: string) {
    let sessionWhileModelHeld = false;
    let textWhileReplyPaused = false;
    let modelOpen = false;
    let replyResumed = false;
    let openModel!: () => void;
    let resumeReply!: () => void;
    const gate = new Promise<void>((resolve) => {
      openModel = () => {
        modelOpen = true;
        resolve();
      };
    });
    const until = new Promise<void>((resolve) => {
      resumeReply = () => {
        replyResumed = true;
        resolve();
      };
    });
    const failSafe = setTimeout(() => {
      openModel();
      resumeReply();
    }, 20_000);
    const text = `A streamed answer to ${message}, sent in five pieces.`;
    const from = h.stub.requests.length;
    h.stub.enqueue({ text, chunks: 5, gate, pauseAfterChunk: { after: 2, until } });
    const events: AgentEvent[] = [];
    try {
      for await (const event of worker.runTurn({
        session,
        userId: 'u1',
        input: { message },
        signal: new AbortController().signal,
      })) {
        events.push(event);
        if (event.type === 'session' && events.length === 1) {
          sessionWhileModelHeld = !modelOpen;
          openModel();
        }
        if (event.type === 'text' && !replyResumed) {
          const request = h.stub.requests[from];
          textWhileReplyPaused = request?.textDeltasSent === 2 && !request.finished;
          resumeReply();
        }
      }
    } finally {
      clearTimeout(failSafe);
    }
    assert.ok(sessionWhileModelHeld, 'the session event came before the model answered');
    assert.ok(textWhileReplyPaused, 'the first text came while the model was still streaming');
    assert.equal(textOf(events), text, 'the answer is the streamed text, once');
    assert.equal(events.filter((e) => e.type === 'session').length, 1);
    assert.ok(events.filter((e) => e.type === 'text').length >= 2, 'text came in pieces');
    assert.equal(events.at(-1)?.type, 'done');
    return events;
  }

  it('runTurn: the session event comes at once and text streams as the model writes it (first turn, warm follow-up, cold resume)', async () => {
    const session = { id: randomUUID(), isNew: true };
    const spare = track(await startWorker(h.engine, 'employee'));
    const first = await heldTurn(spare, session, 'one');
    assert.deepEqual(first[0], { type: 'session', sessionId: session.id, isNew: true });
    const warm = await heldTurn(spare, { id: session.id, isNew: false }, 'two');
    assert.deepEqual(warm[0], { type: 'session', sessionId: session.id, isNew: false });
    await spare.close();
    const resumed = { id: session.id, isNew: false };
    const cold = track(await startWorker(h.engine, 'employee', resumed));
    const third = await heldTurn(cold, resumed, 'three');
    assert.deepEqual(third[0], { type: 'session', sessionId: session.id, isNew: false });
    assert.equal(h.stub.requests.at(-1)?.userTurns, 3, 'the cold worker resumed the history');
    await cold.close();
  });

  it('start: resuming an unknown session starts a new conversation under the same id and says why', async () => {
    const before = h.engine.stats().resumeFallbacks;
    const session = { id: randomUUID(), isNew: false };
    const worker = track(await startWorker(h.engine, 'employee', session));
    const events = await runTurn(worker, session, 'anyone?');
    const first = events[0];
    assert.equal(first?.type, 'session');
    assert.ok(first?.type === 'session');
    assert.equal(first.sessionId, session.id);
    assert.equal(first.isNew, true);
    assert.equal(first.resumed, false);
    assert.match(first.reason ?? '', /No conversation found/);
    assert.match(textOf(events), /user turn 1: anyone\?/);
    assert.equal(h.engine.stats().resumeFallbacks, before + 1);
    // The new conversation lives under the same id: a later resume finds it.
    await worker.close();
    const again = track(await startWorker(h.engine, 'employee', { id: session.id, isNew: false }));
    const next = await runTurn(again, { id: session.id, isNew: false }, 'and now?');
    assert.deepEqual(next[0], { type: 'session', sessionId: session.id, isNew: false });
    assert.match(textOf(next), /user turn 2: and now\?/);
    await again.close();
  });

  it('runTurn: a transcript that exists but cannot be resumed falls back to a new conversation under the same id', async () => {
    const id = randomUUID();
    const broken = path.join(h.dataDir, 'claude', 'projects', 'some-project');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, `${id}.jsonl`), 'not a transcript\n');
    const worker = track(await startWorker(h.engine, 'employee', { id, isNew: false }));
    const events = await runTurn(worker, { id, isNew: false }, 'hello again');
    const first = events[0];
    assert.ok(first?.type === 'session' && first.isNew && first.resumed === false, JSON.stringify(events));
    assert.match(first.reason ?? '', /No conversation found/);
    assert.match(textOf(events), /user turn 1: hello again/);
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal(existsSync(path.join(broken, `${id}.jsonl`)), false, 'the replaced transcript does not linger');
    await worker.close();
    const next = track(await startWorker(h.engine, 'employee', { id, isNew: false }));
    const later = await runTurn(next, { id, isNew: false }, 'and later');
    assert.deepEqual(later[0], { type: 'session', sessionId: id, isNew: false });
    assert.match(textOf(later), /user turn 2: and later/);
    await next.close();
  });

  it('runTurn: an aborted turn is interrupted, ends with an error event, and the worker stays warm', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    const pid = pidOf(worker);
    h.stub.enqueue({ text: 'partial answer', hang: true });
    const controller = new AbortController();
    const events = [];
    for await (const event of worker.runTurn({
      session,
      userId: 'u1',
      input: { message: 'slow' },
      signal: controller.signal,
    })) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }
    const last = events.at(-1);
    assert.equal(last?.type, 'error');
    assert.ok(last?.type === 'error' && last.code === 'interrupted' && last.message.length > 0);
    assert.ok(worker.isAlive());
    const next = await runTurn(worker, { id: session.id, isNew: false }, 'next');
    assert.equal(next.at(-1)?.type, 'done');
    assert.match(textOf(next), /next/);
    assert.equal(pidOf(worker), pid);
    await worker.close();
  });

  it('runTurn: API errors (401, 529) become error events with the API message and the worker stays usable', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    // The CLI retries a 401 once itself: answer every request of this turn with 401.
    h.stub.setScript((r) =>
      r.lastUserText.includes('who am I') ? { status: 401, errorMessage: 'invalid x-api-key' } : undefined,
    );
    const unauthorised = await runTurn(worker, session, 'who am I');
    h.stub.setScript(undefined);
    const authError = unauthorised.at(-1);
    assert.ok(authError?.type === 'error', JSON.stringify(unauthorised));
    assert.ok(authError.message.length > 0);
    assert.match(authError.message, /401|authenticat|api key/i);

    const overloadedFrom = h.stub.requests.length;
    h.stub.enqueue({ status: 529, errorMessage: 'Overloaded' }, { status: 529 }, { status: 529 });
    const overloaded = await runTurn(worker, { id: session.id, isNew: false }, 'busy?');
    const overloadError = overloaded.at(-1);
    assert.ok(overloadError?.type === 'error', JSON.stringify(overloaded));
    assert.match(overloadError.message, /529|overloaded/i);
    assert.equal(h.stub.requests.length - overloadedFrom, 3, 'one request and two retries');
    assert.ok(worker.isAlive());

    h.stub.enqueue({ status: 529 });
    const recovered = await runTurn(worker, { id: session.id, isNew: false }, 'now?');
    assert.equal(recovered.at(-1)?.type, 'done', 'a transient failure before streaming is retried');
    assert.match(textOf(recovered), /now\?/);
    await worker.close();
  });

  it('runTurn: a failure after text was streamed stops the turn rather than retrying it (nothing is repeated)', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    // The connection drops in the middle of the answer: what was streamed stays, the request is not retried.
    h.stub.enqueue({ text: 'the first half of an answer', chunks: 3, chunkDelayMs: 20, dropAfterText: true });
    const cutFrom = h.stub.requests.length;
    const cut = await runTurn(worker, session, 'tell me');
    // What streamed before the cut (the last piece may be lost with the connection), never more.
    const shown = textOf(cut);
    assert.ok(shown.length > 0 && 'the first half of an answer'.startsWith(shown), JSON.stringify(cut));
    const cutEnd = cut.at(-1);
    assert.ok(cutEnd?.type === 'error' && cutEnd.code === 'model_stream_failed', JSON.stringify(cut));
    assert.equal(h.stub.requests.length - cutFrom, 1, 'the cut request was not retried');

    // A text block and a tool call reach the caller, then the next request fails: no retry.
    h.stub.enqueue(
      { text: 'Let me look that up.', toolUse: { name: 'mcp__kb__search', input: { query: 'x' } } },
      { status: 529, errorMessage: 'Overloaded' },
    );
    const from = h.stub.requests.length;
    const stopped = await runTurn(worker, { id: session.id, isNew: false }, 'look it up');
    assert.equal(stopped.filter((e) => e.type === 'tool_use').length, 1, 'the tool call is reported once');
    assert.equal(textOf(stopped), 'Let me look that up.');
    const last = stopped.at(-1);
    assert.ok(last?.type === 'error' && last.code === 'model_stream_failed', JSON.stringify(stopped));
    assert.equal(stopped.filter((e) => e.type === 'error').length, 1);
    assert.equal(h.stub.requests.length - from, 2, 'the failed request was not retried');

    const next = await runTurn(worker, { id: session.id, isNew: false }, 'go on');
    assert.equal(next.at(-1)?.type, 'done');
    await worker.close();
  });

  it('runTurn: a CLI that dies before it ever answered is a failed start (BackgroundStartError), not a crash mid-turn', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    process.kill(pidOf(worker), 'SIGKILL'); // before the CLI said anything
    await assert.rejects(runTurn(worker, session, 'hello?'), (error: unknown) => {
      assert.ok(error instanceof BackgroundStartError, String(error));
      assert.match(error.message, /did not start: .*(SIGKILL|exited|terminated)/);
      return true;
    });
    assert.equal(worker.readyAfterMs?.(), undefined);
    assert.equal(worker.isAlive(), false);
    await worker.close();
  });

  it('runTurn: SIGKILL of the CLI mid-turn makes the turn throw at once and the worker reports dead', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    const pid = pidOf(worker);
    h.stub.enqueue({ text: 'about to die', hang: true });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const event of worker.runTurn({
        session,
        userId: 'u1',
        input: { message: 'x' },
        signal: new AbortController().signal,
      })) {
        seen.push(event.type);
        if (event.type === 'text') process.kill(pid, 'SIGKILL');
      }
    }, /SIGKILL|exited|terminated/);
    assert.ok(seen.includes('session'));
    assert.equal(worker.isAlive(), false);
    await worker.close();
  });
});
