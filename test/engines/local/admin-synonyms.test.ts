// The admin teaches a wording the documents do not use; the employee's next question meets it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalWorkerFactory } from '../../../src/engines/local/index.ts';
import type { AgentEvent, Role, TurnInput } from '../../../src/engines/types.ts';
import type { PoolWorker } from '../../../src/pool/worker.ts';
import { type TempKb, tempKb } from '../../fixtures/kb-fixtures.ts';

const DISPATCH = '# Dispatch\n\n## Bays\n\nThe yard marshal assigns every trailer a loading bay before 06:00.\n';

describe('an admin adding synonyms in chat (offline engine)', () => {
  let t: TempKb;
  const workers: PoolWorker<TurnInput, AgentEvent>[] = [];
  before(async () => {
    t = await tempKb({ files: { 'ops/dispatch.md': DISPATCH } });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await t.cleanup();
  });

  async function say(role: Role, message: string) {
    const factory = createLocalWorkerFactory({ kb: t.kb, role, resolveUpload: async () => undefined });
    const worker = await factory.start({ signal: new AbortController().signal, session: { id: role, isNew: true } });
    workers.push(worker);
    const events: AgentEvent[] = [];
    for await (const event of worker.runTurn({
      session: { id: role, isNew: false },
      userId: 'u1',
      input: { message },
      signal: new AbortController().signal,
    })) {
      events.push(event);
    }
    return {
      text: events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join(''),
      tools: events.flatMap((e) => (e.type === 'tool_use' ? [e.tool] : [])),
      errors: events.flatMap((e) => (e.type === 'error' ? [e] : [])),
    };
  }

  it('writes the row to .docent/synonyms.md and the next question meets the documents through it', async () => {
    const question = 'Who is the gatekeeper?';
    assert.match((await say('employee', question)).text, /could not find/);

    const added = await say('admin', 'add synonym gatekeeper = yard marshal, dock boss');
    assert.deepEqual(added.tools, ['add_synonyms']);
    assert.match(added.text, /Added to \.docent\/synonyms\.md: "gatekeeper" = "yard marshal", "dock boss"/);
    const file = await readFile(path.join(t.root, '.docent/synonyms.md'), 'utf8');
    assert.match(file, /^\| term \| same as \|$/m);
    assert.match(file, /^\| gatekeeper \| yard marshal, dock boss \|$/m);

    const answer = await say('employee', question);
    assert.match(answer.text, /The yard marshal assigns every trailer/);
    assert.match(answer.text, /ops\/dispatch\.md:\d+-\d+/);
  });

  it('adds only what the row lacks, in Chinese too, and says when nothing changed', async () => {
    const again = await say('admin', 'Add synonyms: Gatekeeper = Yard Marshal');
    assert.match(again.text, /already has every one of these wordings/);
    const zh = await say('admin', '添加同义词 gatekeeper = 门卫、调度员');
    assert.match(zh.text, /已写入 \.docent\/synonyms\.md："gatekeeper" = "门卫", "调度员"/);
    const file = await readFile(path.join(t.root, '.docent/synonyms.md'), 'utf8');
    assert.equal(file.match(/^\| gatekeeper \|/gm)?.length, 1);
    assert.match(file, /^\| gatekeeper \| yard marshal, dock boss, 门卫, 调度员 \|$/m);
  });

  it('refuses a wording that would break the table, and writes nothing', async () => {
    const before = await readFile(path.join(t.root, '.docent/synonyms.md'), 'utf8');
    const chat = await say('admin', 'add synonym a|b = c');
    assert.deepEqual(chat.errors, []);
    assert.match(chat.text, /^Nothing was added\. Invalid synonyms \(term\): a wording holds no \|/);
    const bad = await t.kb.addSynonyms({ term: 'a | b', sameAs: ['c'] }).catch((e: unknown) => e);
    assert.equal((bad as { code?: string }).code, 'KB_INPUT_INVALID');
    const long = await t.kb.addSynonyms({ term: 'x', sameAs: ['y'.repeat(81)] }).catch((e: unknown) => e);
    assert.equal((long as { code?: string }).code, 'KB_INPUT_INVALID');
    assert.equal(await readFile(path.join(t.root, '.docent/synonyms.md'), 'utf8'), before);
  });
});
