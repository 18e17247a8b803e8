import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { TopList } from './top-list';

const range = { from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };

describe('TopList', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const asked: URLSearchParams[] = [];
  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      // The labels, as FlowLens gives them (a part of its protocol list).
      if (url.pathname === '/api/filter/fields')
        return sendJson(res, 200, [
          {
            name: 'protocol',
            type: 'protocol',
            operators: ['='],
            examples: ['tcp'],
            labels: [
              { value: '6', label: 'TCP', description: null },
              { value: '17', label: 'UDP', description: null },
            ],
          },
        ]);
      asked.push(url.searchParams);
      if (url.searchParams.get('q') === 'broken')
        return sendJson(res, 503, { title: 'The query took too long', status: 503 });
      // Over whole hours FlowLens answers from its bounded summaries, unless asked for the exact answer.
      if (url.searchParams.get('by') === 'srcaddr')
        return sendJson(
          res,
          200,
          url.searchParams.get('exact') === 'true'
            ? {
                items: [{ key: '198.51.100.7', flows: 12, bytes: 2_000_500, packets: 30, rejectedFlows: 12 }],
                approximate: false,
                maxError: 0,
              }
            : {
                items: [{ key: '198.51.100.7', flows: 11, bytes: 2_000_000, packets: 29, rejectedFlows: 11 }],
                approximate: true,
                maxError: 1_000,
              },
        );
      sendJson(res, 200, {
        items: [
          { key: '6', flows: 900, bytes: 5_000_000, packets: 4000, rejectedFlows: 10 },
          { key: '17', flows: 80, bytes: 12_000, packets: 90, rejectedFlows: 0 },
          { key: '-', flows: 0, bytes: 0, packets: 0, rejectedFlows: 0 },
        ],
        approximate: false,
        maxError: 0,
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('asks for the field over the range, names protocols, and drills down on a click', async () => {
    const onSelect = vi.fn();
    renderWithProviders(<TopList params={{ range, q: 'action = REJECT' }} by="protocol" onSelect={onSelect} />);
    const table = await screen.findByRole('table', { name: 'Top protocol' });
    await screen.findByText('TCP (6)');
    expect(Object.fromEntries(asked.at(-1)!)).toEqual({
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-11-25T00:00:00.000Z',
      q: 'action = REJECT',
      by: 'protocol',
      metric: 'bytes',
      limit: '10',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['TCP (6)5 MB900', 'UDP (17)12 kB80', '- (no value)0 B0']);
    fireEvent.click(within(rows[1]).getByRole('button'));
    expect(onSelect).toHaveBeenCalledWith('17');
    // Records without the field cannot be filtered on: no button.
    expect(within(rows[2]).queryByRole('button')).toBeNull();
  });

  it('marks approximate figures with ≈ and their bound, and gives the exact answer on request', async () => {
    renderWithProviders(<TopList params={{ range, q: '' }} by="srcaddr" />);
    const note = await screen.findByRole('note', { name: 'Approximate figures' });
    expect(note.textContent).toContain('up to 1 kB below the true one');
    const row = () => within(screen.getByRole('table', { name: 'Top srcaddr' })).getAllByRole('row')[1];
    expect(row().textContent).toBe('198.51.100.7≈ 2 MB≈ 11');

    fireEvent.click(within(note).getByRole('button', { name: 'Exact answer' }));
    await waitFor(() => expect(row().textContent).toBe('198.51.100.7' + '2 MB' + '12'));
    expect(asked.at(-1)!.get('exact')).toBe('true');
    expect(screen.queryByRole('note', { name: 'Approximate figures' })).toBeNull();
  });

  it('says what went wrong when the API fails', async () => {
    renderWithProviders(<TopList params={{ range, q: 'broken' }} by="srcaddr" />);
    expect((await screen.findByRole('alert')).textContent).toContain('The query took too long');
  });
});
