import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatCount } from '@/lib/format';
import type { Source } from '@/types/api';
import { useDeleteSource, useSources, useSyncSource } from '../api/sources';
import { StateBadge } from './source-state';

const where = (s: Source) =>
  s.s3
    ? `s3://${s.s3.bucket}/${s.s3.prefix}`
    : s.cloudWatch
      ? s.cloudWatch.logGroupName
      : s.firehose
        ? `Firehose, key ${s.firehose.accessKeyPrefix ?? ''}…`
        : (s.directory?.path ?? '');

/** Every source with its status; admins can sync, edit and remove them. */
export function SourceList({ isAdmin, onEdit }: { isAdmin: boolean; onEdit: (source: Source) => void }) {
  const sources = useSources();
  const sync = useSyncSource();
  const remove = useDeleteSource();
  return (
    <QueryState query={sources} isEmpty={(d) => d.length === 0} empty="No sources yet.">
      {(data) => (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover aria-label="Sources" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Last run</Table.Th>
                <Table.Th>Newest record</Table.Th>
                <Table.Th ta="right">Records</Table.Th>
                <Table.Th ta="right">Rejected lines</Table.Th>
                <Table.Th ta="right">Failed objects</Table.Th>
                {isAdmin && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((s) => (
                <Table.Tr key={s.id} data-source={s.name}>
                  <Table.Td>
                    <Anchor component={Link} to={`/sources/${s.id}`} fw={500}>
                      {s.name}
                    </Anchor>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {where(s)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.kind}</Table.Td>
                  <Table.Td>
                    <StateBadge state={s.enabled ? s.status.state : 'disabled'} />
                    {s.status.lastError && (
                      <Text size="xs" c="red" maw={260} lineClamp={2} title={s.status.lastError}>
                        {s.status.lastError}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatAgo(s.status.lastRunFinishedAt)}</Table.Td>
                  <Table.Td>{formatAgo(s.status.newestRecordAt)}</Table.Td>
                  <Table.Td ta="right">{formatCount(s.status.recordsIngested)}</Table.Td>
                  <Table.Td ta="right">{formatCount(s.status.recordsRejected)}</Table.Td>
                  <Table.Td ta="right" c={s.status.objectsFailed > 0 ? 'red' : undefined}>
                    {formatCount(s.status.objectsFailed)}
                  </Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        {s.kind !== 'firehose' && (
                          <Button
                            size="compact-sm"
                            variant="light"
                            onClick={() => sync.mutate(s.id)}
                            loading={sync.isPending && sync.variables === s.id}
                          >
                            Sync now
                          </Button>
                        )}
                        <Button size="compact-sm" variant="default" onClick={() => onEdit(s)}>
                          Edit
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red"
                          onClick={() =>
                            window.confirm(`Remove ${s.name}, its ledger and its flows?`) && remove.mutate(s.id)
                          }
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}
