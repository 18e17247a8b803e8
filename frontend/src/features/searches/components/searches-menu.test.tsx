import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { SearchesMenu } from './searches-menu';

const at = '2026-12-01T00:00:00Z';
const saved = (id: number, name: string, mine: boolean, more: object = {}) => ({
  id,
  name,
  filter: 'action = REJECT',
  from: 'now-1h',
  to: 'now',
  view: 'rejections',
  viewState: null,
  shared: !mine,
  createdBy: mine ? 'a@example.org' : 'b@example.org',
  mine,
  createdAt: at,
  updatedAt: at,
  ...more,
});

type Search = ReturnType<typeof saved>;
type Body = Partial<Search> & { name: string };

describe('SearchesMenu', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let requests: { method: string; url: string; body: unknown }[] = [];
  let searches: Search[] = [];
  beforeAll(async () => {
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const sends = req.method === 'POST' || req.method === 'PUT';
      const body = sends ? (JSON.parse(await readBody(req)) as Body) : { name: '' };
      requests.push({ method: req.method!, url: req.url!, body: sends ? body : null });
      if (req.method === 'POST') {
        if (body.name === 'taken')
          return sendJson(res, 409, {
            title: 'Conflict',
            status: 409,
            detail: 'You have a saved search of that name already.',
          });
        return sendJson(res, 201, { ...saved(9, body.name, true), ...body });
      }
      if (req.method === 'PUT') {
        searches = searches.map((s) => (`/api/searches/${s.id}` === req.url ? { ...s, ...body } : s));
        return sendJson(
          res,
          200,
          searches.find((s) => `/api/searches/${s.id}` === req.url),
        );
      }
      sendJson(res, 200, searches);
    });
    setApiBaseUrl(server.url);
    resetCsrfToken();
  });
  afterAll(() => server.close());
  afterEach(cleanup);
  beforeEach(() => {
    requests = [];
    searches = [
      saved(1, 'mine', true),
      saved(2, 'team scans', false, { view: 'explorer', viewState: { by: 'srcaddr' } }),
    ];
  });

  const current = { view: 'explorer', filter: 'dstport = 22', from: 'now-7d', to: 'now', viewState: { cols: 'start' } };

  it('saves the current view under a name, shared when asked', async () => {
    renderWithProviders(<SearchesMenu current={current} onOpen={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = await screen.findByRole('dialog', { name: 'Save search' });
    expect(within(dialog).getByText('dstport = 22')).toBeTruthy();
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: ' SSH ' } });
    fireEvent.click(within(dialog).getByRole('switch', { name: 'Share with the team' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Save search' })).toBeNull());
    expect(requests).toEqual([
      { method: 'POST', url: '/api/searches', body: { ...current, name: 'SSH', shared: true } },
    ]);
  });

  it('shows why a save was refused', async () => {
    renderWithProviders(<SearchesMenu current={current} onOpen={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = await screen.findByRole('dialog', { name: 'Save search' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'taken' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('You have a saved search of that name already.')).toBeTruthy();
  });

  it('lists mine and the team’s; opening one goes to its URL; only mine can be renamed or deleted', async () => {
    const onOpen = vi.fn();
    renderWithProviders(<SearchesMenu current={current} onOpen={onOpen} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const table = await screen.findByRole('table', { name: 'Saved searches' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual([
      'NameViewRangeSaved by',
      'mineRejectionsLast houryou✎✕',
      'team scansExplorerLast hourb@example.orgshared',
    ]);
    expect(within(table).queryByRole('button', { name: 'Rename team scans' })).toBeNull();
    expect(within(table).queryByRole('button', { name: 'Delete team scans' })).toBeNull();

    fireEvent.click(within(table).getByRole('button', { name: 'team scans' }));
    expect(onOpen).toHaveBeenCalledWith('/explorer?from=now-1h&q=action+%3D+REJECT&by=srcaddr');
    await waitFor(() => expect(screen.queryByRole('table', { name: 'Saved searches' })).toBeNull());
  });

  it('renames one of mine, keeping everything else', async () => {
    renderWithProviders(<SearchesMenu current={current} onOpen={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const table = await screen.findByRole('table', { name: 'Saved searches' });
    fireEvent.click(within(table).getByRole('button', { name: 'Rename mine' }));
    fireEvent.change(within(table).getByRole('textbox', { name: 'New name' }), { target: { value: 'renamed' } });
    fireEvent.click(within(table).getByRole('button', { name: 'Rename' }));
    expect(await within(table).findByRole('button', { name: 'renamed' })).toBeTruthy();
    expect(requests.find((r) => r.method === 'PUT')).toEqual({
      method: 'PUT',
      url: '/api/searches/1',
      body: {
        name: 'renamed',
        filter: 'action = REJECT',
        from: 'now-1h',
        to: 'now',
        view: 'rejections',
        viewState: null,
        shared: false,
      },
    });
  });
});
