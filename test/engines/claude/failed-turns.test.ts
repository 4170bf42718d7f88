/**
 * What the model sees after a turn that did not end well, read from the
 * model stub's request log (real CLI): a failed turn leaves no trace, a turn
 * the caller interrupted is marked once, the way the CLI itself marks it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent } from '../../../src/engines/types.ts';
import { type AgentWorker, createHarness, type Harness, pidOf, runTurn, startWorker } from './harness.ts';

const INTERRUPT_MARK = '[Request interrupted by user]';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Failed and interrupted turns (real CLI against the model stub)', { timeout: 180_000 }, () => {
  let h: Harness;
  const workers: AgentWorker[] = [];
  const track = (w: AgentWorker) => {
    workers.push(w);
    return w;
  };
  const lastRequestFor = (text: string) => {
    const request = h.stub.requests.findLast((r) => r.lastUserText.includes(text));
    assert.ok(request, `a request for "${text}" reached the model`);
    return request;
  };
  /** The transcripts' text, to show a failed prompt was written (so leaving it out was work). */
  const transcriptsText = () => {
    const projects = path.join(h.dataDir, 'claude', 'projects');
    return readdirSync(projects)
      .flatMap((p) =>
        readdirSync(path.join(projects, p))
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => readFileSync(path.join(projects, p, f), 'utf8')),
      )
      .join('\n');
  };

  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
    await h.cleanup();
  });

  it('a turn failed by the API (401, 529, a retry stopped mid-answer) is left out of the next request', async () => {
    const session = { id: randomUUID(), isNew: true };
    const again = { id: session.id, isNew: false };
    const worker = track(await startWorker(h.engine, 'employee', session));
    assert.equal((await runTurn(worker, session, 'first question')).at(-1)?.type, 'done');

    h.stub.setScript((r) => (r.lastUserText.includes('ERR401') ? { status: 401, errorMessage: 'bad key' } : undefined));
    assert.equal((await runTurn(worker, again, 'please ERR401 now')).at(-1)?.type, 'error');
    h.stub.setScript(undefined);
    assert.equal((await runTurn(worker, again, 'after the 401')).at(-1)?.type, 'done');
    assert.deepEqual(lastRequestFor('after the 401').userTexts, ['first question', 'after the 401']);

    h.stub.enqueue({ status: 529 }, { status: 529 }, { status: 529 });
    assert.equal((await runTurn(worker, again, 'overloaded one')).at(-1)?.type, 'error');
    h.stub.enqueue({ text: 'half of it', chunks: 2, chunkDelayMs: 20, dropAfterText: true });
    const cut = await runTurn(worker, again, 'cut one');
    const cutEnd = cut.at(-1);
    assert.ok(cutEnd?.type === 'error' && cutEnd.code === 'model_stream_failed', JSON.stringify(cut));

    assert.equal((await runTurn(worker, again, 'after the failures')).at(-1)?.type, 'done');
    assert.deepEqual(lastRequestFor('after the failures').userTexts, [
      'first question',
      'after the 401',
      'after the failures',
    ]);
    const body = JSON.stringify(lastRequestFor('after the failures').body.messages);
    assert.doesNotMatch(body, /half of it|API Error/, 'no failed answer or error text reaches the model');
    assert.match(transcriptsText(), /please ERR401 now/, 'the failed prompt was in the transcript');

    // A later process resuming the session sees the same conversation.
    await worker.close();
    const resumed = track(await startWorker(h.engine, 'employee', again));
    assert.equal((await runTurn(resumed, again, 'after a resume')).at(-1)?.type, 'done');
    assert.deepEqual(lastRequestFor('after a resume').userTexts, [
      'first question',
      'after the 401',
      'after the failures',
      'after a resume',
    ]);
  });

  it('when the first turn fails, the next one starts the conversation afresh', async () => {
    const session = { id: randomUUID(), isNew: true };
    const worker = track(await startWorker(h.engine, 'employee', session));
    h.stub.enqueue({ status: 529 }, { status: 529 }, { status: 529 });
    assert.equal((await runTurn(worker, session, 'doomed first')).at(-1)?.type, 'error');
    const events = await runTurn(worker, { id: session.id, isNew: false }, 'second try');
    assert.equal(events.at(-1)?.type, 'done', JSON.stringify(events));
    assert.deepEqual(lastRequestFor('second try').userTexts, ['second try']);
  });

  it('a turn the caller interrupted is marked once, as the CLI marks it, and kept with its partial answer', async () => {
    const session = { id: randomUUID(), isNew: true };
    const again = { id: session.id, isNew: false };
    const worker = track(await startWorker(h.engine, 'employee', session));
    const pid = pidOf(worker);
    assert.equal((await runTurn(worker, session, 'first question')).at(-1)?.type, 'done');
    h.stub.enqueue({ text: 'partial', hang: true });
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    for await (const event of worker.runTurn({
      session: again,
      userId: 'u1',
      input: { message: 'slow one' },
      signal: controller.signal,
    })) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }
    const end = events.at(-1);
    assert.ok(end?.type === 'error' && end.code === 'interrupted', JSON.stringify(events));
    assert.equal((await runTurn(worker, again, 'after the interrupt')).at(-1)?.type, 'done');
    assert.equal(pidOf(worker), pid, 'an interrupt keeps the process warm');
    const request = lastRequestFor('after the interrupt');
    assert.deepEqual(request.userTexts, ['first question', 'slow one', `${INTERRUPT_MARK}\nafter the interrupt`]);
    assert.equal(JSON.stringify(request.body.messages).split(INTERRUPT_MARK).length - 1, 1, 'marked once');
    assert.match(JSON.stringify(request.body.messages), /"partial"/);
  });

  it('a CLI killed mid-turn: the process that resumes the session leaves the killed turn out', async () => {
    const session = { id: randomUUID(), isNew: true };
    const again = { id: session.id, isNew: false };
    const worker = track(await startWorker(h.engine, 'employee', session));
    assert.equal((await runTurn(worker, session, 'first question')).at(-1)?.type, 'done');
    h.stub.enqueue({ text: 'about to die', hang: true });
    const turn = (async () => {
      for await (const _ of worker.runTurn({
        session: again,
        userId: 'u1',
        input: { message: 'KILL-ME prompt' },
        signal: new AbortController().signal,
      }));
    })();
    // Killed once the prompt is in the transcript, so the resume has something to leave out.
    for (let i = 0; i < 500 && !transcriptsText().includes('KILL-ME prompt'); i++) await sleep(10);
    assert.match(transcriptsText(), /KILL-ME prompt/);
    process.kill(pidOf(worker), 'SIGKILL');
    await assert.rejects(turn, /SIGKILL|exited|terminated/);
    await worker.close();

    const resumed = track(await startWorker(h.engine, 'employee', again));
    assert.equal((await runTurn(resumed, again, 'after the crash')).at(-1)?.type, 'done');
    assert.deepEqual(lastRequestFor('after the crash').userTexts, ['first question', 'after the crash']);
  });
});
