import { Badge, Button, Group, Switch, Table, Text } from '@mantine/core';
import { useState } from 'react';
import {
  keepSecrets,
  useChannels,
  useDeleteChannel,
  useSaveChannel,
  useTestChannel,
  type Channel,
  type Delivery,
} from '../api/channels';

const statusColor = (status: string) => (status === 'sent' ? 'green' : status === 'pending' ? 'gray' : 'red');

/** The channels, with enable/disable, "Send test" and its outcome, edit and delete (admins). */
export function ChannelList({ isAdmin, onEdit }: { isAdmin: boolean; onEdit: (channel: Channel) => void }) {
  const channels = useChannels();
  const save = useSaveChannel();
  const remove = useDeleteChannel();
  const test = useTestChannel();
  const [results, setResults] = useState<Record<number, Delivery | string>>({});

  if (channels.isPending) return <Text c="dimmed">Loading…</Text>;
  if (channels.isError) return <Text c="red">{channels.error.message}</Text>;
  if (channels.data.length === 0) return <Text c="dimmed">No channels yet.</Text>;

  const sendTest = (id: number) =>
    test.mutate(id, {
      onSuccess: (delivery) => setResults((r) => ({ ...r, [id]: delivery })),
      onError: (e) => setResults((r) => ({ ...r, [id]: e.message })),
    });

  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Kind</Table.Th>
          <Table.Th>Enabled</Table.Th>
          {isAdmin && <Table.Th>Test</Table.Th>}
          {isAdmin && <Table.Th />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {channels.data.map((channel) => {
          const result = results[channel.id];
          return (
            <Table.Tr key={channel.id}>
              <Table.Td>{channel.name}</Table.Td>
              <Table.Td>
                {channel.kind}
                {channel.webhook?.format === 'ocsf' && ' (OCSF)'}
                {isAdmin && !channel.secretSet && (
                  <Badge ml="xs" color="red" variant="light">
                    secret missing
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Enable ${channel.name}`}
                  checked={channel.enabled}
                  disabled={!isAdmin}
                  onChange={(e) =>
                    save.mutate({ id: channel.id, request: keepSecrets(channel, e.currentTarget.checked) })
                  }
                />
              </Table.Td>
              {isAdmin && (
                <Table.Td>
                  <Group gap="xs">
                    <Button size="xs" variant="light" onClick={() => sendTest(channel.id)}>
                      Send test
                    </Button>
                    {typeof result === 'string' && (
                      <Text size="sm" c="red">
                        {result}
                      </Text>
                    )}
                    {result && typeof result !== 'string' && (
                      <Group gap={4} data-testid={`test-result-${channel.id}`}>
                        <Badge color={statusColor(result.status)} variant="light">
                          {result.status === 'sent' ? 'sent' : 'failed'}
                        </Badge>
                        <Text size="sm">{[result.reply, result.error].filter(Boolean).join(' — ')}</Text>
                      </Group>
                    )}
                  </Group>
                </Table.Td>
              )}
              {isAdmin && (
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button size="xs" variant="default" onClick={() => onEdit(channel)}>
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      color="red"
                      variant="subtle"
                      onClick={() => {
                        if (window.confirm(`Delete the channel ${channel.name} and its delivery log?`))
                          remove.mutate(channel.id);
                      }}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
