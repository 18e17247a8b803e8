import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, screenshot } from './browser';

const stack = inject('stack');

// The demo's accounts (backend/src/FlowLens.Core/Synthetic/SyntheticEstate.cs): a scope of one of them.
const staging = '444455556666';

/** The API itself, with the admin key: what the screens must agree with. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(stack.url + path, { headers: { 'X-Api-Key': stack.adminKey } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function signIn(page: Page, email: string, password: string, path: string) {
  await page.goto(`${stack.url}${path}`);
  await page.waitForURL(/\/sign-in\?returnUrl=/);
  await page.getByLabel('Email').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === path.split('?')[0]);
}

describe('people, keys and scopes in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await signIn(page, stack.email, stack.password, '/people');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('creates a key scoped to one account: its secret shown once reads that account only, and revoked it gets 401', async () => {
    await page.goto(`${stack.url}/keys`);
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    const name = `staging-siem-${Date.now()}`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Accounts it may read').fill('444455556666');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = (await dialog.getByTestId('created-secret').textContent())!;
    expect(secret).toMatch(/^fl_/);
    await screenshot(page, 'admin-01-key-created', { fullPage: false });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator(`tr[data-key="${name}"]`);
    await row.getByText('444455556666').waitFor();
    // Shown once: the page no longer holds it.
    expect(await page.content()).not.toContain(secret);

    // The key reads that account's flows and no other's: its totals are the admin's for account-id = 444455556666.
    const week = 'from=now-7d&to=now';
    const summary = async (key: string, q = '') => {
      const response = await fetch(`${stack.url}/api/stats/summary?${week}&q=${encodeURIComponent(q)}`, {
        headers: { 'X-Api-Key': key },
      });
      return { status: response.status, body: response.ok ? ((await response.json()) as { bytes: number }) : null };
    };
    const scoped = await summary(secret);
    expect(scoped.status).toBe(200);
    expect(scoped.body!.bytes).toBeGreaterThan(0);
    expect(scoped.body!.bytes).toBe((await summary(stack.adminKey, 'account-id = 444455556666')).body!.bytes);
    expect(scoped.body!.bytes).toBeLessThan((await summary(stack.adminKey)).body!.bytes);
    expect((await summary(secret, 'account-id = 111122223333')).body!.bytes).toBe(0);

    page.once('dialog', (confirm) => void confirm.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/^revoked/).waitFor();
    expect((await summary(secret)).status).toBe(401);

    // The audit log shows both, with who did them.
    await page.goto(`${stack.url}/audit`);
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.waitFor();
    const events = log.locator('tbody tr', { hasText: name });
    await events.filter({ hasText: 'key.created' }).first().waitFor();
    await events.filter({ hasText: 'key.revoked' }).first().waitFor();
    expect(await events.filter({ hasText: `user:${stack.email}` }).count()).toBe(2);
    await screenshot(page, 'admin-03-audit');
  });

  it('invites a viewer scoped to one account, who then sees only that account: figures, tops, flows, no sources', async () => {
    await page.goto(`${stack.url}/people`);
    await page.getByRole('table', { name: 'People' }).waitFor();
    await page.getByRole('button', { name: 'Invite' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a person' });
    const email = `staging-${Date.now()}@example.org`;
    const password = 'a long first password for staging';
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Accounts they may read').fill(staging);
    await dialog.getByLabel('First password').fill(password);
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`tr[data-person="${email}"]`).getByText(staging).waitFor();
    await screenshot(page, 'admin-02-people');

    // The viewer, in a browser of their own: not in the admin pages' navigation.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const viewer = await context.newPage();
    viewer.setDefaultTimeout(30_000);
    const summary = viewer.waitForRequest((r) => r.url().includes('/api/stats/summary'));
    await signIn(viewer, email, password, '/');
    expect(await viewer.getByRole('link', { name: 'People' }).count()).toBe(0);

    // The overview: the figures and the top list of that account, as the admin's API gives them filtered to it.
    const asked = new URL((await summary).url());
    const range = `from=${asked.searchParams.get('from')}&to=${asked.searchParams.get('to')}`;
    const only = `q=${encodeURIComponent(`account-id = ${staging}`)}`;
    const theirs = await api<{ flows: number }>(`/api/stats/summary?${range}&${only}`);
    const everyone = await api<{ flows: number }>(`/api/stats/summary?${range}`);
    expect(theirs.flows).toBeGreaterThan(0);
    expect(theirs.flows).toBeLessThan(everyone.flows);
    const card = viewer.getByRole('region', { name: 'Summary' }).getByLabel('Flows', { exact: true });
    await expect.poll(() => card.getAttribute('data-value')).toBe(String(theirs.flows));
    const top = await api<{ items: { key: string }[] }>(`/api/stats/top?${range}&${only}&by=srcaddr&limit=10`);
    const shown = viewer.getByRole('table', { name: 'Top srcaddr' }).locator('tbody tr');
    await expect
      .poll(() => shown.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))))
      .toEqual(top.items.map((i) => i.key));

    // The explorer: every flow it is given is of that account.
    const flows = viewer.waitForResponse((r) => r.url().includes('/api/flows?') && r.status() === 200);
    await viewer.goto(`${stack.url}/explorer?from=now-24h`);
    const page1 = (await (await flows).json()) as { items: { accountId: string }[] };
    expect(page1.items.length).toBeGreaterThan(0);
    expect(new Set(page1.items.map((f) => f.accountId))).toEqual(new Set([staging]));

    // Sources hold every account: none for a scoped viewer.
    await viewer.goto(`${stack.url}/sources`);
    await viewer.getByText('No sources yet.', { exact: true }).waitFor();
    await screenshot(viewer, 'admin-04-scoped-viewer-sources');

    // Their own account page, from the user menu: this browser among their sessions, and a new password.
    await viewer.getByRole('button', { name: `Signed in as ${email}` }).click();
    await viewer.getByRole('menuitem', { name: 'Your account' }).click();
    await viewer.waitForURL((u) => u.pathname === '/account');
    const sessions = viewer.getByRole('table', { name: 'Your sessions' });
    await sessions.getByText('this browser').waitFor();
    expect(await sessions.locator('tbody tr').count()).toBe(1);
    const newPassword = 'a new password of their own';
    await viewer.getByLabel('Current password').fill(password);
    await viewer.getByLabel('New password', { exact: true }).fill(newPassword);
    await viewer.getByLabel('New password again').fill(newPassword);
    await viewer.getByRole('button', { name: 'Change password' }).click();
    await viewer.getByText('Password changed. Your other browsers are signed out.').waitFor();
    await screenshot(viewer, 'admin-05-account');

    // The admin sees their session and signs them out everywhere: their next page is the sign-in.
    await page.goto(`${stack.url}/people`);
    const row = page.locator(`tr[data-person="${email}"]`);
    await row.getByText(/^1, last seen/).waitFor();
    page.once('dialog', (confirm) => void confirm.accept());
    await row.getByRole('button', { name: 'Sign out everywhere' }).click();
    await row.getByText('none', { exact: true }).waitFor();
    await viewer.goto(`${stack.url}/explorer`);
    await viewer.waitForURL(/\/sign-in\?returnUrl=/);
    await signIn(viewer, email, newPassword, '/account');
    await context.close();
  });

  it('shows the versions and effective settings, secrets only as set', async () => {
    await page.goto(`${stack.url}/settings`);
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.waitFor();
    const answer = await api<{ versions: { schema: string; postgres: string } }>('/api/settings');
    await versions.getByText(answer.versions.schema).waitFor();
    await versions.getByText(answer.versions.postgres).waitFor();
    const settings = page.getByRole('table', { name: 'Settings' });
    await settings.locator('tr[data-setting="FlowLens:Auth:BootstrapAdminKey"]').getByText('secret set').waitFor();
    expect(await page.content()).not.toContain(stack.adminKey);
    await page.getByLabel('Find a setting').fill('ExactTopRecords');
    await settings
      .locator('tr[data-setting="FlowLens:Rollups:ExactTopRecords"]')
      .getByText('0', { exact: true })
      .waitFor();
    expect(await settings.locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'admin-06-settings');
  });
});
