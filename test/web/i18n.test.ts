import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translator } from '../../web/src/shared/i18n.ts';

describe('web i18n', () => {
  it('picks the plural form by Intl.PluralRules', () => {
    const en = translator('en');
    assert.equal(en('tools.count', { n: 1 }), '1 step');
    assert.equal(en('tools.count', { n: 3 }), '3 steps');
    assert.equal(en('tools.count', { n: 0 }), '0 steps');
    assert.equal(en('kb.lines', { n: 1 }), '1 line');
    assert.equal(translator('zh')('tools.count', { n: 1 }), '1 步');
  });

  it('leaves messages without plural forms as they are', () => {
    assert.equal(translator('en')('chat.busy', { n: 1 }), 'All assistants are busy, retrying in 1 s');
  });
});
