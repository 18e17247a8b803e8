import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import type { Finding } from '../api/findings';
import { FindingCountsCard } from './finding-counts';
import { FindingDetails } from './finding-details';
import { FindingsTable } from './findings-table';

const finding = (id: number, key: string, more: Partial<Finding> = {}): Finding => ({
  id,
  ruleId: 1,
  ruleName: 'Port scan',
  ruleKind: 'port-scan',
  key,
  severity: 'medium',
  status: 'open',
  mutedUntil: null,
  assignee: null,
  firstSeen: '2026-12-02T14:35:10Z',
  lastSeen: '2026-12-02T14:35:59Z',
  count: 1,
  evidence: {
    filter: 'srcaddr = 198.51.100.23 and dstaddr = 10.0.2.10',
    from: '2026-12-02T14:35:00Z',
    to: '2026-12-02T14:40:00Z',
  },
  details: { ports: 60, flows: 60, rejectedFlows: 60, portSample: [20, 27, 34] },
  openedAt: '2026-12-03T10:01:00Z',
  notifiedAt: null,
  createdAt: '2026-12-03T10:01:00Z',
  updatedAt: '2026-12-03T10:01:00Z',
  ...more,
});

describe('findings', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let requests: { method: string; url: string; body: unknown }[] = [];
  let findings: Finding[] = [];
  beforeAll(async () => {
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const body = req.method === 'GET' ? null : (JSON.parse(await readBody(req)) as Record<string, unknown>);
      requests.push({ method: req.method!, url: req.url!, body });
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/findings/counts')
        return sendJson(res, 200, { low: 0, medium: 2, high: 1, critical: 0, open: 3, acknowledged: 1 });
      if (url.pathname === '/api/findings/bulk') {
        const { ids, status } = body as { ids: number[]; status: string };
        findings = findings.map((f) => (ids.includes(f.id) ? { ...f, status } : f));
        return sendJson(res, 200, { updated: ids.length });
      }
      const one = /^\/api\/findings\/(\d+)$/.exec(url.pathname);
      if (one) {
        const id = Number(one[1]);
        if (req.method === 'PATCH') {
          const patch = body as { status?: string; mutedUntil?: string; assignee?: string };
          if (patch.assignee !== undefined && patch.assignee.length > 5)
            return sendJson(res, 400, {
              title: 'One or more validation errors occurred.',
              status: 400,
              errors: { assignee: ['The assignee is at most 200 characters.'] },
            });
          findings = findings.map((f) =>
            f.id === id
              ? {
                  ...f,
                  status: patch.status ?? f.status,
                  mutedUntil: patch.mutedUntil ?? null,
                  assignee: patch.assignee ?? f.assignee,
                }
              : f,
          );
        }
        return sendJson(
          res,
          200,
          findings.find((f) => f.id === id),
        );
      }
      const page = url.searchParams.get('cursor') === 'c2' ? findings.slice(2) : findings.slice(0, 2);
      sendJson(res, 200, { items: page, nextCursor: url.searchParams.get('cursor') ? null : 'c2' });
    });
    setApiBaseUrl(server.url);
    resetCsrfToken();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests = [];
    findings = [
      finding(1, '198.51.100.23 -> 10.0.2.10'),
      finding(2, '198.51.100.45 -> port 445', { ruleName: 'Host sweep', ruleId: 2, severity: 'high' }),
      finding(3, '198.51.100.66 -> port 22', { ruleName: 'SSH/RDP brute force', ruleId: 3, status: 'acknowledged' }),
    ];
  });
  afterEach(cleanup);

  const listUrls = () =>
    requests.filter((r) => r.method === 'GET' && r.url.startsWith('/api/findings?')).map((r) => r.url);

  it('lists open and acknowledged findings by default, with the filters of the URL, and pages on', async () => {
    renderWithProviders(<FindingsTable rules={[{ id: 1, name: 'Port scan' }]} />, '/findings?severity=high&rule=1');
    const table = await screen.findByRole('table', { name: 'Findings' });
    expect(listUrls()[0]).toBe('/api/findings?status=open%2Cacknowledged&severity=high&ruleId=1&limit=50');
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.textContent),
    ).toEqual([
      'mediumPort scan198.51.100.23 -> 10.0.2.10open12026-12-02 14:35:10 UTC2026-12-02 14:35:59 UTC-',
      'highHost sweep198.51.100.45 -> port 445open12026-12-02 14:35:10 UTC2026-12-02 14:35:59 UTC-',
    ]);
    expect(within(table).getByRole('link', { name: '198.51.100.23 -> 10.0.2.10' }).getAttribute('href')).toBe(
      '/findings/1',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('198.51.100.66 -> port 22');
    expect(listUrls().at(-1)).toContain('cursor=c2');
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);
  });

  it('acknowledges the selected findings at once', async () => {
    renderWithProviders(<FindingsTable rules={[]} />, '/findings');
    await screen.findByText('198.51.100.23 -> 10.0.2.10');
    expect(screen.getByRole('button', { name: 'Acknowledge' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all on this page' }));
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(requests.some((r) => r.url === '/api/findings/bulk')).toBe(true));
    expect(requests.find((r) => r.url === '/api/findings/bulk')!.body).toEqual({ ids: [1, 2], status: 'acknowledged' });
    const table = screen.getByRole('table', { name: 'Findings' });
    await waitFor(() => expect(within(table).getAllByText('acknowledged')).toHaveLength(2));
    expect(screen.getByText('0 selected')).toBeDefined();
  });

  it('shows a finding with its evidence link, and triages it: acknowledge, mute for 24 hours, assign', async () => {
    renderWithProviders(
      <FindingDetails id={1} explorerUrl={(e) => `/explorer?q=${encodeURIComponent(e.filter)}&from=${e.from}`} />,
      '/findings/1',
    );
    const link = await screen.findByRole('link', { name: 'Open in explorer' });
    expect(link.getAttribute('href')).toBe(
      '/explorer?q=srcaddr%20%3D%20198.51.100.23%20and%20dstaddr%20%3D%2010.0.2.10&from=2026-12-02T14:35:00Z',
    );
    expect(screen.getByText('Distinct ports').closest('tr')!.textContent).toBe('Distinct ports60');
    expect(screen.getByText('Ports (sample)').closest('tr')!.textContent).toBe('Ports (sample)20, 27, 34');

    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(screen.getByLabelText('Status').textContent).toBe('acknowledged'));
    expect(requests.find((r) => r.method === 'PATCH')!.body).toEqual({ status: 'acknowledged' });
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Mute for 24 h' }));
    await waitFor(() => expect(screen.getByLabelText('Status').textContent).toBe('muted'));
    const muted = requests.filter((r) => r.method === 'PATCH').at(-1)!.body as { mutedUntil: string };
    expect(Date.parse(muted.mutedUntil) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(screen.getByRole('button', { name: 'Reopen' })).toBeDefined();

    const assignee = screen.getByRole('textbox', { name: 'Assignee' });
    fireEvent.change(assignee, { target: { value: 'someone-too-long' } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign' }));
    expect(await screen.findByText('The assignee is at most 200 characters.')).toBeDefined();
    fireEvent.change(assignee, { target: { value: 'alice' } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign' }));
    await waitFor(() =>
      expect(requests.filter((r) => r.method === 'PATCH').at(-1)!.body).toEqual({ assignee: 'alice' }),
    );
    await waitFor(() => expect(screen.getByRole('button', { name: 'Assign' })).toHaveProperty('disabled', true));
  });

  it('counts the open findings by severity, each a link to them', async () => {
    renderWithProviders(<FindingCountsCard />);
    const high = await screen.findByRole('link', { name: '1 high' });
    expect(high.getAttribute('href')).toBe('/findings?status=open&severity=high');
    expect(screen.getByRole('link', { name: '2 medium' })).toBeDefined();
    expect(screen.queryByText(/critical/)).toBeNull();
    expect(screen.getByRole('link', { name: '3 open' }).getAttribute('href')).toBe('/findings');
    expect(screen.getByRole('link', { name: '1 acknowledged' })).toBeDefined();
  });
});
