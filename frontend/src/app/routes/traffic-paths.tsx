import { Anchor, Grid, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Panel } from '@/components/ui/panel';
import { QueryState } from '@/components/ui/states';
import { summaryQuery } from '@/features/stats/api/get-summary';
import type { StatsQuery } from '@/features/stats/api/stats-query';
import { TopList } from '@/features/stats/components/top-list';
import { andFilter } from '@/lib/filter-text';
import { formatBytes, formatPercent } from '@/lib/format';
import { useDrillDown } from './drill-down';

// Traffic to S3 or DynamoDB through an internet gateway: a gateway endpoint would keep it private, and free.
const publicAwsTraffic = 'pkt-dst-aws-service in (S3, DYNAMODB) and traffic-path = 8';

/** How traffic leaves: the paths AWS reports, the AWS services reached, IPv6 and egress shares. */
export function TrafficPathsRoute() {
  const { view, params, narrow } = useDrillDown();
  if (!params) return null;
  const explorer = `/explorer?${new URLSearchParams({ from: view.from, to: view.to, q: andFilter(view.q, publicAwsTraffic) }).toString()}`;
  return (
    <Stack>
      <Title order={2}>Traffic paths</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Share params={params} part="type = IPv6" label="IPv6 share of bytes" />
        <Share params={params} part="flow-direction = egress" label="Egress share of bytes" />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Panel title="Bytes by traffic-path">
            <TopList params={params} by="traffic-path" onSelect={narrow('traffic-path')} />
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Panel title="AWS services reached (pkt-dst-aws-service)">
            <TopList params={params} by="pkt-dst-aws-service" onSelect={narrow('pkt-dst-aws-service')} />
          </Panel>
        </Grid.Col>
      </Grid>
      <Panel title="S3 and DynamoDB through an internet gateway">
        <Text size="sm" mb="xs">
          Traffic to S3 or DynamoDB that leaves through an internet gateway (<code>traffic-path = 8</code>) pays for NAT
          or public transfer and crosses the internet edge; a gateway VPC endpoint keeps it private at no cost.{' '}
          <Anchor component={Link} to={explorer}>
            See these flows
          </Anchor>
        </Text>
        <Grid>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Share params={params} part={publicAwsTraffic} label="Of all bytes" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <TopList
              params={{ ...params, q: andFilter(params.q, publicAwsTraffic) }}
              by="srcaddr"
              onSelect={narrow('srcaddr')}
            />
          </Grid.Col>
        </Grid>
      </Panel>
    </Stack>
  );
}

/** The bytes matching `part` against all bytes of the query. */
function Share({ params, part, label }: { params: StatsQuery; part: string; label: string }) {
  const all = useQuery(summaryQuery(params));
  const some = useQuery(summaryQuery({ ...params, q: andFilter(params.q, part) }));
  return (
    <Paper withBorder p="md" radius="md" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <QueryState query={some}>
        {(s) => (
          <Group align="baseline" gap="xs">
            <Text fz={28} fw={700}>
              {all.data ? formatPercent(all.data.bytes === 0 ? 0 : s.bytes / all.data.bytes) : '…'}
            </Text>
            <Text size="sm" c="dimmed">
              {formatBytes(s.bytes)}
            </Text>
          </Group>
        )}
      </QueryState>
      <Text size="xs" c="dimmed" ff="monospace">
        {part}
      </Text>
    </Paper>
  );
}
