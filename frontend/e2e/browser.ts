import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Screenshots of every screen land here, one folder per run. */
export const outputDir = resolve(import.meta.dirname, 'output');

/**
 * Debian's Chromium (apt-get install chromium), never a downloaded browser. The flags keep it from reaching
 * for Google's services, which a closed network refuses.
 */
export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The whole page; `fullPage: false` for what is in view (an open drawer or dialog covers only the view). */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}) {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage });
}
