import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, query } from '@/lib/api-client';
import { apiShape } from '@/types/api';
import { rangeParams, type StatsQuery } from './stats-query';

export const ScansSchema = apiShape('ScansResponse')(
  z.object({
    items: z.array(
      z.object({
        srcaddr: z.string(),
        ports: z.number(),
        hosts: z.number(),
        flows: z.number(),
        bytes: z.number(),
        packets: z.number(),
        rejectedFlows: z.number(),
        firstSeen: z.string(),
        lastSeen: z.string(),
      }),
    ),
  }),
);

export const useScans = ({
  by = 'ports',
  limit = 10,
  ...params
}: StatsQuery & { by?: 'ports' | 'hosts'; limit?: number }) => {
  const search = { ...rangeParams(params), by, limit };
  return useQuery(
    queryOptions({
      queryKey: ['stats', 'scans', search],
      queryFn: () => apiGet(`/api/stats/scans${query(search)}`, ScansSchema),
    }),
  );
};
