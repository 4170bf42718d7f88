// Records what a page did that a test may need to refute: dialogs opened
// (alert/confirm/prompt, dismissed at once) and uncaught page errors.
import type { Page } from 'playwright-core';

export interface PageWatch {
  readonly dialogs: string[];
  readonly pageErrors: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], pageErrors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
  return watch;
}
