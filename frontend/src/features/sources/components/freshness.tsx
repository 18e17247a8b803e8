import { Group, Stack, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatTime } from '@/lib/format';
import { useSources } from '../api/sources';
import { StateBadge } from './source-state';

/** How fresh the data is, per source: flow logs reach FlowLens minutes after the traffic, never in real time. */
export function Freshness() {
  const sources = useSources();
  return (
    <Stack gap="xs">
      <QueryState
        query={sources}
        isEmpty={(d) => d.length === 0}
        empty="No sources yet: an admin adds them under Sources."
      >
        {(data) =>
          data.map((source) => (
            <div key={source.id} aria-label={`Freshness of ${source.name}`}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" fw={500} truncate>
                  {source.name}
                </Text>
                <StateBadge state={source.status.objectsFailed > 0 ? 'failed' : source.status.state} />
              </Group>
              <Text size="sm" c="dimmed" title={formatTime(source.status.newestRecordAt)}>
                newest record {formatAgo(source.status.newestRecordAt)}
              </Text>
            </div>
          ))
        }
      </QueryState>
      <Text size="xs" c="dimmed">
        Flow logs are not real time: AWS publishes them every 1 to 10 minutes (S3 every 5 minutes or so), and FlowLens
        reads them on each source's schedule.
      </Text>
    </Stack>
  );
}
