import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { AuditLog } from './audit-log';

describe('AuditLog', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const asked: URLSearchParams[] = [];
  const event = (id: number, actor: string, action: string) => ({
    id,
    at: `2026-12-01T10:0${id}:00Z`,
    actor,
    action,
    target: 'source:demo (#1)',
    detail: null,
    remoteAddress: '127.0.0.1',
  });
  beforeAll(async () => {
    // Answers like FlowLens: two pages, newest first, the second asked for with `before`.
    server = await startTestServer((req, res) => {
      const search = new URL(req.url!, 'http://x').searchParams;
      asked.push(search);
      if (search.get('before') === '3')
        return sendJson(res, 200, { items: [event(2, 'key:siem (#4)', 'source.sync')], nextBefore: null });
      sendJson(res, 200, {
        items: [
          event(4, 'user:alice@example.com', 'key.created'),
          event(3, 'user:alice@example.com', 'source.created'),
        ],
        nextBefore: 3,
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('sends the filter, UTC times as ISO instants, and pages back to older events', async () => {
    renderWithProviders(<AuditLog />);
    await screen.findByText('key.created');
    fireEvent.change(screen.getByLabelText('Actor', { exact: false, selector: 'input' }), {
      target: { value: 'alice' },
    });
    fireEvent.change(screen.getByLabelText('From (UTC)', { exact: false, selector: 'input' }), {
      target: { value: '2026-12-01T10:00' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(asked.at(-1)?.get('actor')).toBe('alice'));
    expect(asked.at(-1)?.get('from')).toBe('2026-12-01T10:00:00.000Z');
    expect(asked.at(-1)?.get('to')).toBeNull();

    // A time that is not one is refused here, before the API.
    const calls = asked.length;
    fireEvent.change(screen.getByLabelText('To (UTC)', { exact: false, selector: 'input' }), {
      target: { value: 'tomorrow' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(await screen.findByText('Times are written 2026-12-01T10:00 (UTC).')).toBeTruthy();
    expect(asked.length).toBe(calls);

    fireEvent.click(await screen.findByRole('button', { name: 'Older events' }));
    expect(await screen.findByText('source.sync')).toBeTruthy();
    expect(asked.at(-1)?.get('before')).toBe('3');
    expect(screen.getAllByRole('row')).toHaveLength(4); // the header and three events
    expect(screen.getByText('The oldest event shown.')).toBeTruthy();
  });
});
