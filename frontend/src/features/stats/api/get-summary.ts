import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet, query } from '@/lib/api-client';
import { SummarySchema } from '@/types/api';
import { rangeParams, type StatsQuery } from './stats-query';

export const summaryQuery = (params: StatsQuery) =>
  queryOptions({
    queryKey: ['stats', 'summary', rangeParams(params)],
    queryFn: () => apiGet(`/api/stats/summary${query(rangeParams(params))}`, SummarySchema),
  });

export const useSummary = (params: StatsQuery) => useQuery(summaryQuery(params));
