import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '@/types/api';
import { apply, complete } from './complete';

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
];
const labels = (text: string, cursor = text.length) => complete(text, cursor, fields).options.map((o) => o.label);

describe('complete', () => {
  it('offers fields at the start, narrowed by what is typed', () => {
    expect(labels('')).toEqual(['srcaddr', 'dstport', 'action', 'not']);
    expect(labels('ds')).toEqual(['dstport']);
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
    expect(labels('action = REJECT and ')).toEqual(['srcaddr', 'dstport', 'action', 'not']);
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
});
