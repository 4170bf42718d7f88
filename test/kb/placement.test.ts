// Where ingested documents go: the existing folder whose documents are most
// like the new one (by the same retrieval the answers use), a new folder only
// when nothing is close, and the ingest result says why.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TempKb, tempKb } from '../fixtures/kb-fixtures.ts';

const NEW_DOCUMENTS: Array<{ name: string; text: string; expected: string | null }> = [
  {
    name: 'parking-permits.md',
    expected: 'facilities',
    text: `# Parking Permit Policy

## Who can park

Employees may apply for a parking permit for the office garage. Permits are issued by the front desk
and linked to your access badge. The garage opens with the office and closes at 22:00.

## Visitors

Visitors park in the marked visitor spaces at the entrance; reception registers their plate number.
`,
  },
  {
    name: 'parental-leave.md',
    expected: 'hr',
    text: `# Parental Leave

Employees with at least six months of service receive 16 weeks of paid parental leave after the birth
or adoption of a child. Leave can be taken in up to three blocks within the first year. Tell your line
manager and HR at least four weeks before the leave starts; the days do not reduce annual leave.
`,
  },
  {
    name: 'disk-encryption.md',
    expected: 'it',
    text: `# Laptop Disk Encryption

Every company laptop must have full-disk encryption switched on. IT enables it when the laptop is issued;
do not turn it off. If your laptop asks for a recovery key, contact the IT service desk with your device
number. Lost or stolen laptops must be reported to IT within 24 hours so the device can be locked.
`,
  },
  {
    name: 'reseller-discounts.md',
    expected: 'sales',
    text: `# Reseller Discount Tiers

Resellers get a discount on the list price depending on their yearly volume. Discounts above the tier
table need approval from the sales director. Quotes with a discount must state the list price and the
discounted price, and are valid for 30 days.
`,
  },
  {
    name: '住宿标准补充说明.md',
    expected: 'finance',
    text: `# 出差住宿标准补充说明

员工出差时，住宿费用按城市等级报销。一线城市每晚住宿标准上限为 600 元，其他城市为 400 元。
超出标准的部分需由部门负责人审批，并在报销单中说明原因。住宿发票须与入住日期一致。
`,
  },
  {
    name: 'choir.md',
    expected: null,
    text: `# Company Choir

The choir rehearses on Thursday evenings in the music room. New singers are welcome; no audition is
needed. The winter concert takes place in December, and sheet music is shared before each rehearsal.
`,
  },
];

describe('placement of ingested documents', () => {
  let t: TempKb;
  before(async () => {
    t = await tempKb({ seed: true });
  });
  after(() => t.cleanup());

  const existing = ['facilities', 'finance', 'hr', 'it', 'onboarding', 'product', 'sales'];

  for (const doc of NEW_DOCUMENTS) {
    it(`${doc.name} goes to ${doc.expected ?? 'a new folder'}`, async () => {
      const source = path.join(t.scratch, doc.name);
      await writeFile(source, doc.text);
      const [result] = await t.kb.ingest([{ name: doc.name, sourcePath: source }], { force: true });
      assert.equal(result!.status, 'added', JSON.stringify(result));
      const folder = result!.path!.split('/')[0]!;
      if (doc.expected) assert.equal(folder, doc.expected, JSON.stringify(result));
      else assert.ok(!existing.includes(folder), `a new folder, not ${folder}`);
      assert.ok(result!.placement?.reason, 'the result says why it went there');
    });
  }

  it('an ingest that names a folder puts the document there', async () => {
    const source = path.join(t.scratch, 'any.md');
    await writeFile(source, '# Notes\n\nSome notes about the office plants and who waters them.\n');
    const [result] = await t.kb.ingest([{ name: 'any.md', sourcePath: source }], { force: true, folder: 'onboarding' });
    assert.equal(result!.path, 'onboarding/any.md');
    assert.match(result!.placement?.reason ?? '', /chosen/);
  });
});
