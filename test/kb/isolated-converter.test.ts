// Conversions run in their own thread (src/kb/converters/isolated.ts):
// bounded in time and memory, the server's event loop and JSON parser untouched.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { IsolatedConverter } from '../../src/kb/converters/isolated.ts';
import { KbError } from '../../src/kb/types.ts';
import { makeDocx, makePdf, type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const LIMITS = { maxSourceBytes: 50 * 1024 * 1024, maxConvertedBytes: 20 * 1024 * 1024 };
const nativeParse = JSON.parse;

/** A valid .docx with a lot of text: real work for the converter. */
async function heavyDocx(paragraphs: number): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await makeDocx('Heavy', ['x'], false));
  const body = `<w:p><w:r><w:t>${'lorem ipsum dolor sit amet '.repeat(20)}</w:t></w:r></w:p>`.repeat(paragraphs);
  zip.file(
    'word/document.xml',
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** A .docx whose body is `depth` tables, each inside a cell of the one before. */
async function nestedTablesDocx(depth: number): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await makeDocx('Nested', ['x'], false));
  const cell = '<w:p><w:r><w:t>innermost cell</w:t></w:r></w:p>';
  const body = `${'<w:tbl><w:tr><w:tc>'.repeat(depth)}${cell}${'</w:tc></w:tr></w:tbl><w:p/>'.repeat(depth)}`;
  zip.file(
    'word/document.xml',
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('isolated conversions', () => {
  let t: TempKb;
  before(async () => {
    t = await tempKb({ files: {} });
  });
  after(() => t.cleanup());

  async function file(name: string, data: Buffer): Promise<string> {
    const p = path.join(t.scratch, name);
    await writeFile(p, data);
    return p;
  }

  it('a conversion past CONVERT_TIMEOUT_MS is stopped with an error naming it; the next one works', async () => {
    const converter = new IsolatedConverter({ timeoutMs: 1 });
    try {
      const docx = await file('slow.docx', await heavyDocx(2000));
      await assert.rejects(converter.convert(docx, 'slow.docx', 'slow', LIMITS), /CONVERT_TIMEOUT_MS/);
    } finally {
      await converter.close();
    }
    const patient = new IsolatedConverter({ timeoutMs: 60_000 });
    try {
      const md = await file('ok.md', Buffer.from('# Fine\n\nA small document.\n'));
      const converted = await patient.convert(md, 'ok.md', 'ok', LIMITS);
      assert.match(converted.markdown, /A small document/);
    } finally {
      await patient.close();
    }
  });

  it('a conversion that needs more heap than CONVERT_MAX_MEMORY_MB is refused naming it; the next one works', async () => {
    const converter = new IsolatedConverter({ maxMemoryMb: 128 });
    try {
      const docx = await file('big.docx', await heavyDocx(60_000));
      await assert.rejects(
        converter.convert(docx, 'big.docx', 'big', LIMITS),
        /CONVERT_MAX_MEMORY_MB|converter stopped/,
      );
      const md = await file('after.md', Buffer.from('# After\n\nStill converting.\n'));
      assert.match((await converter.convert(md, 'after.md', 'after', LIMITS)).markdown, /Still converting/);
    } finally {
      await converter.close();
    }
  });

  it('the server thread keeps its own JSON.parse after a PDF was converted (strict about truncated JSON)', async () => {
    const converter = new IsolatedConverter();
    try {
      const pdf = await file('doc.pdf', await makePdf(['Badge rules: wear your badge at all times.']));
      const converted = await converter.convert(pdf, 'doc.pdf', 'doc', LIMITS);
      assert.match(converted.markdown, /badge/i);
      assert.equal(JSON.parse, nativeParse);
      assert.throws(() => JSON.parse('{"user_id":"x",', (_key, value) => value));
    } finally {
      await converter.close();
    }
  });

  it('the event loop keeps running while a heavy document converts', async () => {
    const converter = new IsolatedConverter();
    try {
      const docx = await file('heavy.docx', await heavyDocx(20_000));
      let last = performance.now();
      let worstGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
      }, 10);
      try {
        await converter.convert(docx, 'heavy.docx', 'heavy', LIMITS).catch(() => undefined);
      } finally {
        clearInterval(timer);
      }
      // Generous: what matters is that the loop is not held for the whole conversion.
      assert.ok(worstGap < 1000, `the event loop stalled for ${Math.round(worstGap)} ms`);
    } finally {
      await converter.close();
    }
  });
});

// The parser turndown uses takes time with the square of the nesting depth: 100,000 levels held the
// conversion thread for minutes. They are refused before parsing, long before the timeout below.
describe('deeply nested documents', () => {
  let t: TempKb;
  let converter: IsolatedConverter;
  before(async () => {
    t = await tempKb({ files: {} });
    converter = new IsolatedConverter({ timeoutMs: 20_000 });
  });
  after(async () => {
    await converter.close();
    await t.cleanup();
  });

  async function convert(name: string, data: string | Buffer) {
    const p = path.join(t.scratch, name);
    await writeFile(p, data);
    return converter.convert(p, name, path.parse(name).name, LIMITS);
  }

  const refusedForNesting = (error: unknown) =>
    error instanceof KbError &&
    error.code === 'KB_TOO_LARGE' &&
    /nests its elements more than 500 levels deep/.test(error.message);

  const nested = (open: string, close: string, levels: number) =>
    `<html><body>${open.repeat(levels)}deep${close.repeat(levels)}</body></html>`;

  it('3 MB of nested <div>, <ul><li> or <b> is refused naming the depth limit, not held until the timeout', async () => {
    for (const [name, html] of [
      ['divs.html', nested('<div>', '</div>', 270_000)],
      ['lists.html', nested('<ul><li>', '</li></ul>', 170_000)],
      ['bold.htm', nested('<b>', '</b>', 430_000)],
    ] as const) {
      assert.ok(html.length > 2_900_000, name);
      await assert.rejects(convert(name, html), refusedForNesting, name);
    }
  });

  it('formatting the parser reopens in every paragraph counts: 30,000 of them are refused', async () => {
    // No tag nests here as written; the parser reopens each unclosed <b> inside the next <p>.
    const html = Array.from({ length: 30_000 }, (_, i) => `<p><b class="c${i}">x`).join('');
    await assert.rejects(convert('reopened.html', html), refusedForNesting);
  });

  it('a .docx of 300 nested tables is refused by the same limit; 20,000 fail fast', async () => {
    await assert.rejects(convert('tables.docx', await nestedTablesDocx(300)), refusedForNesting);
    await assert.rejects(convert('deeper.docx', await nestedTablesDocx(20_000)), (error: unknown) => {
      assert.ok(error instanceof KbError);
      assert.doesNotMatch(error.message, /CONVERT_TIMEOUT_MS/);
      return true;
    });
  });

  it('a document nested 50 deep, and sloppy HTML the parser closes itself, still convert', async () => {
    const levels = Array.from({ length: 50 }, (_, i) => `<div><p>Level ${i + 1}</p>`).join('');
    const deep = await convert(
      'deep.html',
      `<html><body><h1>Org chart</h1>${levels}${'</div>'.repeat(50)}</body></html>`,
    );
    assert.match(deep.markdown, /Level 1\b[\s\S]*Level 50\b/);
    // Unclosed paragraphs, items, cells and links: each closes the one before, so none of this nests.
    const sloppy = [
      '<h1>Phone list</h1>',
      ...Array.from({ length: 2000 }, (_, i) => `<p>Paragraph ${i} <a href="#${i}">link ${i}<b>bold`),
      '<ul>',
      ...Array.from({ length: 2000 }, (_, i) => `<li>item ${i}`),
      '</ul><table>',
      ...Array.from({ length: 2000 }, (_, i) => `<tr><td>row ${i}<td>ext ${i}`),
      '</table>',
    ].join('\n');
    const converted = await convert('sloppy.html', sloppy);
    assert.match(converted.markdown, /row 1999/);
    const docx = await convert('tables.docx', await nestedTablesDocx(5));
    assert.match(docx.markdown, /innermost cell/);
  });
});
