// The admin console at `/admin` in a real Chromium against a real Docent
// (offline engine): sign-in, chat, drag-and-drop upload and ingest of a .docx
// and a .pdf, conflicts, the tree, two-step delete, FAQ and bad cases, the
// pool dashboard, and a hostile document shown inert everywhere it appears.
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { saveScreenshot } from './support/artifacts.ts';
import { type BrowserSession, chromiumMissing, launchBrowser } from './support/browser.ts';
import { ask, text } from './support/chat.ts';
import { type DocentServer, startDocent } from './support/docent-server.ts';
import { makeDocx, makePdf, makeText, type TestDocument } from './support/documents.ts';
import { watchPage } from './support/page-watch.ts';
import { ensureWebBuilt } from './support/web-build.ts';

const skip = chromiumMissing() ?? false;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Drops files on an element the way a browser does: a drop event carrying a DataTransfer. */
async function dropFiles(page: Page, selector: string, documents: TestDocument[]): Promise<void> {
  const payload = documents.map((d) => ({ name: d.name, type: d.mimeType, base64: d.buffer.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((files) => {
    const transfer = new DataTransfer();
    for (const file of files) {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
    }
    return transfer;
  }, payload);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

function uploadRow(page: Page, name: string): Locator {
  return page.locator(`[data-testid=upload-row][data-name="${name}"]`);
}

async function waitForRowStatus(page: Page, name: string, statuses: string[]): Promise<string> {
  await page.waitForFunction(
    ({ name, statuses }) => {
      const row = document.querySelector(`[data-testid=upload-row][data-name="${name}"]`);
      return row !== null && statuses.includes(row.getAttribute('data-status') ?? '');
    },
    { name, statuses },
  );
  return (await uploadRow(page, name).getAttribute('data-status')) ?? '';
}

/** Uploads through the console and ingests; returns where each file was placed. */
async function uploadAndIngest(page: Page, documents: TestDocument[]): Promise<Map<string, string>> {
  await page.click('[data-testid=tab-upload]');
  await page.setInputFiles(
    '[data-testid=file-input]',
    documents.map((d) => ({ name: d.name, mimeType: d.mimeType, buffer: d.buffer })),
  );
  for (const d of documents) await waitForRowStatus(page, d.name, ['uploaded']);
  await page.click('[data-testid=ingest]');
  const placed = new Map<string, string>();
  for (const d of documents) {
    assert.equal(await waitForRowStatus(page, d.name, ['added', 'conflict', 'failed', 'skipped']), 'added');
    const detail = await text(uploadRow(page, d.name).locator('.row-detail'));
    placed.set(d.name, detail.replace(/^.*?(\S+\.md)\s*$/, '$1'));
  }
  return placed;
}

describe('admin console page', () => {
  let server: DocentServer;
  let browser: BrowserSession;
  let admin: Page;

  before(async () => {
    if (skip) return;
    await ensureWebBuilt();
    server = await startDocent();
    browser = await launchBrowser();
    admin = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('GET /admin refuses a wrong token, signs in with the right one and keeps it for the tab', { skip }, async () => {
    const watch = watchPage(admin);
    const response = await admin.goto(`${server.baseUrl}/admin`);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await saveScreenshot(admin, 'admin-sign-in');
    await admin.fill('[data-testid=admin-token]', 'not-the-token');
    await admin.click('[data-testid=signin]');
    await admin.locator('.signin-card [role=alert]').waitFor();
    assert.equal(await admin.locator('[data-testid=tab-chat]').count(), 0);

    await admin.fill('[data-testid=admin-token]', server.adminToken);
    await admin.click('[data-testid=signin]');
    await admin.locator('[data-testid=tab-chat]').waitFor();
    await admin.reload();
    await admin.locator('[data-testid=tab-chat]').waitFor();
    assert.equal(await admin.evaluate(() => sessionStorage.length > 0), true);
    await saveScreenshot(admin, 'admin-console');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.cspViolations, [], 'the UI needs nothing the CSP forbids');
  });

  test('a token that stops working (401) returns the console to the sign-in form', { skip }, async () => {
    const other = await browser.newPage();
    await other.goto(`${server.baseUrl}/admin`);
    await other.fill('[data-testid=admin-token]', server.adminToken);
    await other.click('[data-testid=signin]');
    await other.locator('[data-testid=tab-kb]').waitFor();
    // As if the token had been rotated on the server: every admin call now gets 401.
    await other.route('**/api/**', (route) =>
      route.fulfill({
        status: 401,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Admin token required' }, detail: null }),
      }),
    );
    await other.click('[data-testid=tab-kb]');
    await other.locator('[data-testid=admin-token]').waitFor();
    assert.equal(await other.evaluate(() => sessionStorage.length), 0);
    await other.close();
  });

  test('chat: the admin agent answers with the same Markdown rendering', { skip }, async () => {
    await admin.click('[data-testid=tab-chat]');
    await admin.fill('[data-testid=composer]', 'How many documents are in the knowledge base?');
    await admin.click('[data-testid=send]');
    await admin.waitForSelector('[data-testid=answer]:not([data-status=streaming])');
    const answer = admin.locator('[data-testid=answer]').last();
    assert.equal(await answer.getAttribute('data-status'), 'done');
    assert.ok((await text(answer.locator('.markdown'))).length > 0);
    await saveScreenshot(admin, 'admin-chat');
  });

  test('upload: a dropped .docx and .pdf upload with a progress bar each, ingest adds them, and they are in the tree and in an answer', {
    skip,
  }, async () => {
    const docx = await makeDocx('drone-lab-safety.docx', 'Drone Lab Safety Rules', [
      'Every pilot in the drone lab must wear orange goggles rated ZX-9.',
      'The drone lab opens at 07:30 and closes at 19:00.',
    ]);
    const pdf = await makePdf('canteen-menu-policy.pdf', 'Canteen Menu Policy', [
      'The canteen serves quinoa porridge every Wednesday morning.',
      'Menu complaints go to the facilities desk within 3 days.',
    ]);
    await admin.click('[data-testid=tab-upload]');
    await dropFiles(admin, '[data-testid=dropzone]', [docx, pdf]);
    for (const d of [docx, pdf]) {
      assert.equal(await waitForRowStatus(admin, d.name, ['uploaded']), 'uploaded');
      const bar = uploadRow(admin, d.name).locator('[role=progressbar]');
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    }
    await saveScreenshot(admin, 'admin-upload');

    await admin.click('[data-testid=ingest]');
    const placed = new Map<string, string>();
    for (const d of [docx, pdf]) {
      assert.equal(await waitForRowStatus(admin, d.name, ['added', 'conflict', 'failed', 'skipped']), 'added');
      const detail = await text(uploadRow(admin, d.name).locator('.row-detail'));
      placed.set(d.name, detail.replace(/^.*?(\S+\.md)\s*$/, '$1'));
    }
    await saveScreenshot(admin, 'admin-ingest-done');
    const docxPath = placed.get(docx.name)!;
    const pdfPath = placed.get(pdf.name)!;
    assert.ok(await exists(path.join(server.kbRoot, docxPath)), `${docxPath} is in the knowledge base`);
    assert.ok(await exists(path.join(server.kbRoot, pdfPath)), `${pdfPath} is in the knowledge base`);

    await admin.click('[data-testid=tab-kb]');
    for (const placedPath of [docxPath, pdfPath]) {
      await admin.locator(`[data-testid=tree-row][data-path="${placedPath}"]`).waitFor();
    }
    await admin.locator(`[data-testid=tree-row][data-path="${docxPath}"] .tree-label`).click();
    await admin.locator('[data-testid=file-viewer] .line').first().waitFor();
    assert.match(await text(admin.locator('[data-testid=file-viewer]')), /orange goggles rated ZX-9/);
    await saveScreenshot(admin, 'admin-knowledge-base');

    const employee = await browser.newPage();
    await employee.goto(`${server.baseUrl}/`);
    for (const [question, fact, cited] of [
      ['What goggles must drone lab pilots wear?', /orange goggles/, docxPath],
      ['What does the canteen serve on Wednesday?', /quinoa porridge/, pdfPath],
    ] as const) {
      const answer = await ask(employee, question);
      assert.match(await text(answer.locator('.markdown')), fact);
      const citation = answer.locator(`a.citation[data-path="${cited}"]`).first();
      await citation.click();
      // The pane switches to this citation: its cited lines hold the fact.
      await employee.locator('[data-testid=source-pane] .line.marked', { hasText: fact }).first().waitFor();
      assert.equal(await text(employee.locator('[data-testid=source-pane] .source-path')), cited);
    }
    await saveScreenshot(employee, 'employee-answer-from-upload');
    await employee.close();
  });

  test('ingest: a copy of an existing document is shown as a conflict side by side, and "add anyway" adds it', {
    skip,
  }, async () => {
    const original = await readFile(path.join(server.kbRoot, 'hr', 'leave_policy.md'));
    const copy: TestDocument = { name: 'leave-policy-copy.md', mimeType: 'text/markdown', buffer: original };
    await admin.click('[data-testid=tab-upload]');
    await admin.setInputFiles('[data-testid=file-input]', [
      { name: copy.name, mimeType: copy.mimeType, buffer: copy.buffer },
    ]);
    await waitForRowStatus(admin, copy.name, ['uploaded']);
    await admin.click('[data-testid=ingest]');
    assert.equal(await waitForRowStatus(admin, copy.name, ['added', 'conflict', 'failed', 'skipped']), 'conflict');
    const conflicts = uploadRow(admin, copy.name).locator('[data-testid=conflicts]');
    assert.match(await text(conflicts.locator('.conflict-side.existing')), /hr\/leave_policy\.md/);
    assert.match(await text(conflicts.locator('.conflict-side.incoming')), /Annual Leave/);
    await saveScreenshot(admin, 'admin-conflict');
    await conflicts.locator('[data-testid=conflict-add]').click();
    assert.equal(await waitForRowStatus(admin, copy.name, ['added', 'failed']), 'added');
  });

  test('delete: the tree asks for confirmation listing what goes, then the file leaves the tree and the disk', {
    skip,
  }, async () => {
    const [[, placed]] = [
      ...(await uploadAndIngest(admin, [
        makeText('old-parking-rules.md', '# Old parking rules\n\nCars park on level B2 only.\n'),
      ])),
    ];
    const onDisk = path.join(server.kbRoot, placed);
    assert.ok(await exists(onDisk));
    await admin.click('[data-testid=tab-kb]');
    await admin.click('[data-testid=kb-refresh]');
    const row = admin.locator(`[data-testid=tree-row][data-path="${placed}"]`);
    await row.waitFor();

    await row.hover();
    await row.locator('[data-testid=tree-delete]').click();
    const dialog = admin.locator('[data-testid=delete-dialog]');
    await dialog.locator('[data-testid=delete-confirm]:not([disabled])').waitFor();
    assert.match(await text(dialog.locator('.delete-paths')), new RegExp(placed.replace(/[.]/g, '\\.')));
    await saveScreenshot(admin, 'admin-delete-confirmation');
    await dialog.locator('button.secondary').click();
    assert.ok(await exists(onDisk), 'cancel deletes nothing');

    await row.hover();
    await row.locator('[data-testid=tree-delete]').click();
    await dialog.locator('[data-testid=delete-confirm]:not([disabled])').click();
    await admin.locator('[data-testid=kb-notice]').waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal(await exists(onDisk), false);
  });

  test('move: the tree moves a file into a new folder, and a hidden folder is refused with the reason shown', {
    skip,
  }, async () => {
    const [[, placed]] = [
      ...(await uploadAndIngest(admin, [
        makeText('bike-storage.md', '# Bike storage\n\nBicycles are kept in the cage behind building C.\n'),
      ])),
    ];
    await admin.click('[data-testid=tab-kb]');
    await admin.click('[data-testid=kb-refresh]');
    const row = admin.locator(`[data-testid=tree-row][data-path="${placed}"]`);
    await row.waitFor();
    const dialog = admin.locator('[data-testid=move-dialog]');

    await row.hover();
    await row.locator('[data-testid=tree-move]').click();
    await dialog.locator('[data-testid=move-folder]').fill('.hidden');
    await dialog.locator('[data-testid=move-confirm]').click();
    await dialog.locator('[role=alert]').waitFor();
    assert.match(await text(dialog.locator('[role=alert]')), /cannot be a document folder/);
    assert.ok(await exists(path.join(server.kbRoot, placed)), 'a refused move leaves the file');

    await dialog.locator('[data-testid=move-folder]').fill('front-desk');
    await saveScreenshot(admin, 'admin-move');
    await dialog.locator('[data-testid=move-confirm]').click();
    await admin.locator('[data-testid=kb-notice]').waitFor();
    await admin.locator('[data-testid=tree-row][data-path="front-desk/bike-storage.md"]').waitFor();
    assert.ok(await exists(path.join(server.kbRoot, 'front-desk', 'bike-storage.md')));
    assert.equal(await exists(path.join(server.kbRoot, placed)), false);
  });

  test('FAQ and bad-case lists show the knowledge base entries, and FAQ citations open the cited lines', {
    skip,
  }, async () => {
    // Feedback names an answer Docent gave in the caller's own conversation.
    const feedback = async (satisfied: boolean, question: string, reason?: string) => {
      const asked = await fetch(`${server.baseUrl}/api/user/query?message=${encodeURIComponent(question)}`);
      const cookie = (asked.headers.get('set-cookie') ?? '').split(';')[0]!;
      const firstEvent = (await asked.text()).split('\n\n')[0]!;
      const sessionId = JSON.parse(firstEvent.slice('data: '.length)).session_id as string;
      return fetch(`${server.baseUrl}/api/feedback`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', cookie },
        body: JSON.stringify({ session_id: sessionId, satisfied, reason }),
      });
    };
    assert.equal((await feedback(true, 'How do I connect to the VPN from home?')).status, 200);
    assert.equal((await feedback(false, 'Is there a gym?', 'No answer about the gym')).status, 200);
    await admin.click('[data-testid=tab-kb]');
    await admin.click('[data-testid=kb-view-faq]');
    await admin.locator('[data-testid=faq-table]').waitFor();
    assert.match(await text(admin.locator('[data-testid=faq-table]')), /How do I connect to the VPN from home\?/);
    await saveScreenshot(admin, 'admin-faq');
    // A citation in an FAQ answer opens the cited lines in the file viewer.
    const citation = admin.locator('[data-testid=faq-table] a.citation').first();
    const citedPath = await citation.getAttribute('data-path');
    await citation.click();
    await admin.locator('[data-testid=file-viewer] .line.marked').first().waitFor();
    assert.equal(await text(admin.locator('[data-testid=file-viewer] .source-path')), citedPath);
    await admin.click('[data-testid=kb-view-badcases]');
    await admin.locator('[data-testid=badcase-table]').waitFor();
    assert.match(await text(admin.locator('[data-testid=badcase-table]')), /Is there a gym\?/);
    await admin.click('[data-testid=kb-view-files]');
  });

  test('pool dashboard: both pools by worker state, and the numbers and chart move while turns run', {
    skip,
  }, async () => {
    await admin.click('[data-testid=tab-pool]');
    const employeePool = admin.locator('[data-testid=pool-employee]');
    await employeePool.waitFor();
    await admin.locator('[data-testid=pool-admin]').waitFor();
    const turnsBefore = Number(await text(employeePool.locator('[data-testid=stat-turns] .stat-value')));
    for (const label of ['Busy', 'Idle (warm)', 'Spare', 'Starting', 'Waiting turns', 'Warm-hit rate']) {
      assert.match(await text(employeePool), new RegExp(label.replace(/[()]/g, '\\$&')));
    }

    const turns = Array.from({ length: 6 }, (_, index) =>
      fetch(`${server.baseUrl}/api/user/query?message=${encodeURIComponent(`Leave question number ${index}`)}`).then(
        (response) => response.text(),
      ),
    );
    await Promise.all(turns);
    await admin.waitForFunction((before) => {
      const value = document.querySelector('[data-testid=pool-employee] [data-testid=stat-turns] .stat-value');
      return Number(value?.textContent) >= before + 6;
    }, turnsBefore);
    // The chart has drawn more than one sample.
    await admin.waitForFunction(() => {
      const line = document.querySelector('[data-testid=pool-employee] .line-busy');
      return (line?.getAttribute('d')?.match(/V/g)?.length ?? 0) >= 2;
    });
    assert.match(await text(employeePool), /\d+%/);
    await saveScreenshot(admin, 'admin-pool-dashboard');
  });

  test('a document holding <img onerror> and <script> stays inert in the viewer, an answer and the source pane', {
    skip,
  }, async () => {
    const hostile = makeText(
      'visitor-badges.md',
      [
        '# Visitor badges',
        '',
        'Visitors collect a magenta badge at reception <img src=x onerror="window.__xss=1;alert(1)"> before entering.',
        '',
        'Lost magenta badges are reported to security <script>window.__xss=2;alert(2)</script> the same day.',
        '',
      ].join('\n'),
    );
    const [[, placed]] = [...(await uploadAndIngest(admin, [hostile]))];
    const adminWatch = watchPage(admin);
    await admin.click('[data-testid=tab-kb]');
    await admin.click('[data-testid=kb-refresh]');
    await admin.locator(`[data-testid=tree-row][data-path="${placed}"] .tree-label`).click();
    await admin.locator('[data-testid=file-viewer] .line').first().waitFor();
    const viewerText = await text(admin.locator('[data-testid=file-viewer]'));
    assert.ok(viewerText.includes('<img src=x onerror='), 'the markup is shown as text');
    assert.ok(viewerText.includes('<script>'), 'the script tag is shown as text');
    await saveScreenshot(admin, 'admin-inert-document');

    const employee = await browser.newPage();
    const employeeWatch = watchPage(employee);
    await employee.goto(`${server.baseUrl}/`);
    const answer = await ask(employee, 'Where do visitors collect the magenta badge?');
    assert.match(await text(answer.locator('.markdown')), /magenta badge/);
    const citation = answer.locator(`a.citation[data-path="${placed}"]`).first();
    await citation.click();
    await employee.locator('[data-testid=source-pane] .line.marked').first().waitFor();
    assert.match(await text(employee.locator('[data-testid=source-pane]')), /onerror=/);
    await saveScreenshot(employee, 'employee-inert-document');

    for (const page of [admin, employee]) {
      const state = await page.evaluate(() => ({
        flag: (window as unknown as { __xss?: unknown }).__xss ?? null,
        scripts: document.querySelectorAll('#app script').length,
        handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
      }));
      assert.deepEqual(state, { flag: null, scripts: 0, handlers: 0 });
    }
    assert.deepEqual(adminWatch.dialogs, []);
    assert.deepEqual(employeeWatch.dialogs, []);
    await employee.close();
  });
});
