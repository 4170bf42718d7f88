import assert from 'node:assert/strict';
import test from 'node:test';
import { stripMetadataFences } from '../../src/http/agent-events.ts';
import { MetadataFenceStream } from '../../src/http/metadata-stream.ts';

const ANSWERS = [
  'Twenty days a year.\n```metadata\n{"sources":["hr/leave.md"]}\n```\nAsk HR for more.',
  'Before.\n```metadata  \r\n{"a":1}\n```  \r\nAfter.',
  'An example:\n```json\n{"example":1}\n```\nand ```metadata\n[1,2]\n``` stays (not an object).',
  'Cut off: ```metadata\n{"a":1}',
  'Ends with a fence.\n```metadata\n{"a":1}\n```',
  'Almost a fence: ```metadat and ``` and `` end ```',
];

/** Feeds `text` in pieces cut at `cuts` and joins what the stream lets out. */
function streamed(text: string, cuts: number[]): string {
  const stream = new MetadataFenceStream();
  let out = '';
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    out += stream.push(text.slice(from, cut));
    from = cut;
  }
  return out + stream.flush();
}

test('MetadataFenceStream: the answer cut anywhere into deltas comes out as the whole answer stripped', () => {
  for (const answer of ANSWERS) {
    const expected = stripMetadataFences(answer);
    for (let cut = 0; cut <= answer.length; cut += 1) {
      assert.equal(streamed(answer, [cut]), expected, `one cut at ${cut} of ${JSON.stringify(answer)}`);
    }
    const everyChar = Array.from({ length: answer.length }, (_, i) => i);
    assert.equal(streamed(answer, everyChar), expected, `one character at a time: ${JSON.stringify(answer)}`);
  }
});

test('MetadataFenceStream: text with no fence in sight passes at once; a possible fence start is held', () => {
  const stream = new MetadataFenceStream();
  assert.equal(stream.push('Hello '), 'Hello ');
  assert.equal(stream.push('world ``'), 'world ');
  assert.equal(stream.push('`metadata\n{"a":'), '');
  assert.equal(stream.push('1}\n```\nnext'), 'next');
  assert.equal(stream.flush(), '');
});
