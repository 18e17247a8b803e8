import { Badge, Button, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { formatAgo, formatTime } from '@/lib/format';
import { useEndSession, useSessions } from '../api/account';

/** The browsers signed in as the person: where from, when, and a button to end any other one (a lost laptop). */
export function SessionsList() {
  const sessions = useSessions();
  const end = useEndSession();
  return (
    <QueryState query={sessions} isEmpty={(d) => d.length === 0} empty="No sessions: you signed in with a key.">
      {(data) => (
        <Table.ScrollContainer minWidth={640}>
          <Table fz="sm" aria-label="Your sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>browser</Table.Th>
                <Table.Th>from</Table.Th>
                <Table.Th>signed in</Table.Th>
                <Table.Th>last seen</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((s) => (
                <Table.Tr key={s.handle} data-session={s.handle}>
                  <Table.Td>
                    <Text size="sm" lineClamp={1} title={s.userAgent ?? undefined}>
                      {s.userAgent ?? 'unknown'}
                    </Text>
                    {s.current && (
                      <Badge ml="xs" variant="light">
                        this browser
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td ff="monospace">{s.remoteAddress ?? '–'}</Table.Td>
                  <Table.Td>{formatTime(s.createdAt)}</Table.Td>
                  <Table.Td>{formatAgo(s.lastSeenAt)}</Table.Td>
                  <Table.Td>
                    {!s.current && (
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => end.mutate(s.handle)}>
                        Sign out
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
