import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { KeyForm } from './key-form';
import { KeyList } from './key-list';

describe('API keys', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const sent: { method: string; url: string; body: unknown }[] = [];
  const key = {
    id: 7,
    name: 'payments-siem',
    role: 'viewer',
    prefix: 'fl_AbCdE',
    createdAt: '2026-12-01T10:00:00Z',
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    createdBy: 'user:admin@example.org',
    createdByUserId: 1,
    scope: { accounts: ['111122223333'], vpcs: [] },
  };
  beforeAll(async () => {
    // Answers like FlowLens: a scope that is not an account id is a 400 naming scope.accounts.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const text = await readBody(req);
      const payload: unknown = text === '' ? null : JSON.parse(text);
      sent.push({ method: req.method!, url: req.url!, body: payload });
      if (req.method === 'GET')
        return sendJson(res, 200, [key, { ...key, id: 8, name: 'old', revokedAt: '2026-12-02T00:00:00Z' }]);
      if (req.method === 'DELETE') {
        res.writeHead(204).end();
        return;
      }
      const request = payload as { name: string; scope: { accounts: string[] } };
      if (request.scope.accounts.includes('123'))
        return sendJson(res, 400, {
          title: 'One or more validation errors occurred.',
          status: 400,
          errors: { 'scope.accounts': ["'123' is not an AWS account id (12 digits)."] },
        });
      sendJson(res, 201, { ...key, name: request.name, expiresAt: null, secret: 'fl_secret-shown-once' });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(() => {
    cleanup();
    resetCsrfToken();
  });

  it('creates a scoped viewer key, shows the API refusing a bad account by its field, then the secret once', async () => {
    const done = vi.fn();
    renderWithProviders(<KeyForm onDone={done} />);
    fireEvent.change(screen.getByLabelText('Name', { exact: false, selector: 'input' }), {
      target: { value: 'hr-siem' },
    });
    const accounts = screen.getByLabelText('Accounts it may read', { exact: false, selector: 'input' });
    fireEvent.change(accounts, { target: { value: '123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText("'123' is not an AWS account id (12 digits).")).toBeTruthy();

    fireEvent.change(accounts, { target: { value: '111122223333, 444455556666' } });
    fireEvent.change(screen.getByLabelText('VPCs it may read', { exact: false, selector: 'input' }), {
      target: { value: 'vpc-0a1b2c3d4e5f60708' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByTestId('created-secret')).textContent).toBe('fl_secret-shown-once');
    expect(sent.at(-1)).toEqual({
      method: 'POST',
      url: '/api/keys',
      body: {
        name: 'hr-siem',
        role: 'viewer',
        expiresAt: null,
        scope: { accounts: ['111122223333', '444455556666'], vpcs: ['vpc-0a1b2c3d4e5f60708'] },
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(done).toHaveBeenCalled();
  });

  it('lists keys with what they read, and revokes an active one', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<KeyList />);
    const row = (await screen.findByText('payments-siem')).closest('tr')!;
    expect(within(row).getByText('111122223333')).toBeTruthy();
    expect(within(screen.getByText('old').closest('tr')!).queryByRole('button', { name: 'Revoke' })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(sent.some((s) => s.method === 'DELETE' && s.url === '/api/keys/7')).toBe(true));
  });
});
