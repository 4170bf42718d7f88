// Organising the knowledge base: a document moves into another folder with its companions, and README.md,
// the index and search follow; what cannot be moved is refused with nothing changed.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { exists } from '../../src/kb/paths.ts';
import { KbError } from '../../src/kb/types.ts';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const PARKING = '# Parking\n\nStaff park in the west lot; visitor spaces are by the main entrance.\n';

describe('move()', () => {
  let t: TempKb;
  beforeEach(async () => {
    t = await tempKb({ files: { 'misc/parking.md': PARKING, 'hr/leave.md': '# Leave\n\nStaff get 25 days.\n' } });
  });
  afterEach(() => t.cleanup());

  it('moves a document into a new folder: the disk, README.md, the index and search follow', async () => {
    const { moved } = await t.kb.move('misc/parking.md', 'facilities');
    assert.deepEqual(moved, [{ from: 'misc/parking.md', to: 'facilities/parking.md' }]);
    assert.equal(await exists(path.join(t.root, 'misc/parking.md')), false);
    assert.equal(await readFile(path.join(t.root, 'facilities/parking.md'), 'utf8'), PARKING);
    const readme = await readFile(path.join(t.root, 'README.md'), 'utf8');
    assert.match(readme, /facilities\/parking\.md/);
    assert.doesNotMatch(readme, /misc\/parking\.md/);
    const [hit] = await t.kb.search('where do visitors park');
    assert.equal(hit?.path, 'facilities/parking.md');
    assert.equal(await exists(path.join(t.root, 'misc')), false, 'the folder it left empty is gone');
    await t.kb.move('facilities/parking.md', 'hr');
    await t.kb.move('hr/leave.md', 'people');
    assert.ok(await exists(path.join(t.root, 'hr/parking.md')), 'a folder it leaves with files in it stays');
  });

  it('takes a data file and the Markdown made of it together, whichever is named', async () => {
    const upload = path.join(t.scratch, 'rates.csv');
    await writeFile(upload, 'region,rate\nnorth,12\n');
    const [result] = await t.kb.ingest([{ name: 'rates.csv', sourcePath: upload }], { folder: 'finance' });
    assert.equal(result?.path, 'finance/rates.csv.md');
    const { moved } = await t.kb.move('finance/rates.csv', 'archive/2026');
    assert.deepEqual(
      moved.map((m) => m.to),
      ['archive/2026/rates.csv', 'archive/2026/rates.csv.md'],
    );
    await t.kb.move('archive/2026/rates.csv.md', '');
    for (const rel of ['rates.csv', 'rates.csv.md']) assert.ok(await exists(path.join(t.root, rel)), rel);
  });

  for (const [what, file, folder, code] of [
    ['a name the folder already has', 'misc/parking.md', 'hr', undefined],
    ['a hidden folder', 'misc/parking.md', '.git', 'KB_PATH_INVALID'],
    ['a folder outside the knowledge base', 'misc/parking.md', '../elsewhere', 'KB_PATH_INVALID'],
    ['the overview folder', 'misc/parking.md', 'contents_overview', 'KB_PATH_INVALID'],
    ['the folder it is in', 'misc/parking.md', 'misc/', 'KB_INPUT_INVALID'],
    ['a system file', 'README.md', 'archive', 'KB_PATH_INVALID'],
    ['a file that is not there', 'misc/nothing.md', 'archive', 'KB_NOT_FOUND'],
    ['a folder path past 100 bytes', 'misc/parking.md', '档案'.repeat(17), 'KB_INPUT_INVALID'],
  ] as const) {
    it(`refuses ${what}, changing nothing`, async () => {
      if (what === 'a name the folder already has') await writeFile(path.join(t.root, 'hr/parking.md'), PARKING);
      await assert.rejects(t.kb.move(file, folder), (error: unknown) => {
        assert.ok(error instanceof KbError);
        assert.equal(error.code, code ?? 'KB_INPUT_INVALID');
        return true;
      });
      assert.ok(await exists(path.join(t.root, 'misc/parking.md')), 'the document stays where it was');
    });
  }
});
