import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchIndex } from '../../src/kb/search-index.ts';
import { stem } from '../../src/kb/text-tokens.ts';
import { WORDNET_SENSES, wordnetSynonymsOf } from '../../src/kb/wordnet.ts';

const STAMP = { mtimeMs: 1, size: 1 };

describe('WordNet synonyms', () => {
  it('gives the lemmas sharing a synset with a word, stemmed like the index', () => {
    assert.ok(wordnetSynonymsOf(stem('ask')).includes(stem('request')));
    assert.ok(wordnetSynonymsOf(stem('file')).includes(stem('register')));
    assert.ok(!wordnetSynonymsOf(stem('ask')).includes(stem('ask')));
  });

  it(`reads only the first ${WORDNET_SENSES} sense(s) of each part of speech: a rare sense's lemmas stay out`, () => {
    // "old" in the sense "very good" (WordNet: bully, groovy, swell) is the sixth of its eight adjective senses.
    const old = wordnetSynonymsOf(stem('old'));
    for (const rare of ['groovy', 'swell', 'quondam']) assert.ok(!old.includes(stem(rare)), rare);
  });

  it('lets a question word the documents never use meet its synonym, below the word itself', () => {
    const index = new SearchIndex();
    index.upsert('hr.md', '# Leave\n\nLeave is requested in PeopleHub ten days ahead.', STAMP);
    index.upsert('it.md', '# Accounts\n\nAsk the desk when your account is locked.', STAMP);
    const [hit] = index.search('when do I ask for leave').filter((h) => h.path === 'hr.md');
    const ask = hit?.questionWords?.find((w) => w.word === 'ask');
    assert.ok(ask, 'the leave section meets "ask" through "request"');
    assert.ok(ask.weight > 0 && ask.weight < 1, `weight ${ask.weight}`);
    const exact = index
      .search('ask')
      .find((h) => h.path === 'it.md')
      ?.questionWords?.find((w) => w.word === 'ask');
    assert.equal(exact?.weight, 1);
  });
});
