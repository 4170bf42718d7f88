// Both pages in a real Chromium: axe-core finds no serious or critical
// violation, the employee page works at phone, tablet and desktop widths
// (the conversation list behind a menu button when narrow), and a keyboard
// alone can ask, open a source, close it and start a new conversation.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from './support/artifacts.ts';
import { type BrowserSession, chromiumMissing, launchBrowser } from './support/browser.ts';
import { ask } from './support/chat.ts';
import { type DocentServer, startDocent } from './support/docent-server.ts';
import { ensureWebBuilt } from './support/web-build.ts';

const skip = chromiumMissing() ?? false;
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page (through DevTools, so the page's CSP is not loosened for it). */
async function seriousViolations(page: Page): Promise<string[]> {
  const source = await readFile(AXE_SOURCE, 'utf8');
  await page.evaluate(`${source}\n;undefined`);
  const violations = (await page.evaluate(
    "window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function box(page: Page, selector: string) {
  const found = await page.locator(selector).first().boundingBox();
  assert.ok(found, `${selector} is on the page`);
  return found;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('accessibility and layout', () => {
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

  test('axe: no serious or critical violations on the employee page, empty and with an answer and its source', {
    skip,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.locator('[data-testid=composer]').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    const answer = await ask(page, 'How many days of annual leave do I get?');
    await answer.locator('a.citation').first().click();
    await page.locator('[data-testid=source-pane] .line.marked').first().waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test('axe: no serious or critical violations on the admin sign-in and console', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/admin`);
    await page.locator('[data-testid=admin-token]').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.fill('[data-testid=admin-token]', server.adminToken);
    await page.click('[data-testid=signin]');
    await page.locator('[data-testid=tab-chat]').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    for (const tab of ['upload', 'kb', 'pool']) {
      await page.click(`[data-testid=tab-${tab}]`);
      await page.waitForTimeout(300);
      assert.deepEqual(await seriousViolations(page), [], `tab ${tab}`);
    }
    await page.close();
  });

  for (const width of [360, 390, 768, 1440]) {
    test(`at ${width} px the title, buttons and conversation list are all reachable and do not overlap`, {
      skip,
    }, async () => {
      const page = await browser.newPage();
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${server.baseUrl}/`);
      await page.locator('[data-testid=composer]').waitFor();
      const title = await box(page, '.brand-name');
      const newButton = await box(page, '[data-testid=new-conversation]');
      assert.ok(!overlaps(title, newButton), 'the title and "New conversation" do not overlap');
      assert.ok(newButton.x + newButton.width <= width, 'the button is inside the viewport');
      const menu = page.locator('[data-testid=history-toggle]');
      if (width <= 900) {
        assert.equal(await page.locator('#history').isVisible(), false, 'the list starts closed');
        await menu.click();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
        await page.locator('#history').waitFor({ state: 'visible' });
        await saveScreenshot(page, `employee-${width}-history`);
        await menu.click();
        await page.locator('#history').waitFor({ state: 'hidden' });
      } else {
        assert.equal(await menu.isVisible(), false, 'no menu button when the list fits');
        assert.equal(await page.locator('#history').isVisible(), true);
      }
      await saveScreenshot(page, `employee-${width}`);
      await page.close();
    });
  }

  test('keyboard only: ask, open the cited source, close it (focus returns), new conversation', { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.locator('[data-testid=composer]').focus();
    await page.keyboard.type('How many days of annual leave do I get?');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=answer][data-status=done]').first().waitFor();
    const activeTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    const activeClass = () => page.evaluate(() => document.activeElement?.className ?? '');

    // Tab forward to the first citation of the answer.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = String(await activeClass()).includes('citation');
    }
    assert.ok(reached, 'a citation is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=source-pane]').waitFor();
    assert.equal(await activeTestId(), 'source-close', 'focus moves into the source pane');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=source-pane]').waitFor({ state: 'detached' });
    assert.match(String(await activeClass()), /citation/, 'focus returns to the citation');

    let onNew = false;
    for (let i = 0; i < 80 && !onNew; i++) {
      await page.keyboard.press('Shift+Tab');
      onNew = (await activeTestId()) === 'new-conversation';
    }
    assert.ok(onNew, '"New conversation" is reachable with the keyboard');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=answer]').first().waitFor({ state: 'detached' });
    await page.close();
  });
});
