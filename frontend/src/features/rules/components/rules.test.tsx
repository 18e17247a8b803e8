import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import type { Rule } from '../api/rules';
import { RuleForm } from './rule-form';
import { RuleTable } from './rule-table';

const at = '2026-12-03T00:00:00Z';
const builtIn: Rule = {
  id: 1,
  name: 'Port scan',
  kind: 'port-scan',
  builtIn: true,
  enabled: true,
  severity: 'medium',
  parameters: { minPorts: 20, minRejectedRatio: 0.5 },
  filter: null,
  searchId: null,
  window: '5m',
  groupBy: null,
  metric: null,
  threshold: null,
  channelIds: [2],
  minSeverity: 'low',
  evaluatedTo: '2026-12-03T09:45:00Z',
  createdAt: at,
  updatedAt: at,
};
const threshold: Rule = {
  ...builtIn,
  id: 5,
  name: 'Rejected SSH',
  kind: 'threshold',
  builtIn: false,
  severity: 'high',
  parameters: {},
  filter: 'action = REJECT and dstport = 22',
  groupBy: 'srcaddr',
  metric: 'flows',
  threshold: 50,
  channelIds: [],
  evaluatedTo: null,
};

const searches = [
  {
    id: 3,
    name: 'RDP from outside',
    filter: 'action = REJECT and dstport = 3389',
    from: 'now-24h',
    to: 'now',
    view: 'explorer',
    viewState: null,
    shared: true,
    createdBy: 'ana',
    mine: false,
    createdAt: at,
    updatedAt: at,
  },
];

describe('rules', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let requests: { method: string; url: string; body: unknown }[] = [];
  let rules: Rule[] = [];
  beforeAll(async () => {
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      if (req.url === '/api/searches') return sendJson(res, 200, searches);
      const sends = req.method === 'POST' || req.method === 'PUT';
      const body = sends ? (JSON.parse(await readBody(req)) as Partial<Rule>) : null;
      requests.push({ method: req.method!, url: req.url!, body });
      if (req.method === 'DELETE') {
        rules = rules.filter((r) => `/api/rules/${r.id}` !== req.url);
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*' });
        res.end();
        return;
      }
      if (sends && body!.filter === 'dstport =') {
        return sendJson(res, 400, {
          title: 'The rule is not valid',
          status: 400,
          errors: {
            filter: ["Expected a value after '=' at 11"],
            groupBy: ['groupBy is one of: srcaddr, dstaddr'],
          },
          position: 11,
        });
      }
      if (req.method === 'PUT') {
        rules = rules.map((r) => (`/api/rules/${r.id}` === req.url ? { ...r, ...body } : r));
        return sendJson(
          res,
          200,
          rules.find((r) => `/api/rules/${r.id}` === req.url),
        );
      }
      if (req.method === 'POST') return sendJson(res, 201, { ...threshold, ...body, id: 9 });
      sendJson(res, 200, rules);
    });
    setApiBaseUrl(server.url);
    resetCsrfToken();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests = [];
    rules = [builtIn, threshold];
  });
  afterEach(cleanup);

  it('shows a viewer every rule, built-ins first, without controls', async () => {
    renderWithProviders(<RuleTable isAdmin={false} onEdit={() => {}} />);
    const table = await screen.findByRole('table', { name: 'Rules' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual([
      'NameKindWindowSeverityEnabledParametersJudged to',
      'Port scanbuilt-inport-scan5mmediumyesminPorts 20, minRejectedRatio 0.52026-12-03 09:45:00 UTC',
      'Rejected SSHthreshold5mhighyesflows by srcaddr > 50 where action = REJECT and dstport = 22not yet',
    ]);
    expect(screen.queryByRole('switch')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('lets an admin disable a built-in (its whole rule sent back, no threshold fields) and delete a threshold rule', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<RuleTable isAdmin onEdit={() => {}} />);
    fireEvent.click(await screen.findByRole('switch', { name: 'Enabled: Port scan' }));
    await waitFor(() =>
      expect(screen.getByRole('switch', { name: 'Enabled: Port scan' })).toHaveProperty('checked', false),
    );
    expect(requests.find((r) => r.method === 'PUT')).toEqual({
      method: 'PUT',
      url: '/api/rules/1',
      body: {
        name: 'Port scan',
        kind: 'port-scan',
        enabled: false,
        severity: 'medium',
        window: '5m',
        channelIds: [2],
        minSeverity: 'low',
        parameters: { minPorts: 20, minRejectedRatio: 0.5 },
      },
    });
    const row = screen.getByText('Rejected SSH').closest('tr')!;
    expect(within(screen.getByText('Port scan').closest('tr')!).queryByRole('button', { name: 'Delete' })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('Rejected SSH')).toBeNull());
  });

  it("creates a threshold rule, showing the API's 400 errors next to their fields", async () => {
    const saved = vi.fn();
    renderWithProviders(<RuleForm rule={null} onSaved={saved} onCancel={() => {}} />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Many rejects' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter' }), { target: { value: 'dstport = ' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Threshold' }), { target: { value: '100' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByText("Expected a value after '=' at 11")).toBeDefined();
    expect(screen.getByText('groupBy is one of: srcaddr, dstaddr')).toBeDefined();
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({
      name: 'Many rejects',
      kind: 'threshold',
      enabled: true,
      severity: 'medium',
      window: '5m',
      channelIds: [],
      minSeverity: 'low',
      filter: 'dstport =',
      searchId: null,
      groupBy: 'srcaddr',
      metric: 'flows',
      threshold: 100,
    });
    expect(saved).not.toHaveBeenCalled();
  });

  it("creates a rule on a saved search: the search's filter shown, not editable, and not sent (the API takes it)", async () => {
    const saved = vi.fn();
    renderWithProviders(<RuleForm rule={null} onSaved={saved} onCancel={() => {}} />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'RDP knocking' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter' }), { target: { value: 'dstport = 22' } });
    fireEvent.click(screen.getByRole('combobox', { name: 'Saved search' }));
    fireEvent.click(await screen.findByRole('option', { name: 'RDP from outside (team)', hidden: true }));
    const filter = screen.getByRole('textbox', { name: 'Filter' });
    expect(filter).toHaveProperty('value', 'action = REJECT and dstport = 3389');
    expect(filter).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByRole('textbox', { name: 'Threshold' }), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect(requests.find((r) => r.method === 'POST')!.body).toMatchObject({ searchId: 3, filter: null, threshold: 20 });
  });

  it('names the saved search a rule follows in the table', async () => {
    rules = [
      { ...threshold, searchId: 3 },
      { ...threshold, id: 6, name: 'Private one', searchId: 77 },
    ];
    renderWithProviders(<RuleTable isAdmin={false} onEdit={() => {}} />);
    expect(
      await screen.findByText(/where action = REJECT and dstport = 22 \(saved search RDP from outside\)/),
    ).toBeDefined();
    expect(screen.getByText(/\(saved search #77\)/)).toBeDefined();
  });

  it("edits a built-in's parameters", async () => {
    const saved = vi.fn();
    renderWithProviders(<RuleForm rule={builtIn} onSaved={saved} onCancel={() => {}} />);
    expect(screen.queryByRole('textbox', { name: 'Filter' })).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'minPorts' }), { target: { value: '40' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect((requests.find((r) => r.method === 'PUT')!.body as Rule).parameters).toEqual({
      minPorts: 40,
      minRejectedRatio: 0.5,
    });
  });
});
