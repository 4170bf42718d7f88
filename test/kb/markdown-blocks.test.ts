import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitUnits } from '../../src/engines/local/answer-units.ts';
import { markdownBlocks } from '../../src/kb/markdown-blocks.ts';
import { splitSections } from '../../src/kb/sections.ts';

const DOC = [
  '# Deploying', //                       1
  '', //                                  2
  'Before you start:', //                 3
  '- get access to the cluster', //       4
  '  from the platform team', //          5
  '- install the CLI', //                 6
  '  - on macOS with brew', //            7
  '  - on Linux with apt', //             8
  '', //                                  9
  '```sh', //                             10
  'npm ci', //                            11
  '# not a heading', //                   12
  'npm run deploy. Then wait.', //        13
  '```', //                               14
  '', //                                  15
  'Region | Owner', //                    16
  '--- | ---', //                         17
  'eu | Ana', //                          18
  'us | Bo', //                           19
  '', //                                  20
  '> Rollbacks need a second reviewer.', // 21
  '', //                                  22
  '**Who approves?**', //                 23
  'The release manager. Ask in #deploys.', // 24
].join('\n');

describe('markdownBlocks()', () => {
  it('gives every block the source line it starts on, nested list items included', () => {
    const blocks = markdownBlocks(DOC);
    assert.deepEqual(
      blocks.map((b) => [b.kind, b.line]),
      [
        ['heading', 1],
        ['paragraph', 3],
        ['item', 4],
        ['item', 6],
        ['item', 7],
        ['item', 8],
        ['code', 10],
        ['table', 16],
        ['paragraph', 21],
        ['heading', 23],
        ['paragraph', 24],
      ],
    );
    const items = blocks.filter((b) => b.kind === 'item');
    assert.deepEqual(
      items.map((b) => [b.text, b.endLine]),
      [
        ['- get access to the cluster from the platform team', 5],
        ['- install the CLI', 6],
        ['- on macOS with brew', 7],
        ['- on Linux with apt', 8],
      ],
    );
  });

  it('keeps a code block whole and reads a table without outer pipes with its header', () => {
    const blocks = markdownBlocks(DOC);
    const code = blocks.find((b) => b.kind === 'code');
    assert.deepEqual(code && [code.line, code.endLine], [10, 14]);
    const table = blocks.find((b) => b.kind === 'table');
    assert.equal(table?.kind === 'table' && table.header, '| Region | Owner |');
    assert.deepEqual(table?.kind === 'table' && table.rows, [
      { line: 18, text: '| eu | Ana |' },
      { line: 19, text: '| us | Bo |' },
    ]);
  });

  it('counts lines from the offset it is given, for a section cut out of a document', () => {
    const blocks = markdownBlocks('## Part\n\ntext', 40);
    assert.deepEqual(
      blocks.map((b) => b.line),
      [40, 42],
    );
  });
});

describe('sections and answer units from the blocks', () => {
  it('a "#" line inside fenced code is not a heading; a bold line over its answer is', () => {
    const sections = splitSections(DOC);
    assert.deepEqual(
      sections.map((s) => [s.heading, s.startLine, s.endLine]),
      [
        ['Deploying', 1, 21],
        ['Who approves?', 23, 24],
      ],
    );
  });

  it('code is one unit, never cut into sentences; rows carry their header line', () => {
    const units = splitUnits(DOC.split('\n'), 1);
    const code = units.filter((u) => u.kind === 'code');
    assert.equal(code.length, 1);
    assert.match(code[0]!.text, /^```sh\nnpm ci\n# not a heading\nnpm run deploy\. Then wait\.\n```$/);
    assert.equal(
      units.some((u) => u.kind === 'sentence' && /npm/.test(u.text)),
      false,
    );
    const rows = units.filter((u) => u.kind === 'row');
    assert.deepEqual(
      rows.map((r) => r.kind === 'row' && [r.line, r.headerLine]),
      [
        [18, 16],
        [19, 16],
      ],
    );
    const sentences = units.filter((u) => u.kind === 'sentence').map((u) => [u.line, u.text]);
    assert.deepEqual(sentences, [
      [3, 'Before you start:'],
      [21, 'Rollbacks need a second reviewer.'],
      [24, 'The release manager.'],
      [24, 'Ask in #deploys.'],
    ]);
  });

  it('Chinese numbering and bullets that Markdown does not know are still items', () => {
    const units = splitUnits(['报销流程：', '1、填写报销单', '2、部门经理审批', '• 附发票'], 10);
    assert.deepEqual(
      units.map((u) => [u.kind, u.line]),
      [
        ['sentence', 10],
        ['item', 11],
        ['item', 12],
        ['item', 13],
      ],
    );
  });

  it('parses a short text once: the same text and first line give the same blocks, another first line its own', () => {
    const text = '# Leave\n\nTwenty days a year.\n\n- carried over: five';
    const first = markdownBlocks(text, 10);
    assert.equal(markdownBlocks(text, 10), first, 'kept');
    const moved = markdownBlocks(text, 20);
    assert.notEqual(moved, first);
    assert.deepEqual(
      moved.map((b) => b.line),
      first.map((b) => b.line + 10),
    );
    const long = `# Long\n\n${'word '.repeat(5_000)}`;
    assert.notEqual(markdownBlocks(long), markdownBlocks(long), 'a long text is parsed each time');
    assert.deepEqual(markdownBlocks(long), markdownBlocks(long));
  });
});
