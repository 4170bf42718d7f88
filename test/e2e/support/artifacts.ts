// Screenshots of each page, kept as test artefacts in test-artifacts/ (git-ignored).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './docent-server.ts';

export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false, animations: 'disabled' });
  return file;
}
