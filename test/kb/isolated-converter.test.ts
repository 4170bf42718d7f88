// Conversions run in their own thread (src/kb/converters/isolated.ts):
// bounded in time and memory, the server's event loop and JSON parser untouched.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { IsolatedConverter } from '../../src/kb/converters/isolated.ts';
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
