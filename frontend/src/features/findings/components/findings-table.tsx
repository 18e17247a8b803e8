import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { QueryState } from '@/components/ui/states';
import { formatTime } from '@/lib/format';
import { useBulkFindings, useFindings } from '../api/findings';
import { filterOfParams, severities, severityColor, statusColor, statuses } from '../lib/findings';

const list = (text: string) => text.split(',').filter(Boolean);

/**
 * The findings, most recently seen first, with the API's filters in the URL (status, severity, rule, key), a page at
 * a time, and bulk acknowledge/resolve of the rows ticked. Rules to filter by come from the route (the rules feature).
 */
export function FindingsTable({ rules }: { rules: { id: number; name: string }[] }) {
  const [params, setParams] = useSearchParams();
  const filter = filterOfParams(params);
  const findings = useFindings(filter);
  const bulk = useBulkFindings();
  const [selected, setSelected] = useState<number[]>([]);

  // A new filter starts again from the first page, with nothing ticked.
  const set = (name: string, value: string | null) => {
    setSelected([]);
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete('cursor');
      if (value === null) next.delete(name);
      else next.set(name, value);
      return next;
    });
  };

  const items = findings.data?.items ?? [];
  const allTicked = items.length > 0 && items.every((f) => selected.includes(f.id));
  const triage = (status: string) => bulk.mutate({ ids: selected, status }, { onSuccess: () => setSelected([]) });

  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <MultiSelect
          label="Status"
          w={300}
          data={[...statuses]}
          value={list(filter.status)}
          placeholder={filter.status ? undefined : 'any'}
          onChange={(v) => set('status', v.join(','))}
        />
        <MultiSelect
          label="Severity"
          w={260}
          data={[...severities]}
          value={list(filter.severity)}
          placeholder={filter.severity ? undefined : 'any'}
          onChange={(v) => set('severity', v.length ? v.join(',') : null)}
        />
        <Select
          label="Rule"
          w={240}
          clearable
          placeholder="any"
          data={rules.map((r) => ({ value: String(r.id), label: r.name }))}
          value={filter.ruleId || null}
          onChange={(v) => set('rule', v)}
        />
        <TextInput
          label="Key contains"
          w={200}
          placeholder="198.51.100.23"
          defaultValue={filter.key}
          onKeyDown={(e) => e.key === 'Enter' && set('key', e.currentTarget.value.trim() || null)}
          onBlur={(e) =>
            e.currentTarget.value.trim() !== filter.key && set('key', e.currentTarget.value.trim() || null)
          }
        />
      </Group>
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          {selected.length} selected
        </Text>
        <Button
          size="compact-sm"
          variant="default"
          disabled={selected.length === 0}
          loading={bulk.isPending && bulk.variables.status === 'acknowledged'}
          onClick={() => triage('acknowledged')}
        >
          Acknowledge
        </Button>
        <Button
          size="compact-sm"
          variant="default"
          disabled={selected.length === 0}
          loading={bulk.isPending && bulk.variables.status === 'resolved'}
          onClick={() => triage('resolved')}
        >
          Resolve
        </Button>
      </Group>
      {bulk.isError && (
        <Alert color="red" role="alert" variant="light">
          {bulk.error.message}
        </Alert>
      )}
      <QueryState
        query={findings}
        isEmpty={(d) => d.items.length === 0}
        empty={filter.cursor ? 'No more findings.' : 'No findings with these filters.'}
      >
        {() => (
          <Table.ScrollContainer minWidth={900}>
            <Table highlightOnHover aria-label="Findings" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={32}>
                    <Checkbox
                      aria-label="Select all on this page"
                      checked={allTicked}
                      indeterminate={!allTicked && selected.length > 0}
                      onChange={() => setSelected(allTicked ? [] : items.map((f) => f.id))}
                    />
                  </Table.Th>
                  <Table.Th w={110}>Severity</Table.Th>
                  <Table.Th>Rule</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th w={130}>Status</Table.Th>
                  <Table.Th>Count</Table.Th>
                  <Table.Th>First seen</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th>Assignee</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((f) => (
                  <Table.Tr key={f.id} data-finding={f.id}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${f.key}`}
                        checked={selected.includes(f.id)}
                        onChange={(e) => {
                          const checked = e.currentTarget.checked;
                          setSelected((s) => (checked ? [...s, f.id] : s.filter((id) => id !== f.id)));
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Badge color={severityColor(f.severity)} variant="light">
                        {f.severity}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{f.ruleName}</Table.Td>
                    <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                      <Link to={`/findings/${f.id}`}>{f.key}</Link>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={statusColor(f.status)} variant="outline">
                        {f.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{f.count}</Table.Td>
                    <Table.Td>{formatTime(f.firstSeen)}</Table.Td>
                    <Table.Td>{formatTime(f.lastSeen)}</Table.Td>
                    <Table.Td>{f.assignee ?? '-'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Group gap="xs">
        <Button size="compact-sm" variant="default" disabled={!filter.cursor} onClick={() => set('cursor', null)}>
          First page
        </Button>
        <Button
          size="compact-sm"
          variant="default"
          disabled={!findings.data?.nextCursor}
          onClick={() => set('cursor', findings.data?.nextCursor ?? null)}
        >
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
