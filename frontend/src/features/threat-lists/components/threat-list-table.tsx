import { Alert, Badge, Button, FileButton, Group, Stack, Table, Text } from '@mantine/core';
import { QueryState } from '@/components/ui/states';
import { ApiError } from '@/lib/api-client';
import {
  useDeleteThreatList,
  useRefreshThreatList,
  useThreatLists,
  useUploadThreatList,
  type ThreatList,
} from '../api/threat-lists';

const when = (iso: string | null) =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'never';

/** A file's content as text (FileReader: File.text() is missing in some browsers and in jsdom). */
const readText = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsText(file);
  });

/** Every threat list with its counts, last refresh and last error; admins upload, refresh, edit and remove. */
export function ThreatListTable({ isAdmin, onEdit }: { isAdmin: boolean; onEdit: (list: ThreatList) => void }) {
  const lists = useThreatLists();
  const upload = useUploadThreatList();
  const refresh = useRefreshThreatList();
  const remove = useDeleteThreatList();
  const failure = [upload, refresh, remove].find((m) => m.isError)?.error;
  return (
    <Stack gap="sm">
      {failure && (
        <Alert color="red" role="alert" variant="light">
          {failure instanceof ApiError && failure.problem.errors
            ? Object.values(failure.problem.errors).flat().join(' ')
            : failure.message}
        </Alert>
      )}
      <QueryState
        query={lists}
        isEmpty={(d) => d.length === 0}
        empty={
          isAdmin ? 'No threat lists yet: create one, then upload a file or give its URL.' : 'No threat lists yet.'
        }
      >
        {(data) => (
          <Table.ScrollContainer minWidth={760}>
            <Table highlightOnHover aria-label="Threat lists" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Entries</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th>Last refresh</Table.Th>
                  {isAdmin && <Table.Th />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.map((l) => (
                  <Table.Tr key={l.id} data-threat-list={l.name}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text fw={500} size="sm">
                          {l.name}
                        </Text>
                        {!l.enabled && (
                          <Badge color="gray" size="xs">
                            disabled
                          </Badge>
                        )}
                      </Group>
                      {l.description && (
                        <Text size="xs" c="dimmed">
                          {l.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {l.entryCount} ({l.ipv4Count} IPv4, {l.ipv6Count} IPv6)
                      {l.rejectedLines > 0 && (
                        <Text size="xs" c="orange" title={l.rejectedSamples.join('\n')}>
                          {l.rejectedLines} lines skipped
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ff={l.url ? 'monospace' : undefined}>{l.url ?? 'uploaded'}</Table.Td>
                    <Table.Td>
                      {when(l.lastRefreshAt)}
                      {l.lastError && (
                        <Text size="xs" c="red">
                          {l.lastError}
                        </Text>
                      )}
                    </Table.Td>
                    {isAdmin && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <FileButton
                            accept=".txt,.netset,.ipset,.csv,text/plain"
                            onChange={(file) =>
                              file && void readText(file).then((text) => upload.mutate({ id: l.id, text }))
                            }
                          >
                            {(props) => (
                              <Button size="compact-sm" variant="default" {...props}>
                                Upload
                              </Button>
                            )}
                          </FileButton>
                          {l.url && (
                            <Button
                              size="compact-sm"
                              variant="default"
                              onClick={() => refresh.mutate(l.id)}
                              loading={refresh.isPending && refresh.variables === l.id}
                            >
                              Refresh now
                            </Button>
                          )}
                          <Button size="compact-sm" variant="default" onClick={() => onEdit(l)}>
                            Edit
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            onClick={() => window.confirm(`Remove the threat list ${l.name}?`) && remove.mutate(l.id)}
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
    </Stack>
  );
}
