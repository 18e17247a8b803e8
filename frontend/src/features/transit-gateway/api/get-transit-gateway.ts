import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, query } from '@/lib/api-client';
import { rangeParams, type StatsQuery } from '@/features/stats/api/stats-query';
import { apiShape } from '@/types/api';

const s = z.string().nullable();

const PacketsLostSchema = apiShape('PacketsLost')(
  z.object({ noRoute: z.number(), blackhole: z.number(), mtuExceeded: z.number(), ttlExpired: z.number() }),
);
export type PacketsLost = z.infer<typeof PacketsLostSchema>;

const counts = { records: z.number(), bytes: z.number(), packets: z.number(), packetsLost: PacketsLostSchema };

export const TransitGatewayReportSchema = apiShape('TransitGatewayReport')(
  z.object({
    totals: apiShape('TransitGatewayTotals')(z.object(counts)),
    attachments: z.array(
      apiShape('AttachmentTraffic')(
        z.object({ tgwId: s, attachmentId: s, pairAttachmentId: s, flowDirection: s, ...counts }),
      ),
    ),
    vpcs: z.array(
      apiShape('VpcTraffic')(z.object({ srcVpcId: s, dstVpcId: s, srcVpcAccountId: s, dstVpcAccountId: s, ...counts })),
    ),
  }),
);
export type TransitGatewayReport = z.infer<typeof TransitGatewayReportSchema>;

/** What Transit Gateway flow logs say crossed the hub: totals, attachment pairs, VPC pairs, packets lost by reason. */
export const useTransitGateway = (params: StatsQuery, limit = 50) => {
  const search = { ...rangeParams(params), limit };
  return useQuery(
    queryOptions({
      queryKey: ['stats', 'transit-gateway', search],
      queryFn: () => apiGet(`/api/stats/transit-gateway${query(search)}`, TransitGatewayReportSchema),
    }),
  );
};
