import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '@/types/api';
import { apply, complete, valueAt, type FieldValues } from './complete';

const fields: FieldInfo[] = [
  {
    name: 'srcaddr',
    type: 'address',
    operators: ['=', '!=', 'in', 'not in'],
    examples: ['10.0.0.5', '10.0.0.0/8'],
    labels: [],
  },
  {
    name: 'dstport',
    type: 'number',
    operators: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
    examples: ['22', '443'],
    labels: [],
  },
  { name: 'action', type: 'enum', operators: ['=', '!=', 'in', 'not in'], examples: ['ACCEPT', 'REJECT'], labels: [] },
  { name: 'dst-country', type: 'context', operators: ['=', '!=', 'in', 'not in'], examples: ['US', 'DE'], labels: [] },
  { name: 'instance-name', type: 'context', operators: ['=', '!=', 'in', 'not in'], examples: ['web-*'], labels: [] },
];
const labels = (text: string, cursor = text.length) => complete(text, cursor, fields).options.map((o) => o.label);

describe('complete', () => {
  it('offers fields at the start, narrowed by what is typed', () => {
    expect(labels('')).toEqual(['srcaddr', 'dstport', 'action', 'dst-country', 'instance-name', 'not']);
    expect(labels('ds')).toEqual(['dstport', 'dst-country']);
    expect(labels('dstp')).toEqual(['dstport']);
    expect(labels('not (a')).toEqual(['action']);
  });

  it("offers the field's operators, then its values", () => {
    expect(labels('dstport ')).toEqual(['=', '!=', '<', '<=', '>', '>=', 'in', 'not in']);
    expect(labels('action ')).toEqual(['=', '!=', 'in', 'not in']);
    expect(labels('action = ')).toEqual(['ACCEPT', 'REJECT']);
    expect(labels('action=R')).toEqual(['REJECT']);
    expect(labels('dstport in (22, ')).toEqual(['22', '443']);
    expect(labels('dstport not in (22 ')).toEqual([',', ')']);
  });

  it('offers and/or after a comparison, then fields again', () => {
    expect(labels('action = REJECT ')).toEqual(['and', 'or']);
    expect(labels('action = REJECT and ')).toEqual([
      'srcaddr',
      'dstport',
      'action',
      'dst-country',
      'instance-name',
      'not',
    ]);
    expect(labels("srcaddr = '10.0.0.5' o")).toEqual(['or']);
  });

  it('completes the word under the cursor, in the middle of the text too', () => {
    const text = 'act = REJECT';
    const completions = complete(text, 2, fields);
    expect(completions).toMatchObject({ from: 0, to: 3 });
    expect(apply(text, completions, completions.options[0])).toEqual({ text: 'action = REJECT', cursor: 7 });
  });

  it('opens the list of an in', () => {
    const completions = complete('dstport i', 9, fields);
    expect(apply('dstport i', completions, completions.options[0])).toEqual({ text: 'dstport in (', cursor: 12 });
  });

  it("finds where a context field's value is typed, to ask the API for its values", () => {
    expect(valueAt('dst-country = C', 15, fields)).toEqual({ field: 'dst-country', prefix: 'C' });
    const list = "action = REJECT and instance-name in (web-1, 'db";
    expect(valueAt(list, list.length, fields)).toEqual({ field: 'instance-name', prefix: 'db' });
    expect(valueAt('dst-country = ', 14, fields)).toEqual({ field: 'dst-country', prefix: '' });
    // Not a context field, not a value.
    expect(valueAt('dstport = 2', 11, fields)).toBeNull();
    expect(valueAt('dst-country ', 12, fields)).toBeNull();
  });

  it("offers a context field's values from the API, else its examples", () => {
    const found: FieldValues = {
      field: 'dst-country',
      prefix: 'C',
      values: [
        { value: 'CN', label: 'China' },
        { value: 'CH', label: null },
      ],
    };
    const values = (text: string, f: FieldValues | null = found) =>
      complete(text, text.length, fields, 12, f).options.map((o) => [o.label, o.detail]);
    expect(values('dst-country = C')).toEqual([
      ['CN', 'China'],
      ['CH', 'dst-country'],
    ]);
    expect(values('dst-country = CN')).toEqual([['CN', 'China']]);
    // Values found for another field, or a prefix that does not cover what is typed: the examples.
    expect(values('dst-country = ', found)).toEqual([
      ['US', 'dst-country'],
      ['DE', 'dst-country'],
    ]);
    expect(values('instance-name = ', found)).toEqual([['web-*', 'instance-name']]);
    expect(values('dst-country = D', null)).toEqual([['DE', 'dst-country']]);
  });

  it('quotes a value with spaces or signs of the language', () => {
    const found: FieldValues = { field: 'instance-name', prefix: 'we', values: [{ value: 'web (blue)' }] };
    const text = 'instance-name = we';
    const completions = complete(text, text.length, fields, 12, found);
    expect(apply(text, completions, completions.options[0]).text).toBe("instance-name = 'web (blue)' ");
    const list = "instance-name in ('we";
    const inList = complete(list, list.length, fields, 12, found);
    expect(apply(list, inList, inList.options[0]).text).toBe("instance-name in ('web (blue)'");
  });
});
