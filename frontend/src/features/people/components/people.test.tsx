import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { PeopleList } from './people-list';
import { PersonForm } from './person-form';

describe('People', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const sent: { method: string; url: string; body: unknown }[] = [];
  const admin = {
    id: 1,
    email: 'admin@example.org',
    role: 'admin',
    createdAt: '2026-12-01T10:00:00Z',
    lockedOutUntil: null,
    scope: { accounts: [], vpcs: [] },
    sessions: 0,
    lastSeenAt: null,
  };
  const payments = {
    ...admin,
    id: 2,
    email: 'pay@example.org',
    role: 'viewer',
    scope: { accounts: ['111122223333'], vpcs: [] },
    sessions: 2,
    lastSeenAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  };
  beforeAll(async () => {
    // Answers like FlowLens: the last admin cannot be demoted (409), anything else is saved.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const text = await readBody(req);
      const body = (text === '' ? null : JSON.parse(text)) as { email: string; role: string; scope: unknown } | null;
      sent.push({ method: req.method!, url: req.url!, body });
      if (req.method === 'GET') return sendJson(res, 200, [admin, payments]);
      if (req.method === 'DELETE' || req.url!.endsWith('/sign-out')) {
        res.writeHead(204).end();
        return;
      }
      if (req.url === '/api/users/1' && body!.role === 'viewer')
        return sendJson(res, 409, { title: 'The last admin', status: 409, detail: 'Make another admin first.' });
      sendJson(res, req.method === 'POST' ? 201 : 200, {
        ...payments,
        id: 3,
        email: body!.email ?? payments.email,
        role: body!.role,
        scope: body!.scope,
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(() => {
    cleanup();
    resetCsrfToken();
  });

  const field = (label: string) => screen.getByLabelText(label, { exact: false, selector: 'input' });

  it('invites a viewer scoped to an account, with a first password', async () => {
    const done = vi.fn();
    renderWithProviders(<PersonForm person={null} onDone={done} />);
    fireEvent.change(field('Email'), { target: { value: 'hr@example.org' } });
    fireEvent.change(field('Accounts they may read'), { target: { value: '444455556666' } });
    fireEvent.change(field('First password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('A first password of at least 12 characters.')).toBeTruthy();
    fireEvent.change(field('First password'), { target: { value: 'a long first password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Invite' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(sent.at(-1)).toEqual({
      method: 'POST',
      url: '/api/users',
      body: {
        email: 'hr@example.org',
        role: 'viewer',
        password: 'a long first password',
        scope: { accounts: ['444455556666'], vpcs: [] },
      },
    });
  });

  it("lists people with what they read, and shows the API's refusal to demote the last admin", async () => {
    const edit = vi.fn();
    renderWithProviders(<PeopleList onEdit={edit} />);
    const row = (await screen.findByText('pay@example.org')).closest('tr')!;
    expect(within(row).getByText('111122223333')).toBeTruthy();
    fireEvent.click(within(screen.getByText('admin@example.org').closest('tr')!).getByRole('button', { name: 'Edit' }));
    expect(edit).toHaveBeenCalledWith(admin);
    cleanup();

    renderWithProviders(<PersonForm person={admin} onDone={() => {}} />);
    fireEvent.click(screen.getByRole('combobox', { name: 'Role' }));
    fireEvent.click(await screen.findByRole('option', { name: 'viewer: reads', hidden: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Make another admin first.');
    expect(sent.at(-1)).toMatchObject({
      method: 'PUT',
      url: '/api/users/1',
      body: { email: null, role: 'viewer', password: null },
    });
  });

  it("shows each person's sessions, and signs one out everywhere after asking", async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<PeopleList onEdit={() => {}} />);
    const row = (await screen.findByText('pay@example.org')).closest('tr')!;
    expect(within(row).getByText('2, last seen 5 min ago')).toBeTruthy();
    const adminRow = screen.getByText('admin@example.org').closest('tr')!;
    expect(within(adminRow).getByText('none')).toBeTruthy();
    expect(within(adminRow).getByRole('button', { name: 'Sign out everywhere' }).hasAttribute('disabled')).toBe(true);
    fireEvent.click(within(row).getByRole('button', { name: 'Sign out everywhere' }));
    expect(confirm).toHaveBeenCalledWith('Sign pay@example.org out in every browser?');
    await waitFor(() => expect(sent.some((s) => s.method === 'POST' && s.url === '/api/users/2/sign-out')).toBe(true));
    confirm.mockRestore();
  });
});
