import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import type { Channel } from '../api/channels';
import { ChannelForm } from './channel-form';
import { ChannelList } from './channel-list';

const now = '2026-12-04T12:00:00Z';
const stored: Channel = {
  id: 3,
  name: 'soc',
  kind: 'webhook',
  enabled: true,
  secretSet: true,
  webhook: { format: 'flowlens', urlSet: true, signingSecretSet: true },
  slack: null,
  email: null,
  createdAt: now,
  updatedAt: now,
};

describe('Notification channels', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const requests: { method: string; url: string; body: unknown }[] = [];
  beforeAll(async () => {
    // Answers like FlowLens: a short signing secret is refused, the list holds one webhook, its test fails with a 500.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      if (req.method === 'GET' && req.url === '/api/channels') return sendJson(res, 200, [stored]);
      const text = await readBody(req);
      const body = text ? (JSON.parse(text) as { webhook?: { signingSecret: string | null } }) : null;
      requests.push({ method: req.method!, url: req.url!, body });
      if (req.url === '/api/channels/3/test') {
        return sendJson(res, 200, {
          id: 9,
          deliveryId: '00000000-0000-0000-0000-000000000001',
          findingId: 0,
          channelId: 3,
          channelName: 'soc',
          channelKind: 'webhook',
          event: 'test',
          attempt: 1,
          status: 'gave-up',
          createdAt: now,
          nextAttemptAt: now,
          attemptedAt: now,
          finishedAt: now,
          reply: 'HTTP 500 Internal Server Error',
          error: 'The receiver answered with an error status.',
        });
      }
      if (body?.webhook?.signingSecret === 'short') {
        return sendJson(res, 400, {
          title: 'One or more validation errors occurred.',
          status: 400,
          errors: { 'webhook.signingSecret': ['A signing secret of 16 to 200 characters is required.'] },
        });
      }
      sendJson(res, req.method === 'POST' ? 201 : 200, stored);
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

  it("adds a webhook with its secrets, showing the API's error by the field first", async () => {
    const onSaved = vi.fn();
    renderWithProviders(<ChannelForm channel={null} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.change(field('Name'), { target: { value: 'soc' } });
    fireEvent.change(field('URL'), { target: { value: 'https://hooks.example.org/x' } });
    fireEvent.change(field('Signing secret'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add channel' }));
    expect(await screen.findByText('A signing secret of 16 to 200 characters is required.')).toBeTruthy();

    fireEvent.change(field('Signing secret'), { target: { value: 'a-long-enough-secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add channel' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(requests.at(-1)).toEqual({
      method: 'POST',
      url: '/api/channels',
      body: {
        name: 'soc',
        kind: 'webhook',
        enabled: true,
        webhook: { url: 'https://hooks.example.org/x', signingSecret: 'a-long-enough-secret', format: 'flowlens' },
      },
    });
  });

  it('edits a channel without its secrets: they are sent as null, which keeps them', async () => {
    const onSaved = vi.fn();
    renderWithProviders(<ChannelForm channel={stored} onSaved={onSaved} onCancel={() => {}} />);
    expect((field('URL') as HTMLInputElement).value).toBe('');
    expect((field('URL') as HTMLInputElement).placeholder).toBe('Stored; leave empty to keep it');
    fireEvent.change(field('Name'), { target: { value: 'soc-2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(requests.at(-1)).toEqual({
      method: 'PUT',
      url: '/api/channels/3',
      body: {
        name: 'soc-2',
        kind: 'webhook',
        enabled: true,
        webhook: { url: null, signingSecret: null, format: 'flowlens' },
      },
    });
  });

  it('sends a test and shows how it went', async () => {
    renderWithProviders(<ChannelList isAdmin onEdit={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Send test' }));
    const result = await screen.findByTestId('test-result-3');
    expect(result.textContent).toContain('failed');
    expect(result.textContent).toContain('HTTP 500 Internal Server Error');
    expect(requests).toEqual([{ method: 'POST', url: '/api/channels/3/test', body: null }]);
  });

  it('shows viewers the names only, without test or edit', async () => {
    renderWithProviders(<ChannelList isAdmin={false} onEdit={() => {}} />);
    expect(await screen.findByText('soc')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send test' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });
});
