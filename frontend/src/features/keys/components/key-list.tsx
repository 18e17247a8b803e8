import { Badge, Button, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatScope, formatTime } from '@/lib/format';
import { useKeys, useRevokeKey } from '../api/keys';

/** Every API key, newest last, without its secret: what it may read, when it was last used; active ones can be revoked. */
export function KeyList() {
  const keys = useKeys();
  const revoke = useRevokeKey();
  return (
    <QueryState query={keys} isEmpty={(d) => d.length === 0} empty="No API keys yet.">
      {(data) => (
        <Table.ScrollContainer minWidth={900}>
          <Table fz="sm" aria-label="API keys" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>name</Table.Th>
                <Table.Th>role</Table.Th>
                <Table.Th>reads</Table.Th>
                <Table.Th>prefix</Table.Th>
                <Table.Th>created</Table.Th>
                <Table.Th>expires</Table.Th>
                <Table.Th>last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((k) => (
                <Table.Tr key={k.id} data-key={k.name}>
                  <Table.Td fw={500}>{k.name}</Table.Td>
                  <Table.Td>{k.role}</Table.Td>
                  <Table.Td ff="monospace">{formatScope(k.scope)}</Table.Td>
                  <Table.Td ff="monospace">{k.prefix || '–'}</Table.Td>
                  <Table.Td>
                    {formatTime(k.createdAt)}
                    {k.createdBy && (
                      <Text size="xs" c="dimmed">
                        by {k.createdBy}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{k.expiresAt ? formatTime(k.expiresAt) : 'never'}</Table.Td>
                  <Table.Td>{formatAgo(k.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    {k.revokedAt ? (
                      <Badge color="gray" variant="light">
                        revoked {formatTime(k.revokedAt)}
                      </Badge>
                    ) : (
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        loading={revoke.isPending && revoke.variables === k.id}
                        onClick={() =>
                          window.confirm(`Revoke ${k.name}? Its next call gets 401.`) && revoke.mutate(k.id)
                        }
                      >
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}
