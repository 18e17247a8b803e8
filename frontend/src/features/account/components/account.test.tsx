import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { PasswordForm } from './password-form';
import { SessionsList } from './sessions-list';

describe('Your account', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const sent: { method: string; url: string; body: unknown }[] = [];
  const session = (handle: string, current: boolean, userAgent: string) => ({
    handle,
    current,
    createdAt: '2026-12-04T08:00:00Z',
    lastSeenAt: new Date(Date.now() - 3 * 60_000).toISOString(),
    expiresAt: '2026-12-04T20:00:00Z',
    userAgent,
    remoteAddress: '198.51.100.7',
  });
  let sessions = [session('aaaa', true, 'Firefox on the laptop'), session('bbbb', false, 'Safari on the phone')];
  beforeAll(async () => {
    // Answers like FlowLens: a wrong current password is named under currentPassword.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const text = await readBody(req);
      sent.push({ method: req.method!, url: req.url!, body: text === '' ? null : JSON.parse(text) });
      if (req.url === '/api/auth/sessions') return sendJson(res, 200, sessions);
      if (req.method === 'DELETE') {
        sessions = sessions.filter((s) => !req.url!.endsWith(s.handle));
        res.writeHead(204).end();
        return;
      }
      const body = JSON.parse(text) as { currentPassword: string };
      if (body.currentPassword !== 'the right one')
        return sendJson(res, 400, {
          title: 'One or more validation errors occurred.',
          status: 400,
          errors: { currentPassword: ['Incorrect password.'] },
        });
      res.writeHead(204).end();
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(() => {
    cleanup();
    resetCsrfToken();
  });

  const field = (label: string) => screen.getByLabelText(label, { selector: 'input' });

  it('lists the sessions, marks this browser, and signs another one out', async () => {
    renderWithProviders(<SessionsList />);
    const laptop = (await screen.findByText('Firefox on the laptop')).closest('tr')!;
    expect(within(laptop).getByText('this browser')).toBeTruthy();
    expect(within(laptop).queryByRole('button', { name: 'Sign out' })).toBeNull();
    const phone = screen.getByText('Safari on the phone').closest('tr')!;
    expect(within(phone).getByText('198.51.100.7')).toBeTruthy();
    expect(within(phone).getByText('3 min ago')).toBeTruthy();
    fireEvent.click(within(phone).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.queryByText('Safari on the phone')).toBeNull());
    expect(sent.some((s) => s.method === 'DELETE' && s.url === '/api/auth/sessions/bbbb')).toBe(true);
  });

  it("checks the new password twice, shows the API's refusal of the current one, then changes it", async () => {
    renderWithProviders(<PasswordForm />);
    fireEvent.change(field('Current password'), { target: { value: 'a wrong one' } });
    fireEvent.change(field('New password'), { target: { value: 'a new long password' } });
    fireEvent.change(field('New password again'), { target: { value: 'a new long passwort' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The two new passwords differ.')).toBeTruthy();
    expect(sent.filter((s) => s.url === '/api/auth/password')).toHaveLength(0);

    fireEvent.change(field('New password again'), { target: { value: 'a new long password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Incorrect password.')).toBeTruthy();

    fireEvent.change(field('Current password'), { target: { value: 'the right one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      'Password changed. Your other browsers are signed out.',
    );
    expect(sent.at(-1)).toEqual({
      method: 'POST',
      url: '/api/auth/password',
      body: { currentPassword: 'the right one', newPassword: 'a new long password' },
    });
  });
});
