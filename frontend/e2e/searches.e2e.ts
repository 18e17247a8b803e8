import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, screenshot } from './browser';

const stack = inject('stack');

describe('saved searches in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const q = 'dstport = 22 and action = REJECT';
  const name = 'SSH rejects (browser test)';
  const renamed = 'SSH rejects, renamed';

  beforeAll(async () => {
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('saves the explorer’s filter, opens it from another view, renames it and keeps the name after a reload', async () => {
    await page.goto(`${stack.url}/explorer?from=now-24h`);
    await page.waitForURL(/\/sign-in\?returnUrl=/);
    await page.getByLabel('Email').fill(stack.email);
    await page.locator('input[type="password"]').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/explorer\?from=now-24h$/);
    await page.getByRole('button', { name: `Signed in as ${stack.email}` }).waitFor();

    // A filter in the explorer, saved under a name.
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.fill(q);
    await filter.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === q);
    const table = page.getByRole('table', { name: 'Flows' });
    const column = (n: number) =>
      table.locator('tbody tr[aria-rowindex]').locator(`td:nth-child(${n})`).allTextContents();
    await expect.poll(async () => [...new Set(await column(6))], { timeout: 15_000 }).toEqual(['22']);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const save = page.getByRole('dialog', { name: 'Save search' });
    await save.getByText(q).waitFor();
    await save.getByRole('textbox', { name: 'Name' }).fill(name);
    await save.getByRole('switch', { name: 'Share with the team' }).check({ force: true });
    await screenshot(page, 'searches-01-save', { fullPage: false });
    await save.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => save.count()).toBe(0);

    // Another view, without the filter: opening the search brings back the explorer with it.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(`${stack.url}/?from=now-1h`);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const list = page.getByRole('table', { name: 'Saved searches' });
    await list.getByRole('button', { name, exact: true }).waitFor();
    await screenshot(page, 'searches-02-open', { fullPage: false });
    await list.getByRole('button', { name, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/explorer' && u.searchParams.get('q') === q);
    expect(new URL(page.url()).searchParams.get('from')).toBe('now-24h');
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue()).toBe(q);
    await expect.poll(() => table.locator('tbody tr[aria-rowindex]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(async () => [...new Set(await column(6))], { timeout: 15_000 }).toEqual(['22']);

    // Renamed in the list; the new name is what the server keeps.
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await list.getByRole('button', { name: `Rename ${name}` }).click();
    await list.getByRole('textbox', { name: 'New name' }).fill(renamed);
    await list.getByRole('button', { name: 'Rename', exact: true }).click();
    await list.getByRole('button', { name: renamed, exact: true }).waitFor();

    await page.reload();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await list.getByRole('button', { name: renamed, exact: true }).waitFor();
    expect(await list.getByRole('button', { name, exact: true }).count()).toBe(0);
    await screenshot(page, 'searches-03-renamed', { fullPage: false });
  });
});
