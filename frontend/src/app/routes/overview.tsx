import { Grid, SegmentedControl, Stack, Title } from '@mantine/core';
import { Panel } from '@/components/ui/panel';
import { FindingCountsCard } from '@/features/findings/components/finding-counts';
import { Freshness } from '@/features/sources/components/freshness';
import type { Metric } from '@/features/stats/api/get-top';
import { SummaryCards } from '@/features/stats/components/summary-cards';
import { TopList } from '@/features/stats/components/top-list';
import { TrafficChart } from '@/features/stats/components/traffic-chart';
import { useDrillDown } from './drill-down';

const tops = [
  { by: 'srcaddr', title: 'Top sources' },
  { by: 'dstaddr', title: 'Top destinations' },
  { by: 'dstport', title: 'Top destination ports' },
  { by: 'protocol', title: 'Protocols' },
];

/** What talks, how much, how much is rejected, and how fresh the data is. */
export function OverviewRoute() {
  const { view, params, narrow, exploreBucket } = useDrillDown();
  const metric = (view.params.get('metric') as Metric | null) ?? 'flows';
  if (!params) return null;
  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <SummaryCards params={params} />
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Panel
            title="Traffic over time, accepted and rejected"
            actions={
              <SegmentedControl
                size="xs"
                aria-label="Metric"
                value={metric}
                onChange={(m) => view.update({ metric: m === 'flows' ? null : m })}
                data={['flows', 'bytes', 'packets']}
              />
            }
          >
            <TrafficChart
              params={params}
              metric={metric}
              label="Traffic over time by action"
              onSelect={exploreBucket('action')}
            />
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack>
            <Panel title="Open findings">
              <FindingCountsCard />
            </Panel>
            <Panel title="Data freshness">
              <Freshness />
            </Panel>
          </Stack>
        </Grid.Col>
        {tops.map((top) => (
          <Grid.Col key={top.by} span={{ base: 12, md: 6, xl: 3 }}>
            <Panel title={top.title}>
              <TopList params={params} by={top.by} onSelect={narrow(top.by)} />
            </Panel>
          </Grid.Col>
        ))}
      </Grid>
    </Stack>
  );
}
