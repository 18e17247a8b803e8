import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { info, s3, web } from '@/testing/context-fixtures';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { TopList } from './top-list';

const range = { from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };

describe('TopList', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const asked: URLSearchParams[] = [];
  const askedContext: URLSearchParams[] = [];
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
      // What FlowLens knows of the addresses, in the order asked.
      if (url.pathname === '/api/context/addresses') {
        askedContext.push(url.searchParams);
        const known = new Map([web, s3].map((i) => [i.address, i]));
        return sendJson(res, 200, {
          items: url.searchParams.getAll('addr').map((a) => ({ threatLists: [], ...(known.get(a) ?? info(a)) })),
        });
      }
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
      if (url.searchParams.get('by') === 'pair')
        return sendJson(res, 200, {
          items: [
            { key: '10.0.0.5 -> 52.218.10.27', flows: 9, bytes: 9_000, packets: 9, rejectedFlows: 0 },
            { key: '198.51.100.7 -> 10.0.0.5', flows: 2, bytes: 2_000, packets: 2, rejectedFlows: 2 },
          ],
          approximate: false,
          maxError: 0,
        });
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

  it('names the addresses of its keys, asking for all of them at once at the end of the range', async () => {
    askedContext.length = 0;
    const onSelect = vi.fn();
    renderWithProviders(<TopList params={{ range, q: '' }} by="pair" onSelect={onSelect} />);
    const table = await screen.findByRole('table', { name: 'Top pair' });
    await within(table).findAllByText('web-1', { selector: '[data-address-name]' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('button')!.textContent)).toEqual([
      '10.0.0.5 web-1 -> 52.218.10.27 S3 IE · AS16509',
      // Nothing known of 198.51.100.7: the address alone.
      '198.51.100.7 -> 10.0.0.5 web-1',
    ]);
    expect(askedContext).toHaveLength(1);
    expect(askedContext[0].getAll('addr')).toEqual(['10.0.0.5', '52.218.10.27', '198.51.100.7']);
    expect(askedContext[0].get('at')).toBe('2026-11-25T00:00:00.000Z');
    // The key, not its names, goes to the filter.
    fireEvent.click(rows[0].querySelector('button')!);
    expect(onSelect).toHaveBeenCalledWith('10.0.0.5 -> 52.218.10.27');
  });

  it('says what went wrong when the API fails', async () => {
    renderWithProviders(<TopList params={{ range, q: 'broken' }} by="srcaddr" />);
    expect((await screen.findByRole('alert')).textContent).toContain('The query took too long');
  });
});
