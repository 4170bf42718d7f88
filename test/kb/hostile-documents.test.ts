// Documents built to exhaust the server: each is refused with an error that
// names the limit, the server's memory stays bounded while it is looked at,
// and nothing of it lands in the knowledge base.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { makeDocx, makeXlsx, type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

/** Runs `work` while sampling this process's RSS; returns the highest rise in MB. */
async function peakRssRiseMb(work: () => Promise<unknown>): Promise<number> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return (peak - start) / 1048576;
}

/** Rewrites the uncompressed sizes a zip declares for `entry` (local header and central directory). */
function understate(zipBytes: Buffer, entry: string, claimed: number): Buffer {
  const out = Buffer.from(zipBytes);
  const name = Buffer.from(entry);
  for (let i = 0; i < out.length - 46; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50 && out.subarray(i + 30, i + 30 + name.length).equals(name))
      out.writeUInt32LE(claimed, i + 22);
    if (sig === 0x02014b50 && out.subarray(i + 46, i + 46 + name.length).equals(name))
      out.writeUInt32LE(claimed, i + 24);
  }
  return out;
}

describe('hostile documents', () => {
  let t: TempKb;
  before(async () => {
    t = await tempKb({ files: { 'hr/leave.md': '# Leave\n\nEmployees get 25 days of annual leave.\n' } });
  });
  after(() => t.cleanup());

  async function ingest(name: string, data: Buffer) {
    const source = path.join(t.scratch, name);
    await writeFile(source, data);
    const [result] = await t.kb.ingest([{ name, sourcePath: source }], { force: true });
    return result!;
  }

  it('an .xlsx with <mergeCell ref="A1:XFD1048576"/> is refused by its cell limit, memory bounded', async () => {
    const zip = await JSZip.loadAsync(
      await makeXlsx({
        Sheet1: [
          ['a', 'b'],
          ['1', '2'],
        ],
      }),
    );
    const sheetPath = Object.keys(zip.files).find((p) => /^xl\/worksheets\/sheet\d+\.xml$/.test(p))!;
    const sheet = await zip.file(sheetPath)!.async('string');
    const hostile = sheet.includes('</sheetData>')
      ? sheet.replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
      : sheet;
    assert.notEqual(hostile, sheet);
    zip.file(sheetPath, hostile);
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    let result: Awaited<ReturnType<typeof ingest>> | undefined;
    const rise = await peakRssRiseMb(async () => {
      result = await ingest('merged.xlsx', bytes);
    });
    assert.equal(result!.status, 'failed');
    assert.match(result!.reason ?? '', /more than \d+ cells.*CONVERT_MAX_CELLS/);
    assert.ok(rise < 300, `RSS rose ${rise.toFixed(0)} MB`);
  });

  it('a .docx whose zip headers understate a huge document.xml is refused by its real size', async () => {
    const zip = await JSZip.loadAsync(await makeDocx('Bomb', ['x'], false));
    // ~100 MB of XML that deflates to a few hundred KB, declared as 4 KiB.
    const filler = `<w:p><w:r><w:t>${'a'.repeat(1000)}</w:t></w:r></w:p>`.repeat(100_000);
    zip.file('word/document.xml', `<?xml version="1.0"?><w:document><w:body>${filler}</w:body></w:document>`);
    const honest = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const bomb = understate(honest, 'word/document.xml', 4096);
    let result: Awaited<ReturnType<typeof ingest>> | undefined;
    const rise = await peakRssRiseMb(async () => {
      result = await ingest('bomb.docx', bomb);
    });
    assert.equal(result!.status, 'failed', JSON.stringify(result));
    assert.match(result!.reason ?? '', /expands to more than \d+ MB|damaged archive/);
    assert.ok(rise < 300, `RSS rose ${rise.toFixed(0)} MB`);
  });

  it('nothing of a refused document is left in the knowledge base', async () => {
    const all: string[] = [];
    const walk = async (dir: string, rel = '') => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const sub = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), sub);
        else all.push(sub);
      }
    };
    await walk(t.root);
    assert.equal(
      all.some((p) => /merged|bomb/i.test(p)),
      false,
      all.join(', '),
    );
  });
});
