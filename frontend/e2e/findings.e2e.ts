import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, screenshot } from './browser';

const stack = inject('stack');

// The demo's planted port scan (backend/src/FlowLens.Core/Synthetic/SyntheticAttacks.cs).
const scanner = '198.51.100.23';
const key = `${scanner} -> 10.0.2.10`;
const evidence = `srcaddr = ${scanner} and dstaddr = 10.0.2.10`;

describe('findings and rules in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds the planted port scan, follows its evidence to the explorer, acknowledges it; an admin disables and enables a rule', async () => {
    await page.goto(`${stack.url}/findings`);
    await page.waitForURL(/\/sign-in\?returnUrl=/);
    await page.getByLabel('Email').fill(stack.email);
    await page.locator('input[type="password"]').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/findings');

    // The detection job runs every minute once the demo is ingested: the finding comes within a few runs.
    const table = page.getByRole('table', { name: 'Findings' });
    const link = table.getByRole('link', { name: key, exact: true });
    for (let i = 0; i < 60 && (await link.count()) === 0; i++) {
      await page.waitForTimeout(5_000);
      await page.reload();
      await table.or(page.getByText('No findings with these filters.')).waitFor();
    }
    await link.waitFor();
    await screenshot(page, 'findings-01-list');
    await link.click();
    await page.waitForURL(/\/findings\/\d+$/);
    const findingUrl = page.url();
    await page.getByText(evidence, { exact: true }).waitFor();
    await screenshot(page, 'findings-02-finding');

    // Its evidence: the explorer on exactly the filter and range, showing the scanner's flows.
    await page.getByRole('link', { name: 'Open in explorer' }).click();
    await page.waitForURL((u) => u.pathname === '/explorer' && u.searchParams.get('q') === evidence);
    await expect.poll(() => page.getByLabel('Filter', { exact: true }).inputValue()).toBe(evidence);
    const flows = page.getByRole('table', { name: 'Flows' });
    const sources = () => flows.locator('tbody tr[aria-rowindex]').locator('td:nth-child(3)').allTextContents();
    await expect.poll(async () => (await sources()).length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect((await sources()).every((s) => s.includes(scanner))).toBe(true);
    await screenshot(page, 'findings-03-evidence', { fullPage: false });

    // Back on the finding: acknowledged, and still after a reload.
    await page.goBack();
    await page.waitForURL(findingUrl);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByLabel('Status').textContent()).toBe('acknowledged');
    await page.reload();
    await expect.poll(() => page.getByLabel('Status').textContent()).toBe('acknowledged');
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    // The overview counts the open findings by severity (the brute force is high) and the acknowledged ones.
    await page.goto(`${stack.url}/`);
    const counts = page.getByRole('region', { name: 'Open findings' });
    await counts.getByRole('link', { name: /^\d+ high$/ }).waitFor();
    await counts.getByRole('link', { name: /^\d+ acknowledged$/ }).waitFor();
    await screenshot(page, 'findings-04-overview', { fullPage: false });

    // Rules: the admin turns the port scan detector off and on again; the server keeps each.
    await page.goto(`${stack.url}/rules`);
    const enabled = page.getByRole('switch', { name: 'Enabled: Port scan' });
    await expect.poll(() => enabled.isChecked()).toBe(true);
    // A click, not uncheck(): the switch shows the server's answer, so it changes once the PUT has come back.
    await enabled.click({ force: true });
    await expect.poll(() => enabled.isChecked()).toBe(false);
    await page.reload();
    await expect.poll(() => enabled.isChecked()).toBe(false);
    await screenshot(page, 'findings-05-rules');
    await enabled.click({ force: true });
    await expect.poll(() => enabled.isChecked()).toBe(true);
    await page.reload();
    await expect.poll(() => enabled.isChecked()).toBe(true);
  }, 480_000);
});
