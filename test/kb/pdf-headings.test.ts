import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import PDFDocument from 'pdfkit';
import { convertToMarkdown } from '../../src/kb/converters/index.ts';
import { layoutMarkdown, type PdfTextItem, toLines } from '../../src/kb/converters/pdf-layout.ts';
import { splitSections } from '../../src/kb/sections.ts';
import { makePdf, type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

/** The part of pdfkit's document these tests use (pdfkit ships no types). */
interface PdfWriter {
  on(event: 'data', listener: (chunk: Buffer) => void): PdfWriter;
  on(event: 'end', listener: () => void): PdfWriter;
  font(name: string): PdfWriter;
  fontSize(size: number): PdfWriter;
  text(text: string, x?: number, y?: number): PdfWriter;
  addPage(): PdfWriter;
  end(): void;
}

/** One run of text: `size` points, bold or regular Helvetica; `page` starts a new page first. */
interface Run {
  readonly text: string;
  readonly size?: number;
  readonly bold?: boolean;
  readonly page?: boolean;
  /** Draw at this position instead of below the previous run. */
  readonly at?: readonly [number, number];
}

function styledPdf(runs: readonly Run[], options: { userPassword?: string } = {}): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new (PDFDocument as unknown as new (options: { userPassword?: string }) => PdfWriter)(options);
    const chunks: Buffer[] = [];
    doc.on('data', (chunk) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    for (const run of runs) {
      if (run.page) doc.addPage();
      doc.font(run.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(run.size ?? 11);
      if (run.at) doc.text(run.text, run.at[0], run.at[1]);
      else doc.text(run.text);
    }
    doc.end();
  });
}

/**
 * A PDF in a CJK font that is not embedded (pdfkit needs a CJK font file to
 * embed, and none is installed offline): Identity-H codes, mapped to Unicode
 * by a ToUnicode CMap, which is all pdf.js needs to extract the text.
 */
function cjkPdf(lines: readonly { text: string; size: number; bold?: boolean }[]): Buffer {
  const chars = [...new Set(lines.flatMap((l) => [...l.text]))];
  const code = (c: string) => (chars.indexOf(c) + 1).toString(16).padStart(4, '0');
  const hex = (c: string) => c.codePointAt(0)!.toString(16).padStart(4, '0');
  const cmap = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CMapName /Docent-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    `${chars.length} beginbfchar`,
    ...chars.map((c) => `<${code(c)}> <${hex(c)}>`),
    'endbfchar endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
  let y = 740;
  const content = lines
    .map((l) => {
      y -= l.size * 1.6;
      return `BT /${l.bold ? 'F2' : 'F1'} ${l.size} Tf 72 ${y} Td <${[...l.text].map(code).join('')}> Tj ET`;
    })
    .join('\n');
  const font = (name: string, descendant: number) =>
    `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${descendant} 0 R] /ToUnicode 9 0 R >>`;
  const cid = (name: string, descriptor: number) =>
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /DW 1000 >>`;
  const descriptor = (name: string, flags: number) =>
    `<< /Type /FontDescriptor /FontName /${name} /Flags ${flags} /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>`;
  const stream = (body: string) => `<< /Length ${Buffer.byteLength(body)} >>\nstream\n${body}\nendstream`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>',
    stream(content),
    font('SourceHanSans-Regular', 7),
    font('SourceHanSans-Bold', 8),
    cid('SourceHanSans-Regular', 10),
    cid('SourceHanSans-Bold', 11),
    stream(cmap),
    descriptor('SourceHanSans-Regular', 4),
    descriptor('SourceHanSans-Bold', 4),
  ];
  let pdf = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
const headingsOf = (markdown: string) => markdown.split('\n').filter((line) => /^#{1,6} /.test(line));

const LIMITS = { maxSourceBytes: 10_000_000, maxConvertedBytes: 10_000_000 };

describe('PDF headings from font sizes and weights', () => {
  let t: TempKb;
  before(async () => {
    t = await tempKb();
  });
  after(() => t.cleanup());

  const convert = async (name: string, bytes: Buffer) => {
    const p = path.join(t.scratch, name);
    await writeFile(p, bytes);
    return (await convertToMarkdown(p, name, path.parse(name).name, LIMITS)).markdown;
  };

  const policy = () =>
    styledPdf([
      { text: 'Parking Permit Policy', size: 22, bold: true },
      { text: 'Everyone who drives to the office needs a permit. The permit is free, lasts one year and is renewed' },
      { text: 'every January by the facilities team.' },
      { text: 'Who can apply', size: 16, bold: true },
      { text: 'Staff with a badge can apply online.' },
      { text: 'Contractors', bold: true },
      { text: 'Contractors apply through their sponsor, who confirms the dates of their contract.' },
      { text: 'Visitors', bold: true },
      { text: 'Visitors park in the guest area\n• Ask reception for a day pass\n• Show it at the gate' },
      { text: 'Renewal', size: 16, bold: true, page: true },
      { text: 'Renew online before the end of January; late renewals cost 10 euros.' },
      { text: 'Lost permits', size: 13 },
      { text: 'Report a lost permit to the facilities desk, which issues a new one the same day.' },
    ]);

  it('turns larger and bold lines into headings, levels by size, the first big line as the title', async () => {
    const markdown = await convert('parking.pdf', await policy());
    assert.deepEqual(headingsOf(markdown), [
      '# Parking Permit Policy',
      '## Who can apply',
      '#### Contractors',
      '#### Visitors',
      '## Renewal',
      '### Lost permits',
    ]);
    assert.match(markdown, /needs a permit\. The permit is free, lasts one year and is renewed every January/);
    assert.match(markdown, /Visitors park in the guest area\n- Ask reception for a day pass\n- Show it at the gate/);
    assert.doesNotMatch(markdown, /## Page/, 'headings give the structure; page separators would cut sections');
  });

  it('leaves body text as text: short lines without a full stop, bold sentences, emphasised paragraphs', async () => {
    const markdown = await convert(
      'body.pdf',
      await styledPdf([
        { text: 'Safety rules' },
        { text: 'Opening hours', size: 15 },
        { text: 'Monday to Friday\nWeekends closed' },
        { text: 'Always wear your badge at the gate.', bold: true },
        { text: 'Bold paragraph one\nbold paragraph two\nbold paragraph three\nbold paragraph four', bold: true },
        { text: 'A long introduction in a larger font is a paragraph, not a heading: it runs on and on.', size: 15 },
        { text: `${'The body text is set in the most common size, counted by characters. '.repeat(4)}` },
        { text: 'Contents', bold: true },
        { text: 'Opening hours . . . . . . . . 1', bold: true },
      ]),
    );
    assert.deepEqual(headingsOf(markdown), ['# body', '## Opening hours', '### Contents']);
    assert.match(markdown, /Monday to Friday Weekends closed/);
    assert.match(markdown, /Always wear your badge at the gate\./);
    assert.match(markdown, /Bold paragraph one bold paragraph two/);
    assert.match(markdown, /A long introduction in a larger font is a paragraph/);
    assert.match(markdown, /Opening hours \. \. \./);
  });

  it('keeps the file title when the document does not open with its largest line', async () => {
    const markdown = await convert(
      'handbook.pdf',
      await styledPdf([
        { text: 'Issued by the people team.' },
        { text: 'Leave', size: 18 },
        { text: 'Annual leave is 25 days.' },
        { text: 'Sick leave', size: 18 },
        { text: 'Tell your manager on the first day.' },
      ]),
    );
    assert.deepEqual(headingsOf(markdown), ['# handbook', '## Leave', '## Sick leave']);
  });

  it('does not take a running header on every page for a heading', async () => {
    const runs: Run[] = [];
    for (let page = 1; page <= 4; page++) {
      runs.push({ text: 'Acme Internal', size: 14, page: page > 1, at: [72, 40] });
      runs.push({ text: `Page ${page} text about the canteen menu and its prices.`, at: [72, 100] });
    }
    const markdown = await convert('menu.pdf', await styledPdf(runs));
    assert.deepEqual(headingsOf(markdown), ['# menu', '## Page 1', '## Page 2', '## Page 3', '## Page 4']);
  });

  it('converts a PDF in one font size as before: text, lists and "## Page N" separators', async () => {
    const markdown = await convert(
      'rules.pdf',
      await makePdf(['The warehouse opens at 6 am.\nRules:\n• Wear boots\n• No phones', 'Forklifts need a licence.']),
    );
    assert.equal(
      markdown,
      '# rules\n\n## Page 1\n\nThe warehouse opens at 6 am.\nRules:\n- Wear boots\n- No phones\n\n## Page 2\n\nForklifts need a licence.\n',
    );
  });

  it('escapes text lines that start with # so they do not open sections', async () => {
    const markdown = await convert('config.pdf', await makePdf(['# generated file, do not edit\nkey = value']));
    assert.deepEqual(headingsOf(markdown), ['# config']);
    assert.match(markdown, /^\\# generated file/m);
  });

  it('recovers headings of a Chinese PDF and joins its wrapped lines without spaces', async () => {
    const bytes = cjkPdf([
      { text: '员工手册', size: 22 },
      { text: '第一章 总则', size: 16 },
      { text: '本手册适用于公司全体员工，包括正式员工和', size: 11 },
      { text: '实习生。本手册由人力资源部负责解释。', size: 11 },
      { text: '第一节 考勤', size: 11, bold: true },
      { text: '每天上午九点前打卡，迟到需要说明原因。', size: 11 },
    ]);
    assert.equal(
      await convert('handbook.pdf', bytes),
      '# 员工手册\n\n## 第一章 总则\n\n本手册适用于公司全体员工，包括正式员工和实习生。本手册由人力资源部负责解释。\n\n### 第一节 考勤\n\n每天上午九点前打卡，迟到需要说明原因。\n',
    );
  });

  it('refuses an encrypted PDF and a damaged one with the reason', async () => {
    const locked = await styledPdf([{ text: 'Salaries' }], { userPassword: 'secret' });
    await assert.rejects(convert('locked.pdf', locked), /locked\.pdf: the PDF is encrypted \(password protected\)/);
    const whole = await policy();
    await assert.rejects(convert('cut.pdf', whole.subarray(0, 400)), /cut\.pdf: the PDF is damaged/);
  });

  it('gives the converted PDF sections whose line ranges hold their text (what citations point to)', async () => {
    const markdown = await convert('parking2.pdf', await policy());
    const lines = markdown.split('\n');
    const sections = splitSections(markdown);
    const contractors = sections.find((s) => s.heading === 'Contractors');
    assert.deepEqual(contractors?.trail, ['Parking Permit Policy', 'Who can apply', 'Contractors']);
    const cited = lines.slice(contractors!.startLine - 1, contractors!.endLine).join('\n');
    assert.match(cited, /apply through their sponsor/);
    assert.doesNotMatch(cited, /Visitors park/);
    const lost = sections.find((s) => s.heading === 'Lost permits');
    assert.deepEqual(lost?.trail, ['Parking Permit Policy', 'Renewal', 'Lost permits']);
  });

  it('an ingested PDF is found by section, and the hit cites the lines of that section', async () => {
    const kb = await tempKb({ files: { 'it/printers.md': '# Printers\n\nThe printers need a badge.\n' } });
    try {
      const source = path.join(kb.scratch, 'parking-policy.pdf');
      await writeFile(source, await policy());
      const [result] = await kb.kb.ingest([{ name: 'parking-policy.pdf', sourcePath: source }]);
      assert.equal(result!.status, 'added', result!.reason);
      const hits = await kb.kb.search('lost permit facilities desk');
      const hit = hits.find((h) => h.path === result!.path);
      assert.ok(hit, `no hit in ${result!.path}`);
      assert.equal(hit.heading, 'Lost permits');
      assert.deepEqual(hit.trail, ['Parking Permit Policy', 'Renewal', 'Lost permits']);
      const cited = await kb.kb.read(hit.path, { startLine: hit.startLine, endLine: hit.endLine });
      assert.match(cited.content, /^### Lost permits\n/);
      assert.match(cited.content, /Report a lost permit to the facilities desk/);
      assert.doesNotMatch(cited.content, /Renew online/);
    } finally {
      await kb.cleanup();
    }
  });
});

describe('layoutMarkdown() on pdf.js text items', () => {
  const item = (text: string, y: number, size: number, font = 'f1'): PdfTextItem => ({
    text,
    x: 72,
    y,
    width: text.length * size * 0.5,
    size,
    font,
    endOfLine: true,
  });

  it('joins a heading wrapped over two lines into one heading', () => {
    const lines = toLines([
      item('Body text that is long enough to be the body of this page.', 760, 10),
      item('Procedures for reporting', 730, 16),
      item('a safety incident', 712, 16),
      item('Call the safety officer first.', 690, 10),
    ]);
    assert.deepEqual(headingsOf(layoutMarkdown([{ number: 1, lines }], 'safety', new Set())), [
      '# safety',
      '## Procedures for reporting a safety incident',
    ]);
  });

  it('splits items of one line only where pdf.js left a gap, and sets the line in its main size', () => {
    const lines = toLines([
      { text: 'Zone', x: 72, y: 500, width: 24, size: 10, font: 'f1', endOfLine: false },
      { text: 'Hours', x: 200, y: 500, width: 30, size: 10, font: 'f1', endOfLine: false },
      { text: '2', x: 231, y: 503, width: 3, size: 6, font: 'f1', endOfLine: true },
    ]);
    assert.deepEqual(
      lines.map((l) => [l.text, l.size]),
      [['Zone\tHours2', 10]],
    );
  });
});
