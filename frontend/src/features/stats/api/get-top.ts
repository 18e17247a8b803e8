import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet, query } from '@/lib/api-client';
import { TopResponseSchema } from '@/types/api';
import { rangeParams, type StatsQuery } from './stats-query';

export type Metric = 'bytes' | 'packets' | 'flows';

export interface TopQuery extends StatsQuery {
  by: string;
  metric?: Metric;
  limit?: number;
  /** The exact answer from the raw flows, where the API would answer from its bounded summaries (slower). */
  exact?: boolean;
}

export const topQuery = ({ by, metric = 'bytes', limit = 10, exact = false, ...params }: TopQuery) => {
  const search = { ...rangeParams(params), by, metric, limit, ...(exact ? { exact: true } : {}) };
  return queryOptions({
    queryKey: ['stats', 'top', search],
    queryFn: () => apiGet(`/api/stats/top${query(search)}`, TopResponseSchema),
  });
};

export const useTop = (params: TopQuery) => useQuery(topQuery(params));
