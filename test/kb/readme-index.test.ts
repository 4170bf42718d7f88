import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildReadmes, parseDescriptions } from '../../src/kb/readme-index.ts';
import { tempKb } from '../fixtures/kb-fixtures.ts';

const entry = (p: string) => ({ path: p, size: 2048, description: `About ${p}` });

describe('README layering', () => {
  it('buildReadmes() lists every file under its folder with size and description', () => {
    const readmes = buildReadmes([entry('hr/leave.md'), entry('top.md')], 'Intro text.');
    assert.deepEqual([...readmes.keys()], ['README.md']);
    const main = readmes.get('README.md')!;
    assert.match(main, /Intro text\./);
    assert.match(main, /^- \[top\.md\]\(top\.md\) \(2\.0 KB\) — About top\.md$/m);
    assert.match(main, /^- \*\*hr\/\*\* \(1 file\)$/m);
    assert.match(main, /^ {2}- \[leave\.md\]\(hr\/leave\.md\)/m);
  });

  it('buildReadmes() gives a folder of 50 or more files its own README', () => {
    const entries = [
      ...Array.from({ length: 50 }, (_, i) => entry(`big/f${i}.md`)),
      ...Array.from({ length: 3 }, (_, i) => entry(`small/s${i}.md`)),
    ];
    const readmes = buildReadmes(entries, '');
    assert.deepEqual([...readmes.keys()].sort(), ['README.md', 'big/README.md']);
    const main = readmes.get('README.md')!;
    assert.match(main, /\*\*big\/\*\* \(50 files\) — see \[big\/README\.md\]\(big\/README\.md\)/);
    assert.doesNotMatch(main, /f12\.md/);
    assert.match(readmes.get('big/README.md')!, /^- \[f12\.md\]\(f12\.md\)/m);
    assert.match(main, /s2\.md/);
  });

  it('buildReadmes() moves the largest folders out until the main README is at most 200 lines', () => {
    const entries = Array.from({ length: 6 }, (_, f) =>
      Array.from({ length: 40 }, (_, i) => entry(`folder${f}/doc${i}.md`)),
    ).flat();
    const readmes = buildReadmes(entries, '');
    assert.ok(readmes.get('README.md')!.split('\n').length <= 200);
    assert.ok(readmes.size > 1);
    const listed = [...readmes.values()].join('\n');
    for (const e of entries) assert.ok(listed.includes(`(${e.path.split('/')[1]})`) || listed.includes(e.path));
  });

  it('parseDescriptions() reads descriptions back, relative to a sub-README', () => {
    const readmes = buildReadmes([entry('a/b/c.md')], '');
    assert.equal(parseDescriptions(readmes.get('README.md')!).get('a/b/c.md'), 'About a/b/c.md');
    assert.equal(parseDescriptions('- [x.md](x.md) (1 KB) — Hello', 'sub').get('sub/x.md'), 'Hello');
  });

  it('rebuildIndex() keeps hand-written descriptions and the intro', async () => {
    const t = await tempKb({
      files: {
        'README.md': '# Index\n\nOur intro.\n\n- [a.md](docs/a.md) (1 KB) — Hand-written description\n',
        'docs/a.md': '# A\n\nSome text here that is long enough.',
        'docs/b.md': '# Bee\n\nGenerated description comes from this first sentence. More.',
      },
    });
    try {
      await t.kb.rebuildIndex();
      const readme = await readFile(path.join(t.root, 'README.md'), 'utf8');
      assert.match(readme, /Our intro\./);
      assert.match(readme, /\(docs\/a\.md\) \([^)]*\) — Hand-written description/);
      assert.match(readme, /\(docs\/b\.md\) \([^)]*\) — Bee: Generated description comes from this first sentence\./);
    } finally {
      await t.cleanup();
    }
  });
});
