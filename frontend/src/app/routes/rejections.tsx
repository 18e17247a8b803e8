import { Grid, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { Panel } from '@/components/ui/panel';
import { ScansTable } from '@/features/stats/components/scans-table';
import { TopList } from '@/features/stats/components/top-list';
import { TrafficChart } from '@/features/stats/components/traffic-chart';
import { useDrillDown } from './drill-down';

const tops = [
  { by: 'srcaddr', title: 'Top rejected sources' },
  { by: 'dstport', title: 'Most targeted ports' },
  { by: 'dstaddr', title: 'Most targeted hosts' },
];

/** Rejected traffic: who knocks, on which ports and hosts, and who sweeps many of them. */
export function RejectionsRoute() {
  const { view, params, explore, exploreBucket } = useDrillDown('action = REJECT');
  const scanBy = view.params.get('scanBy') === 'hosts' ? 'hosts' : 'ports';
  if (!params) return null;
  return (
    <Stack>
      <Title order={2}>Rejections</Title>
      <Panel title="Rejected flows over time, by destination port">
        <TrafficChart
          params={params}
          groupBy="dstport"
          label="Rejected flows over time by destination port"
          onSelect={exploreBucket('dstport')}
        />
      </Panel>
      <Grid>
        {tops.map((top) => (
          <Grid.Col key={top.by} span={{ base: 12, md: 4 }}>
            <Panel title={top.title}>
              <TopList params={params} by={top.by} metric="flows" onSelect={explore(top.by)} />
            </Panel>
          </Grid.Col>
        ))}
      </Grid>
      <Panel
        title="Likely scans"
        actions={
          <SegmentedControl
            size="xs"
            aria-label="Rank scans by"
            value={scanBy}
            onChange={(v) => view.update({ scanBy: v === 'ports' ? null : v })}
            data={[
              { value: 'ports', label: 'Distinct ports' },
              { value: 'hosts', label: 'Distinct hosts' },
            ]}
          />
        }
      >
        <Text size="sm" c="dimmed" mb="xs">
          Sources whose rejected flows reached the most distinct destination {scanBy}: port scans and host sweeps.
        </Text>
        <ScansTable params={params} by={scanBy} onSelect={explore('srcaddr')} />
      </Panel>
    </Stack>
  );
}
