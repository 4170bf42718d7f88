import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerTypeOf } from '../../src/kb/answer-type.ts';

describe('answerTypeOf()', () => {
  it('reads the kind of answer a question asks for, "how often" before "how long"', () => {
    assert.equal(answerTypeOf('How often do I have to change my password?')?.name, 'frequency');
    assert.equal(answerTypeOf('密码多久一次要换？')?.name, 'frequency');
    assert.equal(answerTypeOf('How long is an on-call shift?')?.name, 'duration');
    assert.equal(answerTypeOf('出差回来多久之内要交报销？')?.name, 'duration');
    assert.equal(answerTypeOf('How much paternity leave do fathers get?')?.name, 'amount');
    assert.equal(answerTypeOf('出差吃饭每天补多少钱？')?.name, 'amount');
    assert.equal(answerTypeOf('Who approves travel?'), undefined);
    assert.equal(answerTypeOf('How do I tag a release?'), undefined);
  });

  it('tells a text that states such an answer from one that cannot', () => {
    const frequency = answerTypeOf('How often are laptops replaced?')!;
    for (const text of [
      'Passwords expire every 90 days.',
      'Backups run weekly.',
      '每年体检一次',
      'twice a year',
      '3 times per week',
    ])
      assert.ok(frequency.holds(text), text);
    assert.ok(frequency.holds('Laptops are replaced every 3 years.'));
    assert.ok(!frequency.holds('Laptops are replaced when they fail.'));
    const duration = answerTypeOf('How long do refunds take?')!;
    assert.ok(duration.holds('Refunds are paid within 10 working days.'));
    assert.ok(duration.holds('Each engineer is on call for one week at a time.'));
    assert.ok(duration.holds('出差结束后 15 个自然日内提交'));
    assert.ok(!duration.holds('Refunds go to the card you paid with.'));
    const amount = answerTypeOf('How much can I claim for a hotel?')!;
    assert.ok(amount.holds('Up to £150 a night.'));
    assert.ok(amount.holds('北京、上海 | 600 元'));
    assert.ok(amount.holds('Fathers get 10 days of paid leave.'));
    assert.ok(!amount.holds('Book through the travel portal.'));
  });
});
