import { Button, Code, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatBytes, formatCount, formatTime } from '@/lib/format';
import { useObjects, useRetryFailed } from '../api/sources';
import { StateBadge } from './source-state';

/** The objects (or CloudWatch streams) a source found: state, records, and for failures the reason and bad lines. */
export function ObjectLedger({ sourceId, canRetry }: { sourceId: number; canRetry: boolean }) {
  const [state, setState] = useState<string>('all');
  const objects = useObjects(sourceId, state === 'all' ? null : state);
  const retry = useRetryFailed();
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Objects to show"
          value={state}
          onChange={setState}
          data={[
            { value: 'all', label: 'All' },
            { value: 'failed', label: 'Failed' },
            { value: 'pending', label: 'Pending' },
            { value: 'ingested', label: 'Ingested' },
          ]}
        />
        {canRetry && (
          <Group gap="xs">
            {retry.data && <Text size="sm">{retry.data.message}</Text>}
            <Button variant="light" onClick={() => retry.mutate(sourceId)} loading={retry.isPending}>
              Retry failed objects
            </Button>
          </Group>
        )}
      </Group>
      <QueryState query={objects} isEmpty={(d) => d.items.length === 0} empty="No objects in this state.">
        {(data) => (
          <Table.ScrollContainer minWidth={900}>
            <Table fz="sm" aria-label="Object ledger">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                  <Table.Th ta="right">Records</Table.Th>
                  <Table.Th ta="right">Rejected lines</Table.Th>
                  <Table.Th ta="right">Attempts</Table.Th>
                  <Table.Th>Ingested</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((o) => (
                  <Fragment key={o.id}>
                    <Table.Tr>
                      <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                        {o.key}
                      </Table.Td>
                      <Table.Td>
                        <StateBadge state={o.state} />
                      </Table.Td>
                      <Table.Td ta="right">{formatBytes(o.size)}</Table.Td>
                      <Table.Td ta="right">{formatCount(o.records)}</Table.Td>
                      <Table.Td ta="right">{formatCount(o.rejectedLines)}</Table.Td>
                      <Table.Td ta="right">{o.attempts}</Table.Td>
                      <Table.Td title={formatTime(o.ingestedAt)}>
                        {o.ingestedAt ? formatAgo(o.ingestedAt) : '-'}
                      </Table.Td>
                    </Table.Tr>
                    {(o.error || o.sampleErrors.length > 0) && (
                      <Table.Tr>
                        <Table.Td colSpan={7}>
                          {o.error && (
                            <Text size="sm" c="red">
                              {o.error}
                            </Text>
                          )}
                          {o.sampleErrors.map((bad) => (
                            <Text key={bad.line} size="xs">
                              line {bad.line}, column {bad.column}
                              {bad.field ? ` (${bad.field})` : ''}: {bad.reason} <Code>{bad.text}</Code>
                            </Text>
                          ))}
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}
