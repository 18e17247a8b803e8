// The time range of a view: relative (`now-24h` to `now`) or absolute (ISO instants), as the API takes them.

export const presets = [
  { value: 'now-15m', label: 'Last 15 minutes' },
  { value: 'now-1h', label: 'Last hour' },
  { value: 'now-6h', label: 'Last 6 hours' },
  { value: 'now-24h', label: 'Last 24 hours' },
  { value: 'now-7d', label: 'Last 7 days' },
  { value: 'now-30d', label: 'Last 30 days' },
] as const;

export const defaultFrom = 'now-24h';
export const defaultTo = 'now';

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const relative = /^now(?:([+-])(\d+)([smhd]))?$/i;

/** An instant from `now`, `now-<n><s|m|h|d>` or ISO 8601; null when it is neither. */
export function parseInstant(text: string, now: number): number | null {
  const match = relative.exec(text.trim());
  if (match) {
    const offset = match[2] ? Number(match[2]) * units[match[3].toLowerCase()] : 0;
    return match[1] === '-' ? now - offset : now + offset;
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

export const isRelative = (text: string) => relative.test(text.trim());

export interface ResolvedRange {
  from: Date;
  to: Date;
}

/**
 * The range as instants. A relative range is aligned to whole buckets (5 minutes, or hours from 6 hours up)
 * so that the API answers from its pre-aggregated rollups; absolute ranges are kept as given.
 */
export function resolveRange(from: string, to: string, now = Date.now()): ResolvedRange | null {
  const start = parseInstant(from, now);
  const end = parseInstant(to, now);
  if (start === null || end === null || start >= end) return null;
  if (!isRelative(from) || !isRelative(to)) return { from: new Date(start), to: new Date(end) };
  const span = end - start;
  const step = span >= 6 * units.h ? units.h : 5 * units.m;
  const alignedEnd = Math.ceil(end / step) * step;
  return { from: new Date(alignedEnd - Math.ceil(span / step) * step), to: new Date(alignedEnd) };
}

/** The period just before a range, as long as it: what "change against the previous period" compares with. */
export const previousRange = (range: ResolvedRange): ResolvedRange => ({
  from: new Date(2 * range.from.getTime() - range.to.getTime()),
  to: range.from,
});

/** The label of a range for the picker: a preset's name, or both ends in UTC. */
export function describeRange(from: string, to: string): string {
  const preset = presets.find((p) => p.value === from);
  if (preset && to === 'now') return preset.label;
  const show = (text: string) =>
    isRelative(text) ? text : new Date(text).toISOString().slice(0, 16).replace('T', ' ');
  return `${show(from)} → ${show(to)} UTC`;
}
