import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { SignInForm } from './sign-in-form';

describe('SignInForm', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let providers = { local: true, oidc: null as string | null };
  beforeAll(async () => {
    // Answers like FlowLens: one person, ada@example.com, with a 12-character password.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/providers') return sendJson(res, 200, providers);
      const { email, password } = JSON.parse(await readBody(req)) as { email: string; password: string };
      if (email === 'ada@example.com' && password === 'correct horse')
        return sendJson(res, 200, { name: email, role: 'viewer', scope: { accounts: [], vpcs: [] } });
      sendJson(res, 401, { title: 'Sign-in failed', status: 401, detail: 'The email or password is wrong.' });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  const fill = (email: string, password: string) => {
    fireEvent.change(screen.getByLabelText('Email', { exact: false }), { target: { value: email } });
    fireEvent.change(screen.getByLabelText('Password', { exact: false, selector: 'input' }), {
      target: { value: password },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  };

  it('says why a sign-in failed, then signs in', async () => {
    const onSignedIn = vi.fn();
    renderWithProviders(<SignInForm returnUrl="/" onSignedIn={onSignedIn} />);
    fill('ada@example.com', 'wrong password');
    expect((await screen.findByRole('alert')).textContent).toBe('Sign-in failed: The email or password is wrong.');
    fill('ada@example.com', 'correct horse');
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
  });

  it('offers single sign-on when FlowLens has a provider, returning to where the person was going', async () => {
    providers = { local: false, oidc: 'Okta' };
    renderWithProviders(<SignInForm returnUrl="/explorer?from=now-6h" onSignedIn={() => {}} />);
    const link = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(link.getAttribute('href')).toBe(`${server.url}/api/auth/oidc?returnUrl=%2Fexplorer%3Ffrom%3Dnow-6h`);
    // Local sign-in is switched off: no password form.
    expect(screen.queryByLabelText('Password', { exact: false, selector: 'input' })).toBeNull();
  });
});
