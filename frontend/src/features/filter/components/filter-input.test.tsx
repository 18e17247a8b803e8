import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { FilterInput } from './filter-input';

const fields = [
  {
    name: 'dstport',
    type: 'number',
    operators: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
    examples: ['22', '443'],
    labels: [],
  },
  { name: 'dstaddr', type: 'address', operators: ['=', '!=', 'in', 'not in'], examples: ['10.0.0.5'], labels: [] },
  { name: 'action', type: 'enum', operators: ['=', '!=', 'in', 'not in'], examples: ['ACCEPT', 'REJECT'], labels: [] },
  { name: 'src-country', type: 'context', operators: ['=', '!=', 'in', 'not in'], examples: ['CN', 'US'], labels: [] },
  {
    name: 'instance-name',
    type: 'context',
    operators: ['=', '!=', 'in', 'not in'],
    examples: ['web-*', 'bastion'],
    labels: [],
  },
];

describe('FilterInput', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const askedValues: URLSearchParams[] = [];
  beforeAll(async () => {
    // Answers like FlowLens: any filter naming 'protocl' is refused, pointing at that word.
    server = await startTestServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/filter/fields') return sendJson(res, 200, fields);
      // The instance names FlowLens knows; its values of countries are broken.
      if (url.pathname === '/api/filter/values') {
        askedValues.push(url.searchParams);
        if (url.searchParams.get('field') !== 'instance-name')
          return sendJson(res, 500, { title: 'Something broke', status: 500 });
        const prefix = url.searchParams.get('prefix')!.toLowerCase();
        return sendJson(res, 200, {
          field: 'instance-name',
          values: ['web-1', 'web-2', 'worker-a', 'db-1'].filter((v) => v.startsWith(prefix)),
        });
      }
      const q = url.searchParams.get('q') ?? '';
      const at = q.indexOf('protocl');
      if (at < 0) return sendJson(res, 200, { filter: q, valid: true });
      sendJson(res, 400, {
        title: 'The filter is not valid',
        status: 400,
        errors: { q: [`unknown field 'protocl' (at character ${at + 1})`] },
        position: at + 1,
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('suggests the fields that start with what is typed, and inserts the chosen one', async () => {
    renderWithProviders(<FilterInput value="" onChange={() => {}} />);
    const input = screen.getByLabelText('Filter');
    await userEvent.type(input, 'dst');
    const options = await screen.findAllByRole('option', { hidden: true });
    expect(options.map((o) => o.textContent)).toEqual(['dstportnumber', 'dstaddraddress']);
    await userEvent.click(options[1]);
    expect((input as HTMLInputElement).value).toBe('dstaddr ');
  });

  it('marks the character the API points at and will not apply the filter', async () => {
    const onChange = vi.fn();
    renderWithProviders(<FilterInput value="" onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'dstport = 22 and protocl = tcp' } });
    const alert = await screen.findByRole('alert', { name: 'Filter error' });
    expect(alert.textContent).toContain("unknown field 'protocl' (at character 18)");
    const [text, caret] = alert.querySelector('pre, code')!.textContent.split('\n');
    expect(caret.indexOf('^')).toBe(text.indexOf('protocl'));
    expect(screen.getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true);
  });

  it('applies a valid filter on Enter, trimmed', async () => {
    const onChange = vi.fn();
    renderWithProviders(<FilterInput value="" onChange={onChange} />);
    const input = screen.getByLabelText('Filter');
    fireEvent.change(input, { target: { value: '  action = REJECT ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('action = REJECT'));
  });

  it("completes a context field's values with those the API finds for what is typed", async () => {
    renderWithProviders(<FilterInput value="" onChange={() => {}} />);
    const input = screen.getByLabelText('Filter');
    await userEvent.type(input, 'instance-name = w');
    await waitFor(async () =>
      expect((await screen.findAllByRole('option', { hidden: true })).map((o) => o.textContent)).toEqual([
        'web-1instance-name',
        'web-2instance-name',
        'worker-ainstance-name',
      ]),
    );
    expect(askedValues.at(-1)!.get('field')).toBe('instance-name');
    expect(askedValues.at(-1)!.get('prefix')).toBe('w');
    expect(askedValues.at(-1)!.get('limit')).toBe('20');
    await userEvent.click(screen.getAllByRole('option', { hidden: true })[2]);
    expect((input as HTMLInputElement).value).toBe('instance-name = worker-a ');
  });

  it("offers a context field's examples when the API cannot find its values", async () => {
    renderWithProviders(<FilterInput value="" onChange={() => {}} />);
    const input = screen.getByLabelText('Filter');
    await userEvent.type(input, 'src-country = ');
    await waitFor(() => expect(askedValues.at(-1)!.get('field')).toBe('src-country'));
    const options = await screen.findAllByRole('option', { hidden: true });
    expect(options.map((o) => o.textContent)).toEqual(['CNsrc-country', 'USsrc-country']);
  });
});
