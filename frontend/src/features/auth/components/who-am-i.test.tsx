import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, setApiBaseUrl } from '@/lib/api-client';
import { fakeMeHandler, startTestServer } from '@/testing/test-server';
import { WhoAmI } from './who-am-i';

const renderWithClient = () =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <WhoAmI />
    </QueryClientProvider>,
  );

describe('WhoAmI', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer(fakeMeHandler('fl_good'));
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(() => {
    cleanup();
    apiKey.clear();
  });

  it('asks for a key, then shows who the key belongs to', async () => {
    renderWithClient();
    const input = await screen.findByLabelText('API key');
    expect(screen.queryByRole('alert')).toBeNull();

    fireEvent.change(input, { target: { value: 'fl_good' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('bootstrap')).toBeTruthy();
    expect(apiKey.get()).toBe('fl_good');
  });

  it('says why a wrong key was refused', async () => {
    apiKey.set('fl_wrong');
    renderWithClient();
    expect((await screen.findByRole('alert')).textContent).toBe('Unauthorized: The API key is not valid.');
  });
});
