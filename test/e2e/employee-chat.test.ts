// The employee chat at `/` in a real Chromium against a real Docent (offline
// engine): streamed cited answers, the source pane, feedback into FAQ.md and
// BADCASE.md, conversations, busy retry, the not-resumed notice, languages.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from './support/artifacts.ts';
import { type BrowserSession, chromiumMissing, launchBrowser } from './support/browser.ts';
import { ask, text } from './support/chat.ts';
import { type DocentServer, startDocent } from './support/docent-server.ts';
import { watchPage } from './support/page-watch.ts';
import { ensureWebBuilt } from './support/web-build.ts';

const skip = chromiumMissing() ?? false;

async function readKbFile(server: DocentServer, name: string): Promise<string> {
  return readFile(path.join(server.kbRoot, name), 'utf8').catch(() => '');
}

function lastAnswer(page: Page) {
  return page.locator('[data-testid=answer]').last();
}

describe('employee chat page', () => {
  let server: DocentServer;
  let browser: BrowserSession;

  before(async () => {
    if (skip) return;
    await ensureWebBuilt();
    server = await startDocent();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('GET / asks a question, streams a Markdown answer, and a citation opens the cited lines beside it', {
    skip,
  }, async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    const response = await page.goto(`${server.baseUrl}/`);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await saveScreenshot(page, 'employee-empty');

    await ask(page, 'How many days of annual leave do I get?');
    const answer = lastAnswer(page);
    assert.equal(await answer.getAttribute('data-status'), 'done');
    assert.ok(Number(await answer.getAttribute('data-chunks')) > 1, 'the answer arrived as several streamed chunks');
    // Rendered as Markdown, not shown as raw syntax.
    assert.ok((await answer.locator('.markdown strong').count()) > 0);
    assert.ok(!(await text(answer.locator('.markdown'))).includes('**'));
    // The agent's tool activity is shown.
    assert.ok((await answer.locator('.tools .tool').count()) > 0);

    const citation = answer.locator('a.citation').first();
    const citedPath = await citation.getAttribute('data-path');
    const start = Number(await citation.getAttribute('data-start'));
    const end = Number(await citation.getAttribute('data-end'));
    assert.ok(citedPath, 'the answer has a citation link');
    await citation.click();
    const pane = page.locator('[data-testid=source-pane]');
    await pane.locator('.line.marked').first().waitFor();
    assert.equal(await text(pane.locator('.source-path')), citedPath);
    const fileLines = (await readKbFile(server, citedPath!)).split(/\r?\n/);
    const marked = await pane.locator('.line.marked .line-text').allTextContents();
    assert.equal(marked.length, end - start + 1);
    // Markdown lines are rendered (bold shown bold, not as **), one row per line.
    const asShown = (line: string) => line.replace(/\*\*|__|`/g, '').trim();
    assert.deepEqual(
      marked.map((line) => line.replace(/\u00a0/g, '').trim()),
      fileLines.slice(start - 1, end).map(asShown),
    );
    if (fileLines.slice(start - 1, end).some((line) => line.includes('**'))) {
      assert.ok((await pane.locator('.line.marked strong').count()) > 0, 'bold text is rendered bold');
    }
    await saveScreenshot(page, 'employee-answer-with-source');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.cspViolations, [], 'the UI needs nothing the CSP forbids');
    await page.close();
  });

  test('feedback: satisfied adds the question to FAQ.md, not satisfied records the reason in BADCASE.md', {
    skip,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    const question = 'How many days of sick leave do employees get?';
    assert.ok(!(await readKbFile(server, 'FAQ.md')).includes(question));
    await ask(page, question);
    await lastAnswer(page).locator('[data-testid=feedback-up]').click();
    await lastAnswer(page).locator('[data-testid=feedback-thanks]').waitFor();
    assert.ok((await readKbFile(server, 'FAQ.md')).includes(question), 'FAQ.md now holds the question');

    const reason = 'It does not say who approves the request';
    await ask(page, 'Who approves parental leave?');
    await lastAnswer(page).locator('[data-testid=feedback-down]').click();
    await lastAnswer(page).locator('.feedback-form textarea').fill(reason);
    await saveScreenshot(page, 'employee-feedback-reason');
    await lastAnswer(page).locator('[data-testid=feedback-submit]').click();
    await lastAnswer(page).locator('[data-testid=feedback-thanks]').waitFor();
    assert.ok((await readKbFile(server, 'BADCASE.md')).includes(reason), 'BADCASE.md now holds the reason');
    await page.close();
  });

  test('conversations: listed after a turn, New conversation clears, one reopens and continues, delete removes it', {
    skip,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await ask(page, 'What is the expense reimbursement deadline?');
    // The list is refreshed when the turn ends (the tab shares its user with earlier tests' tabs).
    const history = page.locator('[data-testid=history] .history-item');
    await history.filter({ hasText: 'expense reimbursement' }).first().waitFor();

    await page.click('[data-testid=new-conversation]');
    assert.equal(await page.locator('[data-testid=answer]').count(), 0);

    await history.filter({ hasText: 'expense reimbursement' }).first().click();
    await page.locator('[data-testid=question]').first().waitFor();
    assert.equal(
      await text(page.locator('[data-testid=question]').first()),
      'What is the expense reimbursement deadline?',
    );
    assert.ok((await text(page.locator('[data-testid=answer] .markdown').first())).length > 0);

    // The next question goes to the reopened session.
    const request = page.waitForRequest((r) => r.url().includes('/api/user/query'));
    await ask(page, 'And how do I submit receipts?');
    assert.ok(new URL((await request).url()).searchParams.get('session_id'), 'the follow-up names the session');
    assert.equal(await page.locator('[data-testid=question]').count(), 2);
    await saveScreenshot(page, 'employee-conversations');

    // Deleting the open conversation removes it from the list and starts afresh.
    const entry = page.locator('[data-testid=history] .history-entry').filter({ hasText: 'expense reimbursement' });
    await entry.hover();
    await entry.locator('[data-testid=history-delete]').click();
    await entry.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid=answer]').count(), 0);
    await page.close();
  });

  test('busy: a 503 shows "all assistants are busy, retrying in N s" and the turn is retried by itself', {
    skip,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    let refused = 0;
    await page.route('**/api/user/query?**', async (route) => {
      if (refused === 0) {
        refused++;
        await route.fulfill({
          status: 503,
          headers: { 'Retry-After': '1', 'Content-Type': 'application/json' },
          body: JSON.stringify({ error: { code: 'POOL_TIMEOUT', message: 'All workers are busy' }, detail: null }),
        });
        return;
      }
      await route.continue();
    });
    await page.fill('[data-testid=composer]', 'How many days of annual leave do I get?');
    await page.click('[data-testid=send]');
    const notice = page.locator('[data-testid=busy-notice]');
    await notice.waitFor();
    assert.match(await text(notice), /all assistants are busy, retrying in \d+ s/i);
    await saveScreenshot(page, 'employee-busy');
    await page.waitForSelector('[data-testid=answer][data-status=done]');
    await notice.waitFor({ state: 'detached' });
    assert.equal(refused, 1);
    await page.close();
  });

  test('Stop while waiting for a busy server cancels the turn and its retries', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    let attempts = 0;
    await page.route('**/api/user/query?**', (route) => {
      attempts++;
      return route.fulfill({
        status: 503,
        headers: { 'Retry-After': '30', 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { code: 'POOL_ACQUIRE_TIMEOUT', message: 'busy' }, detail: null }),
      });
    });
    await page.fill('[data-testid=composer]', 'Anyone there?');
    await page.click('[data-testid=send]');
    await page.locator('[data-testid=busy-notice]').waitFor();
    const seconds = Number(/retrying in (\d+) s/.exec(await text(page.locator('[data-testid=busy-notice]')))?.[1]);
    assert.ok(seconds > 0 && seconds <= 30, `counts down from Retry-After (${seconds})`);
    await page.click('[data-testid=stop]');
    await page.locator('[data-testid=answer][data-status=stopped]').waitFor();
    await page.locator('[data-testid=busy-notice]').waitFor({ state: 'detached' });
    assert.equal(attempts, 1);
    // The composer is free again.
    await page.locator('[data-testid=send]').waitFor();
    await page.close();
  });

  test('a session event with resumed:false shows that the conversation could not be resumed', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    const events = [
      { type: 'session', session_id: 'fresh-session', is_new: true, resumed: false, reason: 'transcript expired' },
      { type: 'message', content: 'A fresh start.' },
      { type: 'done', duration_ms: 3 },
    ];
    await page.route('**/api/user/query?**', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' },
        body: events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''),
      }),
    );
    await ask(page, 'Hello again');
    const notice = page.locator('[data-testid=resume-notice]');
    await notice.waitFor();
    assert.match(await text(notice), /could not be resumed/);
    assert.match(await text(notice), /transcript expired/);
    await page.close();
  });

  test('a stream that ends without done or error shows the answer as cut short', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.route('**/api/user/query?**', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' },
        body: [
          { type: 'session', session_id: 'cut-session', is_new: true },
          { type: 'message', content: 'The first half of an answer' },
        ]
          .map((event) => `data: ${JSON.stringify(event)}\n\n`)
          .join(''),
      }),
    );
    const answer = await ask(page, 'Tell me everything');
    assert.equal(await answer.getAttribute('data-status'), 'error');
    assert.match(await text(answer), /The first half of an answer/);
    assert.match(await text(answer.locator('[role=alert]')), /closed before the answer was complete/);
    await page.close();
  });

  test('a conversation deleted elsewhere carries on in a new one, with the not-resumed notice', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await ask(page, 'How many days of annual leave do I get?');
    // Delete the conversation behind the page's back (as another tab would).
    const deleted = await page.evaluate(async () => {
      const { sessions } = (await (await fetch('/api/sessions')).json()) as { sessions: { session_id: string }[] };
      const newest = sessions[0].session_id;
      return (await fetch(`/api/session/${newest}`, { method: 'DELETE' })).status;
    });
    assert.equal(deleted, 200);
    const answer = await ask(page, 'And how many sick days?');
    assert.equal(await answer.getAttribute('data-status'), 'done');
    await page.locator('[data-testid=resume-notice]').waitFor();
    assert.match(await text(page.locator('[data-testid=resume-notice]')), /could not be resumed/);
    await page.close();
  });

  test('citations are recognised in the forms agents write them, and only those', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    const content = [
      'Plain: hr/leave_policy.md:7-9.',
      'Code: `finance/expense_reimbursement.md:1-3`',
      'Prefixed: knowledge_base/hr/benefits_and_insurance.md:2-4',
      'Chinese name: finance/差旅标准.md:30-32',
      'One line: it/laptop_and_accounts.md:5',
      'En dash: hr/leave_policy.md:15–15',
      '[hr/leave_policy.md:1-3](hr/leave_policy.md)',
      'Not citations: version 1.2:30, at 10:30, https://example.com:8080/x, ```metadata``` words.',
    ].join('\n\n');
    await page.route('**/api/user/query?**', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' },
        body: [
          { type: 'session', session_id: 'citations-session', is_new: true },
          { type: 'message', content },
          { type: 'done', duration_ms: 1 },
        ]
          .map((event) => `data: ${JSON.stringify(event)}\n\n`)
          .join(''),
      }),
    );
    const answer = await ask(page, 'Citations please');
    const found = await answer.locator('a.citation').evaluateAll((links) =>
      links.map((link) => {
        const data = (link as HTMLElement).dataset;
        return `${data.path}:${data.start}-${data.end}`;
      }),
    );
    assert.deepEqual(found, [
      'hr/leave_policy.md:7-9',
      'finance/expense_reimbursement.md:1-3',
      'hr/benefits_and_insurance.md:2-4',
      'finance/差旅标准.md:30-32',
      'it/laptop_and_accounts.md:5-5',
      'hr/leave_policy.md:15-15',
      'hr/leave_policy.md:1-3',
    ]);
    await page.close();
  });

  test('an answer carrying script, event handlers and javascript: links is rendered inert', { skip }, async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${server.baseUrl}/`);
    const hostile = [
      'Safe **bold** text.',
      '<img src=x onerror="window.__xss=1;alert(1)">',
      '<script>window.__xss=2;alert(2)</script>',
      '<svg onload="window.__xss=3"><circle r=1 /></svg>',
      '<a href="javascript:window.__xss=4;alert(4)">click me</a>',
      '[markdown link](javascript:window.__xss=5)',
      '![markdown image](javascript:window.__xss=6)',
      '<iframe srcdoc="<script>parent.__xss=7</script>"></iframe>',
      '<details open ontoggle="window.__xss=8">x</details>',
      '<form action="javascript:alert(9)"><button>go</button></form>',
      '**Reference Source**',
      '- hr/leave_policy.md:7-9',
      // Last: an unclosed <style> inside MathML swallows whatever follows it.
      '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=10">',
    ].join('\n\n');
    // Cut into small pieces so tags also arrive split across chunks.
    const chunks = hostile.match(/[\s\S]{1,7}/g) ?? [];
    const events = [
      { type: 'session', session_id: 'hostile-session', is_new: true },
      ...chunks.map((content) => ({ type: 'message', content })),
      { type: 'done', duration_ms: 5 },
    ];
    await page.route('**/api/user/query?**', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream' },
        body: events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''),
      }),
    );
    const answer = await ask(page, 'Show me something dangerous');
    assert.equal(await answer.getAttribute('data-status'), 'done');
    const markdown = answer.locator('.markdown');
    assert.match(await text(markdown), /Safe bold text\./);
    for (const link of await markdown.locator('a').all()) {
      const href = (await link.getAttribute('href')) ?? '';
      assert.ok(!/^\s*javascript:/i.test(href), `no javascript: link (${href})`);
    }
    // The citation still works after sanitising.
    await markdown.locator('a.citation').first().click();
    await page.locator('[data-testid=source-pane] .line.marked').first().waitFor();
    const state = await page.evaluate(() => ({
      flag: (window as unknown as { __xss?: unknown }).__xss ?? null,
      scripts: document.querySelectorAll('.markdown :is(script, iframe, form, style, object, embed)').length,
      handlers: Array.from(document.querySelectorAll('#app *')).filter((el) =>
        Array.from(el.attributes).some((attr) => attr.name.startsWith('on')),
      ).length,
    }));
    assert.deepEqual(state, { flag: null, scripts: 0, handlers: 0 });
    assert.deepEqual(watch.dialogs, []);
    await saveScreenshot(page, 'employee-inert-answer');
    await page.close();
  });

  test('language follows the browser (Chinese) and the switch changes it and is remembered', { skip }, async () => {
    const zhBrowser = await launchBrowser({ locale: 'zh-CN' });
    try {
      const page = await zhBrowser.newPage();
      await page.goto(`${server.baseUrl}/`);
      assert.equal(await text(page.locator('[data-testid=send]')), '发送');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await ask(page, '年假有多少天？');
      await saveScreenshot(page, 'employee-chinese');
      await page.click('.lang-switch button:has-text("EN")');
      await page.locator('[data-testid=new-conversation]', { hasText: 'New conversation' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.reload();
      assert.equal((await text(page.locator('[data-testid=new-conversation]'))).trim(), 'New conversation');
    } finally {
      await zhBrowser.close();
    }
  });
});
