// What an admin's message asks for: the request however politely it is put, and a question stays a question.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAdminIntent } from '../../../src/engines/local/admin-intents.ts';

describe('parseAdminIntent()', () => {
  for (const [message, intent] of [
    ['Can you delete parking.md?', { kind: 'delete', target: 'parking.md' }],
    ['I want to remove old.md', { kind: 'delete', target: 'old.md' }],
    ['帮我删除 old.md', { kind: 'delete', target: 'old.md' }],
    ['could you please move hr/a.md to archive?', { kind: 'move', target: 'hr/a.md', folder: 'archive' }],
    ['Move the file parking into the facilities folder', { kind: 'move', target: 'parking', folder: 'facilities' }],
    ['move a.md to the top folder', { kind: 'move', target: 'a.md', folder: '' }],
    ['麻烦把 a.md 移到 b', { kind: 'move', target: 'a.md', folder: 'b' }],
    ['将 hr/请假.md 移动到 归档 文件夹', { kind: 'move', target: 'hr/请假.md', folder: '归档' }],
    [
      'Can you show hr/leave_policy.md lines 1-5?',
      { kind: 'show', target: 'hr/leave_policy.md', startLine: 1, endLine: 5 },
    ],
  ] as const) {
    it(`reads "${message}" as ${intent.kind}`, () => {
      assert.deepEqual(parseAdminIntent(message), intent);
    });
  }

  for (const question of ['How do I move my desk to the 3rd floor?', '文件应该放到哪个目录？', 'Can I take leave?']) {
    it(`leaves "${question}" a question`, () => {
      assert.deepEqual(parseAdminIntent(question), { kind: 'question' });
    });
  }
});
