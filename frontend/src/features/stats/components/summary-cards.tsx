import { Group, Paper, SimpleGrid, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ErrorState } from '@/components/ui/states';
import { formatBytes, formatChange, formatCount, formatPercent } from '@/lib/format';
import { previousRange } from '@/lib/time-range';
import type { Summary } from '@/types/api';
import { summaryQuery } from '../api/get-summary';
import type { StatsQuery } from '../api/stats-query';

const rejectedShare = (s: Summary) =>
  s.acceptedFlows + s.rejectedFlows === 0 ? 0 : s.rejectedFlows / (s.acceptedFlows + s.rejectedFlows);

const cards = [
  { label: 'Flows', value: (s: Summary) => s.flows, show: formatCount },
  { label: 'Bytes', value: (s: Summary) => s.bytes, show: formatBytes },
  { label: 'Packets', value: (s: Summary) => s.packets, show: formatCount },
  { label: 'Rejected', value: rejectedShare, show: formatPercent },
];

/** Flows, bytes, packets and the rejected share of a range, each against the period before it. */
export function SummaryCards({ params }: { params: StatsQuery }) {
  const current = useQuery(summaryQuery(params));
  const previous = useQuery(summaryQuery({ ...params, range: previousRange(params.range) }));
  if (current.isError) return <ErrorState error={current.error} />;
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} component="section" aria-label="Summary">
      {cards.map((card) => {
        const value = current.data ? card.value(current.data) : null;
        const before = previous.data ? card.value(previous.data) : null;
        const change = value !== null && before !== null ? formatChange(value, before) : null;
        return (
          <Paper key={card.label} withBorder p="md" radius="md" aria-label={card.label} data-value={value ?? undefined}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              {card.label}
            </Text>
            <Group align="baseline" gap="xs">
              <Text fz={28} fw={700}>
                {value === null ? '…' : card.show(value)}
              </Text>
              {change && (
                <Text size="sm" c="dimmed" title="Against the period before">
                  {change} vs previous
                </Text>
              )}
            </Group>
            {card.label === 'Rejected' && current.data && (
              <Text size="xs" c="dimmed">
                {formatCount(current.data.rejectedFlows)} of{' '}
                {formatCount(current.data.acceptedFlows + current.data.rejectedFlows)} flows
              </Text>
            )}
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}
