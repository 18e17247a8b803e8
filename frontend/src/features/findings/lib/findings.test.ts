import { describe, expect, it } from 'vitest';
import { detailLines, filterOfParams, patchOf, triageFor } from './findings';

describe('findings', () => {
  it('reads the list filters from the URL, open and acknowledged by default, every status when status is empty', () => {
    expect(filterOfParams(new URLSearchParams(''))).toEqual({
      status: 'open,acknowledged',
      severity: '',
      ruleId: '',
      key: '',
      cursor: '',
    });
    expect(filterOfParams(new URLSearchParams('status=&severity=high,critical&rule=3&key=198.51&cursor=1_2'))).toEqual({
      status: '',
      severity: 'high,critical',
      ruleId: '3',
      key: '198.51',
      cursor: '1_2',
    });
  });

  it('offers the triage that changes the status, and mutes for 24 hours', () => {
    expect(triageFor('open')).toEqual(['acknowledge', 'resolve', 'mute']);
    expect(triageFor('acknowledged')).toEqual(['resolve', 'reopen', 'mute']);
    expect(triageFor('muted')).toEqual(['reopen', 'resolve']);
    expect(triageFor('resolved')).toEqual(['reopen']);
    expect(patchOf('acknowledge')).toEqual({ status: 'acknowledged' });
    expect(patchOf('reopen')).toEqual({ status: 'open' });
    expect(patchOf('mute', Date.parse('2026-12-03T10:00:00Z'))).toEqual({
      status: 'muted',
      mutedUntil: '2026-12-04T10:00:00.000Z',
    });
  });

  it('labels the details, known fields first in a fixed order, lists joined', () => {
    expect(
      detailLines({ hostSample: ['10.0.2.10'], extra: { a: 1 }, flows: 60, ports: 60, portSample: [20, 27] }),
    ).toEqual([
      ['Distinct ports', '60'],
      ['Flows', '60'],
      ['Ports (sample)', '20, 27'],
      ['Hosts (sample)', '10.0.2.10'],
      ['extra', '{"a":1}'],
    ]);
    expect(detailLines(null)).toEqual([]);
  });
});
