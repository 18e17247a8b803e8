import { Button, Group, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import type { Network } from '@/types/api';
import { useDeleteNetwork, useNetworks } from '../api/networks';

/** Every named network, by address; admins can edit and remove them. */
export function NetworkList({ isAdmin, onEdit }: { isAdmin: boolean; onEdit: (network: Network) => void }) {
  const networks = useNetworks();
  const remove = useDeleteNetwork();
  return (
    <QueryState
      query={networks}
      isEmpty={(d) => d.length === 0}
      empty={isAdmin ? 'No networks named yet: add one, such as 10.0.0.0/16 = prod.' : 'No networks named yet.'}
    >
      {(data) => (
        <Table.ScrollContainer minWidth={640}>
          <Table highlightOnHover aria-label="Networks" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>CIDR block</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Tenant</Table.Th>
                {isAdmin && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((n) => (
                <Table.Tr key={n.id} data-network={n.cidr}>
                  <Table.Td ff="monospace">{n.cidr}</Table.Td>
                  <Table.Td fw={500}>{n.name}</Table.Td>
                  <Table.Td>{n.role ?? <Text c="dimmed">–</Text>}</Table.Td>
                  <Table.Td>{n.tenant ?? <Text c="dimmed">–</Text>}</Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        <Button size="compact-sm" variant="default" onClick={() => onEdit(n)}>
                          Edit
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red"
                          onClick={() => window.confirm(`Remove ${n.cidr} (${n.name})?`) && remove.mutate(n.id)}
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
