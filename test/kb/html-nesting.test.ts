// The nesting depth measured before HTML is parsed (src/kb/converters/html-nesting.ts), checked against
// the depth of the tree turndown's own parser builds: never less, and for real markup the same.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { htmlNestingDepth, MAX_HTML_DEPTH } from '../../src/kb/converters/html-nesting.ts';

interface DomNode {
  readonly nodeType: number;
  readonly firstChild: DomNode | null;
  readonly nextSibling: DomNode | null;
}
// The parser turndown uses under Node (its types declare another module name).
const domino = createRequire(import.meta.url)('@mixmark-io/domino') as {
  createDocument(html: string): { readonly documentElement: DomNode };
};

/** Depth of the deepest element of the tree the parser builds (<html> is 1). */
function parsedDepth(html: string): number {
  let deepest = 0;
  const walk = (node: DomNode, depth: number) => {
    deepest = Math.max(deepest, depth);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) walk(child, depth + 1);
    }
  };
  walk(domino.createDocument(html).documentElement, 1);
  return deepest;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

describe('htmlNestingDepth()', () => {
  it('counts what the parser keeps open, for sloppy markup it closes itself and for markup built to nest', () => {
    const cases: Record<string, string> = {
      'nested divs': `${'<div>'.repeat(200)}x${'</div>'.repeat(200)}`,
      'unclosed paragraphs': '<p>para'.repeat(300),
      'unclosed list items': `<ul>${'<li>item'.repeat(300)}</ul>`,
      'unclosed definitions': `<dl>${'<dt>a<dd>b'.repeat(300)}</dl>`,
      'unclosed rows and cells': `<table>${'<tr><td>a<td>b'.repeat(300)}</table>`,
      'rows closed over open cells': `<table>${'<tr><td>a</tr>'.repeat(300)}</table>`,
      'unclosed links': '<a href=x>link '.repeat(300),
      'unclosed bold in each cell': `<table>${'<tr><td><b>x</td></tr>'.repeat(300)}</table>`,
      'unclosed headings, forms, buttons': '<h2>Title<form><button>x'.repeat(100),
      'script text': `<script>${'<div>'.repeat(300)}</script>`,
      'bold reopened in each paragraph (three alike at most)': '<p><b>bold'.repeat(300),
      'distinct bold reopened in each paragraph': Array.from({ length: 100 }, (_, i) => `<p><b id=${i}>x`).join(''),
      'end tags the parser ignores': '<span><div></span>'.repeat(150),
      'end tag out of a table cell': '<div><table><tr><td></div>'.repeat(60),
      'list item end tag inside a list': '<li><ul></li>'.repeat(150),
      'self-closing HTML in SVG': `<svg><foreignObject>${'<div/>'.repeat(200)}`,
      'nested SVG groups': `<svg>${'<g>'.repeat(200)}`,
      'SVG style is markup': `<svg><style>${'<g>'.repeat(100)}`,
      'nested tables': `${'<table><tr><td>'.repeat(60)}x`,
      'nested lists': `${'<ul><li>'.repeat(100)}x`,
    };
    for (const [label, html] of Object.entries(cases)) {
      const parsed = parsedDepth(html);
      const measured = htmlNestingDepth(html, UNLIMITED);
      assert.ok(measured >= parsed, `${label}: measured ${measured}, parsed ${parsed}`);
      assert.ok(measured <= parsed + 2, `${label}: measured ${measured}, parsed ${parsed}`);
    }
  });

  it('never falls far below the parser on repeated tag soup (seeded)', () => {
    const tags =
      'div p span b i a li ul ol table tr td th tbody caption dd dt dl option select h1 form button svg g math mi foreignObject font object template pre textarea style title nobr em br img'.split(
        ' ',
      );
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 300; round++) {
      let snippet = '';
      for (let k = 2 + Math.floor(random() * 10); k > 0; k--) {
        const tag = tags[Math.floor(random() * tags.length)]!;
        const r = random();
        const id = random() < 0.2 ? ` id=${Math.floor(random() * 3)}` : '';
        snippet += r < 0.55 ? `<${tag}${id}${random() < 0.1 ? '/' : ''}>` : r < 0.85 ? `</${tag}>` : 'x';
      }
      // Repeated, a construct the scan misjudges would drift further from the parser each time.
      const html = snippet.repeat(40);
      const parsed = parsedDepth(html);
      const measured = htmlNestingDepth(html, UNLIMITED);
      assert.ok(measured * 1.5 + 5 >= parsed, `measured ${measured}, parsed ${parsed}: ${snippet}`);
    }
  });

  it('stops just past the limit, in one pass', () => {
    assert.equal(htmlNestingDepth('<div>'.repeat(1_000_000)), MAX_HTML_DEPTH + 1);
    assert.equal(htmlNestingDepth(`<p>${'text '.repeat(1_000_000)}`), 3);
  });
});
