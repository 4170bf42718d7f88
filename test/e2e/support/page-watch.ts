// Records what a page did that a test may need to refute: dialogs opened
// (alert/confirm/prompt, dismissed at once), uncaught page errors, and
// anything the Content-Security-Policy blocked.
import type { Page } from 'playwright-core';

export interface PageWatch {
  readonly dialogs: string[];
  readonly pageErrors: string[];
  /** Console reports of something the Content-Security-Policy blocked. */
  readonly cspViolations: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], pageErrors: [], cspViolations: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) watch.cspViolations.push(message.text());
  });
  return watch;
}
