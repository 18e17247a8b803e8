import type { ResolvedRange } from '@/lib/time-range';

/** What every stats call is asked for: a resolved time range and a filter. */
export interface StatsQuery {
  range: ResolvedRange;
  q: string;
}

export const rangeParams = ({ range, q }: StatsQuery) => ({
  from: range.from.toISOString(),
  to: range.to.toISOString(),
  q,
});
