// Every converter over mutated and truncated files (a seeded PRNG, so a
// failure is reproducible): each conversion ends, as a document or as a
// KbError, never as another exception or a hang, and the thread survives.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IsolatedConverter } from '../../src/kb/converters/isolated.ts';
import { KbError } from '../../src/kb/types.ts';
import { makeDocx, makePdf, makePptx, makeXlsx, type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';
import { seededRandom } from '../support/seeded-random.ts';

const LIMITS = { maxSourceBytes: 10 * 1024 * 1024, maxConvertedBytes: 5 * 1024 * 1024 };
const CASES_PER_CONVERTER = Number(process.env.FUZZ_CASES ?? 24);

function mutate(sample: Buffer, random: () => number): Buffer {
  const out = Buffer.from(sample);
  const kind = random();
  if (kind < 0.35) return out.subarray(0, Math.floor(random() * out.length));
  const flips = 1 + Math.floor(random() * 16);
  for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
  if (kind > 0.8) return Buffer.concat([out, out.subarray(0, Math.floor(random() * 2048))]);
  return out;
}

describe('converter fuzzing', () => {
  let t: TempKb;
  let converter: IsolatedConverter;
  const samples: Record<string, () => Promise<Buffer>> = {
    docx: () => makeDocx('Fuzz', ['First paragraph of the sample.', 'Second paragraph.']),
    pptx: () => makePptx([{ title: 'Fuzz deck', bullets: ['one', 'two'], notes: 'Speaker notes.' }]),
    xlsx: () =>
      makeXlsx({
        Sheet1: [
          ['name', 'days'],
          ['Ann', 3],
          ['Bo', 5],
        ],
      }),
    pdf: () => makePdf(['A page of text for the fuzz test.', 'Another page.']),
    html: async () =>
      Buffer.from('<html><body><h1>Fuzz</h1><p>Some <b>bold</b> text &amp; a <a href="x">link</a>.</p></body></html>'),
    csv: async () => Buffer.from('name,days\nAnn,3\n"Bo, Jr.",5\n'),
  };

  before(async () => {
    t = await tempKb({ files: {} });
    converter = new IsolatedConverter({ timeoutMs: 20_000 });
  });
  after(async () => {
    await converter.close();
    await t.cleanup();
  });

  for (const [ext, make] of Object.entries(samples)) {
    it(`${ext}: ${CASES_PER_CONVERTER} mutated files each end as a document or a KbError`, async () => {
      const sample = await make();
      const random = seededRandom(ext.length * 7919 + sample.length);
      const outcomes = { converted: 0, refused: 0 };
      for (let i = 0; i < CASES_PER_CONVERTER; i++) {
        const name = `fuzz-${i}.${ext}`;
        const file = path.join(t.scratch, name);
        await writeFile(file, mutate(sample, random));
        try {
          await converter.convert(file, name, `fuzz-${i}`, LIMITS);
          outcomes.converted++;
        } catch (error) {
          assert.ok(error instanceof KbError, `case ${i}: ${error instanceof Error ? error.stack : String(error)}`);
          // A refusal that explains the file, not a converter that crashed or hung on it.
          assert.doesNotMatch(error.message, /converter stopped|CONVERT_TIMEOUT_MS|CONVERT_MAX_MEMORY_MB/, `case ${i}`);
          assert.match(error.code, /^KB_(CONVERT_FAILED|TOO_LARGE|UNSUPPORTED_TYPE)$/, `case ${i}`);
          outcomes.refused++;
        }
      }
      assert.equal(outcomes.converted + outcomes.refused, CASES_PER_CONVERTER);
      // The thread still converts a good file afterwards.
      const good = path.join(t.scratch, `good.${ext}`);
      await writeFile(good, sample);
      assert.ok((await converter.convert(good, `good.${ext}`, 'good', LIMITS)).markdown.length > 0);
    });
  }
});
