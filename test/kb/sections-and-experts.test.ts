import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { loadExperts } from '../../src/kb/experts.ts';
import { splitSections } from '../../src/kb/sections.ts';
import { makeXlsx, tempKb } from '../fixtures/kb-fixtures.ts';

describe('splitSections()', () => {
  it('cuts at ATX and setext headings, keeps heading trails and 1-based line ranges, ignores fenced code', () => {
    const md = [
      'Guide', // 1
      '=====', // 2
      '', // 3
      'Intro text.', // 4
      '', // 5
      '## Setup', // 6
      '```', // 7
      '# not a heading', // 8
      '```', // 9
      'Details', // 10
      '-------', // 11
      'More.', // 12
    ].join('\n');
    const sections = splitSections(md);
    assert.deepEqual(
      sections.map((s) => [s.heading, s.trail.join(' > '), s.startLine, s.endLine]),
      [
        ['Guide', 'Guide', 1, 4],
        ['Setup', 'Guide > Setup', 6, 9],
        ['Details', 'Guide > Details', 10, 12],
      ],
    );
  });

  it('treats a line that is only bold text as a heading (Word documents without heading styles)', () => {
    const sections = splitSections('# Rules\n\n**一、总则**\n\n适用于全体员工。\n\nText with **bold** inside.');
    assert.deepEqual(
      sections.map((s) => s.trail.join(' > ')),
      ['Rules', 'Rules > 一、总则'],
    );
  });

  it('splits a long section into chunks at blank lines', () => {
    const body = Array.from({ length: 150 }, (_, i) => (i % 10 === 9 ? '' : `line ${i}`)).join('\n');
    const sections = splitSections(`# Long\n${body}`);
    assert.ok(sections.length >= 3);
    assert.ok(sections.every((s) => s.endLine - s.startLine < 60 && s.heading === 'Long'));
  });
});

describe('findExpert(), stats() and tree()', () => {
  it('findExpert() picks the expert by domain keywords from a csv table, else the general contact', async () => {
    const t = await tempKb({ seed: true });
    try {
      assert.equal((await t.kb.findExpert('My VPN password expired'))?.name, 'Li Wei (李伟)');
      assert.equal((await t.kb.findExpert('差旅报销的发票丢了'))?.domain, 'Finance');
      assert.equal((await t.kb.findExpert('Is there a shuttle bus?'))?.contact, 'people-ops@brightwater.example');
      // Through the lexicon: 工资 is the 薪酬 / payroll of HR's keywords.
      assert.equal((await t.kb.findExpert('什么时候发工资'))?.domain, 'HR');
    } finally {
      await t.cleanup();
    }
  });

  it('findExpert() reads an xlsx experts table', async () => {
    const t = await tempKb();
    try {
      const xlsx = await makeXlsx({
        Experts: [
          ['Domain', 'Expert', 'Contact'],
          ['Legal', 'Ana Ruiz', 'ana@example.com'],
          ['Security', 'Tom Lee', 'tom@example.com'],
        ],
      });
      await writeFile(path.join(t.root, 'experts.xlsx'), xlsx);
      assert.deepEqual(await t.kb.findExpert('a security question'), {
        domain: 'Security',
        name: 'Tom Lee',
        contact: 'tom@example.com',
      });
    } finally {
      await t.cleanup();
    }
  });

  it("findExpert() reads what an xlsx cell shows: a hyperlink's text, rich text, a formula's result", async () => {
    const t = await tempKb();
    try {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('Experts');
      sheet.addRow(['Domain', 'Expert', 'Contact']);
      sheet.addRow([
        'Security',
        { richText: [{ text: 'Tom ' }, { font: { bold: true }, text: 'Lee' }] },
        { text: 'tom@example.com', hyperlink: 'mailto:tom@example.com' },
      ]);
      sheet.addRow([{ formula: '"Le"&"gal"', result: 'Legal' }, 'Ana Ruiz', 'ana@example.com']);
      await writeFile(path.join(t.root, 'experts.xlsx'), Buffer.from(await book.xlsx.writeBuffer()));
      assert.deepEqual(await t.kb.findExpert('a security question'), {
        domain: 'Security',
        name: 'Tom Lee',
        contact: 'tom@example.com',
      });
      assert.equal((await t.kb.findExpert('a legal question'))?.domain, 'Legal');
    } finally {
      await t.cleanup();
    }
  });

  it('findExpert() refuses an xlsx experts table that expands past its bound (a zip bomb) and still answers', async () => {
    const t = await tempKb();
    try {
      const bomb = new JSZip();
      // 64 MB of one character compresses to well under the table's 2 MB limit.
      bomb.file('xl/worksheets/sheet1.xml', Buffer.alloc(64 * 1024 * 1024, 0x41));
      const bytes = await bomb.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
      assert.ok(bytes.length < 2 * 1024 * 1024, `${bytes.length} bytes`);
      const file = path.join(t.root, 'experts.xlsx');
      await writeFile(file, bytes);
      await assert.rejects(loadExperts(file), /expands to more than/);
      assert.equal(await t.kb.findExpert('a security question'), undefined);
    } finally {
      await t.cleanup();
    }
  });

  it('stats() counts documents, folders, types, FAQ rows and bad cases; tree() carries README descriptions', async () => {
    const t = await tempKb({ seed: true });
    try {
      const stats = await t.kb.stats();
      assert.deepEqual(
        [
          stats.files,
          stats.folders,
          stats.byExtension['.md'],
          stats.byExtension['.csv'],
          stats.faqEntries,
          stats.badCases,
        ],
        [13, 7, 12, 1, 3, 1],
      );
      const tree = await t.kb.tree();
      const hr = tree.children?.find((c) => c.name === 'hr');
      const leave = hr?.children?.find((c) => c.name === 'leave_policy.md');
      assert.equal(leave?.type, 'file');
      assert.match(leave?.description ?? '', /^Leave Policy/);
    } finally {
      await t.cleanup();
    }
  });
});
