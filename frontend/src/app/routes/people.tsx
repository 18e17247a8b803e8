import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { Panel } from '@/components/ui/panel';
import { PeopleList } from '@/features/people/components/people-list';
import { PersonForm } from '@/features/people/components/person-form';
import type { Person } from '@/features/people/api/people';
import { useSignedIn } from './layout';

/** People who sign in: admins only (the API refuses everyone else). */
export function PeopleRoute() {
  const me = useSignedIn();
  const [editing, setEditing] = useState<Person | null | 'new'>(null);
  if (me.role !== 'admin') return <Navigate to="/" replace />;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>People</Title>
        <Button onClick={() => setEditing('new')}>Invite</Button>
      </Group>
      <Text size="sm" c="dimmed">
        A viewer may be limited to some accounts and VPCs: they see only those flows, on every page. Changing a role,
        scope or password ends the person's sessions at once.
      </Text>
      <Panel title="People">
        <PeopleList onEdit={setEditing} />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Invite a person' : 'Change the person'}
      >
        {editing !== null && <PersonForm person={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
