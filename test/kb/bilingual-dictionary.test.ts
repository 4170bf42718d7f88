import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chineseSynonymsOf, translationsOf } from '../../src/kb/bilingual-dictionary.ts';
import { stem } from '../../src/kb/text-tokens.ts';

describe('translationsOf() (CC-CEDICT)', () => {
  it('translates a Chinese word into stemmed English words and short phrases', () => {
    assert.ok(translationsOf('冰箱').includes(stem('refrigerator')));
    assert.ok(translationsOf('夜班').includes(`${stem('night')} ${stem('shift')}`));
    assert.ok(translationsOf('病人').includes(stem('patient')));
  });

  it('translates an English stem into Chinese words of two or more characters', () => {
    assert.ok(translationsOf(stem('quote')).includes('报价'));
    assert.ok(translationsOf(stem('colleague')).includes('同事'));
    assert.ok(translationsOf(stem('quote')).every((w) => w.length >= 2));
  });

  it('leaves out notes and long glosses that are not translations', () => {
    // 体检's only gloss is "abbr. for 体格检查"; 报价's "to quote a price" is too long to stand for "quote".
    assert.deepEqual(translationsOf('体检'), []);
    assert.ok(!translationsOf('报价').some((t) => t.split(' ').length > 2));
    assert.deepEqual(translationsOf('no such word'), []);
  });

  it('finds Chinese words that share a one-word English translation, not a phrase', () => {
    assert.ok(chineseSynonymsOf('辞职').includes('离职'));
    assert.ok(chineseSynonymsOf('急着').includes('紧急'));
    assert.ok(!chineseSynonymsOf('辞职').includes('辞职'));
    // 退钱's only translation is the phrase "refund money": no pivot.
    assert.deepEqual(chineseSynonymsOf('退钱'), []);
  });
});
