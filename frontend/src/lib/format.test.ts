import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatChange, formatCount, formatTime } from './format';

describe('format', () => {
  it('writes sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(9_876_543_210)).toBe('9.9 GB');
    expect(formatBytes(123_456_789_012)).toBe('123 GB');
  });

  it('keeps small counts exact and shortens large ones', () => {
    expect(formatCount(9_999)).toBe('9,999');
    expect(formatCount(2_861_402)).toBe('2.9M');
  });

  it('compares with the previous period', () => {
    expect(formatChange(120, 100)).toBe('+20%');
    expect(formatChange(95, 100)).toBe('-5.0%');
    expect(formatChange(5, 0)).toBeNull();
  });

  it('says how old a time is, and writes times in UTC', () => {
    const now = Date.parse('2026-11-24T13:00:00Z');
    expect(formatAgo('2026-11-24T12:53:00Z', now)).toBe('7 min ago');
    expect(formatAgo('2026-11-24T10:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-20T13:00:00Z', now)).toBe('4 d ago');
    expect(formatAgo(null, now)).toBe('never');
    expect(formatTime('2026-11-24T13:05:12.5+00:00')).toBe('2026-11-24 13:05:12 UTC');
  });
});
