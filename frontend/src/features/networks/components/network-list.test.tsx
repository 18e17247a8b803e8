import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { NetworkList } from './network-list';

describe('NetworkList', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const deleted: string[] = [];
  let networks = [
    { id: 1, cidr: '10.0.0.0/16', name: 'prod', role: null, tenant: 'platform' },
    { id: 2, cidr: '10.0.3.0/24', name: 'prod-db', role: 'database', tenant: null },
  ].map((n) => ({ ...n, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z' }));
  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      if (req.method === 'DELETE') {
        deleted.push(req.url!);
        networks = networks.filter((n) => `/api/networks/${n.id}` !== req.url);
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*' });
        res.end();
        return;
      }
      sendJson(res, 200, networks);
    });
    setApiBaseUrl(server.url);
    resetCsrfToken();
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('lists the networks for a viewer, without editing', async () => {
    renderWithProviders(<NetworkList isAdmin={false} onEdit={() => {}} />);
    const table = await screen.findByRole('table', { name: 'Networks' });
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'CIDR blockNameRoleTenant',
      '10.0.0.0/16prod–platform',
      '10.0.3.0/24prod-dbdatabase–',
    ]);
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
  });

  it('lets an admin edit and remove a network', async () => {
    const onEdit = vi.fn();
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<NetworkList isAdmin onEdit={onEdit} />);
    const row = (await screen.findByText('prod-db')).closest('tr')!;
    fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    expect(onEdit).toHaveBeenCalledWith(expect.objectContaining({ id: 2, cidr: '10.0.3.0/24' }));

    fireEvent.click(within(row).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(deleted).toEqual(['/api/networks/2']));
    await waitFor(() => expect(screen.queryByText('prod-db')).toBeNull());
  });
});
