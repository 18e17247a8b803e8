import { describe, expect, it } from 'vitest';
import { s3, web } from '@/testing/context-fixtures';
import { sankeyData, sankeyLabel } from './flow-sankey';

const item = (key: string, bytes: number) => ({ key, bytes, flows: 1, packets: 1, rejectedFlows: 0 });

describe('sankeyData', () => {
  it('keeps each level apart and sums the links the triples share', () => {
    const { nodes, links } = sankeyData([
      item('10.0.0.5 -> 443 -> 10.0.0.9', 100),
      item('10.0.0.5 -> 443 -> 10.0.0.7', 50),
      item('10.0.0.7 -> 22 -> 10.0.0.5', 10),
    ]);
    expect(nodes.map((n) => n.name)).toEqual([
      'srcaddr 10.0.0.5',
      'dstport 443',
      'dstaddr 10.0.0.9',
      'dstaddr 10.0.0.7',
      'srcaddr 10.0.0.7',
      'dstport 22',
      'dstaddr 10.0.0.5',
    ]);
    expect(links).toEqual([
      { source: 'srcaddr 10.0.0.5', target: 'dstport 443', value: 150 },
      { source: 'dstport 443', target: 'dstaddr 10.0.0.9', value: 100 },
      { source: 'dstport 443', target: 'dstaddr 10.0.0.7', value: 50 },
      { source: 'srcaddr 10.0.0.7', target: 'dstport 22', value: 10 },
      { source: 'dstport 22', target: 'dstaddr 10.0.0.5', value: 10 },
    ]);
  });
});

describe('sankeyLabel', () => {
  it('names the addresses of the source and destination levels, never the ports', () => {
    const infos = new Map([
      ['10.0.0.5', web],
      ['52.218.10.27', s3],
      ['443', web],
    ]);
    expect(sankeyLabel('srcaddr 10.0.0.5', infos)).toBe('10.0.0.5 web-1');
    expect(sankeyLabel('dstaddr 52.218.10.27', infos)).toBe('52.218.10.27 S3');
    expect(sankeyLabel('dstaddr 10.0.0.9', infos)).toBe('10.0.0.9');
    expect(sankeyLabel('dstport 443', infos)).toBe('443');
  });
});
