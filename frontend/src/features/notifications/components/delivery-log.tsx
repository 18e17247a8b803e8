import { Badge, Table, Text } from '@mantine/core';
import { formatTime } from '@/lib/format';
import { useDeliveries } from '../api/channels';

const statusColor = (status: string) => (status === 'sent' ? 'green' : status === 'pending' ? 'gray' : 'red');

/** Every attempt to send a finding to its channels, newest first: when, where, how it went. */
export function DeliveryLog({ findingId }: { findingId: number }) {
  const deliveries = useDeliveries(findingId);
  if (deliveries.isPending) return <Text c="dimmed">Loading…</Text>;
  if (deliveries.isError) return <Text c="red">{deliveries.error.message}</Text>;
  if (deliveries.data.length === 0)
    return (
      <Text c="dimmed" size="sm">
        Not sent to any channel.
      </Text>
    );
  return (
    <Table aria-label="Deliveries" fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Channel</Table.Th>
          <Table.Th>Event</Table.Th>
          <Table.Th>Attempt</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Reply or error</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {deliveries.data.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>{formatTime(d.attemptedAt ?? d.createdAt)}</Table.Td>
            <Table.Td>
              {d.channelName} ({d.channelKind})
            </Table.Td>
            <Table.Td>{d.event}</Table.Td>
            <Table.Td>{d.attempt}</Table.Td>
            <Table.Td>
              <Badge color={statusColor(d.status)} variant="light">
                {d.status}
              </Badge>
              {d.status === 'pending' && (
                <Text size="xs" c="dimmed">
                  due {formatTime(d.nextAttemptAt)}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{d.error ?? d.reply ?? '-'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
