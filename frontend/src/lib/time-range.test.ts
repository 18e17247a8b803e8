import { describe, expect, it } from 'vitest';
import { describeRange, parseInstant, previousRange, resolveRange } from './time-range';

const now = Date.parse('2026-11-24T13:07:30Z');

describe('time range', () => {
  it('reads relative and ISO instants', () => {
    expect(parseInstant('now', now)).toBe(now);
    expect(parseInstant('now-15m', now)).toBe(now - 15 * 60_000);
    expect(parseInstant('now-7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseInstant('2026-11-24T00:00:00Z', now)).toBe(Date.parse('2026-11-24T00:00:00Z'));
    expect(parseInstant('yesterday', now)).toBeNull();
  });

  it('aligns relative ranges to 5 minutes, and to hours from 6 hours up', () => {
    expect(resolveRange('now-1h', 'now', now)).toEqual({
      from: new Date('2026-11-24T12:10:00Z'),
      to: new Date('2026-11-24T13:10:00Z'),
    });
    expect(resolveRange('now-24h', 'now', now)).toEqual({
      from: new Date('2026-11-23T14:00:00Z'),
      to: new Date('2026-11-24T14:00:00Z'),
    });
  });

  it('keeps absolute ranges and refuses empty or unreadable ones', () => {
    const range = resolveRange('2026-11-24T10:03:00Z', '2026-11-24T11:00:00Z', now);
    expect(range).toEqual({ from: new Date('2026-11-24T10:03:00Z'), to: new Date('2026-11-24T11:00:00Z') });
    expect(resolveRange('now', 'now-1h', now)).toBeNull();
    expect(resolveRange('soon', 'now', now)).toBeNull();
  });

  it('gives the period before, as long', () => {
    const range = { from: new Date('2026-11-24T12:00:00Z'), to: new Date('2026-11-24T13:00:00Z') };
    expect(previousRange(range)).toEqual({ from: new Date('2026-11-24T11:00:00Z'), to: range.from });
  });

  it('names presets and writes absolute ranges in UTC', () => {
    expect(describeRange('now-24h', 'now')).toBe('Last 24 hours');
    expect(describeRange('2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z')).toBe(
      '2026-11-24 10:00 → 2026-11-24 11:00 UTC',
    );
  });
});
