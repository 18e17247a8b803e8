import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet, query } from '@/lib/api-client';
import { TopResponseSchema } from '@/types/api';
import { rangeParams, type StatsQuery } from './stats-query';

export type Metric = 'bytes' | 'packets' | 'flows';

export interface TopQuery extends StatsQuery {
  by: string;
  metric?: Metric;
  limit?: number;
}

export const topQuery = ({ by, metric = 'bytes', limit = 10, ...params }: TopQuery) => {
  const search = { ...rangeParams(params), by, metric, limit };
  return queryOptions({
    queryKey: ['stats', 'top', search],
    queryFn: () => apiGet(`/api/stats/top${query(search)}`, TopResponseSchema),
  });
};

export const useTop = (params: TopQuery) => useQuery(topQuery(params));
