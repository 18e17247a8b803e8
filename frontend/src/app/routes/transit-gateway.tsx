import { Stack, Text, Title } from '@mantine/core';
import { Panel } from '@/components/ui/panel';
import { QueryState } from '@/components/ui/states';
import { useTransitGateway } from '@/features/transit-gateway/api/get-transit-gateway';
import {
  AttachmentTable,
  TransitGatewayTotals,
  VpcTable,
} from '@/features/transit-gateway/components/transit-gateway-tables';
import { addCondition } from '@/lib/filter-text';
import type { StatsQuery } from '@/features/stats/api/stats-query';
import { useDrillDown } from './drill-down';

/** East-west traffic through Transit Gateways, from their flow logs: attachments, VPC pairs, packets dropped by reason. */
export function TransitGatewayRoute() {
  const { view, params } = useDrillDown();
  if (!params) return null;
  const narrow = (field: string, value: string) => view.update({ q: addCondition(view.q, field, value) });
  return (
    <Stack>
      <Title order={2}>Transit Gateway</Title>
      <Report params={params} onSelect={narrow} />
    </Stack>
  );
}

function Report({ params, onSelect }: { params: StatsQuery; onSelect: (field: string, value: string) => void }) {
  const report = useTransitGateway(params);
  return (
    <QueryState
      query={report}
      isEmpty={(r) => r.totals.records === 0}
      empty="No Transit Gateway flow log records in this range (add a source that reads a transit gateway's flow log)."
    >
      {(r) => (
        <Stack>
          <TransitGatewayTotals report={r} />
          <Panel title="Attachments (by bytes)">
            <Text size="xs" c="dimmed" mb="xs">
              A transit gateway records a flow on the attachment it enters (ingress) and the one it leaves (egress).
            </Text>
            <AttachmentTable report={r} onSelect={onSelect} />
          </Panel>
          <Panel title="VPC to VPC (by bytes)">
            <VpcTable report={r} onSelect={onSelect} />
          </Panel>
        </Stack>
      )}
    </QueryState>
  );
}
