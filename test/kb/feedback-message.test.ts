// Chat messages that are feedback on the previous answer, as the original clients word them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFeedbackMessage } from '../../src/kb/feedback.ts';

test('the words and the translated client’s buttons are feedback; questions about satisfaction are not', () => {
  const cases: [string, ReturnType<typeof readFeedbackMessage>][] = [
    ['满意', { satisfied: true }],
    ['不满意 数字不对', { satisfied: false, reason: '数字不对' }],
    ["I'm satisfied with this result", { satisfied: true }],
    ['I’m not satisfied with this result', { satisfied: false }],
    ['我对结果满意', { satisfied: true }],
    ['我对结果不满意', { satisfied: false }],
    ['对这个回答不满意，日期错了', { satisfied: false, reason: '日期错了' }],
    ['not satisfied: wrong year', { satisfied: false, reason: 'wrong year' }],
    ['helpful', { satisfied: true }],
    ['Are satisfied customers given a discount?', undefined],
    ['满意度调查什么时候做？', undefined],
    ['I am satisfied that the form is right, but where do I send it?', undefined],
  ];
  for (const [message, expected] of cases) assert.deepEqual(readFeedbackMessage(message), expected, message);
});
