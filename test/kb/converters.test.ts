import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertToMarkdown } from '../../src/kb/converters/index.ts';
import { KbError } from '../../src/kb/types.ts';
import { makeDocx, makePdf, makePptx, makeXlsx, type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const LIMITS = { maxSourceBytes: 5 * 1024 * 1024, maxConvertedBytes: 5 * 1024 * 1024 };

describe('convertToMarkdown()', () => {
  let t: TempKb;
  const file = async (name: string, data: string | Buffer) => {
    const p = path.join(t.scratch, name);
    await writeFile(p, data);
    return p;
  };
  before(async () => {
    t = await tempKb();
  });
  after(() => t.cleanup());

  it('keeps .md as it is and gives .txt a title', async () => {
    const md = await convertToMarkdown(await file('a.md', '# Title\n\nBody'), 'a.md', 'a', LIMITS);
    assert.equal(md.markdown, '# Title\n\nBody');
    const txt = await convertToMarkdown(await file('notes.txt', 'plain words'), 'notes.txt', 'notes', LIMITS);
    assert.match(txt.markdown, /^# notes\n\nplain words/);
  });

  it('converts .docx text and extracts its images to <name>_images/', async () => {
    const bytes = await makeDocx('Quarterly Report', ['Revenue grew by 12 percent.', 'Costs were flat.']);
    const out = await convertToMarkdown(await file('report.docx', bytes), 'report.docx', 'report', LIMITS);
    assert.match(out.markdown, /# Quarterly Report/);
    assert.match(out.markdown, /Revenue grew by 12 percent\./);
    assert.equal(out.images.length, 1);
    assert.match(out.images[0]!.name, /^image1\.png$/);
    assert.match(out.markdown, /report_images\/image1\.png/);
  });

  it('converts .pdf text page by page', async () => {
    const bytes = await makePdf(['The warehouse opens at 6 am.', 'Forklifts need a licence.']);
    const out = await convertToMarkdown(await file('rules.pdf', bytes), 'rules.pdf', 'rules', LIMITS);
    assert.match(out.markdown, /warehouse opens at 6 am/);
    assert.match(out.markdown, /## Page 2/);
    assert.match(out.markdown, /Forklifts need a licence/);
  });

  it('converts .pptx slide text and speaker notes', async () => {
    const bytes = await makePptx([
      { title: 'Roadmap 2027', bullets: ['Launch the C700', 'Open a Berlin office'], notes: 'Mention the budget.' },
      { title: 'Risks', bullets: ['Chip supply'] },
    ]);
    const out = await convertToMarkdown(await file('deck.pptx', bytes), 'deck.pptx', 'deck', LIMITS);
    assert.match(out.markdown, /## Slide 1: Roadmap 2027/);
    assert.match(out.markdown, /- Launch the C700/);
    assert.match(out.markdown, /> Mention the budget\./);
    assert.doesNotMatch(out.markdown, /> 1$/m);
    assert.match(out.markdown, /## Slide 2: Risks/);
  });

  it('keeps .pptx text as written: spaces between runs, figures and words that look like values', async () => {
    const bytes = await makePptx([
      { title: 'Prices', bullets: [['Coffee ', 'now costs', ' 1.50 EUR'], ['Room 007'], ['007'], ['true'], ['1e3']] },
    ]);
    const out = await convertToMarkdown(await file('prices.pptx', bytes), 'prices.pptx', 'prices', LIMITS);
    assert.match(out.markdown, /^- Coffee now costs 1\.50 EUR$/m, out.markdown);
    for (const line of ['- Room 007', '- 007', '- true', '- 1e3'])
      assert.ok(out.markdown.split('\n').includes(line), line);
  });

  it('converts .html with turndown, dropping scripts and keeping tables', async () => {
    const html =
      '<html><head><script>alert(1)</script></head><body><h1>Menu</h1><p>Lunch is <b>free</b>.</p>' +
      '<table><tr><th>Day</th><th>Dish</th></tr><tr><td>Monday</td><td>Soup</td></tr></table></body></html>';
    const out = await convertToMarkdown(await file('menu.html', html), 'menu.html', 'menu', LIMITS);
    assert.match(out.markdown, /# Menu/);
    assert.match(out.markdown, /Lunch is \*\*free\*\*/);
    assert.match(out.markdown, /\| Monday \| Soup \|/);
    assert.doesNotMatch(out.markdown, /alert/);
  });

  it('describes .xlsx sheets and columns and keeps the original bytes', async () => {
    const bytes = await makeXlsx({
      Budget: [
        ['Team', 'Amount', 'Quarter'],
        ['Sales', 12000, 'Q1'],
        ['IT', 8000, 'Q1'],
      ],
      Notes: [['Note'], ['Approved by CFO']],
    });
    const out = await convertToMarkdown(await file('budget.xlsx', bytes), 'budget.xlsx', 'budget', LIMITS);
    assert.match(out.markdown, /\| Budget \| 2 \| Team, Amount, Quarter \|/);
    assert.match(out.markdown, /\| Amount \| number \| 12000 \|/);
    assert.match(out.markdown, /## Sheet: Notes/);
    assert.ok(out.data && Buffer.from(out.data).equals(bytes));
  });

  it('describes .csv columns', async () => {
    const out = await convertToMarkdown(
      await file('people.csv', 'name,age\nAnn,31\nBo,45\n'),
      'people.csv',
      'people',
      LIMITS,
    );
    assert.match(out.markdown, /\| age \| number \| 31 \|/);
    assert.match(out.markdown, /\| Bo \| 45 \|/);
  });

  it('refuses a binary file named .csv (a zip, an image) as it refuses a binary .md, instead of keeping it as data', async () => {
    const zipHead = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x2c, 0x41, 0x0a, 0x42]);
    for (const name of ['archive.csv', 'notes.md']) {
      await assert.rejects(
        convertToMarkdown(await file(name, zipHead), name, name.split('.')[0]!, LIMITS),
        (e: unknown) => e instanceof KbError && e.code === 'KB_CONVERT_FAILED' && /binary content/.test(e.message),
        name,
      );
    }
  });

  it('reports a corrupt .docx, an unknown type and a file over the limit with their reasons', async () => {
    await assert.rejects(
      convertToMarkdown(await file('broken.docx', 'not a zip'), 'broken.docx', 'broken', LIMITS),
      (e: unknown) => e instanceof KbError && e.code === 'KB_CONVERT_FAILED' && /corrupt or encrypted/.test(e.message),
    );
    await assert.rejects(
      convertToMarkdown(await file('tool.exe', 'MZ'), 'tool.exe', 'tool', LIMITS),
      (e: unknown) => e instanceof KbError && e.code === 'KB_UNSUPPORTED_TYPE',
    );
    await assert.rejects(
      convertToMarkdown(await file('big.md', 'x'.repeat(2000)), 'big.md', 'big', { ...LIMITS, maxSourceBytes: 1000 }),
      (e: unknown) => e instanceof KbError && e.code === 'KB_TOO_LARGE',
    );
    await assert.rejects(
      convertToMarkdown(await file('fake.pdf', 'hello'), 'fake.pdf', 'fake', LIMITS),
      (e: unknown) => e instanceof KbError && e.code === 'KB_CONVERT_FAILED',
    );
  });

  it('ingest() of a .docx writes the Markdown and its images folder beside it', async () => {
    const bytes = await makeDocx('Canteen Rules', ['The canteen serves breakfast from 7:30 to 9:00.']);
    const [result] = await t.kb.ingest([{ name: 'Canteen Rules.docx', sourcePath: await file('c.docx', bytes) }]);
    assert.equal(result!.status, 'added', result!.reason);
    const dir = path.dirname(path.join(t.root, result!.path!));
    const entries = await readdir(dir);
    assert.ok(entries.includes('Canteen_Rules.md'));
    assert.deepEqual(await readdir(path.join(dir, 'Canteen_Rules_images')), ['image1.png']);
    const md = await readFile(path.join(t.root, result!.path!), 'utf8');
    assert.match(md, /Canteen_Rules_images\/image1\.png/);
  });
});
