// The hidden headings that let the original client show its feedback buttons under an English answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireEvent } from '../../src/http/agent-events.ts';
import { pickAnsweredTurn } from '../../src/http/answered-turn.ts';
import { FEEDBACK_MARKER, withFeedbackMarker } from '../../src/http/feedback-marker.ts';
import type { SessionMessage } from '../../src/sessions/types.ts';

function streamed(deltas: readonly string[]): string {
  const sent: WireEvent[] = [];
  const send = withFeedbackMarker((event) => sent.push(event));
  send({ type: 'session', session_id: 's', is_new: true });
  for (const content of deltas) send({ type: 'message', content });
  send({ type: 'done', duration_ms: 1 });
  assert.equal(sent.at(-1)?.type, 'done', 'done stays last');
  return sent.flatMap((e) => (e.type === 'message' ? [e.content] : [])).join('');
}

test('an English cited answer gets the marker before done, even with its headings cut across deltas', () => {
  const text = streamed(['## Ans', 'wer\n\nTwenty days.\n\n**Refer', 'ence Source**\n\n- hr/leave.md:3-4']);
  assert.ok(text.endsWith(FEEDBACK_MARKER), text);
  assert.match(text, /##\s*答案/);
  assert.match(text, /##\s*(参考)?来源|来源[:：]/);
});

test('a "not found", a Chinese answer and a reply that is no answer get no marker', () => {
  for (const deltas of [
    ['## Answer\n\nI could not find a reliable answer to this question in the knowledge base.'],
    ['## 答案\n\n15 天。\n\n## 参考来源\n\n- hr/年假.md:3-4'],
    ['Added 1 file: hr/parking.md'],
  ]) {
    assert.ok(!streamed(deltas).includes(FEEDBACK_MARKER), deltas.join(''));
  }
});

test('feedback naming an answer as a client showed it, hidden headings included, finds the stored answer', () => {
  const answer = '## Answer\n\nTwenty days.\n\n**Reference Source**\n\n- hr/leave.md:3-4';
  const messages: SessionMessage[] = [
    { role: 'user', content: 'Leave?', at: 1 },
    { role: 'assistant', content: answer, at: 2 },
    { role: 'user', content: 'Parking?', at: 3 },
    { role: 'assistant', content: 'Something else.', at: 4 },
  ];
  assert.equal(pickAnsweredTurn(messages, { answer: answer + FEEDBACK_MARKER })?.turn, 1);
});
