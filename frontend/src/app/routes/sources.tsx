import { Button, Group, Modal, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import { Freshness } from '@/features/sources/components/freshness';
import { SourceForm } from '@/features/sources/components/source-form';
import { SourceList } from '@/features/sources/components/source-list';
import type { Source } from '@/types/api';
import { useSignedIn } from './layout';

/** Where flow logs come from and how their ingestion goes; admins add, edit, sync and remove sources. */
export function SourcesRoute() {
  const me = useSignedIn();
  const isAdmin = me.role === 'admin';
  const [editing, setEditing] = useState<Source | null | 'new'>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Sources</Title>
        {isAdmin && <Button onClick={() => setEditing('new')}>Add source</Button>}
      </Group>
      <Panel title="Sources">
        <SourceList isAdmin={isAdmin} onEdit={setEditing} />
      </Panel>
      <Panel title="Data freshness">
        <Freshness />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add a source' : 'Edit the source'}
        size="lg"
      >
        {editing !== null && (
          <SourceForm
            source={editing === 'new' ? null : editing}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
