import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EXIT, runCli } from '../../src/cli.ts';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, read: () => text };
}

describe('docent CLI', () => {
  let dir: string;
  const run = async (...argv: string[]) => {
    const out = capture();
    const err = capture();
    const code = await runCli(argv, {
      out: out.stream,
      err: err.stream,
      env: { KB_ROOT_PATH: path.join(dir, 'kb') },
      cwd: dir,
    });
    return { code, out: out.read(), err: err.read() };
  };
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'docent-cli-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runCli() ask prints a cited answer from the (seeded) knowledge base and exits 0', async () => {
    const { code, out } = await run('ask', 'How long is the probation period?');
    assert.equal(code, EXIT.ok);
    assert.match(out, /3 months/);
    assert.match(out, /onboarding\/new_hire_first_week\.md:\d+-\d+/);
  });

  it('runCli() ask exits 3 when nothing answers', async () => {
    const { code, out } = await run('ask', 'Is there a shuttle bus from the metro station?');
    assert.equal(code, EXIT.noAnswer);
    assert.match(out, /could not find/);
  });

  it('runCli() ingest adds files with plain progress lines off a terminal, and exits 4 on a duplicate', async () => {
    const file = path.join(dir, 'canteen.md');
    await writeFile(file, '# Canteen\n\nThe canteen opens at 11:30 on weekdays and closes at 14:00.\n');
    const first = await run('ingest', 'canteen.md');
    assert.equal(first.code, EXIT.ok, first.out + first.err);
    assert.match(first.err, /^1\/1 canteen\.md$/m);
    assert.match(first.out, /added {5}canteen\.md -> \S+\/canteen\.md/);
    const again = await run('ingest', file);
    assert.equal(again.code, EXIT.notAllAdded);
    assert.match(again.out, /conflict {2}canteen\.md/);
    const forced = await run('ingest', '--force', file);
    assert.equal(forced.code, EXIT.ok);
  });

  it('runCli() reports usage errors with exit 2', async () => {
    assert.equal((await run()).code, EXIT.usage);
    assert.equal((await run('frobnicate')).code, EXIT.usage);
    assert.equal((await run('ask')).code, EXIT.usage);
    const missing = await run('ingest', 'nope.md');
    assert.equal(missing.code, EXIT.usage);
    assert.match(missing.err, /Not a file: nope\.md/);
    assert.equal((await run('help')).code, EXIT.ok);
  });
});
