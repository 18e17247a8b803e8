import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatScope, formatTime } from '@/lib/format';
import { usePeople, useRemovePerson, useSignOutPerson, type Person } from '../api/people';

/** Everyone who may sign in: role, what they may read, their sessions, lockouts; admins edit, sign out and remove them. */
export function PeopleList({ onEdit }: { onEdit: (person: Person) => void }) {
  const people = usePeople();
  const remove = useRemovePerson();
  const signOut = useSignOutPerson();
  return (
    <QueryState query={people} isEmpty={(d) => d.length === 0} empty="No people yet.">
      {(data) => (
        <Table.ScrollContainer minWidth={760}>
          <Table fz="sm" aria-label="People" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>email</Table.Th>
                <Table.Th>role</Table.Th>
                <Table.Th>reads</Table.Th>
                <Table.Th>sessions</Table.Th>
                <Table.Th>added</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((p) => (
                <Table.Tr key={p.id} data-person={p.email}>
                  <Table.Td fw={500}>
                    {p.email}
                    {p.lockedOutUntil && (
                      <Badge ml="xs" color="orange" variant="light">
                        locked until {formatTime(p.lockedOutUntil)}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{p.role}</Table.Td>
                  <Table.Td ff="monospace">{formatScope(p.scope)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {p.sessions === 0 ? 'none' : `${p.sessions}, last seen ${formatAgo(p.lastSeenAt)}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(p.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Button size="compact-sm" variant="default" onClick={() => onEdit(p)}>
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="default"
                        disabled={p.sessions === 0}
                        onClick={() => window.confirm(`Sign ${p.email} out in every browser?`) && signOut.mutate(p.id)}
                      >
                        Sign out everywhere
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        onClick={() =>
                          window.confirm(`Remove ${p.email}? Their sessions end and the keys they made are revoked.`) &&
                          remove.mutate(p.id)
                        }
                      >
                        Remove
                      </Button>
                    </Group>
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
