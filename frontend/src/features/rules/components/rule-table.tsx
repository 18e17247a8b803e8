import { Alert, Badge, Button, Group, Stack, Switch, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { formatTime } from '@/lib/format';
import { useSearches } from '@/features/searches/api/searches';
import { requestOf, useDeleteRule, useRules, useSaveRule, type Rule } from '../api/rules';

/**
 * What a rule counts: a detector's parameters, or a threshold rule's metric, group, threshold and filter (and the saved
 * search it follows, by name when the caller sees it).
 */
export function settingsOf(rule: Rule, searchNames: ReadonlyMap<number, string> = new Map()): string {
  if (rule.builtIn) {
    return Object.entries(rule.parameters)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
  }
  const search =
    rule.searchId === null ? '' : ` (saved search ${searchNames.get(rule.searchId) ?? `#${rule.searchId}`})`;
  return `${rule.metric} by ${rule.groupBy} > ${rule.threshold}${rule.filter ? ` where ${rule.filter}` : ''}${search}`;
}

/** Every rule, built-in detectors first (the API's order); admins enable, disable, edit and delete. */
export function RuleTable({ isAdmin, onEdit }: { isAdmin: boolean; onEdit: (rule: Rule) => void }) {
  const rules = useRules();
  const searches = useSearches();
  const searchNames = new Map((searches.data ?? []).map((s) => [s.id, s.name]));
  const save = useSaveRule();
  const remove = useDeleteRule();
  const failure = [save, remove].find((m) => m.isError)?.error;
  return (
    <Stack gap="sm">
      {failure && (
        <Alert color="red" role="alert" variant="light">
          {failure.message}
        </Alert>
      )}
      <QueryState query={rules} isEmpty={(d) => d.length === 0} empty="No rules.">
        {(data) => (
          <Table.ScrollContainer minWidth={900}>
            <Table highlightOnHover aria-label="Rules" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Window</Table.Th>
                  <Table.Th>Severity</Table.Th>
                  <Table.Th>Enabled</Table.Th>
                  <Table.Th>Parameters</Table.Th>
                  <Table.Th>Judged to</Table.Th>
                  {isAdmin && <Table.Th />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.map((r) => (
                  <Table.Tr key={r.id} id={`rule-${r.id}`} data-rule={r.name}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text fw={500} size="sm">
                          {r.name}
                        </Text>
                        {r.builtIn && (
                          <Badge size="xs" variant="light" style={{ flexShrink: 0 }}>
                            built-in
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{r.kind}</Table.Td>
                    {/* A silent source is checked every run on the clock, not per window. */}
                    <Table.Td>{r.kind === 'source-silent' ? '—' : r.window}</Table.Td>
                    <Table.Td>{r.severity}</Table.Td>
                    <Table.Td>
                      {isAdmin ? (
                        <Switch
                          aria-label={`Enabled: ${r.name}`}
                          checked={r.enabled}
                          disabled={save.isPending && save.variables.id === r.id}
                          onChange={(e) =>
                            save.mutate({ id: r.id, request: { ...requestOf(r), enabled: e.currentTarget.checked } })
                          }
                        />
                      ) : r.enabled ? (
                        'yes'
                      ) : (
                        'no'
                      )}
                    </Table.Td>
                    <Table.Td ff={r.builtIn ? undefined : 'monospace'}>{settingsOf(r, searchNames)}</Table.Td>
                    <Table.Td>{r.evaluatedTo ? formatTime(r.evaluatedTo) : 'not yet'}</Table.Td>
                    {isAdmin && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <Button size="compact-sm" variant="default" onClick={() => onEdit(r)}>
                            Edit
                          </Button>
                          {!r.builtIn && (
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              color="red"
                              onClick={() =>
                                window.confirm(`Delete the rule ${r.name} and its findings?`) && remove.mutate(r.id)
                              }
                            >
                              Delete
                            </Button>
                          )}
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
    </Stack>
  );
}
