// How numbers, sizes and times read on screen; value labels come from the API (lib/labels.ts).

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

/** 1234567 → "1.2M"; below 10,000 the exact figure. */
export const formatCount = (value: number) => (Math.abs(value) < 10_000 ? whole.format(value) : compact.format(value));

/** Bytes in decimal units, as network people count them: 1500 → "1.5 kB". */
export function formatBytes(value: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let unit = 0;
  let scaled = Math.abs(value);
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  const digits = unit === 0 || scaled >= 100 ? 0 : 1;
  return `${value < 0 ? '-' : ''}${scaled.toFixed(digits).replace(/\.0$/, '')} ${units[unit]}`;
}

export const formatPercent = (share: number) => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;

/** The change from `previous` to `current` as "+12%", or null when there is nothing to compare with. */
export function formatChange(current: number, previous: number): string | null {
  if (previous === 0) return null;
  const change = (current - previous) / previous;
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(Math.abs(change) < 0.1 ? 1 : 0)}%`;
}

/** "7 min ago", "3 h ago", "2 d ago"; "just now" under a minute. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400 * 2) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A UTC instant as "2026-11-24 13:05:12 UTC": flow logs are read in UTC. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A scope as a person reads it: `everything`, or its accounts and VPCs. */
export function formatScope(scope: { accounts: string[] | null; vpcs: string[] | null }): string {
  const parts = [...(scope.accounts ?? []), ...(scope.vpcs ?? [])];
  return parts.length === 0 ? 'everything' : parts.join(', ');
}

/** Ids typed in one box, separated by commas, spaces or line breaks. */
export const splitIds = (text: string) => text.split(/[\s,]+/).filter((id) => id !== '');

/** A time typed as `2026-12-01T10:00` (UTC, as the dashboard shows times) in ISO 8601; null when empty, undefined when not a time. */
export function utcInstant(text: string): string | null | undefined {
  if (text.trim() === '') return null;
  const time = new Date(`${text.trim()}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
