import { Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/ui/states';
import { formatTime, utcInstant } from '@/lib/format';
import { useAudit, type AuditFilter } from '../api/get-audit';

const none: AuditFilter = { action: '', actor: '', from: '', to: '' };

/** Who did what, newest first: narrowed by action, actor and time, paged back through older events. */
export function AuditLog() {
  const [draft, setDraft] = useState(none);
  const [filter, setFilter] = useState(none);
  const [error, setError] = useState<string | null>(null);
  const audit = useAudit(filter);
  const field = (key: keyof AuditFilter) => ({
    value: draft[key],
    onChange: (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const apply = () => {
    const from = utcInstant(draft.from);
    const to = utcInstant(draft.to);
    if (from === undefined || to === undefined) return setError('Times are written 2026-12-01T10:00 (UTC).');
    setError(null);
    setFilter({ action: draft.action.trim(), actor: draft.actor.trim(), from: from ?? '', to: to ?? '' });
  };
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Group align="flex-end" gap="sm">
          <TextInput label="Action" placeholder="key.created" {...field('action')} />
          <TextInput label="Actor" placeholder="user:alice" description="Contains, any case" {...field('actor')} />
          <TextInput label="From (UTC)" placeholder="2026-12-01T00:00" {...field('from')} error={error ?? undefined} />
          <TextInput label="To (UTC)" placeholder="2026-12-02T00:00" {...field('to')} />
          <Button type="submit">Apply</Button>
        </Group>
      </form>
      <QueryState query={audit} isEmpty={(d) => d.pages[0]?.items.length === 0} empty="No events match.">
        {(data) => (
          <Stack>
            <Table.ScrollContainer minWidth={900}>
              <Table fz="sm" aria-label="Audit log" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>time</Table.Th>
                    <Table.Th>actor</Table.Th>
                    <Table.Th>action</Table.Th>
                    <Table.Th>target</Table.Th>
                    <Table.Th>detail</Table.Th>
                    <Table.Th>from</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.pages
                    .flatMap((p) => p.items)
                    .map((e) => (
                      <Table.Tr key={e.id}>
                        <Table.Td>{formatTime(e.at)}</Table.Td>
                        <Table.Td ff="monospace">{e.actor}</Table.Td>
                        <Table.Td ff="monospace">{e.action}</Table.Td>
                        <Table.Td>{e.target}</Table.Td>
                        <Table.Td>{e.detail ?? ''}</Table.Td>
                        <Table.Td ff="monospace">{e.remoteAddress ?? ''}</Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {audit.hasNextPage ? (
              <Button variant="default" onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
                Older events
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                The oldest event shown.
              </Text>
            )}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
