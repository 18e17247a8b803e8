import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, screenshot } from './browser';

const stack = inject('stack');

// What GET /api/context/addresses says of an address (the parts these tests read).
interface InventoryContext {
  interfaceId: string;
  region: string;
  kind: string;
  resourceId: string | null;
  resourceName: string | null;
}
interface AddressInfo {
  address: string;
  network: { name: string } | null;
  aws: { service: string } | null;
  resource?: InventoryContext | null;
}

/** The name the dashboard shows next to an address: its resource's, else its network's, else its AWS service. */
const nameOf = (info: AddressInfo) =>
  info.resource?.resourceName ??
  info.network?.name ??
  info.aws?.service ??
  (info.resource ? `${info.resource.kind} ${info.resource.resourceId ?? info.resource.interfaceId}` : null);

/** The API itself, with the admin key: what the screens must agree with. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(stack.url + path, { headers: { 'X-Api-Key': stack.adminKey } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe('the dashboard in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launch();
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('sends a stranger to sign in, refuses a wrong password, then lets the admin in', async () => {
    await page.goto(`${stack.url}/explorer?from=now-6h`);
    await page.waitForURL(/\/sign-in\?returnUrl=/);
    await screenshot(page, '01-sign-in');

    await page.getByLabel('Email').fill(stack.email);
    await page.locator('input[type="password"]').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Sign-in failed: The email or password is wrong.');

    await page.locator('input[type="password"]').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the stranger was going, with the range it asked for.
    await page.waitForURL(/\/explorer\?from=now-6h$/);
    await page.getByRole('button', { name: `Signed in as ${stack.email}` }).waitFor();
  });

  it('shows on the overview the figures the API gives for the same range', async () => {
    const summary = page.waitForRequest((r) => r.url().includes('/api/stats/summary'));
    await page.goto(`${stack.url}/?from=now-24h`);
    const asked = new URL((await summary).url());
    const from = asked.searchParams.get('from')!;
    const to = asked.searchParams.get('to')!;
    // A relative range is asked for in whole hours, so the API answers from its rollups.
    expect(new Date(to).getUTCMinutes()).toBe(0);
    expect(Date.parse(to) - Date.parse(from)).toBe(24 * 3600_000);

    const expected = await api<{
      flows: number;
      bytes: number;
      packets: number;
      acceptedFlows: number;
      rejectedFlows: number;
    }>(`/api/stats/summary?from=${from}&to=${to}`);
    expect(expected.flows).toBeGreaterThan(0);
    const card = (label: string) => page.getByRole('region', { name: 'Summary' }).getByLabel(label, { exact: true });
    await expect.poll(() => card('Flows').getAttribute('data-value')).toBe(String(expected.flows));
    expect(await card('Bytes').getAttribute('data-value')).toBe(String(expected.bytes));
    expect(await card('Packets').getAttribute('data-value')).toBe(String(expected.packets));
    expect(Number(await card('Rejected').getAttribute('data-value'))).toBeCloseTo(
      expected.rejectedFlows / (expected.acceptedFlows + expected.rejectedFlows),
      10,
    );

    // The compaction may still be merging the demo's summaries (per account) when the page asks: the page and the API
    // must agree once both read the same merged state, so the page is read again until they have.
    const shown = page.getByRole('table', { name: 'Top srcaddr' }).locator('tbody tr');
    const shownKeys = () => shown.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const apiKeys = async () =>
      (await api<{ items: { key: string }[] }>(`/api/stats/top?from=${from}&to=${to}&by=srcaddr&limit=10`)).items.map(
        (i) => i.key,
      );
    for (let attempt = 0; attempt < 30; attempt++) {
      const expectedKeys = await apiKeys();
      await shown.first().waitFor();
      if (JSON.stringify(await shownKeys()) === JSON.stringify(expectedKeys)) break;
      await page.waitForTimeout(2_000);
      await page.reload();
    }
    await expect.poll(shownKeys).toEqual(await apiKeys());

    // A day of the demo has more distinct sources than a summary keeps (K per hour): the top is approximate, marked ≈
    // with its error bound, and the exact answer from the raw flows is a click away.
    const approximate = await api<{ approximate: boolean; maxError: number; items: { key: string }[] }>(
      `/api/stats/top?from=${from}&to=${to}&by=srcaddr&limit=10&metric=bytes`,
    );
    expect(approximate.approximate).toBe(true);
    const note = page
      .getByRole('table', { name: 'Top srcaddr' })
      .locator('xpath=preceding-sibling::*[@role="note"][1]');
    await expect.poll(() => note.textContent()).toMatch(/^≈ from summaries: each bytes figure may be up to .+ below/);
    const exact = await api<{ approximate: boolean; items: { key: string }[] }>(
      `/api/stats/top?from=${from}&to=${to}&by=srcaddr&limit=10&metric=bytes&exact=true`,
    );
    expect(exact.approximate).toBe(false);
    const asksExact = page.waitForRequest((r) => r.url().includes('/api/stats/top') && r.url().includes('exact=true'));
    await note.getByRole('button', { name: 'Exact answer' }).click();
    expect(new URL((await asksExact).url()).searchParams.get('by')).toBe('srcaddr');
    // The exact answer reads the raw flows: on a busy machine, longer than the poll's default second.
    await expect
      .poll(() => shown.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))), { timeout: 15_000 })
      .toEqual(exact.items.map((i) => i.key));
    expect(await page.getByRole('table', { name: 'Top srcaddr' }).textContent()).not.toContain('≈');

    await page.getByLabel('Freshness of demo').waitFor();
    expect(await page.getByLabel('Freshness of demo').textContent()).toMatch(
      /newest record (just now|\d+ min ago|\d+ h ago)/,
    );
    await page.locator('[aria-label="Traffic over time by action"] svg').waitFor();
    await screenshot(page, '02-overview');
  });

  it('takes an absolute range in UTC and asks the API for exactly it', async () => {
    const to = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const from = new Date(to.getTime() - 3 * 3600_000);
    const local = (d: Date) => d.toISOString().slice(0, 16);
    await page.getByRole('button', { name: 'Absolute…' }).click();
    await page.getByLabel('From', { exact: true }).fill(local(from));
    await page.getByLabel('To', { exact: true }).fill(local(to));
    const summary = page.waitForRequest((r) => r.url().includes('/api/stats/summary'));
    await page.getByRole('button', { name: 'Apply range' }).click();
    const asked = new URL((await summary).url());
    expect([asked.searchParams.get('from'), asked.searchParams.get('to')]).toEqual([
      from.toISOString(),
      to.toISOString(),
    ]);
    expect(new URL(page.url()).searchParams.get('from')).toBe(from.toISOString());
    expect(await page.getByRole('combobox', { name: 'Time range' }).inputValue()).toBe(
      `${local(from).replace('T', ' ')} → ${local(to).replace('T', ' ')} UTC`,
    );
    await page.goto(`${stack.url}/?from=now-24h`);
    await page.locator('[aria-label="Traffic over time by action"] svg').waitFor();
  });

  it('drills down from a rejected bar of the traffic chart to its flows', async () => {
    const rejectedBars = page.locator('[aria-label="Traffic over time by action"] svg path[fill="#e03131"]');
    await expect.poll(() => rejectedBars.count()).toBeGreaterThan(3);
    // The tallest rejected bar: a bucket with rejected flows for sure.
    const heights = await rejectedBars.evaluateAll((bars) =>
      bars.map((b) => (b as SVGGraphicsElement).getBBox().height),
    );
    await rejectedBars.nth(heights.indexOf(Math.max(...heights))).click({ force: true });

    await page.waitForURL(/\/explorer\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('action = REJECT');
    const from = Date.parse(url.searchParams.get('from')!);
    const to = Date.parse(url.searchParams.get('to')!);
    expect(to - from).toBe(300_000); // 24 hours are drawn in 5-minute buckets

    const rows = page.getByRole('table', { name: 'Flows' }).locator('tbody tr[aria-rowindex]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const actions = await page
      .getByRole('table', { name: 'Flows' })
      .locator('tbody tr td:nth-child(10)')
      .allTextContents();
    expect(new Set(actions)).toEqual(new Set(['REJECT']));
    const starts = await page
      .getByRole('table', { name: 'Flows' })
      .locator('tbody tr td:nth-child(1)')
      .allTextContents();
    for (const start of starts) {
      const t = Date.parse(start.replace(' UTC', 'Z').replace(' ', 'T'));
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThan(to);
    }
  });

  it('completes the filter, points at a mistake, and filters the table', async () => {
    await page.goto(`${stack.url}/explorer?from=now-24h`);
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.click();
    await filter.pressSequentially('dstp');
    await page.getByRole('option', { name: /dstport/ }).waitFor();
    await filter.press('ArrowDown');
    await filter.press('Enter');
    await expect.poll(() => filter.inputValue()).toBe('dstport ');
    await filter.pressSequentially('= 22 and protocl = tcp');

    const alert = page.getByRole('alert', { name: 'Filter error' });
    await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toContain("unknown field 'protocl'");
    // The caret sits under the first letter of the unknown field.
    const marked = (await alert.locator('pre, code').last().textContent())!.split('\n');
    expect(marked[1].indexOf('^')).toBe(marked[0].indexOf('protocl'));
    await screenshot(page, '03-explorer-filter-error');

    await filter.fill('dstport = 22 and protocol = tcp');
    await expect.poll(() => alert.count()).toBe(0);
    await filter.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'dstport = 22 and protocol = tcp');
    const table = page.getByRole('table', { name: 'Flows' });
    await expect.poll(() => table.locator('tbody tr[aria-rowindex]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const column = (n: number) => table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    await expect.poll(async () => [...new Set(await column(6))], { timeout: 15_000 }).toEqual(['22']);
    expect([...new Set(await column(7))]).toEqual(['TCP (6)']);

    await table.locator('tbody tr[aria-rowindex]').first().click();
    const drawer = page.getByRole('dialog', { name: 'Flow record' });
    await drawer.getByText('log-status').waitFor();
    await screenshot(page, '04-explorer-drawer', { fullPage: false });
    await page.keyboard.press('Escape');
  });

  it('scrolls through every page of a query', async () => {
    await page.goto(`${stack.url}/explorer?from=now-6h&q=${encodeURIComponent('dstport = 22 and action = REJECT')}`);
    const summary = page.waitForResponse((r) => r.url().includes('/api/flows'));
    const first = new URL((await summary).url());
    const { flows } = await api<{ flows: number }>(
      `/api/stats/summary?from=${first.searchParams.get('from')}&to=${first.searchParams.get('to')}&q=${encodeURIComponent('dstport = 22 and action = REJECT')}`,
    );
    expect(flows).toBeGreaterThan(600); // pages of 200
    // Only the rows in view are in the page: scroll the table's own box to its end until every page is loaded.
    const status = page.getByText(/flows loaded/);
    const box = page.getByRole('table', { name: 'Flows' }).locator('xpath=..');
    for (let pages = 1; !(await status.textContent())!.includes('all of them'); pages++) {
      expect(pages).toBeLessThan(50);
      const loaded = await status.textContent();
      await box.evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await expect.poll(() => status.textContent(), { timeout: 15_000 }).not.toBe(loaded);
    }
    const rendered = await page.getByRole('table', { name: 'Flows' }).locator('tbody tr[aria-rowindex]').count();
    expect(rendered).toBeLessThan(200);
    expect(await status.textContent()).toBe(`${flows.toLocaleString('en')} flows loaded, all of them`);
  });

  it('exports the current query as CSV', async () => {
    const q = 'dstport = 22 and action = REJECT';
    await page.goto(`${stack.url}/explorer?from=now-24h&q=${encodeURIComponent(q)}`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    expect(header).toContain('srcaddr');
    expect(header).toContain('log-status');
    const action = header.indexOf('action');
    const dstport = header.indexOf('dstport');
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      expect([cells[dstport], cells[action]]).toEqual(['22', 'REJECT']);
    }
    expect(new URL(page.url()).searchParams.get('q')).toBe(q);
  });

  it('groups by a field, draws the sankey, and adds a clicked value to the filter', async () => {
    await page.goto(`${stack.url}/explorer?from=now-24h&by=dstport`);
    const top = page.getByRole('table', { name: 'Top dstport' });
    await top.locator('tbody tr').first().waitFor();
    const key = await top.locator('tbody tr').first().getAttribute('data-key');
    await page.locator('[aria-label^="Sankey"] svg').waitFor();
    await screenshot(page, '05-explorer');
    await top.locator('tbody tr').first().getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('q') === `dstport = ${key}`);
  });

  it('names the addresses of a top list, and shows the context of a flow in the drawer', async () => {
    const summary = page.waitForRequest((r) => r.url().includes('/api/stats/summary'));
    await page.goto(`${stack.url}/?from=now-24h`);
    const asked = new URL((await summary).url());
    const [from, to] = [asked.searchParams.get('from')!, asked.searchParams.get('to')!];

    // The top sources and what the API knows of them: the demo ships an inventory, named networks and AWS's ranges.
    const top = await api<{ items: { key: string }[] }>(`/api/stats/top?from=${from}&to=${to}&by=srcaddr&limit=10`);
    const keys = top.items.map((i) => i.key).filter((k) => k !== '-');
    const known = await api<{ items: AddressInfo[] }>(
      `/api/context/addresses?${keys.map((k) => `addr=${encodeURIComponent(k)}`).join('&')}`,
    );
    const named = keys.flatMap((key, i) => {
      const name = nameOf(known.items[i]);
      return name ? [{ key, name, info: known.items[i] }] : [];
    });
    expect(named.length).toBeGreaterThan(0);
    // An instance or network name, not only AWS services.
    expect(named.some((n) => n.info.resource?.resourceName || n.info.network)).toBe(true);
    const sources = page.getByRole('table', { name: 'Top srcaddr' });
    for (const { key, name } of named) {
      const row = sources.locator(`tbody tr[data-key="${key}"]`);
      await expect.poll(() => row.locator('[data-address-name]').textContent(), { timeout: 15_000 }).toBe(name);
    }
    await screenshot(page, '12-overview-names');

    // A flow from a source with an instance behind it, in the explorer's drawer.
    const instance = named.find((n) => n.info.resource?.resourceName) ?? named[0];
    const q = `srcaddr = ${instance.key}`;
    const flowsAsked = page.waitForRequest((r) => r.url().includes('/api/flows'));
    await page.goto(`${stack.url}/explorer?from=now-24h&q=${encodeURIComponent(q)}`);
    const flowsUrl = new URL((await flowsAsked).url());
    const flows = await api<{ items: (Record<string, unknown> & { interface?: InventoryContext | null })[] }>(
      `/api/flows?from=${flowsUrl.searchParams.get('from')}&to=${flowsUrl.searchParams.get('to')}&q=${encodeURIComponent(q)}&limit=1`,
    );
    expect(flows.items.length).toBe(1);
    const table = page.getByRole('table', { name: 'Flows' });
    await table.locator('tbody tr[aria-rowindex]').first().click();
    const drawer = page.getByRole('dialog', { name: 'Flow record' });
    const context = drawer.getByRole('region', { name: 'Context' });
    const source = context.getByRole('table', { name: 'Source context' });
    await expect.poll(() => source.textContent(), { timeout: 15_000 }).toContain(instance.name);
    if (instance.info.resource) {
      // Linked to the AWS console, in a new tab.
      const link = source.getByRole('link', { name: instance.info.resource.interfaceId });
      expect(await link.getAttribute('href')).toBe(
        `https://${instance.info.resource.region}.console.aws.amazon.com/ec2/home?region=${instance.info.resource.region}#NetworkInterface:networkInterfaceId=${instance.info.resource.interfaceId}`,
      );
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await link.getAttribute('target')).toBe('_blank');
    }
    // The flow's interface, as the API describes it with the flow.
    const iface = flows.items[0].interface;
    if (iface?.resourceName) {
      await expect
        .poll(() => context.getByRole('table', { name: 'Interface context' }).textContent())
        .toContain(iface.resourceName);
    }
    // Once the drawer has slid in.
    await expect
      .poll(async () => {
        const box = await drawer.boundingBox();
        return box && Math.round(box.x + box.width);
      })
      .toBe(1280);
    await screenshot(page, '13-explorer-drawer-context', { fullPage: false });
    await page.keyboard.press('Escape');
  });

  it('shows rejections with likely scans, each a click from its flows', async () => {
    await page.goto(`${stack.url}/rejections?from=now-24h`);
    const scans = page.getByRole('table', { name: 'Likely scans' });
    await scans.locator('tbody tr').first().waitFor();
    const scanner = (await scans.locator('tbody tr').first().getAttribute('data-key'))!;
    await page.getByRole('table', { name: 'Top dstport' }).locator('tbody tr').first().waitFor();
    await screenshot(page, '06-rejections');
    await scans.locator('tbody tr').first().getByRole('button').click();
    await page.waitForURL(
      (u) => u.pathname === '/explorer' && u.searchParams.get('q') === `action = REJECT and srcaddr = ${scanner}`,
    );
  });

  it('shows traffic paths, AWS services and S3 through an internet gateway', async () => {
    await page.goto(`${stack.url}/traffic-paths?from=now-24h`);
    const paths = page.getByRole('table', { name: 'Top traffic-path' });
    await paths.locator('tbody tr').first().waitFor();
    // The API's label for traffic-path 8 (FlowLens.Core's TrafficPaths), not a copy in the frontend.
    expect(await paths.textContent()).toContain('Internet gateway (Nitro) (8)');
    await page.getByRole('table', { name: 'Top pkt-dst-aws-service' }).getByText('S3').first().waitFor();
    await screenshot(page, '07-traffic-paths');
  });

  it('adds a source with validation, syncs it and shows its ledger', async () => {
    await page.goto(`${stack.url}/sources`);
    await page.locator('tr[data-source="demo"]').waitFor();
    await screenshot(page, '08-sources');

    await page.getByRole('button', { name: 'Add source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a source' });
    await dialog.getByText('Directory', { exact: true }).click();
    const name = `account 444455556666 (${Date.now()})`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await dialog.getByText('The folder is required.').waitFor();
    // The API's own check: a folder outside FlowLens:Sources:DirectoryRoots.
    await dialog.getByLabel('Folder').fill('/etc');
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await dialog.getByText('The folder must lie under one of FlowLens:Sources:DirectoryRoots.').waitFor();
    await screenshot(page, '09-source-form-error', { fullPage: false });

    await dialog.getByLabel('Folder').fill(`${stack.flowlogs}/AWSLogs/444455556666`);
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator(`tr[data-source="${name}"]`);
    await row.getByRole('button', { name: 'Sync now' }).click();
    await row.getByRole('link', { name }).click();

    await page.waitForURL(/\/sources\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').at(-1));
    await expect
      .poll(
        async () => (await api<{ status: { objectsIngested: number; state: string } }>(`/api/sources/${id}`)).status,
        { timeout: 90_000, interval: 1000 },
      )
      .toMatchObject({ state: 'idle', objectsIngested: expect.any(Number) as number });
    const status = (await api<{ status: { objectsIngested: number; recordsIngested: number } }>(`/api/sources/${id}`))
      .status;
    expect(status.objectsIngested).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByLabel('Records', { exact: true }).textContent(), { timeout: 15_000 })
      .not.toBe('0');
    await page.getByRole('table', { name: 'Object ledger' }).locator('tbody tr').first().waitFor();
    expect(await page.getByRole('table', { name: 'Object ledger' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, '10-source-ledger');
  });

  it('shows a Transit Gateway flow log delivered by Firehose: attachments, VPC pairs and packets lost, as the API sums them', async () => {
    const format =
      '${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ' +
      '${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ' +
      '${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ' +
      '${end} ${log-status} ${type} ${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ' +
      '${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}';
    const created = await fetch(`${stack.url}/api/sources`, {
      method: 'POST',
      headers: { 'X-Api-Key': stack.adminKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `tgw stream (${Date.now()})`, kind: 'firehose', firehose: { logFormat: format } }),
    });
    expect(created.status).toBe(201);
    const key = ((await created.json()) as { firehose: { accessKey: string } }).firehose.accessKey;
    // Two attachments of a hub: app VPC to shared services and back, one with packets dropped for their size.
    const start = Math.floor(Date.now() / 1000) - 600;
    const line = (attachment: string, pair: string, src: string, dst: string, bytes: number, mtu: number, i: number) =>
      `6 TransitGateway 111122223333 tgw-0e2e00000000000a1 ${attachment} 111122223333 111122223333 ${src} ${dst} - - - - ` +
      `use1-az1 use1-az2 ${pair} 10.1.0.${i} 10.2.0.9 ${40000 + i} 5432 6 10 ${bytes} ${start + i} ${start + 60 + i} OK IPv4 ` +
      `0 0 ${mtu} 0 18 us-east-1 ingress - -`;
    const lines = [
      ...Array.from({ length: 6 }, (_, i) =>
        line(
          'tgw-attach-0e2eapp0000000001',
          'tgw-attach-0e2eshared000000002',
          'vpc-0e2eapp000000001',
          'vpc-0e2eshared00002',
          1_000_000,
          i === 0 ? 7 : 0,
          i,
        ),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        line(
          'tgw-attach-0e2eshared000000002',
          'tgw-attach-0e2eapp0000000001',
          'vpc-0e2eshared00002',
          'vpc-0e2eapp000000001',
          400_000,
          0,
          10 + i,
        ),
      ),
    ];
    const delivered = await fetch(`${stack.url}/api/ingest/firehose`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Amz-Firehose-Access-Key': key,
        'X-Amz-Firehose-Request-Id': 'e2e-tgw-1',
      },
      body: JSON.stringify({
        requestId: 'e2e-tgw-1',
        timestamp: Date.now(),
        records: lines.map((l) => ({ data: Buffer.from(l + '\n').toString('base64') })),
      }),
    });
    expect(delivered.status).toBe(200);

    const report = await api<{ totals: { bytes: number; packetsLost: { mtuExceeded: number } } }>(
      '/api/stats/transit-gateway?from=now-24h&to=now',
    );
    expect(report.totals.packetsLost.mtuExceeded).toBe(7);
    await page.goto(`${stack.url}/transit-gateway?from=now-24h`);
    const attachments = page.getByRole('table', { name: 'Attachments' });
    await attachments.getByText('tgw-attach-0e2eapp0000000001').first().waitFor();
    expect(await page.getByLabel('MTU exceeded', { exact: true }).textContent()).toBe('7');
    const vpcs = page.getByRole('table', { name: 'VPC pairs' });
    expect(await vpcs.locator('tbody tr').count()).toBe(2);
    expect(await vpcs.locator('tbody tr').first().textContent()).toContain('vpc-0e2eapp000000001');
    await screenshot(page, '12-transit-gateway');

    // A click narrows the view to one attachment.
    // The second row (by bytes) is the shared services attachment's: its first button is its tgw-attachment-id.
    await attachments
      .locator('tbody tr')
      .nth(1)
      .getByRole('button', { name: 'tgw-attach-0e2eshared000000002' })
      .click();
    await page.waitForURL(/tgw-attachment-id/);
    await expect.poll(() => attachments.locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);
  });

  it('reads well in the dark theme too', async () => {
    await page.goto(`${stack.url}/?from=now-24h`);
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.getByRole('button', { name: 'Use the light theme' }).waitFor();
    await page.locator('[aria-label="Traffic over time by action"] svg').waitFor();
    await screenshot(page, '11-overview-dark');
  });
});
