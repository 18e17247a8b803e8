import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiGet, apiUrl, query } from '@/lib/api-client';
import { FlowPageSchema } from '@/types/api';
import type { ResolvedRange } from '@/lib/time-range';

export interface FlowsQuery {
  range: ResolvedRange;
  q: string;
}

const search = ({ range, q }: FlowsQuery) => ({ from: range.from.toISOString(), to: range.to.toISOString(), q });

/** Pages of flows, newest first, through the API's cursor. */
export const flowsQuery = (params: FlowsQuery, pageSize = 200) =>
  infiniteQueryOptions({
    queryKey: ['flows', search(params), pageSize],
    queryFn: ({ pageParam }) =>
      apiGet(`/api/flows${query({ ...search(params), limit: pageSize, cursor: pageParam })}`, FlowPageSchema),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export const useFlows = (params: FlowsQuery) => useInfiniteQuery(flowsQuery(params));

/** The CSV of the whole query (every matching flow, streamed by the API). */
export const exportUrl = (params: FlowsQuery) => apiUrl(`/api/flows${query({ ...search(params), format: 'csv' })}`);
