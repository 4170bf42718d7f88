// Asking through the chat UI and waiting for the whole answer.
import type { Locator, Page } from 'playwright-core';

export async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** Sends a question from the composer; resolves with its answer once the turn has ended. */
export async function ask(page: Page, question: string): Promise<Locator> {
  const count = await page.locator('[data-testid=answer]').count();
  await page.fill('[data-testid=composer]', question);
  await page.click('[data-testid=send]');
  await page.waitForFunction((index) => {
    const answer = document.querySelectorAll('[data-testid=answer]')[index];
    return answer !== undefined && answer.getAttribute('data-status') !== 'streaming';
  }, count);
  return page.locator('[data-testid=answer]').nth(count);
}
