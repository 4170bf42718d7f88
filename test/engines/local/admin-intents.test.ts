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
    ['Notify all employees that the office is closed on Friday', { kind: 'notify', withUpload: false }],
    ['通知所有员工明天放假', { kind: 'notify', withUpload: false }],
    ['[已上传文件]\n- 员工.xlsx (路径: upl_1)\n\n通知福利积分>0的员工', { kind: 'notify', withUpload: true }],
    [
      '[Uploaded Files]\n- staff.csv (Path: upl_1)\n\nPlease notify employees with points > 0',
      { kind: 'notify', withUpload: true },
    ],
    ['[已上传文件]\n- 放假通知.docx (路径: upl_1)\n\n请将上面的文件添加到知识库', { kind: 'upload' }],
    ['[Uploaded Files]\n- notice.md (Path: upl_1)\n\nAdd this notice to the knowledge base', { kind: 'upload' }],
  ] as const) {
    it(`reads "${message}" as ${intent.kind}`, () => {
      assert.deepEqual(parseAdminIntent(message), intent);
    });
  }

  for (const question of [
    'How do I move my desk to the 3rd floor?',
    '文件应该放到哪个目录？',
    'Can I take leave?',
    'When will HR notify us about the bonus?',
    '什么时候通知发年终奖？',
    '通知在哪里看？',
    '给员工的福利有哪些？',
    'Notify me when the index is rebuilt?',
  ]) {
    it(`leaves "${question}" a question`, () => {
      assert.deepEqual(parseAdminIntent(question), { kind: 'question' });
    });
  }
});
