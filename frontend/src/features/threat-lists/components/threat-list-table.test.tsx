import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { ThreatListTable } from './threat-list-table';

describe('ThreatListTable', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const requests: { method: string; url: string; type?: string; body: string }[] = [];
  const base = {
    description: null,
    schedule: null,
    enabled: true,
    ipv6Count: 0,
    rejectedLines: 0,
    rejectedSamples: [] as string[],
    lastAttemptAt: '2026-12-01T04:00:00Z',
    lastError: null as string | null,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
  };
  let lists = [
    {
      ...base,
      id: 1,
      name: 'spamhaus-drop',
      origin: 'url',
      url: 'https://www.spamhaus.org/drop/drop.txt',
      entryCount: 5,
      ipv4Count: 5,
      lastRefreshAt: '2026-12-01T03:41:00Z',
      lastError: 'The URL answered 503 Service Unavailable.',
    },
    {
      ...base,
      id: 2,
      name: 'mine',
      origin: 'upload',
      url: null,
      entryCount: 3,
      ipv4Count: 2,
      ipv6Count: 1,
      rejectedLines: 1,
      rejectedSamples: ['line 4: x (not an address)'],
      lastRefreshAt: null,
    },
  ];
  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body });
        if (req.method === 'DELETE') {
          lists = lists.filter((l) => `/api/threat-lists/${l.id}` !== req.url);
          res.writeHead(204, { 'Access-Control-Allow-Origin': '*' });
          res.end();
          return;
        }
        if (req.url === '/api/threat-lists/2/entries') {
          lists = lists.map((l) =>
            l.id === 2 ? { ...l, entryCount: 1, ipv4Count: 1, ipv6Count: 0, rejectedLines: 0 } : l,
          );
          return sendJson(res, 200, lists[1]);
        }
        if (req.url === '/api/threat-lists/1/refresh') return sendJson(res, 200, lists[0]);
        sendJson(res, 200, lists);
      });
    });
    setApiBaseUrl(server.url);
    resetCsrfToken();
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('shows a viewer the counts, last refresh and errors, without actions', async () => {
    renderWithProviders(<ThreatListTable isAdmin={false} onEdit={() => {}} />);
    const table = await screen.findByRole('table', { name: 'Threat lists' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual([
      'NameEntriesSourceLast refresh',
      'spamhaus-drop5 (5 IPv4, 0 IPv6)https://www.spamhaus.org/drop/drop.txt2026-12-01 03:41 UTCThe URL answered 503 Service Unavailable.',
      'mine3 (2 IPv4, 1 IPv6)1 lines skippeduploadednever',
    ]);
    expect(screen.queryByRole('button', { name: 'Upload' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
  });

  it('lets an admin upload a file as text, refresh a URL list now and remove a list', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<ThreatListTable isAdmin onEdit={() => {}} />);
    const mine = (await screen.findByText('mine')).closest('tr')!;
    expect(within(mine).queryByRole('button', { name: 'Refresh now' })).toBeNull();
    const input = mine.querySelector('input[type="file"]')!;
    fireEvent.change(input, {
      target: { files: [new File(['192.0.2.1 ; bad host\n'], 'list.txt', { type: 'text/plain' })] },
    });
    await waitFor(() => expect(requests.find((r) => r.url === '/api/threat-lists/2/entries')).toBeDefined());
    const uploaded = requests.find((r) => r.url === '/api/threat-lists/2/entries')!;
    expect([uploaded.method, uploaded.type, uploaded.body]).toEqual([
      'POST',
      'text/plain; charset=utf-8',
      '192.0.2.1 ; bad host\n',
    ]);
    await waitFor(() => expect(within(mine).getByText('1 (1 IPv4, 0 IPv6)')).toBeDefined());

    const drop = screen.getByText('spamhaus-drop').closest('tr')!;
    fireEvent.click(within(drop).getByRole('button', { name: 'Refresh now' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'POST' && r.url === '/api/threat-lists/1/refresh')).toBe(true),
    );

    fireEvent.click(within(mine).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('mine')).toBeNull());
    expect(requests.some((r) => r.method === 'DELETE' && r.url === '/api/threat-lists/2')).toBe(true);
  });
});
