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
];

describe('FilterInput', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    // Answers like FlowLens: any filter naming 'protocl' is refused, pointing at that word.
    server = await startTestServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/filter/fields') return sendJson(res, 200, fields);
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
});
