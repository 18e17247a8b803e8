import { Badge, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import { QueryState } from '@/components/ui/states';
import { formatTime } from '@/lib/format';
import { useSettings } from '../api/get-settings';

/** What this FlowLens runs: versions, then every setting as bound (defaults included), narrowed by a search box. */
export function SettingsView() {
  const settings = useSettings();
  const [search, setSearch] = useState('');
  return (
    <QueryState query={settings}>
      {({ versions, settings: all }) => {
        const shown = all.filter((s) => `${s.key} ${s.value ?? ''}`.toLowerCase().includes(search.toLowerCase()));
        const rows: [string, string][] = [
          ['FlowLens', versions.flowLens],
          ['.NET', versions.runtime],
          ['PostgreSQL', versions.postgres],
          ['database schema', versions.schema ?? 'none'],
          ['operating system', versions.os],
          ['node', versions.node],
          ['started', formatTime(versions.startedAt)],
        ];
        return (
          <>
            <Panel title="Versions">
              <Table fz="sm" aria-label="Versions">
                <Table.Tbody>
                  {rows.map(([name, value]) => (
                    <Table.Tr key={name}>
                      <Table.Th w={200}>{name}</Table.Th>
                      <Table.Td ff="monospace">{value}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Panel>
            <Panel title="Settings">
              <TextInput
                label="Find a setting"
                placeholder="Retention, Oidc, TopKeys…"
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                mb="sm"
                maw={360}
              />
              <Table.ScrollContainer minWidth={640}>
                <Table fz="sm" aria-label="Settings" striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>setting</Table.Th>
                      <Table.Th>value</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((s) => (
                      <Table.Tr key={s.key} data-setting={s.key}>
                        <Table.Td ff="monospace">{s.key}</Table.Td>
                        <Table.Td ff="monospace">
                          {s.secret ? (
                            <Badge variant="light" color={s.value ? 'green' : 'gray'}>
                              secret {s.value ? 'set' : 'not set'}
                            </Badge>
                          ) : (
                            (s.value ?? <Text c="dimmed">not set</Text>)
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Panel>
          </>
        );
      }}
    </QueryState>
  );
}
