import { ActionIcon, Alert, Badge, Button, Group, Modal, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorState } from '@/components/ui/states';
import { ApiError } from '@/lib/api-client';
import { describeRange } from '@/lib/time-range';
import { useDeleteSearch, useSaveSearch, useSearches, type SavedSearch, type SearchRequest } from '../api/searches';
import { labelOfView, urlOfSearch } from '../lib/search-url';

type Current = Omit<SearchRequest, 'name' | 'shared'>;

/** The API's message for a field, or for the whole request (a name taken: 409). */
function problemText(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : undefined;
  const fields = error.problem.errors;
  if (fields) return fields[field]?.join(' ') ?? Object.values(fields).flat().join(' ');
  return error.problem.detail ?? error.message;
}

/**
 * "Save" and "Open" next to the filter bar: saves the current view's filter, range and view under a name (private
 * or shared with the team), and lists the caller's and the team's searches to open, rename or delete.
 */
export function SearchesMenu({ current, onOpen }: { current: Current; onOpen: (url: string) => void }) {
  const [dialog, setDialog] = useState<'save' | 'open' | null>(null);
  const close = () => setDialog(null);
  return (
    <>
      <Button variant="default" size="sm" h={36} onClick={() => setDialog('save')}>
        Save
      </Button>
      <Button variant="default" size="sm" h={36} onClick={() => setDialog('open')}>
        Open
      </Button>
      <Modal opened={dialog === 'save'} onClose={close} title="Save search">
        {dialog === 'save' && <SaveForm current={current} onSaved={close} />}
      </Modal>
      <Modal opened={dialog === 'open'} onClose={close} title="Saved searches" size="xl">
        {dialog === 'open' && (
          <SearchList
            onOpen={(search) => {
              close();
              onOpen(urlOfSearch(search));
            }}
          />
        )}
      </Modal>
    </>
  );
}

function SaveForm({ current, onSaved }: { current: Current; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const save = useSaveSearch();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ id: null, request: { ...current, name: name.trim(), shared } }, { onSuccess: onSaved });
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          maxLength={100}
          data-autofocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={save.isError ? problemText(save.error, 'name') : undefined}
        />
        <Switch label="Share with the team" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
        <Text size="sm" c="dimmed">
          {labelOfView(current.view)} · {describeRange(current.from, current.to)} ·{' '}
          {current.filter ? <code>{current.filter}</code> : 'no filter'}
        </Text>
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SearchList({ onOpen }: { onOpen: (search: SavedSearch) => void }) {
  const searches = useSearches();
  const [renaming, setRenaming] = useState<number | null>(null);
  const remove = useDeleteSearch();
  if (searches.isPending) return <Text c="dimmed">Loading…</Text>;
  if (searches.isError) return <ErrorState error={searches.error} />;
  if (searches.data.length === 0) return <Text c="dimmed">No saved searches yet: use Save to keep this view.</Text>;
  return (
    <Stack gap="xs">
      {remove.isError && (
        <Alert color="red" role="alert" variant="light">
          {remove.error.message}
        </Alert>
      )}
      <Table aria-label="Saved searches" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>View</Table.Th>
            <Table.Th>Range</Table.Th>
            <Table.Th>Saved by</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {searches.data.map((search) => (
            <Table.Tr key={search.id}>
              <Table.Td>
                {renaming === search.id ? (
                  <RenameForm search={search} onDone={() => setRenaming(null)} />
                ) : (
                  <Button variant="subtle" size="compact-sm" onClick={() => onOpen(search)} title={search.filter}>
                    {search.name}
                  </Button>
                )}
              </Table.Td>
              <Table.Td>{labelOfView(search.view)}</Table.Td>
              <Table.Td>{describeRange(search.from, search.to)}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {search.mine ? 'you' : search.createdBy}
                  {search.shared && (
                    <Badge size="xs" variant="light">
                      shared
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                {search.mine && (
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    <ActionIcon
                      variant="subtle"
                      aria-label={`Rename ${search.name}`}
                      onClick={() => setRenaming(search.id)}
                    >
                      ✎
                    </ActionIcon>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${search.name}`}
                      onClick={() => {
                        if (window.confirm(`Delete the saved search "${search.name}"?`)) remove.mutate(search.id);
                      }}
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function RenameForm({ search, onDone }: { search: SavedSearch; onDone: () => void }) {
  const [name, setName] = useState(search.name);
  const save = useSaveSearch();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { filter, from, to, view, viewState, shared } = search;
    save.mutate(
      { id: search.id, request: { name: name.trim(), filter, from, to, view, viewState, shared } },
      { onSuccess: onDone },
    );
  };
  return (
    <form onSubmit={submit} noValidate>
      <Group gap={4} wrap="nowrap">
        <TextInput
          size="xs"
          aria-label="New name"
          maxLength={100}
          autoFocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && onDone()}
          error={save.isError ? problemText(save.error, 'name') : undefined}
        />
        <Button type="submit" size="compact-sm" disabled={!name.trim()} loading={save.isPending}>
          Rename
        </Button>
      </Group>
    </form>
  );
}
