import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { NetworkForm } from './network-form';

describe('NetworkForm', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const requests: { method: string; url: string; body: unknown }[] = [];
  beforeAll(async () => {
    // Answers like FlowLens: host bits are refused, 10.0.0.0/16 is named already, anything else is saved.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const body = JSON.parse(await readBody(req)) as {
        cidr: string;
        name: string;
        role: string | null;
        tenant: string | null;
      };
      requests.push({ method: req.method!, url: req.url!, body });
      if (body.cidr === '10.0.0.1/16') {
        return sendJson(res, 400, {
          title: 'One or more validation errors occurred.',
          status: 400,
          errors: { cidr: ["'10.0.0.1/16' has host bits set; the network is 10.0.0.0/16."] },
        });
      }
      if (body.cidr === '10.0.0.0/16') {
        return sendJson(res, 409, {
          title: 'Conflict',
          status: 409,
          detail: 'The network 10.0.0.0/16 is named already.',
        });
      }
      const now = '2026-12-03T11:00:00Z';
      sendJson(res, req.method === 'POST' ? 201 : 200, { id: 7, ...body, createdAt: now, updatedAt: now });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests.length = 0;
    resetCsrfToken();
  });
  afterEach(cleanup);

  const field = (label: string) => screen.getByLabelText(label, { exact: false, selector: 'input' });

  it('asks for a block and a name before calling the API', async () => {
    renderWithProviders(<NetworkForm network={null} onSaved={() => {}} onCancel={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add network' }));
    expect(await screen.findByText('A CIDR block such as 10.0.0.0/16 is required.')).toBeTruthy();
    expect(screen.getByText('A name is required.')).toBeTruthy();
    expect(requests).toEqual([]);
  });

  it("shows the API's error by the block, then adds the corrected network", async () => {
    const onSaved = vi.fn();
    renderWithProviders(<NetworkForm network={null} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.change(field('CIDR block'), { target: { value: '10.0.0.1/16' } });
    fireEvent.change(field('Name'), { target: { value: ' prod ' } });
    fireEvent.change(field('Tenant'), { target: { value: 'platform' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add network' }));
    expect(await screen.findByText("'10.0.0.1/16' has host bits set; the network is 10.0.0.0/16.")).toBeTruthy();
    expect(field('CIDR block').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(field('CIDR block'), { target: { value: '10.1.0.0/16' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add network' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(requests.at(-1)).toEqual({
      method: 'POST',
      url: '/api/networks',
      body: { cidr: '10.1.0.0/16', name: 'prod', role: null, tenant: 'platform' },
    });
  });

  it('edits a network with PUT, and says when its block is taken', async () => {
    const onSaved = vi.fn();
    const network = {
      id: 3,
      cidr: '10.0.3.0/24',
      name: 'prod-db',
      role: 'database',
      tenant: null,
      createdAt: '2026-12-01T00:00:00Z',
      updatedAt: '2026-12-01T00:00:00Z',
    };
    renderWithProviders(<NetworkForm network={network} onSaved={onSaved} onCancel={() => {}} />);
    expect((field('Role') as HTMLInputElement).value).toBe('database');
    fireEvent.change(field('CIDR block'), { target: { value: '10.0.0.0/16' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(screen.getByText('Conflict: The network 10.0.0.0/16 is named already.')).toBeTruthy();

    fireEvent.change(field('CIDR block'), { target: { value: '10.0.4.0/24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(requests.at(-1)).toEqual({
      method: 'PUT',
      url: '/api/networks/3',
      body: { cidr: '10.0.4.0/24', name: 'prod-db', role: 'database', tenant: null },
    });
  });
});
