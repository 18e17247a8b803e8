import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet, query } from '@/lib/api-client';
import { TimeSeriesSchema } from '@/types/api';
import type { Metric } from './get-top';
import { rangeParams, type StatsQuery } from './stats-query';

export interface TimeSeriesQuery extends StatsQuery {
  groupBy?: string;
  metric?: Metric;
  limit?: number;
}

export const timeSeriesQuery = ({ groupBy, metric = 'flows', limit, ...params }: TimeSeriesQuery) => {
  const search = { ...rangeParams(params), groupBy, metric, limit };
  return queryOptions({
    queryKey: ['stats', 'timeseries', search],
    queryFn: () => apiGet(`/api/stats/timeseries${query(search)}`, TimeSeriesSchema),
  });
};

export const useTimeSeries = (params: TimeSeriesQuery) => useQuery(timeSeriesQuery(params));
