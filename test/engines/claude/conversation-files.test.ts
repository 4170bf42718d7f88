/**
 * What the Claude engine keeps of conversations on disk, and how it lets go
 * of it: a replaced conversation's transcript, a forgotten session's files,
 * and the orphan sweep's rules (named, live, recent, legacy state files).
 * File system only; no CLI.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sweepOrphans } from '../../../src/engines/claude/orphan-sweep.ts';
import { TranscriptStore } from '../../../src/engines/claude/transcripts.ts';
import type { OrphanSweepRequest } from '../../../src/engines/types.ts';

const HOUR_MS = 3_600_000;

let dir: string;
let project: string;
let store: TranscriptStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'docent-conversation-files-'));
  store = new TranscriptStore(dir);
  project = path.join(dir, 'projects', '-srv-kb');
  mkdirSync(project, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a transcript (and optionally the CLI's folder beside it), last modified `ageMs` ago. */
function transcript(cli: string, options: { ageMs?: number; folder?: boolean } = {}): string {
  const file = path.join(project, `${cli}.jsonl`);
  writeFileSync(file, '{"type":"user"}\n');
  if (options.folder) {
    mkdirSync(path.join(project, cli, 'tool-results'), { recursive: true });
    writeFileSync(path.join(project, cli, 'tool-results', 'out.txt'), 'x'.repeat(10));
  }
  const at = (Date.now() - (options.ageMs ?? 0)) / 1000;
  utimesSync(file, at, at);
  if (options.folder) utimesSync(path.join(project, cli), at, at);
  return file;
}

const stateFiles = () => readdirSync(path.join(dir, 'session-aliases'));

function ageStates(ageMs: number): void {
  const at = (Date.now() - ageMs) / 1000;
  for (const name of stateFiles()) utimesSync(path.join(dir, 'session-aliases', name), at, at);
}

function request(known: readonly string[], overrides: Partial<OrphanSweepRequest> = {}): OrphanSweepRequest {
  const now = Date.now();
  return {
    limit: 200,
    known: async (ids) => new Set(ids.filter((id) => known.includes(id))),
    untouchedBefore: now - HOUR_MS,
    expiredBefore: now - 24 * HOUR_MS,
    ...overrides,
  };
}

describe('TranscriptStore', () => {
  it('bind() to a new CLI conversation deletes the transcript and folder of the one it replaces', () => {
    const session = randomUUID();
    const first = randomUUID();
    const kept = transcript(randomUUID());
    const replaced = transcript(first, { folder: true });
    store.bind(session, first);
    assert.ok(existsSync(replaced), 'binding the first conversation removes nothing');
    store.bind(session, randomUUID());
    assert.equal(existsSync(replaced), false);
    assert.equal(existsSync(path.join(project, first)), false);
    assert.ok(existsSync(kept), "another conversation's transcript stays");
  });

  it('bind() over a session whose transcript is under its own id deletes that one', () => {
    const session = randomUUID();
    const own = transcript(session);
    store.bind(session, randomUUID());
    assert.equal(existsSync(own), false);
  });

  it('forget() deletes the transcripts under the alias and the session id, the folder beside, and the state file', async () => {
    const session = randomUUID();
    const cli = randomUUID();
    transcript(session);
    store.bind(session, cli);
    transcript(cli, { folder: true });
    transcript(session);
    store.openTurn(session, randomUUID());
    const other = transcript(randomUUID());
    const removed = await store.forget(session);
    assert.deepEqual(removed.files, 4, 'two transcripts, one file in the folder, the state file');
    assert.ok(removed.bytes > 0);
    assert.deepEqual(readdirSync(project), [path.basename(other)]);
    assert.deepEqual(stateFiles(), []);
    assert.deepEqual(await store.forget(session), { files: 0, bytes: 0 }, 'nothing left the second time');
  });

  it('usage() counts the transcripts, the folders beside them and the state files', async () => {
    const session = randomUUID();
    store.bind(session, randomUUID());
    transcript(randomUUID(), { folder: true });
    const usage = await store.usage();
    assert.equal(usage.files, 3);
    assert.ok(usage.bytes > 10);
  });
});

describe('sweepOrphans', () => {
  const none = () => new Set<string>();

  it('deletes an old transcript nothing names, and keeps a recent one and the named ones', async () => {
    const orphan = transcript(randomUUID(), { ageMs: 2 * HOUR_MS, folder: true });
    const recent = transcript(randomUUID(), { ageMs: 60_000 });
    const ownId = randomUUID();
    const named = transcript(ownId, { ageMs: 2 * HOUR_MS });
    const aliased = randomUUID();
    const session = randomUUID();
    store.bind(session, aliased);
    const viaState = transcript(aliased, { ageMs: 2 * HOUR_MS });
    ageStates(2 * HOUR_MS);

    const removed = await sweepOrphans({ transcripts: store, live: none }, request([ownId, session]));
    assert.equal(removed.files, 2, 'the transcript and the file in its folder');
    assert.equal(existsSync(orphan), false);
    for (const file of [recent, named, viaState]) assert.ok(existsSync(file), file);
    assert.equal(stateFiles().length, 1);
  });

  it('deletes the state file of a session without a record, and then the transcript it pointed at', async () => {
    const session = randomUUID();
    const cli = randomUUID();
    store.bind(session, cli);
    const file = transcript(cli, { ageMs: 2 * HOUR_MS });
    ageStates(2 * HOUR_MS);
    const removed = await sweepOrphans({ transcripts: store, live: none }, request([]));
    assert.equal(removed.files, 2);
    assert.equal(existsSync(file), false);
    assert.deepEqual(stateFiles(), []);
  });

  it('keeps what a live worker holds, whatever the records say', async () => {
    const session = randomUUID();
    const cli = randomUUID();
    store.bind(session, cli);
    const bound = transcript(cli, { ageMs: 2 * HOUR_MS });
    const spareCli = randomUUID();
    const spare = transcript(spareCli, { ageMs: 2 * HOUR_MS });
    ageStates(2 * HOUR_MS);
    const live = () => new Set([session, cli, spareCli]);
    assert.deepEqual(await sweepOrphans({ transcripts: store, live }, request([])), { files: 0, bytes: 0 });
    assert.ok(existsSync(bound) && existsSync(spare));
    assert.equal(stateFiles().length, 1);
  });

  it('keeps a state file that does not name its session until it was not written for the whole retention', async () => {
    const cli = randomUUID();
    const legacy = path.join(dir, 'session-aliases', 'legacy-state');
    writeFileSync(legacy, JSON.stringify({ cli }));
    const file = transcript(cli, { ageMs: 2 * HOUR_MS });
    ageStates(2 * HOUR_MS);
    await sweepOrphans({ transcripts: store, live: none }, request([]));
    assert.ok(existsSync(legacy) && existsSync(file), 'written within the retention: kept');
    ageStates(48 * HOUR_MS);
    await sweepOrphans({ transcripts: store, live: none }, request([]));
    assert.equal(existsSync(legacy), false);
    assert.equal(existsSync(file), false);
  });

  it('stops at its limit and the next sweep goes on', async () => {
    for (let i = 0; i < 5; i++) transcript(randomUUID(), { ageMs: 2 * HOUR_MS });
    const first = await sweepOrphans({ transcripts: store, live: none }, request([], { limit: 3 }));
    assert.equal(first.files, 3);
    assert.equal(readdirSync(project).length, 2);
    assert.equal((await sweepOrphans({ transcripts: store, live: none }, request([], { limit: 3 }))).files, 2);
    assert.deepEqual(readdirSync(project), []);
  });
});
