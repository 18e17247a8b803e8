import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '@/types/api';
import { labeller } from './labels';

const field = (name: string, labels: [string, string][]): FieldInfo => ({
  name,
  type: 'number',
  operators: ['='],
  examples: [],
  labels: labels.map(([value, label]) => ({ value, label, description: null })),
});

describe('labeller', () => {
  const show = labeller([
    field('protocol', [
      ['6', 'TCP'],
      ['58', 'IPv6-ICMP'],
    ]),
    field('traffic-path', [['1', 'Same VPC']]),
    field('tcp-flags', [
      ['2', 'SYN'],
      ['16', 'ACK'],
      ['1', 'FIN'],
    ]),
    field('dstport', []),
  ]);

  it('names values as the API labels them, keeping the value', () => {
    expect(show('protocol', 6)).toBe('TCP (6)');
    expect(show('protocol', '58')).toBe('IPv6-ICMP (58)');
    expect(show('traffic-path', 1)).toBe('Same VPC (1)');
    expect(show('protocol', 253)).toBe('253');
    expect(show('dstport', 22)).toBe('22');
    expect(show('protocol', null)).toBe('-');
  });

  it('names each bit of tcp-flags', () => {
    expect(show('tcp-flags', 18)).toBe('SYN ACK (18)');
    expect(show('tcp-flags', 0)).toBe('- (0)');
  });

  it('shows values as they are until the labels arrive', () => {
    expect(labeller(undefined)('protocol', 6)).toBe('6');
  });
});
